"""Losses: values and gradients equal Keras 3's; shapes and names checked as Keras does."""

from __future__ import annotations

import json
import re
from pathlib import Path

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

# Keras 3's numbers, written by tools/keras_fixtures/gen_training.py (run by
# tools/keras_fixtures/generate.sh): each case's loss class and arguments, its inputs, and
# the value and the gradient with respect to y_pred that Keras computed from float32
# predictions (torch backend, autograd).
KERAS = json.loads(
    (Path(__file__).parent / "fixtures" / "keras" / "training" / "losses.json").read_text(
        encoding="utf-8"
    )
)
CASES = KERAS["cases"]


def loss_of(case: dict) -> losses.Loss:
    """The case's loss, built by its class name and arguments (the same in Keras)."""
    return getattr(losses, case["class"])(**case["arguments"])


@pytest.mark.parametrize("name", list(CASES))
def test_value_and_gradient_equal_keras(name: str) -> None:
    case = CASES[name]
    loss = loss_of(case)
    y_true, y_pred = case["y_true"], np.array(case["y_pred"], dtype=np.float32)
    value, grad = loss.value_and_gradient(y_true, y_pred)
    assert value == pytest.approx(case["value"], rel=1e-6, abs=1e-7)
    assert grad.shape == y_pred.shape and grad.dtype == np.float32
    np.testing.assert_allclose(grad, case["gradient"], rtol=1e-5, atol=2e-7)
    assert loss(y_true, y_pred) == value


@pytest.mark.parametrize("name", list(CASES))
def test_gradient_matches_finite_differences(name: str) -> None:
    case = CASES[name]
    loss, y_true = loss_of(case), case["y_true"]
    p = np.array(case["y_pred"], dtype=np.float64)
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
    y_true, y_pred = np.array(CASES["mse"]["y_true"]), np.array(CASES["mse"]["y_pred"])
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


@pytest.mark.parametrize(
    ("identifier", "hint"),
    [("msee", ". Did you mean 'mse'?"), ("Mse", ". Did you mean 'mse'?"), (3, ""), (None, "")],
)
def test_unknown_loss_identifier(identifier: object, hint: str) -> None:
    message = f"Could not interpret loss identifier: {identifier}{hint}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        losses.get(identifier)  # type: ignore[arg-type]


def test_config() -> None:
    config = CategoricalCrossentropy(from_logits=True).get_config()
    assert config == {
        "name": "categorical_crossentropy",
        "reduction": "sum_over_batch_size",
        "from_logits": True,
        "label_smoothing": 0.0,
        "axis": -1,  # Keras 3's config has the axis too
    }


# ------------------------------------------------------------------------------------
# The losses as functions, axis, ignore_class, configs and errors: Keras 3's numbers from
# tools/keras_fixtures/gen_training_api.py (float64 inputs; gradients by torch autograd).
API = json.loads(
    (Path(__file__).parent / "fixtures" / "keras" / "training" / "losses_api.json").read_text(
        encoding="utf-8"
    )
)


