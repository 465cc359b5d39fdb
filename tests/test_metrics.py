"""Metrics: Keras 3's values, names, epoch averaging and the resolution of "accuracy"."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from rnn import losses, metrics
from rnn.metrics import (
    BinaryAccuracy,
    CategoricalAccuracy,
    Mean,
    MeanAbsoluteError,
    MeanMetricWrapper,
    MeanSquaredError,
    SparseCategoricalAccuracy,
)


# The examples of Keras 3's docstrings and their results.
@pytest.mark.parametrize(
    ("metric", "y_true", "y_pred", "expected"),
    [
        (BinaryAccuracy(), [[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], 0.75),
        (CategoricalAccuracy(), [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], 0.5),
        (SparseCategoricalAccuracy(), [[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]], 0.5),
        (MeanAbsoluteError(), [[0, 1], [0, 0]], [[1, 1], [0, 0]], 0.25),
        (MeanSquaredError(), [[0, 1], [0, 0]], [[1, 1], [1, 0]], 0.5),
    ],
)
def test_keras_docstring_examples(
    metric: metrics.Metric, y_true: list, y_pred: list, expected: float
) -> None:
    metric.update_state(np.array(y_true), np.array(y_pred, dtype=np.float32))
    assert metric.result() == pytest.approx(expected)
    metric.reset_state()
    assert metric.result() == 0.0


def test_binary_accuracy_counts_elements_and_aligns_ranks() -> None:
    acc = BinaryAccuracy()
    acc.update_state(np.array([1, 0, 1]), np.array([[0.7], [0.2], [0.1]]))
    assert acc.result() == pytest.approx(2 / 3)
    acc.update_state(np.array([[1, 1]]), np.array([[0.9, 0.9]]))  # 2 more elements
    assert (acc.total, acc.count) == (4.0, 5)


def test_epoch_average_is_weighted_by_batch_size() -> None:
    mae = metrics.get("mae")
    mae.update_state(np.zeros((32, 1)), np.ones((32, 1)))
    mae.update_state(np.zeros((4, 1)), np.full((4, 1), 10.0))
    assert mae.result() == pytest.approx((32 + 40) / 36)
    loss = Mean(name="loss")
    loss.update_state(1.0, sample_weight=32)
    loss.update_state(10.0, sample_weight=4)
    assert loss.result() == pytest.approx((32 + 40) / 36)


def test_sequence_outputs_average_over_timesteps() -> None:
    acc = SparseCategoricalAccuracy()
    labels = np.array([[0, 1, 2], [2, 2, 2]])
    probs = np.eye(3)[[[0, 1, 1], [2, 2, 0]]]
    acc.update_state(labels, probs)
    assert acc.result() == pytest.approx(4 / 6)


@pytest.mark.parametrize(
    ("y_true_shape", "y_pred_shape", "expected"),
    [
        ((8, 1), (8, 1), BinaryAccuracy),
        ((8,), (8, 1), BinaryAccuracy),
        ((8,), (8, 5), SparseCategoricalAccuracy),
        ((8, 1), (8, 5), SparseCategoricalAccuracy),
        ((8, 5), (8, 5), CategoricalAccuracy),
        ((8, 10), (8, 10, 5), SparseCategoricalAccuracy),
    ],
)
def test_accuracy_resolved_from_shapes_as_keras3(
    y_true_shape: tuple, y_pred_shape: tuple, expected: type
) -> None:
    for name in ("accuracy", "acc"):
        metric = metrics.get(name, np.zeros(y_true_shape), np.zeros(y_pred_shape))
        assert type(metric) is expected and metric.name == name


@pytest.mark.parametrize(
    ("identifier", "cls"),
    [
        ("mae", MeanAbsoluteError),
        ("mean_absolute_error", MeanAbsoluteError),
        ("MeanAbsoluteError", MeanAbsoluteError),
        ("mse", MeanSquaredError),
        ("binary_accuracy", BinaryAccuracy),
        ("categorical_accuracy", CategoricalAccuracy),
        ("sparse_categorical_accuracy", SparseCategoricalAccuracy),
    ],
)
def test_names_are_kept_as_given(identifier: str, cls: type) -> None:
    metric = metrics.get(identifier)
    assert type(metric) is cls and metric.name == identifier


def test_crossentropy_metric() -> None:
    metric = metrics.get("sparse_categorical_crossentropy")
    metric.update_state(np.array([0, 1]), np.full((2, 2), 0.5))
    assert metric.name == "sparse_categorical_crossentropy"
    assert metric.result() == pytest.approx(np.log(2))


def test_errors() -> None:
    message = "Could not interpret metric identifier: maee. Did you mean 'mae'?"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        metrics.get("maee")
    with pytest.raises(ValueError, match="needs targets and outputs"):
        metrics.get("accuracy")
    with pytest.raises(ValueError, match="same shape up until the last dimension"):
        metrics.get("sparse_categorical_accuracy").update_state(np.eye(3), np.eye(3))
    metric = MeanAbsoluteError()
    assert metrics.get(metric) is metric


# ------------------------------------------------------------------------------------
# Configs, variables, dtype, functions as metrics: Keras 3's, from
# tools/keras_fixtures/gen_training_api.py.
API = json.loads(
    (Path(__file__).parent / "fixtures" / "keras" / "training" / "metrics_api.json").read_text(
        encoding="utf-8"
    )
)


@pytest.mark.parametrize("cls", list(API["configs"]))
def test_configs_and_variables_equal_keras(cls: str) -> None:
    case = API["configs"][cls]
    metric = getattr(metrics, cls)(**case["arguments"])
    config = metric.get_config()
    assert config == case["config"] and list(config) == list(case["config"])
    assert getattr(metrics, cls).from_config(config).get_config() == case["config"]
    described = [
        {"name": n, "path": f"{metric.name}/{n}", "shape": list(v.shape), "dtype": v.dtype.name}
        for n, v in zip(metric.variable_names, metric.variables, strict=True)
    ]
    assert described == case["variables"]


def test_the_loss_functions_are_the_metric_functions_as_in_keras() -> None:
    for name, same in API["same_functions"].items():
        assert (getattr(metrics, name) is getattr(losses, name)) is same


def test_function_metrics_in_fit_are_named_as_keras() -> None:
    import rnn
    from rnn.layers import Dense, Input
    from rnn.models import Sequential

    model = Sequential([Input((2,)), Dense(1)])
    model.compile(
        "sgd",
        losses.mean_squared_error,
        metrics=[
            losses.mean_squared_error,
            metrics.binary_accuracy,
            metrics.mean_absolute_error,
            "mae",
        ],
    )
    rnn.set_random_seed(0)
    history = model.fit(np.zeros((4, 2)), np.zeros((4, 1)), verbose=0)
    assert sorted(history.history) == API["history_keys_of_function_metrics"]
    assert model.metrics_names == [
        "loss",
        "mean_squared_error",
        "binary_accuracy",
        "mean_absolute_error",
        "mae",
    ]


def test_wrapper_config_names_its_function() -> None:
    keras_config = API["wrapper_config"]  # {'name': 'mean_metric_wrapper_3', ..., 'fn': {...}}
    wrapper = MeanMetricWrapper(losses.mean_squared_error)
    assert wrapper.name == "mean_metric_wrapper"  # unique in the session, as Keras
    config = wrapper.get_config()
    assert list(config) == list(keras_config)
    assert config["fn"] == keras_config["fn"]["config"]
    again = MeanMetricWrapper.from_config(keras_config)
    assert again.fn is losses.mean_squared_error and again.name == keras_config["name"]
    assert metrics.get({"class_name": "function", "config": "binary_accuracy"}).name == (
        "binary_accuracy"
    )


def test_dtype_sets_the_variables_dtype_only() -> None:
    single, double = MeanAbsoluteError(), MeanAbsoluteError(dtype="float64")
    for metric in (single, double):
        metric.update_state(np.zeros((3, 1)), np.full((3, 1), 0.1))
    assert single.variables[0].dtype == np.float32 and double.variables[0].dtype == np.float64
    assert single.result() == double.result()


def test_binary_accuracy_threshold() -> None:
    metric = BinaryAccuracy(threshold=0.7)
    metric.update_state(np.array([[1], [1]]), np.array([[0.6], [0.8]]))
    assert metric.result() == 0.5


@pytest.mark.parametrize(("error", "identifier"), [("unknown_name", "maee"), ("number", 3)])
def test_get_errors_equal_keras(error: str, identifier: object) -> None:
    expected = API["errors"][error]
    with pytest.raises(ValueError) as raised:
        metrics.get(identifier)  # type: ignore[arg-type]
    hint = ". Did you mean 'mae'?" if error == "unknown_name" else ""  # rnn's addition
    assert str(raised.value) == expected["message"] + hint
    with pytest.raises(ValueError, match="Could not interpret metric identifier"):
        metrics.get({"class_name": "Foo", "config": {}})
