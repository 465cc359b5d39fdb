"""Layers: names, weights in Keras's shapes, maths of the options, Keras's errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import rnn
from rnn import functional
from rnn.layers import GRU, LSTM, Bidirectional, Dense, Embedding, Input, SimpleRNN
from rnn.layers.layer import Layer
from rnn.models import Sequential


def data(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# ---------------------------------------------------------------- names
def test_names_follow_keras3() -> None:
    assert [SimpleRNN(1).name, SimpleRNN(1).name, Dense(1).name] == [
        "simple_rnn",
        "simple_rnn_1",
        "dense",
    ]
    assert [LSTM(1).name, GRU(1).name, Embedding(2, 2).name] == ["lstm", "gru", "embedding"]
    assert Bidirectional(LSTM(1)).name == "bidirectional"


def test_explicit_names_take_no_counter() -> None:
    assert Dense(1, name="head").name == "head"
    assert Dense(1).name == "dense"


def test_clear_session_resets_counters() -> None:
    Dense(1)
    rnn.clear_session()
    assert Dense(1).name == "dense"


def test_bidirectional_inner_names() -> None:
    layer = Bidirectional(GRU(3, name="encoder"))
    assert (layer.forward_layer.name, layer.backward_layer.name) == (
        "forward_encoder",
        "backward_encoder",
    )
    assert layer.backward_layer.go_backwards and not layer.forward_layer.go_backwards


# ---------------------------------------------------------------- weights
@pytest.mark.parametrize(
    ("layer", "shapes"),
    [
        (Dense(4), [(3, 4), (4,)]),
        (Dense(4, use_bias=False), [(3, 4)]),
        (SimpleRNN(5), [(3, 5), (5, 5), (5,)]),
        (SimpleRNN(5, use_bias=False), [(3, 5), (5, 5)]),
        (LSTM(5), [(3, 20), (5, 20), (20,)]),
        (GRU(5), [(3, 15), (5, 15), (2, 15)]),
        (GRU(5, reset_after=False), [(3, 15), (5, 15), (15,)]),
        (Bidirectional(LSTM(2)), [(3, 8), (2, 8), (8,)] * 2),
    ],
    ids=repr,
)
def test_weight_shapes_in_keras_order(layer: Layer, shapes: list[tuple[int, ...]]) -> None:
    layer.build((None, 6, 3) if not isinstance(layer, Dense) else (None, 3))
    assert [w.shape for w in layer.get_weights()] == shapes
    assert all(w.dtype == np.float32 for w in layer.weights)
    assert layer.count_params() == sum(int(np.prod(s)) for s in shapes)


def test_initializers_follow_keras_defaults() -> None:
    layer = LSTM(8)
    layer.build((None, 4, 6))
    kernel, recurrent, bias = layer.get_weights()
    assert np.abs(kernel).max() <= np.sqrt(6 / (6 + 32))
    # orthogonal: rows of the (8, 32) recurrent kernel are orthonormal
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(8), atol=1e-5)
    np.testing.assert_array_equal(bias, np.r_[np.zeros(8), np.ones(8), np.zeros(16)])
    no_forget = LSTM(8, unit_forget_bias=False)
    no_forget.build((None, 4, 6))
    assert not no_forget.bias.any()
    embedding = Embedding(100, 8)
    embedding.build((None, 5))
    assert np.abs(embedding.embeddings).max() <= 0.05


def test_seeds_make_weights_reproducible() -> None:
    rnn.set_random_seed(3)
    a = SimpleRNN(4)(data(2, 3, 2))
    rnn.set_random_seed(3)
    b = SimpleRNN(4)(data(2, 3, 2))
    np.testing.assert_array_equal(a, b)
    c, d = SimpleRNN(4, seed=1), SimpleRNN(4, seed=1)
    np.testing.assert_array_equal(c(data(2, 3, 2)), d(data(2, 3, 2)))


def test_set_weights_copies_values() -> None:
    layer = Dense(2)
    layer.build((None, 3))
    new = [np.ones((3, 2)), np.full(2, 0.5)]
    layer.set_weights(new)
    new[0][0, 0] = 9.0
    np.testing.assert_array_equal(layer(np.ones((1, 3))), [[3.5, 3.5]])


# ---------------------------------------------------------------- maths
def test_layers_return_float32_numpy() -> None:
    for layer in (Dense(2), SimpleRNN(2), LSTM(2), GRU(2), Bidirectional(GRU(2))):
        x = np.ones((2, 3, 4))  # float64 in, float32 out, like Keras
        y = layer(x)
        assert isinstance(y, np.ndarray) and y.dtype == np.float32, layer


def test_dense_on_3d_input() -> None:
    layer = Dense(4, activation="relu")
    x = data(2, 3, 5)
    y = layer(x)
    assert y.shape == (2, 3, 4)
    np.testing.assert_allclose(y, np.maximum(x @ layer.kernel + layer.bias, 0), atol=1e-6)


def test_simple_rnn_matches_functional() -> None:
    layer = SimpleRNN(4, return_sequences=True, activation="relu")
    x = data(2, 5, 3)
    y = layer(x)
    expected = functional.simple_rnn_forward(
        x, layer.kernel, layer.recurrent_kernel, layer.bias, activation="relu"
    )
    np.testing.assert_allclose(y, expected, atol=1e-6)


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_go_backwards_reads_the_reversed_sequence(cls: type) -> None:
    x = data(2, 6, 3)
    forwards = cls(4, return_sequences=True, seed=0)
    backwards = cls(4, return_sequences=True, go_backwards=True, seed=0)
    # same seed, same weights; the outputs come back in processing (reversed) order
    np.testing.assert_allclose(backwards(x), forwards(x[:, ::-1]), atol=1e-6)


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_return_state(cls: type) -> None:
    layer = cls(4, return_state=True)
    out = layer(data(2, 5, 3))
    assert isinstance(out, tuple)
    assert len(out) == (3 if cls is LSTM else 2)
    np.testing.assert_array_equal(out[0], out[1])  # last output == final hidden state
    assert layer.compute_output_shape((None, 5, 3)) == [(None, 4)] * len(out)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul", None])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_merges(merge_mode: str | None, return_sequences: bool) -> None:
    layer = Bidirectional(LSTM(3, return_sequences=return_sequences), merge_mode=merge_mode)
    x = data(2, 5, 4)
    y = layer(x)
    fwd = layer.forward_layer(x)
    bwd = layer.backward_layer(x)
    if return_sequences:
        bwd = bwd[:, ::-1]  # back to chronological order
    expected = {
        "concat": lambda: np.concatenate([fwd, bwd], axis=-1),
        "sum": lambda: fwd + bwd,
        "ave": lambda: (fwd + bwd) / 2,
        "mul": lambda: fwd * bwd,
        None: lambda: [fwd, bwd],
    }[merge_mode]()
    np.testing.assert_allclose(y, expected, atol=1e-6)
    shape = layer.compute_output_shape((None, 5, 4))
    got_shape = [a.shape for a in y] if merge_mode is None else y.shape
    want = [(2, *s[1:]) for s in shape] if merge_mode is None else (2, *shape[1:])
    assert got_shape == want


def test_bidirectional_return_state() -> None:
    layer = Bidirectional(GRU(3, return_state=True))
    out = layer(data(2, 5, 4))
    assert [a.shape for a in out] == [(2, 6), (2, 3), (2, 3)]


def test_bidirectional_set_weights_splits_directions() -> None:
    layer = Bidirectional(SimpleRNN(2))
    layer.build((None, 4, 3))
    weights = [np.full(w.shape, i, dtype=np.float32) for i, w in enumerate(layer.weights)]
    layer.set_weights(weights)
    assert layer.forward_layer.kernel[0, 0] == 0 and layer.backward_layer.kernel[0, 0] == 3


def test_embedding_lookup_and_ids() -> None:
    layer = Embedding(10, 4)
    ids = np.array([[1, 2, 3], [0, 9, 9]])
    y = layer(ids)
    assert y.shape == (2, 3, 4) and y.dtype == np.float32
    np.testing.assert_array_equal(y[1, 1], layer.embeddings[9])
    with pytest.raises(IndexError, match=r"token ids must lie in \[0, 10\)"):
        layer(np.array([[10]]))
    with pytest.raises(ValueError, match="expects integer token ids"):
        layer(np.array([[0.5]]))


def test_config_round_trip() -> None:
    for layer in (
        Dense(3, activation="relu", use_bias=False),
        Embedding(7, 2),
        SimpleRNN(4, activation=None, go_backwards=True),
        LSTM(2, unit_forget_bias=False, return_sequences=True),
        GRU(2, reset_after=False, recurrent_activation="relu"),
        Bidirectional(LSTM(3), merge_mode="sum"),
    ):
        config = layer.get_config()
        clone = type(layer).from_config(config)
        assert clone.get_config() == config


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
@pytest.mark.parametrize("units", [-1, 0, 2.5, True, "3"])
def test_recurrent_units_must_be_positive_int(cls: type, units: object) -> None:
    # an int is shown as it is; anything else with its repr and type ("'3'" is not 3)
    got = f"{units}" if type(units) is int else f"{units!r} (of type {type(units).__name__})"
    message = (
        f"Received an invalid value for argument `units`, expected a positive integer, got {got}."
    )
    with pytest.raises(ValueError) as info:
        cls(units)
    assert str(info.value) == message


def test_dense_units_message() -> None:
    with pytest.raises(ValueError) as info:
        Dense(0)
    assert str(info.value) == (
        "Received an invalid value for `units`, expected a positive integer. Received: units=0"
    )


def test_embedding_dims_message() -> None:
    with pytest.raises(ValueError) as info:
        Embedding(0, 3)
    assert (
        str(info.value)
        == "`input_dim` must be a positive integer. Received: input_dim=0 (of type int)."
    )


def test_unknown_activation_and_kwargs() -> None:
    with pytest.raises(
        ValueError, match="Could not interpret activation function identifier: 'tahn'"
    ):
        SimpleRNN(3, activation="tahn")
    with pytest.raises(ValueError) as info:
        Dense(3, foo=1)
    assert str(info.value) == "Unrecognized keyword arguments passed to Dense: {'foo': 1}"


def test_set_weights_errors_in_keras_wording() -> None:
    layer = SimpleRNN(10)
    layer.build((None, 3, 1))
    with pytest.raises(ValueError) as info:
        layer.set_weights([np.zeros((1, 10)), np.zeros((10, 10))])
    assert str(info.value) == (
        "You called `set_weights(weights)` on layer 'simple_rnn' with a weight list of "
        "length 2, but the layer was expecting 3 weights."
    )
    with pytest.raises(ValueError) as info:
        layer.set_weights([np.zeros((1, 10)), np.zeros((3, 3)), np.zeros(10)])
    assert str(info.value) == (
        "Layer simple_rnn weight shape (10, 10) is not compatible with provided weight "
        "shape (3, 3)."
    )


def test_count_params_unbuilt() -> None:
    with pytest.raises(ValueError) as info:
        Dense(3).count_params()
    assert str(info.value) == (
        "You tried to call `count_params` on layer 'dense', but the layer isn't built. "
        "You can build it manually via: `layer.build(input_shape)`."
    )


def test_call_with_wrong_rank_or_features() -> None:
    layer = SimpleRNN(4)
    with pytest.raises(ValueError) as info:
        layer(np.zeros((2, 3)))
    assert str(info.value) == (
        'Input 0 of layer "simple_rnn" is incompatible with the layer: expected ndim=3, '
        "found ndim=2. Full shape received: (2, 3)"
    )
    layer(np.zeros((2, 3, 1)))
    with pytest.raises(ValueError) as info:
        layer(np.zeros((2, 3, 5)))
    assert str(info.value) == (
        'Input 0 of layer "simple_rnn" is incompatible with the layer: expected axis -1 of '
        "input shape to have value 1, but received input with shape (2, 3, 5)"
    )
    dense = Dense(2)
    with pytest.raises(ValueError, match="expected min_ndim=2, found ndim=1"):
        dense(np.zeros(3))


def test_bidirectional_errors() -> None:
    with pytest.raises(ValueError) as info:
        Bidirectional(LSTM(2), merge_mode="max")
    assert str(info.value) == (
        'Invalid merge mode. Received: max. Merge mode should be one of {"sum", "mul", '
        '"ave", "concat", None}'
    )
    with pytest.raises(ValueError, match="Please initialize `Bidirectional` layer"):
        Bidirectional(Dense(2))  # type: ignore[arg-type]


# -- the public contract for writing and copying layers --------------------------------


def test_trainable_and_non_trainable_weights_follow_trainable() -> None:
    layer = Dense(2)
    layer.build((None, 3))
    assert [w.shape for w in layer.trainable_weights] == [(3, 2), (2,)]
    assert layer.non_trainable_weights == []
    layer.trainable = False
    assert layer.trainable_weights == []
    assert [w.shape for w in layer.non_trainable_weights] == [(3, 2), (2,)]


def test_set_dtype_casts_the_weights_and_their_attributes() -> None:
    layer = LSTM(2, seed=0)
    layer.build((None, 4, 3))
    before = [w.copy() for w in layer.get_weights()]
    layer.set_dtype("float64")
    assert layer.dtype == "float64"
    assert all(w.dtype == np.float64 for w in layer.weights)
    assert layer.kernel is layer.weights[0]  # the attribute follows the new array
    assert all(np.array_equal(a, b) for a, b in zip(before, layer.get_weights(), strict=True))
    assert layer(np.ones((1, 4, 3))).dtype == np.float64
    with pytest.raises(ValueError, match="float16"):
        layer.set_dtype("float16")


def test_an_unbuilt_copy_keeps_the_settings_and_no_weights() -> None:
    rnn.clear_session()
    layer = GRU(3, return_sequences=True, seed=1)
    layer.build((None, 5, 2))
    twin = layer.unbuilt_copy("twin", go_backwards=True)
    assert (twin.name, twin.built, twin.weights, twin.go_backwards) == ("twin", False, [], True)
    assert twin.get_config() == {**layer.get_config(), "name": "twin", "go_backwards": True}
    assert layer.built and len(layer.weights) == 3  # the original is untouched
    assert GRU(3).name == "gru_1"  # the copy took no name from the counters


def test_dense_without_bias_has_bias_none_and_an_activation_set_later_is_read_as_keras() -> None:
    """Keras: `Dense(2, use_bias=False).bias` is None once built, and `activation = None`
    set after construction means linear (issue 13's "wrong today")."""
    layer = Dense(2, use_bias=False, dtype="float64")
    x = np.random.default_rng(0).standard_normal((3, 4))
    layer.build(x.shape)
    assert layer.bias is None and layer.count_params() == 8
    layer.activation = "tanh"
    np.testing.assert_allclose(layer(x), np.tanh(x @ layer.kernel))
    layer.activation = None
    np.testing.assert_allclose(layer(x), x @ layer.kernel)
    assert layer.get_config()["activation"] == "linear"
    y = layer.forward(x)
    np.testing.assert_allclose(layer.backward(np.ones_like(y)), np.ones_like(y) @ layer.kernel.T)


# ---------------------------------------------------------------------- issue 13's arguments


def test_embedding_takes_pretrained_vectors_as_keras() -> None:
    """Keras 3: ``weights=[matrix]`` (or the matrix) builds the layer with it as its table."""
    vectors = np.arange(12.0).reshape(4, 3)
    for given in ([vectors], vectors):
        layer = Embedding(4, 3, weights=given)
        assert layer.built
        np.testing.assert_array_equal(layer.embeddings, vectors.astype(np.float32))
        assert "weights" not in layer.get_config()
    ids = np.array([[3, 1, 0]])
    np.testing.assert_array_equal(Embedding(4, 3, weights=[vectors])(ids), vectors[[[3, 1, 0]]])


def test_embedding_with_fixed_pretrained_vectors_trains_around_them() -> None:
    rnn.set_random_seed(0)
    vectors = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    model = Sequential(
        [Input((4,)), Embedding(5, 3, weights=[vectors], trainable=False), GRU(2), Dense(1)]
    )
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.array([[1, 2, 3, 4]] * 8), np.ones((8, 1)), epochs=2, verbose=0)
    np.testing.assert_array_equal(model.layers[0].embeddings, vectors)
    assert model.layers[0].input_shape == (None, 4)