@pytest.mark.parametrize("name", list(API["functions"]))
def test_functions_equal_keras(name: str) -> None:
    case = API["functions"][name]
    function = getattr(losses, case["function"])
    values = function(case["y_true"], np.array(case["y_pred"]), **case["kwargs"])
    # Keras's torch backend reduces (mean, sum) in float32 even for float64 inputs, so
    # its values carry float32 rounding: agreement to 1e-6 relative
    np.testing.assert_allclose(values, case["values"], rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", list(API["classes"]))
def test_axis_and_ignore_class_equal_keras(name: str) -> None:
    case = API["classes"][name]
    loss = getattr(losses, case["class"])(**case["arguments"])
    y_pred = np.array(case["y_pred"])
    value, grad = loss.value_and_gradient(case["y_true"], y_pred)
    assert value == pytest.approx(case["value"], rel=1e-6)  # float32 reductions in Keras
    np.testing.assert_allclose(grad, case["gradient"], rtol=1e-6, atol=1e-9)
    # and by central differences
    h, numeric = 1e-6, np.zeros_like(y_pred)
    for i in np.ndindex(y_pred.shape):
        up, down = y_pred.copy(), y_pred.copy()
        up[i] += h
        down[i] -= h
        numeric[i] = (loss(case["y_true"], up) - loss(case["y_true"], down)) / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("function", list(API["signatures"]))
def test_function_signatures_equal_keras(function: str) -> None:
    import inspect

    ours = [
        [p.name, None if p.default is inspect.Parameter.empty else p.default]
        for p in inspect.signature(getattr(losses, function)).parameters.values()
    ]
    assert ours == API["signatures"][function]


@pytest.mark.parametrize("cls", list(API["configs"]))
def test_configs_equal_keras(cls: str) -> None:
    case = API["configs"][cls]
    config = getattr(losses, cls)(**case["arguments"]).get_config()
    assert config == case["config"] and list(config) == list(case["config"])
    again = getattr(losses, cls).from_config(config)
    assert again.get_config() == case["config"]
    assert losses.get({"class_name": cls, "config": config}).get_config() == case["config"]


@pytest.mark.parametrize("alias", list(API["aliases"]))
def test_short_names_equal_keras(alias: str) -> None:
    function = API["aliases"][alias]
    if function is None:  # rnn adds the closest of its names, if one is close
        hint = ". Did you mean 'mse'?" if alias == "Mse" else ""
        message = f"Could not interpret loss identifier: {alias}{hint}"
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            losses.get(alias)
    else:
        assert losses.get(alias).name == function


@pytest.mark.parametrize(
    ("error", "identifier"),
    [
        ("unknown_name", "msee"),
        ("number", 3),
        ("unknown_class", {"class_name": "Foo", "config": {}}),
    ],
)
def test_get_errors_equal_keras(error: str, identifier: object) -> None:
    expected = API["errors"][error]
    with pytest.raises(ValueError) as raised:
        losses.get(identifier)
    assert type(raised.value).__name__ == expected["type"]
    hint = ". Did you mean 'mse'?" if error == "unknown_name" else ""  # rnn's addition
    assert str(raised.value) == expected["message"] + hint


def test_get_takes_the_functions_and_keras_serialized_forms() -> None:
    y_true, y_pred = np.array(CASES["mse"]["y_true"]), np.array(CASES["mse"]["y_pred"])
    for identifier in (
        losses.mean_squared_error,
        API["serialized"]["function"],
        API["serialized"]["class"],
        MeanSquaredError,
    ):
        loss = losses.get(identifier)
        assert loss.name == "mean_squared_error"
        value, grad = loss.value_and_gradient(y_true, y_pred)
        expected, expected_grad = MeanSquaredError().value_and_gradient(y_true, y_pred)
        assert value == expected
        np.testing.assert_array_equal(grad, expected_grad)
    wrapped = losses.get(losses.LossFunctionWrapper(losses.binary_crossentropy, from_logits=True))
    assert wrapped.get_config() == {
        "name": "binary_crossentropy",
        "reduction": "sum_over_batch_size",
        "fn": "binary_crossentropy",
        "from_logits": True,
    }
    again = losses.LossFunctionWrapper.from_config(wrapped.get_config())
    assert again.fn is losses.binary_crossentropy and again.fn_kwargs == {"from_logits": True}


def test_a_function_of_ones_own_evaluates_but_does_not_train() -> None:
    def squares(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return ((y_pred - y_true) ** 2).sum(axis=-1)

    loss = losses.get(squares)
    assert loss.name == "squares"
    assert loss(np.zeros((2, 2)), np.ones((2, 2))) == 2.0
    with pytest.raises(
        NotImplementedError, match="cannot differentiate the loss function 'squares'"
    ):
        loss.value_and_gradient(np.zeros((2, 2)), np.ones((2, 2)))


def test_ignore_class_with_a_mask_and_sample_weight() -> None:
    loss = SparseCategoricalCrossentropy(ignore_class=-1)
    labels = np.array([[0, -1], [1, 1]])
    probs = np.full((2, 2, 2), 0.5)
    assert loss(labels, probs) == pytest.approx(np.log(2))  # mean over the 3 kept labels
    mask = np.array([[True, True], [True, False]])
    assert loss(labels, probs, mask=mask) == pytest.approx(np.log(2))
    _, grad = loss.value_and_gradient(labels, probs, mask=mask)
    assert grad[0, 1].tolist() == [0.0, 0.0] and grad[1, 1].tolist() == [0.0, 0.0]


def test_dtype_and_axis_arguments_are_accepted() -> None:
    assert MeanSquaredError(dtype="float64").get_config() == {
        "name": "mean_squared_error",
        "reduction": "sum_over_batch_size",
    }
    with pytest.raises(ValueError, match="`axis` is out of range"):
        CategoricalCrossentropy(axis=2)([[0.0, 1.0]], [[0.5, 0.5]])
