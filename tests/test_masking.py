"""Masks: which steps of a padded sequence are real. Made by ``Embedding(mask_zero=True)``
and `Masking`, passed on by the layers that support masking, and read by the loss and the
metrics, as in Keras 3."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from rnn.layers import Dense, Embedding, Input, Masking
from rnn.layers.layer import Layer
from rnn.losses import MeanSquaredError, SparseCategoricalCrossentropy
from rnn.metrics import MeanAbsoluteError
from rnn.models import Sequential

PADDED = np.array([[4, 2, 7, 0, 0], [3, 0, 0, 0, 0], [1, 5, 6, 8, 9]])


def test_embedding_marks_id_zero_as_padding() -> None:
    layer = Embedding(10, 3, mask_zero=True)
    np.testing.assert_array_equal(layer.compute_mask(PADDED), PADDED != 0)
    assert layer.supports_masking and layer.get_config()["mask_zero"] is True
    assert Embedding(10, 3).compute_mask(PADDED) is None
    # the padding's vectors are still looked up (row 0 of the table), as in Keras
    np.testing.assert_array_equal(layer(PADDED)[0, 3], layer.embeddings[0])


def test_masking_zeroes_and_marks_the_padding_steps() -> None:
    x = np.array([[[1.0, 2.0], [0.0, 0.0], [0.0, 3.0]]])
    layer = Masking()
    np.testing.assert_array_equal(layer.compute_mask(x), [[True, False, True]])
    x_five = np.where(x == 0, 5.0, x)
    layer5 = Masking(mask_value=5.0)
    np.testing.assert_array_equal(layer5.compute_mask(x_five), [[True, False, True]])
    np.testing.assert_array_equal(layer5(x_five)[0, 1], [0.0, 0.0])
    with pytest.raises(TypeError, match="expects a number for `mask_value`"):
        Masking(mask_value="zero")


def test_masking_backward_stops_at_the_padding() -> None:
    x = np.array([[[1.0, 2.0], [0.0, 0.0], [0.0, 3.0]]])
    layer = Masking()
    layer.forward(x)
    grad = layer.backward(np.ones((1, 3, 2)))
    np.testing.assert_array_equal(grad, [[[1.0, 1.0], [0.0, 0.0], [1.0, 1.0]]])
    assert layer.grads == []


def test_sequential_passes_the_mask_to_its_output() -> None:
    model = Sequential([Embedding(10, 3, mask_zero=True), Dense(2)])
    y = model(PADDED)
    assert y.shape == (3, 5, 2)
    np.testing.assert_array_equal(model.output_mask, PADDED != 0)  # Dense passed it on
    model.forward(PADDED)
    np.testing.assert_array_equal(model.output_mask, PADDED != 0)
    np.testing.assert_array_equal(model.compute_mask(PADDED), PADDED != 0)
    assert Sequential([Embedding(10, 3), Dense(2)]).compute_mask(PADDED) is None


def test_a_layer_that_does_not_support_masking_drops_the_mask_with_a_warning() -> None:
    class Twice(Layer):
        def call(self, inputs: np.ndarray) -> np.ndarray:
            return 2 * inputs

    model = Sequential([Embedding(10, 3, mask_zero=True), Twice(name="twice")])
    with pytest.warns(UserWarning, match="'twice' .* does not support masking"):
        model(PADDED)
    assert model.output_mask is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Sequential([Embedding(10, 3), Twice(name="twice")])(PADDED)  # no mask: no warning


def test_the_loss_is_the_mean_over_the_real_steps() -> None:
    rng = np.random.default_rng(0)
    y, p = rng.standard_normal((3, 5, 2)), rng.standard_normal((3, 5, 2))
    mask = PADDED != 0
    loss = MeanSquaredError()
    per_step = np.mean((y - p) ** 2, axis=-1)
    assert loss(y, p, mask=mask) == pytest.approx(per_step[mask].mean(), rel=1e-12)
    value, grad = loss.value_and_gradient(y, p, mask=mask)
    assert value == pytest.approx(per_step[mask].mean(), rel=1e-12)
    assert not grad[~mask].any()
    expected = 2 * (p - y) / 2 / mask.sum()  # d mean over kept steps of mean_j (p - y)^2
    np.testing.assert_allclose(grad[mask], expected[mask], rtol=1e-12)
    # the sum keeps the masked values out, without rescaling
    total = MeanSquaredError(reduction="sum")(y, p, mask=mask)
    assert total == pytest.approx(per_step[mask].sum(), rel=1e-12)
    # every step masked: 0, as Keras's divide_no_nan gives
    assert loss(y, p, mask=np.zeros_like(mask)) == 0.0


def test_a_mask_of_the_wrong_shape_is_refused_by_the_loss() -> None:
    with pytest.raises(ValueError, match=r"mask has shape \(3,\), but the loss has one value"):
        MeanSquaredError()(np.zeros((3, 5, 1)), np.zeros((3, 5, 1)), mask=np.ones(3, bool))


def test_sample_weight_weighs_each_sample() -> None:
    y, p = np.zeros((4, 1)), np.array([[1.0], [2.0], [3.0], [4.0]])
    weights = np.array([1.0, 0.0, 0.0, 1.0])
    assert MeanSquaredError()(y, p, sample_weight=weights) == pytest.approx((1 + 16) / 4)
    labels = np.array([[0, 1], [1, 0]])
    logits = np.zeros((2, 2, 3))
    mask = np.array([[True, False], [True, True]])
    value = SparseCategoricalCrossentropy(from_logits=True)(labels, logits, mask=mask)
    assert value == pytest.approx(np.log(3))


def test_metrics_skip_the_padding() -> None:
    metric = MeanAbsoluteError()
    y = np.zeros((1, 3, 1))
    p = np.array([[[1.0], [100.0], [3.0]]])
    metric.update_state(y, p, sample_weight=np.array([[True, False, True]]))
    assert metric.result() == pytest.approx(2.0)


def test_fit_and_evaluate_leave_the_padding_out() -> None:
    """Targets at the padding are garbage: a masked model neither learns from them nor
    counts them."""
    model = Sequential([Input(shape=(5,)), Embedding(10, 2, mask_zero=True), Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    y = np.where((PADDED != 0)[..., None], 1.0, 1e6)
    loss, mae = model.evaluate(PADDED, y, verbose=0)
    pred = model(PADDED)
    kept = PADDED != 0
    assert loss == pytest.approx(float(np.mean((pred - 1.0)[kept] ** 2)), rel=1e-5)
    assert mae == pytest.approx(float(np.mean(np.abs(pred - 1.0)[kept])), rel=1e-5)
    before = model.get_weights()
    model.fit(PADDED, y, epochs=1, batch_size=3, verbose=0)
    after = model.get_weights()
    change = max(float(np.abs(a - b).max()) for a, b in zip(before, after, strict=True))
    assert 0 < change < 1  # unmasked, the 1e6 targets would have moved the weights by far more