def test_embedding_builds_without_a_shape_as_keras() -> None:
    layer = Embedding(6, 2)
    layer.build()
    assert layer.built and layer.embeddings.shape == (6, 2)
    table = layer.embeddings.copy()
    layer.build((None, 3))  # built: nothing changes, as Keras
    np.testing.assert_array_equal(layer.embeddings, table)
    model = Sequential([Input((3,)), layer, Dense(1)])
    assert model.output_shape == (None, 3, 1) and layer.input_shape == (None, 3)


@pytest.mark.parametrize("cls", [LSTM, GRU])
def test_implementation_and_use_cudnn_are_accepted_and_change_nothing(cls: Any) -> None:
    x = np.random.default_rng(0).standard_normal((2, 5, 3))
    plain = cls(4, seed=3)
    y = plain(x)
    for implementation, use_cudnn in ((1, False), (2, True), (2, "auto")):
        layer = cls(4, seed=3, implementation=implementation, use_cudnn=use_cudnn)
        np.testing.assert_array_equal(layer(x), y)
        assert (layer.cell.implementation, layer.use_cudnn) == (implementation, use_cudnn)
        config = layer.get_config()
        assert "implementation" not in config and "use_cudnn" not in config
    # as Keras: recurrent dropout makes the cell's implementation 1
    assert cls(4, recurrent_dropout=0.2, implementation=2).cell.implementation == 1


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_recurrent_configs_carry_unroll_and_zero_output_for_mask(cls: Any) -> None:
    config = cls(2, unroll=True, zero_output_for_mask=True).get_config()
    assert (config["unroll"], config["zero_output_for_mask"]) == (True, True)
    again = cls.from_config(config)
    assert (again.unroll, again.zero_output_for_mask) == (True, True)
    assert cls(2).get_config()["unroll"] is False


