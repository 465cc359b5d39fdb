"""Cells and `RNN(cell)`: one step at a time, the same numbers as the built-in layers.

`RNN` runs a cell step by step; `SimpleRNN`, `LSTM` and `GRU` run the same cells through
the whole-sequence functions of `rnn.functional`. With the same weights the two must agree
on everything a call can do: masks (post- and pre-padding, a row without a real step),
initial states, go_backwards, stateful batches, dropout while training, every output and
every gradient (inputs, weights, initial states, final states). A cell of your own, with
``state_size``, ``call`` and ``backward_step``, trains inside `RNN`; its gradients are
checked by central differences. Keras's own numbers for the cells are compared in
``tests/test_keras_sequences.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import rnn
from rnn.layers import (
    GRU,
    LSTM,
    RNN,
    Bidirectional,
    Dense,
    GRUCell,
    Input,
    Layer,
    LSTMCell,
    SimpleRNN,
    SimpleRNNCell,
    StackedRNNCells,
)
from rnn.models import Sequential
from rnn.regularizers import L1, L2

F64 = {"dtype": "float64"}
PAIRS = {
    "simple": (SimpleRNN, SimpleRNNCell, {}),
    "lstm": (LSTM, LSTMCell, {}),
    "gru": (GRU, GRUCell, {}),
    "gru_before": (GRU, GRUCell, {"reset_after": False}),
}
MASKS = {
    "none": None,
    "post": np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], bool),
    "pre": np.array([[1, 1, 1, 1, 1], [0, 0, 1, 1, 1], [0, 0, 0, 0, 1]], bool),
    "empty_row": np.array([[1, 1, 0, 1, 1], [0, 0, 0, 0, 0], [1, 0, 1, 0, 1]], bool),
}


def pair(kind: str, **options: Any) -> tuple[Any, RNN]:
    """A built-in layer and an RNN of its cell, with the same weights, in float64."""
    layer_cls, cell_cls, extra = PAIRS[kind]
    plain = layer_cls(3, seed=1, **extra, **options, **F64)
    generic = RNN(cell_cls(3, seed=2, **extra), **options, **F64)
    for layer in (plain, generic):
        layer.build((3, 5, 2))
    generic.set_weights(plain.get_weights())
    return plain, generic


def flat(returned: Any) -> list[np.ndarray]:
    if isinstance(returned, (list, tuple)):
        return [a for item in returned for a in flat(item)]
    return [np.asarray(returned)]


def data(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def assert_all_close(got: Any, want: Any) -> None:
    got, want = flat(got), flat(want)
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", PAIRS)
@pytest.mark.parametrize("mask", MASKS)
@pytest.mark.parametrize("options", ["rs", "st", "gb-rs-st", "zero"])
def test_rnn_of_a_cell_equals_the_built_in_layer_forward_and_backward(
    kind: str, mask: str, options: str
) -> None:
    opts = {
        "rs": {"return_sequences": True},
        "st": {"return_state": True},
        "gb-rs-st": {"go_backwards": True, "return_sequences": True, "return_state": True},
        "zero": {"return_sequences": True, "zero_output_for_mask": True},
    }[options]
    plain, generic = pair(kind, **opts)
    x = data(3, 5, 2)
    count = 1 + (plain.state_count if plain.return_state else 0)
    initial = [data(3, 3, seed=7 + i) for i in range(plain.state_count)]
    given = {"mask": MASKS[mask], "initial_state": initial}
    outputs = plain.forward(x, **given)
    assert_all_close(generic.forward(x, **given), outputs)
    # dL/d every output, the final states' included
    grads_out = [data(*np.shape(o), seed=20 + i) for i, o in enumerate(flat(outputs))]
    g = grads_out if count > 1 else grads_out[0]
    assert_all_close(generic.backward(g), plain.backward(g))
    assert_all_close(generic.grads, plain.grads)


@pytest.mark.parametrize("kind", PAIRS)
def test_dropout_while_training_draws_the_same_masks_and_gradients(kind: str) -> None:
    """A cell draws its masks at the first step, from the same seeded generator the
    built-in layer draws them from for the whole sequence: the same numbers."""
    layer_cls, cell_cls, extra = PAIRS[kind]
    rates = {"dropout": 0.3, "recurrent_dropout": 0.4}
    plain = layer_cls(3, seed=5, return_sequences=True, **rates, **extra, **F64)
    generic = RNN(cell_cls(3, seed=5, **rates, **extra), return_sequences=True, **F64)
    x = data(3, 5, 2)
    trained = plain.forward(x, training=True)
    np.testing.assert_allclose(generic.forward(x, training=True), trained, rtol=1e-12)
    g = data(*trained.shape, seed=3)
    np.testing.assert_allclose(generic.backward(g), plain.backward(g), rtol=1e-10, atol=1e-12)
    assert_all_close(generic.grads, plain.grads)
    # outside training, no dropout: the same as a layer without the rates
    bare = RNN(cell_cls(3, **extra), return_sequences=True, **F64)
    bare.build(x.shape)
    bare.set_weights(generic.get_weights())
    np.testing.assert_allclose(generic(x), bare(x), rtol=1e-12)
    assert not np.allclose(generic(x, training=True), bare(x))


@pytest.mark.parametrize("kind", ["simple", "lstm"])
def test_a_stateful_rnn_of_a_cell_carries_its_states_as_the_built_in_layer(kind: str) -> None:
    plain, generic = pair(kind, stateful=True, return_sequences=True)
    for seed in range(3):
        x = data(3, 5, 2, seed=seed)
        np.testing.assert_allclose(generic(x), plain(x), rtol=1e-12)
        assert_all_close(generic.states, plain.states)
    generic.reset_states()
    assert all(not s.any() for s in generic.states or [])


def test_stacked_cells_equal_the_plain_layers_chained_forward_and_backward() -> None:
    """RNN([SimpleRNNCell(3), LSTMCell(2)]) is SimpleRNN(3, return_sequences=True) then
    LSTM(2), step for step; a masked step is skipped by both cells."""
    stacked = RNN([SimpleRNNCell(3), LSTMCell(2)], return_sequences=True, **F64)
    first = SimpleRNN(3, return_sequences=True, **F64)
    second = LSTM(2, return_sequences=True, **F64)
    x, mask = data(3, 5, 2), MASKS["post"]
    stacked.build(x.shape)
    first.build(x.shape)
    second.build((3, 5, 3))
    weights = stacked.get_weights()
    first.set_weights(weights[:3])
    second.set_weights(weights[3:])
    hidden = first.forward(x, mask=mask)
    chained = second.forward(hidden, mask=mask)
    np.testing.assert_allclose(stacked.forward(x, mask=mask), chained, rtol=1e-10)
    g = data(*chained.shape, seed=4)
    grad_x = first.backward(second.backward(g))
    np.testing.assert_allclose(stacked.backward(g), grad_x, rtol=1e-9, atol=1e-12)
    assert_all_close(stacked.grads, first.grads + second.grads)
    assert isinstance(stacked.cell, StackedRNNCells)
    assert stacked.state_sizes == [3, 2, 2]


def test_stacked_cells_return_and_take_their_states_per_cell_as_keras() -> None:
    layer = RNN([SimpleRNNCell(3), LSTMCell(2)], return_state=True, **F64)
    x = data(2, 4, 2)
    out, [h1], [h2, c2] = layer(x)
    assert (out.shape, h1.shape, h2.shape, c2.shape) == ((2, 2), (2, 3), (2, 2), (2, 2))
    np.testing.assert_array_equal(out, h2)
    # the final states, given back nested or flat, continue the sequence
    whole = layer(np.concatenate([x, x], axis=1))[0]
    nested = layer(x, initial_state=[[h1], [h2, c2]])[0]
    flat_given = layer(x, initial_state=[h1, h2, c2])[0]
    np.testing.assert_allclose(nested, whole, rtol=1e-12)
    np.testing.assert_allclose(flat_given, whole, rtol=1e-12)


def test_one_step_of_a_cell_is_one_step_of_its_layer() -> None:
    for layer_cls, cell_cls, extra in PAIRS.values():
        cell = cell_cls(4, seed=3, **extra, **F64)
        n = len(cell.state_size) if isinstance(cell.state_size, list) else 1
        x, states = data(2, 3), [data(2, 4, seed=s) for s in range(n)]
        output, new = cell(x, states)
        layer = layer_cls(4, return_state=True, **extra, **F64)
        layer.build((2, 1, 3))
        layer.set_weights(cell.get_weights())
        out, *finals = layer(x[:, None], initial_state=states)
        np.testing.assert_allclose(output, out, rtol=1e-12)
        assert_all_close(new, finals)


def test_zero_initial_states_as_keras_gives_them() -> None:
    assert [s.shape for s in LSTMCell(3).get_initial_state(2)] == [(2, 3), (2, 3)]
    layer = RNN([SimpleRNNCell(3), LSTMCell(2)], **F64)
    states = layer.get_initial_state(4)
    assert [s.shape for s in states] == [(4, 3), (4, 2), (4, 2)]
    assert all(s.dtype == np.float64 and not s.any() for s in states)


def test_a_built_in_layer_owns_its_cell_as_in_keras() -> None:
    rnn.clear_session()
    layer = LSTM(4, dropout=0.25)
    assert isinstance(layer.cell, LSTMCell) and layer.cell.name == "lstm_cell"
    assert layer.units == layer.cell.units == 4 and layer.cell.dropout == 0.25
    layer.build((2, 5, 3))
    assert layer.kernel is layer.cell.kernel and layer.weights[0] is layer.cell.kernel
    # the cell's name is Keras's fixed one: no session counter is used
    assert SimpleRNN(2).name == "simple_rnn" and SimpleRNNCell(2).name == "simple_rnn_cell"
    layer.set_dtype("float64")
    assert layer.kernel.dtype == layer.cell.kernel.dtype == layer.weights[0].dtype == np.float64


def test_bidirectional_of_an_rnn_of_a_cell_equals_bidirectional_of_the_layer() -> None:
    x, mask = data(3, 5, 2), MASKS["pre"]
    plain = Bidirectional(GRU(3, return_sequences=True, **F64))
    generic = Bidirectional(RNN(GRUCell(3), return_sequences=True, **F64))
    plain.build(x.shape)
    generic.build(x.shape)
    generic.set_weights(plain.get_weights())
    y = plain.forward(x, mask=mask)
    np.testing.assert_allclose(generic.forward(x, mask=mask), y, rtol=1e-10)
    g = data(*y.shape, seed=9)
    np.testing.assert_allclose(generic.backward(g), plain.backward(g), rtol=1e-9, atol=1e-12)
    assert generic.forward_layer.cell is not generic.backward_layer.cell
    assert generic.layer.cell is not generic.forward_layer.cell


def test_configs_round_trip_and_keras_s_cell_config_is_read() -> None:
    rnn.clear_session()
    layer = RNN([SimpleRNNCell(3, dropout=0.1), LSTMCell(2)], go_backwards=True)
    config = layer.get_config()
    assert config["cell"]["class_name"] == "StackedRNNCells"
    assert [c["class_name"] for c in config["cell"]["config"]["cells"]] == [
        "SimpleRNNCell",
        "LSTMCell",
    ]
    again = RNN.from_config(config)
    assert again.get_config() == config
    model = Sequential([Input(shape=(5, 2)), RNN(GRUCell(3)), Dense(1)])
    copy = Sequential.from_config(model.get_config())
    copy.set_weights(model.get_weights())
    x = data(2, 5, 2)
    np.testing.assert_allclose(copy(x), model(x), rtol=1e-6)


# ------------------------------------------------------------ a cell of your own


class MinimalGatedCell(Layer):
    """A minimal gated cell: one gate decides how much of the candidate enters the state.

    f = sigmoid(x W_f + h U_f + b_f);  c = tanh(x W + h U + b);  h' = f * h + (1 - f) * c
    """

    def __init__(self, units: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape: Any) -> None:
        u = self.units
        self.kernel = self.add_weight("kernel", (input_shape[-1], 2 * u), "glorot_uniform")
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (u, 2 * u), "orthogonal")
        self.bias = self.add_weight("bias", (2 * u,), "zeros")
        self.bias[:u] = 1.0  # the gate starts open, as docs/your-own-cell.md's
        super().build(input_shape)

    def _gates(self, inputs: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        z = inputs @ self.kernel + h @ self.recurrent_kernel + self.bias
        return 1 / (1 + np.exp(-z[:, : self.units])), np.tanh(z[:, self.units :])

    def call(self, inputs: np.ndarray, states: list[np.ndarray]) -> Any:
        h = states[0]
        f, c = self._gates(inputs, h)
        new = f * h + (1 - f) * c
        return new, [new]

    def backward_step(
        self, inputs: np.ndarray, states: list[np.ndarray], grad_output: Any, grad_states: Any
    ) -> Any:
        h = states[0]
        f, c = self._gates(inputs, h)
        dh_new = grad_output + grad_states[0]  # the output is the new state
        df = dh_new * (h - c) * f * (1 - f)  # through the gate's sigmoid
        dc = dh_new * (1 - f) * (1 - c**2)  # through the candidate's tanh
        dz = np.concatenate([df, dc], axis=1)
        dx = dz @ self.kernel.T
        dh = dz @ self.recurrent_kernel.T + dh_new * f  # the product and the kept share
        return dx, [dh], [inputs.T @ dz, h.T @ dz, dz.sum(axis=0)]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units}


def central_differences(layer: RNN, x: np.ndarray, g: np.ndarray, **given: Any) -> list[Any]:
    """dL/d weights and dL/dx of L = sum(layer(x) * g), by central differences."""
    eps = 1e-6

    def loss() -> float:
        return float(np.sum(layer(x, **given) * g))

    numeric = []
    for array in [*layer.weights, x]:
        grad = np.zeros_like(array)
        for i in np.ndindex(array.shape):
            keep = array[i]
            array[i] = keep + eps
            up = loss()
            array[i] = keep - eps
            down = loss()
            array[i] = keep
            grad[i] = (up - down) / (2 * eps)
        numeric.append(grad)
    return numeric


@pytest.mark.parametrize("mask", ["none", "post", "empty_row"])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_your_own_cell_trains_in_rnn_with_correct_gradients(mask: str, go_backwards: bool) -> None:
    layer = RNN(
        MinimalGatedCell(3, seed=0), return_sequences=True, go_backwards=go_backwards, **F64
    )
    x, g = data(3, 5, 2), data(3, 5, 3, seed=1)
    given = {"mask": MASKS[mask]}
    layer.forward(x, **given)
    grad_x = layer.backward(g)
    *weights, inputs = central_differences(layer, x, g, **given)
    for analytic, numeric in zip([*layer.grads, grad_x], [*weights, inputs], strict=True):
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)
    assert layer.weight_names == [
        "minimal_gated_cell/kernel",
        "minimal_gated_cell/recurrent_kernel",
        "minimal_gated_cell/bias",
    ]


def test_your_own_cell_stacks_and_trains_with_fit() -> None:
    rnn.set_random_seed(0)
    model = Sequential(
        [Input(shape=(6, 2)), RNN([MinimalGatedCell(4), SimpleRNNCell(3)]), Dense(1)]
    )
    model.compile(optimizer="adam", loss="mse")
    x = data(64, 6, 2)
    y = x[:, :, 0].sum(axis=1, keepdims=True) / 3  # the sum of the first feature
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.5 * before
    text = rnn.summary.summary_text(model)
    assert "rnn (RNN)" in text and f"{4 * 2 * (2 + 4 + 1) + (3 * 3 + 4 * 3 + 3)}" in text
    again = Sequential.from_config(
        model.get_config(), custom_objects={"MinimalGatedCell": MinimalGatedCell}
    )
    again.set_weights(model.get_weights())
    np.testing.assert_allclose(again(x), model(x), rtol=1e-6)


def test_a_cell_without_backward_step_runs_forward_and_says_why_it_cannot_train() -> None:
    class ForwardOnly(Layer):
        state_size = 2

        def build(self, input_shape: Any) -> None:
            self.kernel = self.add_weight("kernel", (input_shape[-1], 2), "ones")
            super().build(input_shape)

        def call(self, inputs: np.ndarray, states: list[np.ndarray]) -> Any:
            h = np.tanh(inputs @ self.kernel + states[0])
            return h, [h]

    layer = RNN(ForwardOnly())
    y = layer.forward(data(2, 3, 1))
    assert y.shape == (2, 2)
    with pytest.raises(NotImplementedError, match="ForwardOnly has no `backward_step"):
        layer.backward(np.ones_like(y))


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (object(), "Argument `cell` should have a `call` method. Received: cell=<object"),
        (Dense(3), "The RNN cell should have a `state_size` attribute"),
        ([], "StackedRNNCells needs at least one cell"),
    ],
)
def test_what_is_not_a_cell_is_refused_in_keras_s_words(cell: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RNN(cell)


def test_an_initial_state_of_the_wrong_shapes_is_named_for_stacked_cells() -> None:
    layer = RNN([SimpleRNNCell(3), LSTMCell(2)])
    with pytest.raises(ValueError, match=r"expects `initial_state` to be 3 arrays of shapes"):
        layer(data(2, 4, 2), initial_state=[np.zeros((2, 3))])


# ------------------------------------------------------------ the page's claim


def remember(n: int, seed: int, steps: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """docs/your-own-cell.md's task: keep the value at the one marked step among the first 7."""
    draw = np.random.default_rng(seed)
    x = np.zeros((n, steps, 2))
    x[:, :, 0] = draw.uniform(-1, 1, (n, steps))
    marked = draw.integers(0, 7, n)
    x[np.arange(n), marked, 1] = 1.0
    return x, x[np.arange(n), marked, 0][:, None]


