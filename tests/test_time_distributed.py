"""`TimeDistributed`: the wrapped layer at every step, its gradients, masks and errors.

``tests/test_keras_sequences.py`` compares it with real Keras 3 (outputs, names, summary);
here it is compared with the wrapped layer applied step by step, and its backward pass
with central differences.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from rnn.gradcheck import check_gradients
from rnn.layers import (
    GRU,
    LSTM,
    Bidirectional,
    Dense,
    Dropout,
    Embedding,
    Input,
    SimpleRNN,
    TimeDistributed,
)
from rnn.layers.layer import Layer
from rnn.models import Sequential

TOL = 1e-6


def inputs(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def step_by_step(layer: Layer, x: np.ndarray, **kwargs: np.ndarray) -> np.ndarray:
    """The wrapped layer called on each step ``x[:, t]`` (and ``mask[:, t]``), stacked."""
    outs = []
    for t in range(x.shape[1]):
        given = {key: value[:, t] for key, value in kwargs.items()}
        outs.append(layer(x[:, t], **given))
    return np.stack(outs, axis=1)


def assert_gradients_ok(layer: Layer, x: np.ndarray) -> None:
    report = check_gradients(layer, x, tolerance=TOL)
    assert report.ok, str(report)


# ---------------------------------------------------------------------- the steps


@pytest.mark.parametrize("shape", [(3, 5, 4), (2, 3, 2, 4)])
def test_equals_the_dense_layer_at_every_step(shape: tuple[int, ...]) -> None:
    layer = TimeDistributed(Dense(2, activation="tanh", seed=1), dtype="float64")
    x = inputs(*shape)
    y = layer(x)
    assert y.shape == (*shape[:-1], 2) == layer.compute_output_shape(shape)
    np.testing.assert_allclose(y, step_by_step(layer.layer, x), atol=1e-12)
    assert layer.layer.input_shape == (shape[0], *shape[2:])  # built for one step, as Keras


@pytest.mark.parametrize(
    "inner",
    [
        LSTM(3, seed=1),
        SimpleRNN(3, return_sequences=True, seed=1),
        GRU(3, seed=1),
        Bidirectional(LSTM(2, return_sequences=True, seed=1)),
    ],
    ids=["lstm", "simple_rnn-seq", "gru", "bidirectional"],
)
def test_a_recurrent_layer_reads_each_inner_sequence(inner: Layer) -> None:
    """4-D input (batch, outer steps, inner steps, features), as Keras 3 allows."""
    layer = TimeDistributed(inner, dtype="float64")
    x = inputs(2, 4, 5, 3)
    y = layer(x)
    assert y.shape == layer.compute_output_shape(x.shape)
    np.testing.assert_allclose(y, step_by_step(inner, x), atol=1e-12)


def test_an_embedding_reads_integer_ids_at_every_step() -> None:
    layer = TimeDistributed(Embedding(10, 3, seed=1))
    ids = np.array([[[1, 2], [3, 4], [0, 9]], [[5, 5], [6, 7], [8, 0]]])
    y = layer(ids)
    assert y.shape == (2, 3, 2, 3) and y.dtype == np.float32
    np.testing.assert_array_equal(y, layer.layer.embeddings[ids])


def test_weights_are_the_wrapped_layers() -> None:
    dense = Dense(3, seed=1)
    layer = TimeDistributed(dense)
    layer.build((None, 4, 5))
    assert layer.weights[0] is dense.kernel and layer.weights[1] is dense.bias
    assert layer.weight_names == ["dense/kernel", "dense/bias"]
    assert layer.count_params() == 5 * 3 + 3
    new = [np.full((5, 3), 0.5), np.arange(3.0)]
    layer.set_weights(new)
    np.testing.assert_array_equal(dense.get_weights()[1], np.arange(3.0))
    with pytest.raises(ValueError, match="expecting 2 weights"):
        layer.set_weights(new[:1])


def test_dtype_follows_the_wrapper() -> None:
    dense = Dense(2)
    layer = TimeDistributed(dense, dtype="float64")
    assert dense.dtype == "float64"
    assert layer(inputs(2, 3, 4)).dtype == np.float64
    layer.set_dtype("float32")
    assert dense.kernel.dtype == np.float32 and layer(inputs(2, 3, 4)).dtype == np.float32
    assert TimeDistributed(Dense(2, dtype="float64")).dtype == "float64"  # the layer's own


# ---------------------------------------------------------------------- gradients


@pytest.mark.parametrize(
    ("inner", "shape"),
    [
        (Dense(3, activation="tanh", seed=1), (2, 4, 5)),
        (Dense(2, seed=1), (2, 3, 2, 4)),
        (LSTM(3, seed=1), (2, 3, 4, 2)),
        (SimpleRNN(2, return_sequences=True, seed=1), (2, 3, 4, 2)),
        (GRU(2, seed=1), (2, 3, 4, 2)),
    ],
    ids=["dense", "dense-4d", "lstm", "simple_rnn-seq", "gru"],
)
def test_gradients_by_central_differences(inner: Layer, shape: tuple[int, ...]) -> None:
    assert_gradients_ok(TimeDistributed(inner), inputs(*shape))


def test_weight_gradients_add_up_over_the_steps() -> None:
    layer = TimeDistributed(LSTM(3, seed=1), dtype="float64")
    x, g = inputs(2, 3, 4, 2), inputs(2, 3, 3, seed=1)
    layer.forward(x)
    grad_x = layer.backward(g)
    expected = [np.zeros_like(w) for w in layer.weights]
    for t in range(x.shape[1]):
        layer.layer.forward(x[:, t])
        np.testing.assert_allclose(grad_x[:, t], layer.layer.backward(g[:, t]), atol=1e-12)
        expected = [e + grad for e, grad in zip(expected, layer.layer.grads, strict=True)]
    for got, want in zip(layer.grads, expected, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-12)


def test_embedding_gradients_and_no_input_gradient() -> None:
    layer = TimeDistributed(Embedding(10, 3, seed=1))
    ids = np.array([[[1, 2], [3, 1]], [[5, 5], [6, 0]]])
    out = layer.forward(ids)
    assert layer.backward(np.ones_like(out)) is None
    assert_gradients_ok(layer, ids)


def test_masked_model_gradients_by_central_differences() -> None:
    model = Sequential([Input((3, 4)), Embedding(10, 2, mask_zero=True), TimeDistributed(LSTM(3))])
    ids = np.array(
        [[[1, 2, 0, 0], [3, 0, 0, 0], [4, 5, 6, 7]], [[1, 1, 1, 1], [2, 2, 0, 0], [5, 0, 0, 0]]]
    )
    assert_gradients_ok(model, ids)


# ---------------------------------------------------------------------- masks and training


def test_the_mask_passes_through_a_sequential() -> None:
    model = Sequential([Input((5,)), Embedding(10, 3, mask_zero=True), TimeDistributed(Dense(2))])
    ids = np.array([[1, 2, 3, 0, 0], [4, 0, 0, 0, 0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Dense's call takes no mask: none given, no warning
        y = model(ids)
    assert y.shape == (2, 5, 2)
    np.testing.assert_array_equal(model.output_mask, ids != 0)
    layer = model.layers[-1]
    np.testing.assert_array_equal(layer.compute_mask(None, ids != 0), ids != 0)


def test_each_step_of_the_mask_goes_to_a_recurrent_layer() -> None:
    """As Keras 3: mask[:, t] to the wrapped layer, and the 3-D mask on unchanged."""
    model = Sequential([Input((3, 4)), Embedding(10, 2, mask_zero=True), TimeDistributed(LSTM(3))])
    ids = np.array(
        [[[1, 2, 0, 0], [3, 0, 0, 0], [0, 0, 0, 0]], [[1, 1, 1, 1], [2, 2, 0, 0], [5, 0, 0, 0]]]
    )
    y = model(ids)
    mask = ids != 0
    np.testing.assert_array_equal(model.output_mask, mask)
    embedded = model.layers[0](ids)
    lstm = model.layers[1].layer
    np.testing.assert_allclose(y, step_by_step(lstm, embedded, mask=mask), atol=1e-6)
    np.testing.assert_allclose(y[0, 2], 0.0)  # a fully masked inner sequence keeps its zero state


def test_training_goes_to_the_wrapped_layer() -> None:
    layer = TimeDistributed(Dropout(0.5, seed=1))
    x = np.ones((4, 6, 5))
    np.testing.assert_array_equal(layer(x), x)
    np.testing.assert_array_equal(layer(x, training=False), x)
    dropped = layer(x, training=True)
    assert set(np.unique(dropped)) == {0.0, 2.0}


# ---------------------------------------------------------------------- config


def test_config_round_trips_through_a_sequential() -> None:
    model = Sequential([Input((4, 5)), TimeDistributed(Dense(3, activation="relu"))])
    config = model.get_config()
    entry = config["layers"][-1]
    assert entry["class_name"] == "TimeDistributed"
    assert entry["config"]["layer"]["class_name"] == "Dense"
    clone = Sequential.from_config(config)
    assert clone.get_config() == config
    clone.set_weights(model.get_weights())
    x = inputs(2, 4, 5)
    np.testing.assert_allclose(clone(x), model(x))


# ---------------------------------------------------------------------- errors


def test_errors_in_keras_words() -> None:
    with pytest.raises(
        ValueError,
        match=r"^Please initialize `TimeDistributed` layer with a `keras\.layers\.Layer` "
        r"instance\. Received: 3$",
    ):
        TimeDistributed(3)  # type: ignore[arg-type]
    layer = TimeDistributed(Dense(2))
    message = (
        r"^`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
        r"dimensions, received: \(2, 4\)$"
    )
    with pytest.raises(ValueError, match=message):
        layer(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="at least 3 dimensions, received: \\(None, 4\\)"):
        layer.compute_output_shape((None, 4))
    with pytest.raises(ValueError, match="must be at least 2D"):
        layer(np.zeros((2, 3, 4)), mask=np.ones(2, bool))
    with pytest.raises(ValueError, match=r"Expected mask shape prefix: \(2, 3\)\.$"):
        layer(np.zeros((2, 3, 4)), mask=np.ones((2, 4), bool))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 4"):
        layer(np.zeros((2, 3, 5)))  # built for 4 features
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        TimeDistributed(LSTM(2))(np.zeros((2, 3, 4)))  # each step must be a sequence
