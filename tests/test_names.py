"""Names: a Keras name rnn lacks is not reported as a typo, and a typo gets a suggestion.

``rnn._registry.KERAS_NAMES`` is the list of names each of Keras 3's ``get`` functions
resolves, kept in rnn as data; it is checked here against
``tests/fixtures/keras/names/keras_names.json``, recorded from Keras 3.15.1 by
``tools/keras_fixtures/gen_keras_names.py``, so that it does not rot.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rnn import (
    _registry,
    activations,
    constraints,
    initializers,
    layers,
    losses,
    metrics,
    optimizers,
    regularizers,
)
from rnn.models import Sequential

FIXTURE = json.loads(
    (Path(__file__).parent / "fixtures" / "keras" / "names" / "keras_names.json").read_text()
)


def test_the_keras_names_in_rnn_are_keras_3_15_s() -> None:
    assert FIXTURE["keras"] == "3.15.1"
    assert {module: list(names) for module, names in _registry.KERAS_NAMES.items()} == (
        FIXTURE["names"]
    )


RNN_NAMES: dict[str, Any] = {
    "optimizers": optimizers._BY_NAME,
    "losses": losses._ALIASES,
    "metrics": metrics._BY_NAME,
    "activations": activations.NAMES,
    "initializers": initializers._BY_NAME,
    "regularizers": regularizers._BY_NAME,
    "constraints": constraints._BY_NAME,
}
# names rnn resolves that Keras 3.15.1's `get` does not (see rnn.regularizers.L1L2)
RNN_ONLY = {"regularizers": {"l1_l2"}}


@pytest.mark.parametrize("module", list(RNN_NAMES))
def test_rnn_s_names_are_keras_names(module: str) -> None:
    keras = set(_registry.KERAS_NAMES[module])
    names = {n.lower() for n in RNN_NAMES[module]} if module == "optimizers" else RNN_NAMES[module]
    assert set(names) - keras == RNN_ONLY.get(module, set())


OPTIMIZERS = "rnn has: 'adam', 'adamw', 'rmsprop', 'sgd'."
LOSSES = (
    "rnn has: 'bce', 'binary_crossentropy', 'categorical_crossentropy', 'mae', "
    "'mean_absolute_error', 'mean_squared_error', 'mse', 'sparse_categorical_crossentropy'."
)
METRICS = (
    "rnn has: 'acc', 'accuracy', 'bce', 'binary_accuracy', 'binary_crossentropy', "
    "'categorical_accuracy', 'categorical_crossentropy', 'mae', 'mean_absolute_error', "
    "'mean_squared_error', 'mse', 'sparse_categorical_accuracy', "
    "'sparse_categorical_crossentropy'."
)
ACTIVATIONS = (
    "rnn has: 'elu', 'exponential', 'gelu', 'hard_sigmoid', 'leaky_relu', 'linear', 'relu', "
    "'relu6', 'selu', 'sigmoid', 'silu', 'softmax', 'softplus', 'softsign', 'swish', 'tanh'."
)
INITIALIZERS = (
    "rnn has: 'constant', 'glorot_normal', 'glorot_uniform', 'he_normal', 'he_uniform', "
    "'identity', 'lecun_normal', 'lecun_uniform', 'normal', 'one', 'ones', 'orthogonal', "
    "'random_normal', 'random_uniform', 'truncated_normal', 'uniform', 'variance_scaling', "
    "'zero', 'zeros'."
)
REGULARIZERS = "rnn has: 'l1', 'l1_l2', 'l1l2', 'l2', 'regularizer'."

KERAS_ONLY = [
    (optimizers.get, "nadam", "optimizer", OPTIMIZERS),
    (optimizers.get, "lion", "optimizer", OPTIMIZERS),
    (optimizers.get, "adagrad", "optimizer", OPTIMIZERS),
    (optimizers.get, "Adamax", "optimizer", OPTIMIZERS),  # Keras lowercases the name
    (optimizers.get, "NADAM", "optimizer", OPTIMIZERS),
    (losses.get, "huber", "loss", LOSSES),
    (losses.get, "Huber", "loss", LOSSES),
    (losses.get, "kl_divergence", "loss", LOSSES),
    (losses.get, "kld", "loss", LOSSES),
    (losses.get, "poisson", "loss", LOSSES),
    (losses.get, "log_cosh", "loss", LOSSES),
    (metrics.get, "auc", "metric", METRICS),
    (metrics.get, "AUC", "metric", METRICS),
    (metrics.get, "precision", "metric", METRICS),
    (metrics.get, "top_k_categorical_accuracy", "metric", METRICS),
    (activations.get, "mish", "activation", ACTIVATIONS),
    (activations.get, "log_softmax", "activation", ACTIVATIONS),
    (initializers.get, "stft", "initializer", INITIALIZERS),
    (initializers.get, "STFT", "initializer", INITIALIZERS),
    (regularizers.get, "orthogonal_regularizer", "regularizer", REGULARIZERS),
    (regularizers.get, "OrthogonalRegularizer", "regularizer", REGULARIZERS),
]


@pytest.mark.parametrize(("get", "name", "kind", "has"), KERAS_ONLY)
def test_a_keras_name_rnn_lacks_says_so(
    get: Callable[[Any], Any], name: str, kind: str, has: str
) -> None:
    message = f"{name!r} is a Keras {kind} that rnn does not implement; {has}"
    with pytest.raises(ValueError, match=re.escape(message) + "$"):
        get(name)


KERAS_ONLY_CLASSES = [
    (
        optimizers.get,
        {"class_name": "Nadam", "config": {}},
        "'Nadam' is a Keras optimizer that rnn does not implement; " + OPTIMIZERS,
    ),
    (
        losses.get,
        {"class_name": "Huber", "config": {}},
        "'Huber' is a Keras loss that rnn does not implement; rnn has: 'BinaryCrossentropy', "
        "'CategoricalCrossentropy', 'LossFunctionWrapper', 'MeanAbsoluteError', "
        "'MeanSquaredError', 'SparseCategoricalCrossentropy'.",
    ),
    (
        metrics.get,
        {"class_name": "AUC", "config": {}},
        "'AUC' is a Keras metric that rnn does not implement; rnn has: 'BinaryAccuracy', "
        "'CategoricalAccuracy', 'Mean', 'MeanAbsoluteError', 'MeanMetricWrapper', "
        "'MeanSquaredError', 'SparseCategoricalAccuracy'.",
    ),
    (
        initializers.get,
        {"class_name": "STFT", "config": {}},
        "'STFT' is a Keras initializer that rnn does not implement; rnn has: 'Constant', "
        "'GlorotNormal', 'GlorotUniform', 'HeNormal', 'HeUniform', 'Identity', 'LecunNormal', "
        "'LecunUniform', 'Ones', 'Orthogonal', 'RandomNormal', 'RandomUniform', "
        "'TruncatedNormal', 'VarianceScaling', 'Zeros'.",
    ),
    (
        regularizers.get,
        {"class_name": "OrthogonalRegularizer", "config": {}},
        "'OrthogonalRegularizer' is a Keras regularizer that rnn does not implement; rnn has: "
        "'L1', 'L1L2', 'L2', 'Regularizer'.",
    ),
]


@pytest.mark.parametrize(("get", "config", "message"), KERAS_ONLY_CLASSES)
def test_a_keras_class_rnn_lacks_in_a_config_says_so(
    get: Callable[[Any], Any], config: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message) + "$"):
        get(config)


def test_compile_and_layers_say_it_too() -> None:
    model = Sequential([layers.Input((3,)), layers.Dense(1)])
    with pytest.raises(ValueError, match=re.escape("'nadam' is a Keras optimizer that rnn")):
        model.compile(optimizer="nadam", loss="mse")
    with pytest.raises(ValueError, match=re.escape("'huber' is a Keras loss that rnn")):
        model.compile(loss="huber")
    with pytest.raises(ValueError, match=re.escape("'auc' is a Keras metric that rnn")):
        model.compile(loss="mse", metrics=["auc"])
    with pytest.raises(ValueError, match=re.escape("'mish' is a Keras activation that rnn")):
        layers.Dense(2, activation="mish")
    with pytest.raises(ValueError, match=re.escape("'stft' is a Keras initializer that rnn")):
        layers.LSTM(2, kernel_initializer="stft")


TYPOS = [  # what `get` is given, and the closest of rnn's names (None: none is close)
    (optimizers.get, "optimizer", "adamm", "adam"),
    (optimizers.get, "optimizer", "rmsprob", "rmsprop"),
    (optimizers.get, "optimizer", "Sgd", "sgd"),
    (optimizers.get, "optimizer", "ADAMW", "adamw"),
    (optimizers.get, "optimizer", "xyz", None),
    (optimizers.get, "optimizer", 0.1, None),
    (losses.get, "loss", "msee", "mse"),
    (losses.get, "loss", "Mse", "mse"),
    (losses.get, "loss", "binary_crossentropyy", "binary_crossentropy"),
    (losses.get, "loss", "cce", None),  # one letter from "bce", but short: not suggested
    (losses.get, "loss", None, None),
    (metrics.get, "metric", "maee", "mae"),
    (metrics.get, "metric", "acuracy", "accuracy"),
    (initializers.get, "initializer", "glorot", "glorot_normal"),
    (initializers.get, "initializer", "HeNormall", "he_normal"),
    (regularizers.get, "regularizer", "l3", None),
    (regularizers.get, "regularizer", "L2x", "l2"),
    (constraints.get, "constraint", "nonneg", "NonNeg"),
    (constraints.get, "constraint", "positive", None),
]


@pytest.mark.parametrize(("get", "kind", "identifier", "closest"), TYPOS)
def test_other_names_keep_keras_words_with_the_closest_name(
    get: Callable[[Any], Any], kind: str, identifier: Any, closest: str | None
) -> None:
    message = f"Could not interpret {kind} identifier: {identifier}"
    if closest is not None:
        message += f". Did you mean {closest!r}?"
    with pytest.raises(ValueError, match=re.escape(message) + "$"):
        get(identifier)


def test_an_unknown_activation_lists_the_names_and_the_closest() -> None:
    with pytest.raises(ValueError) as err:
        activations.get("tahn")
    assert str(err.value) == (
        "Could not interpret activation function identifier: 'tahn' (known names: elu, "
        "exponential, gelu, hard_sigmoid, leaky_relu, linear, relu, relu6, selu, sigmoid, "
        "silu, softmax, softplus, softsign, swish, tanh). Did you mean 'tanh'?"
    )


def test_the_names_rnn_has_still_resolve() -> None:
    assert type(optimizers.get("AdamW")).__name__ == "AdamW"
    assert losses.get("MSE").name == "mean_squared_error"
    assert metrics.get("acc", np.zeros(2), np.ones((2, 3))).name == "acc"
    assert activations.get("swish") is activations.silu
    assert type(initializers.get("HeNormal")).__name__ == "HeNormal"
    assert type(regularizers.get("l1_l2")).__name__ == "L1L2"
    assert type(constraints.get("non_neg")).__name__ == "NonNeg"


# ------------------------------------------------------------ your own loss and metrics


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(size=(8, 3)), rng.normal(size=(8, 1))


def test_a_metric_function_of_your_own_works_in_compile_fit_and_evaluate() -> None:
    """No gradient is needed for a metric: any ``fn(y_true, y_pred)`` works, as in Keras."""

    def max_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.abs(y_true - y_pred).max(axis=-1)

    x, y = _data()
    model = Sequential([layers.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=[max_error, "mae"])
    history = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0).history
    assert sorted(history) == ["loss", "mae", "max_error", "val_loss", "val_mae", "val_max_error"]
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    # one output: the largest error of a sample is its error, i.e. the mae
    assert logs["max_error"] == pytest.approx(logs["mae"])


def test_a_loss_function_of_your_own_is_still_refused_for_training() -> None:
    x, y = _data()
    model = Sequential([layers.Input((3,)), layers.Dense(1)])

    def my_loss(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return ((y_true - y_pred) ** 2).mean(axis=-1)

    model.compile(optimizer="sgd", loss=my_loss)
    message = (
        "rnn cannot differentiate the loss function 'my_loss': it has no automatic "
        "differentiation. Train with one of rnn.losses' functions or classes (or a Loss "
        "subclass that implements values_and_grads)."
    )
    with pytest.raises(NotImplementedError, match=re.escape(message) + "$"):
        model.fit(x, y, verbose=0)