@pytest.mark.parametrize("seed", [1, 2])
def test_the_gated_cell_keeps_a_value_a_simple_rnn_cannot(seed: int) -> None:
    """The page's claim with other weights and other data: after 10 epochs the gated
    cell's test error is below 0.2 of the baseline's (predicting 0), and the SimpleRNN's
    stays above 0.8 of it."""
    x_train, y_train = remember(512, seed=100 + seed)
    x_test, y_test = remember(256, seed=200 + seed)

    def ratio(recurrent: Layer) -> float:
        rnn.set_random_seed(seed)
        model = Sequential([Input(shape=(30, 2)), recurrent, Dense(1, **F64)])
        model.compile(optimizer=rnn.optimizers.Adam(0.01), loss="mse")
        model.fit(x_train, y_train, epochs=10, batch_size=32, verbose=0)
        return float(model.evaluate(x_test, y_test, verbose=0)) / (1 / 3)

    assert ratio(RNN(MinimalGatedCell(8), **F64)) < 0.2
    assert ratio(SimpleRNN(8, **F64)) > 0.8


# ---------------------------------------------------------------------- issue 13


@pytest.mark.parametrize("cls", [SimpleRNNCell, LSTMCell, GRUCell])
def test_cells_take_regularizers_and_constraints_with_keras_s_keys(cls: Any) -> None:
    cell = cls(2, kernel_regularizer=L2(0.5), bias_constraint="non_neg")
    config = cell.get_config()
    assert config["kernel_regularizer"]["config"] == {"l2": 0.5}
    assert config["bias_constraint"]["class_name"] == "NonNeg"
    assert config["recurrent_regularizer"] is None and config["recurrent_constraint"] is None
    assert "activity_regularizer" not in config  # a cell has none in Keras's config
    assert cls.from_config(config).get_config() == config


def test_a_stacked_rnn_sums_its_cells_penalties() -> None:
    layer = RNN(
        [SimpleRNNCell(3, kernel_regularizer=L2(0.5)), LSTMCell(2, bias_regularizer=L1(1.0))]
    )
    layer(np.ones((2, 4, 3)))
    first, second = layer.cell.cells
    assert layer.losses == pytest.approx(
        [0.5 * float(np.sum(first.kernel**2)), float(np.sum(np.abs(second.bias)))]
    )


def test_lstm_and_gru_cells_keep_keras_s_implementation() -> None:
    assert LSTMCell(2).implementation == 2 and GRUCell(2, implementation=1).implementation == 1
    assert LSTMCell(2, recurrent_dropout=0.1).implementation == 1
    assert "implementation" not in LSTMCell(2, implementation=1).get_config()
