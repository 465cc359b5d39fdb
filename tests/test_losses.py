"""Losses: values and gradients equal Keras 3's; shapes and names checked as Keras does."""

from __future__ import annotations

import numpy as np
import pytest

from rnn import losses
from rnn.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    MeanAbsoluteError,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
)

Y_REG = [[0.5, -1.0, 2.0], [0.0, 1.5, -0.5]]
P_REG = [[0.25, -0.5, 1.0], [0.75, 1.5, 0.5]]
Y_BIN = [[1, 0, 1], [0, 1, 0]]
P_PROB = [[0.9, 0.2, 1.0], [0.0, 0.6, 0.3]]  # 1.0 and 0.0 hit the clipping
LOGITS = [[2.0, -1.0, 0.5], [-3.0, 0.25, 1.5]]
ONE_HOT = [[0, 0, 1], [1, 0, 0]]
LABELS = [2, 0]
P_SOFT = [[0.1, 0.2, 0.7], [0.5, 0.3, 0.2]]
P_UNNORM = [[0.2, 0.4, 0.6], [0.9, 0.3, 0.1]]  # Keras rescales these to sum to 1

CASES = {
    "mse": (MeanSquaredError(), Y_REG, P_REG),
    "mae": (MeanAbsoluteError(), Y_REG, P_REG),
    "mse_targets_without_last_axis": (MeanSquaredError(), [0.5, 0.0], [[0.25], [0.75]]),
    "bce": (BinaryCrossentropy(), Y_BIN, P_PROB),
    "bce_logits": (BinaryCrossentropy(from_logits=True), Y_BIN, LOGITS),
    "bce_smoothing": (BinaryCrossentropy(label_smoothing=0.1), Y_BIN, P_PROB),
    "cce": (CategoricalCrossentropy(), ONE_HOT, P_SOFT),
    "cce_unnormalised": (CategoricalCrossentropy(), ONE_HOT, P_UNNORM),
    "cce_logits": (CategoricalCrossentropy(from_logits=True), ONE_HOT, LOGITS),
    "scce": (SparseCategoricalCrossentropy(), LABELS, P_SOFT),
    "scce_logits": (SparseCategoricalCrossentropy(from_logits=True), LABELS, LOGITS),
}

