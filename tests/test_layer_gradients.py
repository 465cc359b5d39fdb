"""Every layer's backward pass, checked with rnn.gradcheck in float64, alone and stacked."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from rnn import functional
from rnn.gradcheck import check_gradients
from rnn.layers import GRU, LSTM, Bidirectional, Dense, Embedding, SimpleRNN
from rnn.layers.layer import Layer
from rnn.models import Sequential

TOL = 1e-6


def inputs(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def assert_gradients_ok(layer: Layer, x: np.ndarray, **kwargs: Any) -> None:
    report = check_gradients(layer, x, tolerance=TOL, **kwargs)
    assert report.ok, str(report)


# ---------------------------------------------------------------------- Dense


@pytest.mark.parametrize("activation", [None, "tanh", "relu", "sigmoid", "softmax"])
@pytest.mark.parametrize("shape", [(4, 3), (2, 4, 3), (2, 2, 3, 3)])
def test_dense(activation: str | None, shape: tuple[int, ...]) -> None:
    assert_gradients_ok(Dense(5, activation=activation, seed=1), inputs(*shape))


def test_dense_without_bias() -> None:
    layer = Dense(3, use_bias=False, seed=2)
    assert_gradients_ok(layer, inputs(4, 2))
    layer.forward(np.ones((1, 2)))
    layer.backward(np.ones((1, 3)))
    assert [g.shape for g in layer.grads] == [(2, 3)]


def test_dense_custom_activation_has_no_backward() -> None:
    layer = Dense(3, activation=lambda z: z**3)
    y = layer.forward(np.ones((1, 2)))
    with pytest.raises(ValueError, match="not supported in backward"):
        layer.backward(np.ones_like(y))


# ------------------------------------------------------------------ recurrent

RECURRENT = {
    "simple_rnn": lambda **kw: SimpleRNN(3, seed=1, **kw),
    "lstm": lambda **kw: LSTM(3, seed=1, **kw),
    "gru": lambda **kw: GRU(3, seed=1, **kw),
    "gru_reset_before": lambda **kw: GRU(3, reset_after=False, seed=1, **kw),
}


@pytest.mark.parametrize("kind", RECURRENT)
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_recurrent(kind: str, return_sequences: bool, go_backwards: bool) -> None:
    layer = RECURRENT[kind](return_sequences=return_sequences, go_backwards=go_backwards)
    assert_gradients_ok(layer, inputs(2, 5, 2))


@pytest.mark.parametrize("kind", RECURRENT)
@pytest.mark.parametrize("return_sequences", [False, True])
def test_recurrent_return_state(kind: str, return_sequences: bool) -> None:
    """The loss covers the output and every final state: their gradients all count."""
    layer = RECURRENT[kind](return_sequences=return_sequences, return_state=True)
    assert_gradients_ok(layer, inputs(2, 4, 2))


@pytest.mark.parametrize("kind", RECURRENT)
def test_recurrent_options(kind: str) -> None:
    layer = RECURRENT[kind](use_bias=False, activation="relu", return_sequences=True)
    assert_gradients_ok(layer, inputs(2, 4, 2, seed=3))


@pytest.mark.parametrize("kind", RECURRENT)
def test_return_state_backward_takes_the_output_gradient_alone(kind: str) -> None:
    layer = RECURRENT[kind](return_sequences=True, return_state=True)
    x = inputs(2, 4, 2)
    out, *states = layer.forward(x)
    g = inputs(*out.shape, seed=1)
    alone = layer.backward(g)
    grads = [w.copy() for w in layer.grads]
    padded = layer.backward([g] + [None] * len(states))
    np.testing.assert_array_equal(alone, padded)
    for a, b in zip(grads, layer.grads, strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="gradients were given"):
        layer.backward([g] * (len(states) + 2))


@pytest.mark.parametrize("kind", RECURRENT)
@pytest.mark.parametrize("window", [1, 2])
def test_bptt_truncate_is_the_functional_truncation(kind: str, window: int) -> None:
    """bptt_truncate hands the window to rnn.functional (whose truncation is tested by hand)."""
    layer = RECURRENT[kind](return_sequences=True, bptt_truncate=window, dtype="float64")
    full = RECURRENT[kind](return_sequences=True, dtype="float64")
    x = inputs(2, 5, 2)
    y = layer.forward(x)
    full.forward(x)
    full.set_weights(layer.get_weights())
    np.testing.assert_array_equal(full.forward(x), y)
    g = inputs(*y.shape, seed=4)
    grad_x = layer.backward(g)
    full.backward(g)
    k, rk, b = layer.kernel, layer.recurrent_kernel, layer.bias
    expected_x, expected = {
        "simple_rnn": lambda: functional.simple_rnn_backward(g, x, y, k, rk, truncate=window),
        "lstm": lambda: functional.lstm_backward(g, x, y, k, rk, b, truncate=window),
        "gru": lambda: functional.gru_backward(g, x, y, k, rk, b, truncate=window),
        "gru_reset_before": lambda: functional.gru_backward(
            g, x, y, k, rk, b, reset_after=False, truncate=window
        ),
    }[kind]()
    np.testing.assert_allclose(grad_x, expected_x, rtol=1e-12)
    names = ["kernel", "recurrent_kernel", "bias"]
    for name, got in zip(names, layer.grads, strict=True):
        np.testing.assert_allclose(got, expected[name], rtol=1e-12)
    assert not np.allclose(layer.grads[1], full.grads[1])
    # the numerical check sees full gradients: truncation shows up as a mismatch
    assert not check_gradients(layer, x).ok


def test_bptt_truncate_with_go_backwards_matches_functional() -> None:
    layer = LSTM(3, return_sequences=True, go_backwards=True, bptt_truncate=2, seed=5)
    x = inputs(2, 6, 2).astype(np.float32)
    y = layer.forward(x)
    g = inputs(*y.shape, seed=6).astype(np.float32)
    grad_x = layer.backward(g)
    expected_x, expected = functional.lstm_backward(
        g, x[:, ::-1], y, layer.kernel, layer.recurrent_kernel, layer.bias, truncate=2
    )
    np.testing.assert_allclose(grad_x, expected_x[:, ::-1], rtol=1e-6)
    np.testing.assert_allclose(layer.grads[0], expected["kernel"], rtol=1e-6)


def test_bptt_truncate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="bptt_truncate"):
        SimpleRNN(3, bptt_truncate=0)
    assert "bptt_truncate" not in SimpleRNN(3).get_config()  # Keras's config is unchanged
    config = GRU(3, bptt_truncate=4).get_config()
    assert GRU.from_config(config).bptt_truncate == 4


# -------------------------------------------------------------- Bidirectional


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul", None])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_bidirectional(merge_mode: str | None, return_sequences: bool, go_backwards: bool) -> None:
    inner = LSTM(2, return_sequences=return_sequences, go_backwards=go_backwards, seed=1)
    assert_gradients_ok(Bidirectional(inner, merge_mode=merge_mode), inputs(2, 4, 2))


@pytest.mark.parametrize("merge_mode", ["concat", "mul", None])
@pytest.mark.parametrize("cls", [SimpleRNN, GRU])
def test_bidirectional_return_state(merge_mode: str | None, cls: type) -> None:
    inner = cls(2, return_sequences=True, return_state=True, seed=2)
    assert_gradients_ok(Bidirectional(inner, merge_mode=merge_mode), inputs(2, 3, 2))


def test_bidirectional_lstm_return_state_takes_main_gradient_alone() -> None:
    layer = Bidirectional(LSTM(2, return_state=True, seed=3))
    out = layer.forward(inputs(2, 3, 2))
    assert len(out) == 5  # merged output, h and c of each direction
    grad_x = layer.backward(np.ones_like(out[0]))
    assert grad_x.shape == (2, 3, 2)
    assert [g.shape for g in layer.grads] == [w.shape for w in layer.weights]
    with pytest.raises(ValueError, match="returns 5 arrays, but 6 gradients"):
        layer.backward([np.ones_like(out[0])] * 6)


def test_bidirectional_merge_none_needs_both_gradients() -> None:
    layer = Bidirectional(SimpleRNN(2, seed=4), merge_mode=None)
    fwd, _ = layer.forward(inputs(2, 3, 2))
    with pytest.raises(ValueError, match=r"\[d forward, d backward\]"):
        layer.backward(np.ones_like(fwd))
    assert layer.backward([np.ones_like(fwd), None]).shape == (2, 3, 2)


# ------------------------------------------------------------------ Embedding


def test_embedding_scatter_adds_repeated_ids() -> None:
    layer = Embedding(6, 3, seed=1)
    ids = np.array([[0, 2, 2], [5, 2, 0]])
    y = layer.forward(ids)
    g = inputs(*y.shape)
    assert layer.backward(g) is None
    expected = np.zeros((6, 3))
    for (b, t), token in np.ndenumerate(ids):
        expected[token] += g[b, t]
    np.testing.assert_allclose(layer.grads[0], expected, rtol=1e-6)
    assert layer.grads[0].dtype == np.float32


def test_embedding_alone_and_in_a_model() -> None:
    ids = np.random.default_rng(0).integers(0, 7, (3, 4))
    assert_gradients_ok(Embedding(7, 3, seed=1), ids)
    model = Sequential(
        [Embedding(7, 3, seed=1), Bidirectional(GRU(2, seed=2)), Dense(2, activation="softmax")]
    )
    model.build(ids.shape)
    report = check_gradients(model, ids)
    assert report.ok, str(report)
    names = [e.name for e in report.entries]
    assert names[0] == "embedding_1/embeddings" and len(names) == len(model.weights)
    assert "input" not in names  # ids have no gradient


# -------------------------------------------------------------------- models

MODELS = {
    "notebook": lambda: [SimpleRNN(4, input_shape=(5, 2), seed=1), Dense(1, seed=2)],
    "stacked": lambda: [
        LSTM(3, return_sequences=True, seed=1),
        GRU(3, return_sequences=True, go_backwards=True, seed=2),
        SimpleRNN(2, seed=3),
        Dense(2, activation="tanh", seed=4),
    ],
    "bidirectional": lambda: [
        Bidirectional(LSTM(2, return_sequences=True, seed=1), merge_mode="sum"),
        Bidirectional(GRU(2, reset_after=False, seed=2)),
        Dense(3, activation="softmax", seed=3),
    ],
    "per_step_dense": lambda: [SimpleRNN(3, return_sequences=True, seed=1), Dense(2, seed=2)],
}


@pytest.mark.parametrize("name", MODELS)
def test_stacked_models(name: str) -> None:
    model = Sequential(MODELS[name]())
    model.build((None, 5, 2))
    report = check_gradients(model, inputs(2, 5, 2))
    assert report.ok, str(report)
    assert len(report.entries) == len(model.weights) + 1


def test_model_forward_backward_chain_the_layers() -> None:
    layers = MODELS["stacked"]()
    model = Sequential(layers)
    x = inputs(2, 5, 2).astype(np.float32)
    y = model.forward(x)
    np.testing.assert_array_equal(y, model(x))
    g = np.ones_like(y)
    grad_x = model.backward(g)
    # by hand: each layer's backward, last first
    grad = g
    for layer in reversed(layers):
        grad = layer.backward(grad)
    np.testing.assert_array_equal(grad_x, grad)
    assert [g.shape for g in model.grads] == [w.shape for w in model.weights]
    assert all(g.dtype == np.float32 for g in model.grads)


# ------------------------------------------------------------------- contract


@pytest.mark.parametrize(
    "make",
    [
        lambda: Dense(3),
        lambda: SimpleRNN(3, return_sequences=True),
        lambda: LSTM(3, return_state=True),
        lambda: GRU(3, go_backwards=True),
        lambda: Bidirectional(LSTM(3, return_sequences=True), merge_mode=None),
    ],
)
def test_forward_equals_call_and_grads_align(make: Any) -> None:
    layer = make()
    x = inputs(2, 4, 3)
    y = layer.forward(x)
    called = layer(x)
    for a, b in zip(
        y if isinstance(y, (list, tuple)) else [y],
        called if isinstance(called, (list, tuple)) else [called],
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)
    main = y[0] if isinstance(y, (list, tuple)) else y
    grad = [np.ones_like(main)] * 2 if isinstance(layer, Bidirectional) else np.ones_like(main)
    grad_x = layer.backward(grad)
    assert grad_x.shape == x.shape and grad_x.dtype == np.float32
    first = [g.copy() for g in layer.grads]
    assert [(g.shape, g.dtype) for g in first] == [(w.shape, w.dtype) for w in layer.weights]
    doubled = [2 * g for g in grad] if isinstance(grad, list) else 2 * grad
    layer.backward(doubled)  # overwritten, not accumulated
    for a, b in zip(first, layer.grads, strict=True):
        np.testing.assert_allclose(b, 2 * a, rtol=1e-5, atol=1e-7)


def test_backward_needs_forward_first() -> None:
    layer = SimpleRNN(3)
    layer(np.ones((1, 2, 1)))  # calling keeps nothing
    with pytest.raises(RuntimeError, match=r"call `layer.forward\(inputs\)` before"):
        layer.backward(np.ones((1, 3)))
    with pytest.raises(RuntimeError, match="has no gradients yet"):
        _ = layer.grads


def test_wrong_gradient_shape_is_named() -> None:
    layer = Dense(3)
    layer.forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"output's shape \(2, 3\), got \(2, 4\)"):
        layer.backward(np.ones((2, 4)))


# ---------------------------------------------------------------------- issue 13


def test_bidirectional_with_its_own_backward_layer() -> None:
    layer = Bidirectional(
        LSTM(3, return_sequences=True, seed=0),
        backward_layer=GRU(2, go_backwards=True, return_sequences=True, seed=1),
        merge_mode="concat",
    )
    assert_gradients_ok(layer, inputs(2, 4, 3))


@pytest.mark.parametrize(
    "layer",
    [
        Dense(3, activation="tanh", activity_regularizer="l2", seed=0),
        LSTM(2, return_sequences=True, activity_regularizer="l1", seed=0),
        GRU(2, activity_regularizer="l2", seed=0),
    ],
    ids=["dense", "lstm", "gru"],
)
def test_activity_regularizer_gradient(layer: Layer) -> None:
    """backward includes the activity penalty's gradient: the loss checked is the
    projection plus the layer's penalty (its `losses` after the call)."""
    rng = np.random.default_rng(4)
    x = inputs(3, 4, 2)

    def loss(out: Any) -> tuple[float, Any]:
        r = np.random.default_rng(5).standard_normal(np.shape(out))
        return float(np.sum(out * r)), r

    copy = layer.__class__.from_config(layer.get_config())
    copy.set_dtype("float64")
    copy.build(x.shape)
    copy.set_weights([rng.normal(0, 0.5, w.shape) for w in copy.weights])

    def total(out: Any) -> float:
        penalty = sum(copy.activity_regularizer(o) / o.shape[0] for o in [np.asarray(out)])
        return loss(out)[0] + penalty

    out = copy.forward(x)
    grad_x = copy.backward(loss(out)[1])
    eps = 1e-6
    for array, analytic in [*zip(copy.weights, list(copy.grads), strict=True), (x, grad_x)]:
        numeric = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            keep = array[index]
            array[index] = keep + eps
            up = total(copy(x))
            array[index] = keep - eps
            down = total(copy(x))
            array[index] = keep
            numeric[index] = (up - down) / (2 * eps)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("merge_mode", ["concat", None])
def test_bidirectional_own_backward_layer_with_states_and_initial_state(
    merge_mode: str | None,
) -> None:
    """An LSTM forwards (two states) and a GRU backwards (one): states and initial states
    are split by each direction's own count."""
    layer = Bidirectional(
        LSTM(3, return_state=True, seed=0),
        backward_layer=GRU(2, go_backwards=True, return_state=True, seed=1),
        merge_mode=merge_mode,
    )
    x = inputs(2, 4, 3)
    out = layer(x)
    assert [np.shape(o) for o in out][-3:] == [(2, 3), (2, 3), (2, 2)]
    assert_gradients_ok(layer, x)
    starts = [inputs(2, 3, seed=1), inputs(2, 3, seed=2), inputs(2, 2, seed=3)]
    layer(x, initial_state=starts)
    with pytest.raises(ValueError, match="3 arrays: 2 for the forward direction, then 1 for"):
        layer(x, initial_state=starts[:2])