def test_bidirectional_with_its_own_backward_layer() -> None:
    """The backward layer is used as it is: its output, reversed, joins the forward one's."""
    rnn.clear_session()
    x = np.random.default_rng(0).standard_normal((2, 5, 3))
    backward = GRU(2, go_backwards=True, return_sequences=True, seed=1)
    layer = Bidirectional(LSTM(4, return_sequences=True, seed=0), backward_layer=backward)
    y = layer(x)
    assert layer.backward_layer is backward and y.shape == (2, 5, 6)
    np.testing.assert_allclose(y[..., :4], layer.forward_layer(x))
    np.testing.assert_allclose(y[..., 4:], backward(x)[:, ::-1])
    assert layer.count_params() == 4 * 4 * (3 + 4 + 1) + 3 * 2 * (3 + 2 + 2)
    config = layer.get_config()
    assert config["backward_layer"]["class_name"] == "GRU"
    assert config["layer"]["config"]["name"] == "forward_lstm"
    again = Bidirectional.from_config(config)
    assert again.backward_layer.name == "gru" and again.forward_layer.name == "forward_lstm"
    assert again.backward_layer.go_backwards and again.backward_layer.zero_output_for_mask


def test_bidirectional_backward_layer_must_be_recurrent() -> None:
    with pytest.raises(ValueError, match=r"^`backward_layer` must be a recurrent layer"):
        Bidirectional(LSTM(2), backward_layer=Dense(2))  # type: ignore[arg-type]


def test_explain_params_of_a_bidirectional_with_its_own_backward_layer() -> None:
    layer = Bidirectional(LSTM(4), backward_layer=GRU(2, go_backwards=True))
    layer.build((None, 5, 3))
    (entry,) = rnn.explain_params(layer).layers
    assert entry.numbers == "(4*(4*4 + 3*4 + 4)) + (3*(2*2 + 3*2 + 2*2))"
    assert eval(entry.numbers) == entry.count == layer.count_params() == 170
    assert entry.torch is None  # PyTorch's bidirectional layers are twins