# From Keras 3.15.1 (torch backend): the loss object called on float32 predictions,
# and the gradient of its value w.r.t. y_pred by autograd, rounded to 7 decimals.
KERAS = {
    "mse": (
        0.4791666567325592,
        [[-0.0833333, 0.1666667, -0.3333333], [0.25, -0.0, 0.3333333]],
    ),
    "mae": (
        0.5833333134651184,
        [[-0.1666667, 0.1666667, -0.1666667], [0.1666667, -0.0, 0.1666667]],
    ),
    "mse_targets_without_last_axis": (0.3125, [[-0.25], [0.75]]),
    "bce": (
        0.19933415949344635,
        [[-0.1851852, 0.2083333, 0.0], [0.0, -0.2777778, 0.2380953]],
    ),
    "bce_logits": (
        0.5400344729423523,
        [[-0.0198672, 0.0448236, -0.0629234], [0.0079043, -0.0729706, 0.1362624]],
    ),
    "bce_smoothing": (
        0.5068072080612183,
        [[-0.0925926, 0.15625, 0.0], [0.0, -0.2430556, 0.1984127]],
    ),
    "cce": (0.5249110460281372, [[0.5, 0.5, -0.2142857], [-0.5, 0.5, 0.5]]),
    "cce_unnormalised": (
        0.5304360389709473,
        [[0.4166667, 0.4166667, -0.4166667], [-0.1709402, 0.3846154, 0.3846154]],
    ),
    "cce_logits": (
        3.2509193420410156,
        [[0.3927985, 0.0195563, -0.4123548], [-0.4957195, 0.1103968, 0.3853226]],
    ),
    "scce": (0.5249110460281372, [[0.5, 0.5, -0.2142857], [-0.5, 0.5, 0.5]]),
    "scce_logits": (
        3.2509193420410156,
        [[0.3927985, 0.0195563, -0.4123548], [-0.4957195, 0.1103968, 0.3853226]],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_value_and_gradient_equal_keras(name: str) -> None:
    loss, y_true, y_pred = CASES[name]
    y_pred = np.array(y_pred, dtype=np.float32)
    value, grad = loss.value_and_gradient(y_true, y_pred)
    keras_value, keras_grad = KERAS[name]
    assert value == pytest.approx(keras_value, rel=1e-6, abs=1e-7)
    assert grad.shape == y_pred.shape and grad.dtype == np.float32
    np.testing.assert_allclose(grad, keras_grad, rtol=1e-5, atol=2e-7)
    assert loss(y_true, y_pred) == value


@pytest.mark.parametrize("name", list(CASES))
def test_gradient_matches_finite_differences(name: str) -> None:
    loss, y_true, y_pred = CASES[name]
    p = np.array(y_pred, dtype=np.float64)
    p = np.clip(p, 0.05, None) if name in ("bce", "bce_smoothing") else p  # away from clipping
    p = np.where(p > 0.95, 0.9, p) if name in ("bce", "bce_smoothing") else p
    grad = loss.gradient(y_true, p)
    h = 1e-6
    numeric = np.zeros_like(p)
    for i in np.ndindex(p.shape):
        up, down = p.copy(), p.copy()
        up[i] += h
        down[i] -= h
        numeric[i] = (loss(y_true, up) - loss(y_true, down)) / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


def test_sequences_average_over_timesteps_too() -> None:
    y_true = np.arange(12.0).reshape(2, 3, 2)
    y_pred = np.zeros((2, 3, 2))
    assert MeanSquaredError()(y_true, y_pred) == pytest.approx((y_true**2).mean())
    assert MeanSquaredError().call(y_true, y_pred).shape == (2, 3)
    labels = np.array([[0, 1, 2], [2, 2, 0]])
    uniform = np.full((2, 3, 3), 1 / 3)
    assert SparseCategoricalCrossentropy()(labels, uniform) == pytest.approx(np.log(3))
    assert SparseCategoricalCrossentropy()(labels[..., None], uniform) == pytest.approx(np.log(3))


def test_reductions() -> None:
    y_true, y_pred = np.array(Y_REG), np.array(P_REG)
    per_sample = MeanSquaredError(reduction="none")(y_true, y_pred)
    assert per_sample.shape == (2,)
    total = MeanSquaredError(reduction="sum")
    assert total(y_true, y_pred) == pytest.approx(per_sample.sum())
    np.testing.assert_allclose(total.gradient(y_true, y_pred), 2 * (y_pred - y_true) / 3)
    with pytest.raises(ValueError, match="reduction='none' has no single value"):
        MeanSquaredError(reduction="none").gradient(y_true, y_pred)
    with pytest.raises(ValueError, match="Invalid value for argument `reduction`"):
        MeanSquaredError(reduction="mean_of_everything")


def test_float64_predictions_keep_their_dtype() -> None:
    grad = MeanSquaredError().gradient(np.ones((2, 1)), np.zeros((2, 1)))
    assert grad.dtype == np.float64


def test_wrong_target_shapes_are_clear_errors() -> None:
    with pytest.raises(ValueError, match=r"same shape. Received: target.shape=\(4, 2\), output"):
        MeanSquaredError()(np.zeros((4, 2)), np.zeros((4, 1)))
    with pytest.raises(ValueError, match=r"target.shape=\(3, 3\), output.shape=\(3, 3\)"):
        SparseCategoricalCrossentropy()(np.eye(3), np.full((3, 3), 1 / 3))
    with pytest.raises(ValueError, match=r"label value of 3 which is outside the valid range"):
        SparseCategoricalCrossentropy()([0, 3], np.full((2, 3), 1 / 3))
    with pytest.raises(ValueError, match="must have the same shape"):
        CategoricalCrossentropy()([0, 2], np.full((2, 3), 1 / 3))


@pytest.mark.parametrize(
    ("identifier", "cls"),
    [
        ("mse", MeanSquaredError),
        ("MSE", MeanSquaredError),
        ("mean_squared_error", MeanSquaredError),
        ("MeanSquaredError", MeanSquaredError),
        ("mae", MeanAbsoluteError),
        ("mean_absolute_error", MeanAbsoluteError),
        ("binary_crossentropy", BinaryCrossentropy),
        ("categorical_crossentropy", CategoricalCrossentropy),
        ("sparse_categorical_crossentropy", SparseCategoricalCrossentropy),
    ],
)
def test_get_by_keras_name(identifier: str, cls: type) -> None:
    loss = losses.get(identifier)
    assert type(loss) is cls and loss.name == cls.default_name
    assert losses.get(loss) is loss


@pytest.mark.parametrize("identifier", ["msee", "Mse", 3, None])
def test_unknown_loss_identifier(identifier: object) -> None:
    with pytest.raises(ValueError, match=f"^Could not interpret loss identifier: {identifier}$"):
        losses.get(identifier)  # type: ignore[arg-type]


def test_config() -> None:
    config = CategoricalCrossentropy(from_logits=True).get_config()
    assert config == {
        "name": "categorical_crossentropy",
        "reduction": "sum_over_batch_size",
        "from_logits": True,
        "label_smoothing": 0.0,
    }
