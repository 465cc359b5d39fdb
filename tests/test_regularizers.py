"""Regularizers: Keras 3's penalties, names, configs and errors, and their effect on training.

The fixtures are Keras 3's own numbers (tests/fixtures/keras/regularizers, written by
tools/keras_fixtures/gen_regularizers.py; see the README there): float64 models with
fixed weights trained by SGD, the layers' ``losses``, configs and error messages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rnn
from rnn import constraints, layers, regularizers
from rnn.layers import _penalties
from rnn.layers.embedding import Embedding
from rnn.models import Sequential
from rnn.regularizers import L1, L1L2, L2, Regularizer

FIXTURES = Path(__file__).parent / "fixtures" / "keras" / "regularizers"


def load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return document


NAMES: dict[str, Any] = {
    "Sequential": Sequential,
    **{
        name: getattr(layers, name)
        for name in (
            "Input",
            "Dense",
            "Embedding",
            "SimpleRNN",
            "LSTM",
            "GRU",
            "RNN",
            "SimpleRNNCell",
            "LSTMCell",
            "GRUCell",
            "Bidirectional",
            "TimeDistributed",
        )
    },
    **{name: getattr(regularizers, name) for name in ("L1", "L2", "L1L2")},
    **{
        name: getattr(constraints, name) for name in ("MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm")
    },
    "regularizers": regularizers,
    "constraints": constraints,
    "np": np,
    "float": float,
}


def run(code: str) -> Any:
    return eval(code, dict(NAMES))  # the fixtures' own code, the same in Keras and rnn


# ---------------------------------------------------------------------- the penalties
PENALTIES = load("penalties.json")


@pytest.mark.parametrize("case", PENALTIES["regularizers"], ids=lambda c: c["code"])
def test_penalty_value_gradient_and_config_equal_keras(case: dict[str, Any]) -> None:
    rnn.set_floatx(PENALTIES["floatx"])  # float64: L1's factor is stored in floatx
    matrix = np.array(PENALTIES["matrix"])
    reg = run(case["code"])
    assert reg(matrix) == pytest.approx(case["value"], rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(reg.gradient(matrix), case["gradient"], rtol=1e-12, atol=1e-15)
    assert reg.get_config() == case["config"]
    assert regularizers.serialize(reg) == case["serialized"]
    again = regularizers.get(case["serialized"])
    assert type(again) is type(reg) and again.get_config() == reg.get_config()


def test_keras_defaults() -> None:
    # Keras 3 stores L1's factor in floatx (float32 here): its config shows it so
    assert L1().get_config() == {"l1": float(np.float32(0.01))}
    rnn.set_floatx("float64")
    assert L1().get_config() == {"l1": 0.01}
    assert L2().get_config() == {"l2": 0.01}
    assert L1L2().get_config() == {"l1": 0.0, "l2": 0.0}
    assert L1L2(l1=None, l2=0.5).get_config() == {"l1": 0.0, "l2": 0.5}
    assert regularizers.l1 is L1 and regularizers.l2 is L2 and regularizers.l1_l2 is L1L2


def test_l1_l2_string_is_rnn_s_own_with_keras_s_documented_factors() -> None:
    # Keras 3 raises for "l1_l2" (errors.json); Keras's docs and Keras 2 give 0.01 each
    assert regularizers.get("l1_l2").get_config() == {"l1": 0.01, "l2": 0.01}


def test_get_takes_objects_classes_callables_and_none() -> None:
    reg = L2(0.3)
    assert regularizers.get(reg) is reg
    assert type(regularizers.get(L1)) is L1
    assert regularizers.get(None) is None

    def fn(x: np.ndarray) -> float:
        return float(np.sum(x))

    assert regularizers.get(fn) is fn


def test_base_class_penalty_is_zero_and_config_must_be_written() -> None:
    assert Regularizer()(np.ones(3)) == 0.0
    np.testing.assert_array_equal(Regularizer().gradient(np.ones(3)), np.zeros(3))
    with pytest.raises(NotImplementedError, match=r"does not implement get_config\(\)$"):
        Regularizer().get_config()


def test_gradient_keeps_the_dtype_and_sign_of_zero_is_zero() -> None:
    x = np.array([-1.0, 0.0, 2.0], np.float32)
    for reg in (L1(0.5), L2(0.5), L1L2(0.1, 0.2)):
        assert reg.gradient(x).dtype == np.float32
    assert L1(0.5).gradient(x).tolist() == [-0.5, 0.0, 0.5]


def test_deserialize_unknown_class() -> None:
    with pytest.raises(ValueError, match=r"^Could not interpret regularizer identifier: "):
        regularizers.deserialize({"class_name": "Orthogonal", "config": {}})


def test_a_function_without_gradient_cannot_train() -> None:
    model = Sequential([layers.Input((2,)), layers.Dense(1, kernel_regularizer=np.sum)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"has no `gradient\(x\)` method"):
        model.train_on_batch(np.ones((2, 2)), np.ones((2, 1)))


# ---------------------------------------------------------------------- configs
CONFIGS = load("configs.json")["cases"]
CONFIG_FLOATX = load("configs.json")["floatx"]
KEYS_OF_THIS_ISSUE = ("unroll", "zero_output_for_mask", "merge_mode")


def issue_keys(config: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in config.items()
        if k.endswith(("_regularizer", "_constraint")) or k in KEYS_OF_THIS_ISSUE
    }


@pytest.mark.parametrize("case", CONFIGS, ids=lambda c: c["code"])
def test_config_keys_equal_keras(case: dict[str, Any]) -> None:
    rnn.set_floatx(CONFIG_FLOATX)
    layer = run(case["code"])
    config, keras = layer.get_config(), case["config"]
    assert issue_keys(config) == issue_keys(keras)
    for key in ("layer", "backward_layer", "cell"):  # the wrapped layers' too
        if key in keras:
            assert key in config
            assert issue_keys(config[key]["config"]) == issue_keys(keras[key]["config"])
            assert config[key]["class_name"] == keras[key]["class_name"]
    for key in ("use_cudnn", "implementation", "weights"):  # never in Keras's configs
        assert key not in keras and key not in config
    again = type(layer).from_config(config)
    assert again.get_config() == config


# ---------------------------------------------------------------------- errors
ERRORS = load("errors.json")["cases"]


@pytest.mark.parametrize("case", ERRORS, ids=lambda c: c["code"])
def test_errors_equal_keras(case: dict[str, Any]) -> None:
    if case["code"] == "regularizers.get('l1_l2')":
        pytest.skip("rnn accepts 'l1_l2' (see test_l1_l2_string_is_rnn_s_own...)")
    # Keras adds its own default key to the config before the error it reports
    message = case["message"].replace(", 'quantization_config': None", "")
    with pytest.raises({"ValueError": ValueError, "TypeError": TypeError}[case["type"]]) as info:
        run(case["code"])
    assert type(info.value).__name__ == case["type"]
    assert str(info.value) == message


def test_embedding_from_config_chains_the_error() -> None:
    with pytest.raises(TypeError) as info:
        Embedding.from_config({"input_dim": 10.0, "output_dim": 3})
    assert isinstance(info.value.__cause__, ValueError)


# ---------------------------------------------------------------------- layer.losses
LAYER_LOSSES = load("layer_losses.json")["cases"]


@pytest.mark.parametrize("case_id", list(LAYER_LOSSES))
def test_layer_losses_equal_keras(case_id: str) -> None:
    case = LAYER_LOSSES[case_id]
    rnn.set_floatx("float64")
    layer = run(case["code"])
    x = np.array(case["x"])
    layer.build(x.shape)
    layer.set_weights([np.array(w) for w in case["weights"]])
    layer(x)
    # Keras computes the activity penalties of a float64 layer in float32
    np.testing.assert_allclose(layer.losses, case["losses"], rtol=1e-6, atol=1e-9)


def test_layer_losses_follow_the_last_call() -> None:
    layer = layers.Dense(2, kernel_initializer="ones", activity_regularizer=L1(1.0))
    layer(np.ones((2, 3)))
    assert layer.losses == [6.0]  # 2 * 3 * 2 outputs of 3.0 / batch 2
    layer(np.ones((4, 3)) / 3)
    assert layer.losses == [2.0]


def test_no_losses_without_regularizers() -> None:
    for layer in (layers.Dense(2), layers.LSTM(2), layers.Embedding(3, 2)):
        layer(np.zeros((2, 3, 1)) if isinstance(layer, layers.LSTM) else np.zeros((2, 3)))
        assert layer.losses == []


# ---------------------------------------------------------------------- training
TRAINING = load("training.json")
PENALISED = [k for k in TRAINING["cases"] if "constraints" not in k]


def trained(case: dict[str, Any]) -> tuple[Sequential, list[np.ndarray]]:
    rnn.set_floatx("float64")
    model = run(case["code"])
    weights = [np.array(w) for w in case["weights"]]
    model.set_weights(weights)
    model.compile(
        optimizer=rnn.optimizers.SGD(learning_rate=TRAINING["optimizer"]["learning_rate"]),
        loss=TRAINING["loss"],
    )
    return model, weights


@pytest.mark.parametrize("case_id", list(TRAINING["cases"]))
def test_fit_equals_keras(case_id: str) -> None:
    """Keras's logged loss includes the penalties; its weights follow their gradients."""
    case = TRAINING["cases"][case_id]
    model, weights = trained(case)
    x, y = np.array(case["x"]), np.array(case["y"])
    model(x)
    np.testing.assert_allclose(
        _penalties.model_losses(model), case["losses_after_call"], rtol=1e-6, atol=1e-9
    )
    first = model.train_on_batch(x[: TRAINING["batch_size"]], y[: TRAINING["batch_size"]])
    assert first == pytest.approx(case["train_on_batch_first"], rel=1e-6)
    model.set_weights(weights)
    history = model.fit(
        x, y, batch_size=TRAINING["batch_size"], epochs=TRAINING["epochs"], shuffle=False
    )
    # Keras logs its loss in float32: within a few float32 steps
    np.testing.assert_allclose(history.history["loss"], case["history_loss"], rtol=1e-6)
    for mine, keras in zip(model.get_weights(), case["final_weights"], strict=True):
        np.testing.assert_allclose(mine, keras, atol=1e-6)


@pytest.mark.parametrize("case_id", PENALISED)
def test_keras_evaluate_is_the_test_loss_plus_the_penalties(case_id: str) -> None:
    """Keras's evaluate: each batch's test loss with that batch's `model_losses` (the
    activity penalties of that batch, then the weights'), which `test_on_batch` now
    includes, as Keras's does."""
    case = TRAINING["cases"][case_id]
    model, _ = trained(case)
    x, y = np.array(case["x"]), np.array(case["y"])
    model.fit(x, y, batch_size=TRAINING["batch_size"], epochs=TRAINING["epochs"], shuffle=False)
    size, total = TRAINING["batch_size"], 0.0
    for start in range(0, len(x), size):
        xb, yb = x[start : start + size], y[start : start + size]
        total += model.test_on_batch(xb, yb) * len(xb)
    assert total / len(x) == pytest.approx(case["evaluate"], rel=1e-6)


def test_evaluate_includes_the_penalties_as_keras() -> None:
    case = TRAINING["cases"]["dense_weights_and_activity"]
    model, _ = trained(case)
    x, y = np.array(case["x"]), np.array(case["y"])
    model.fit(x, y, batch_size=TRAINING["batch_size"], epochs=TRAINING["epochs"], shuffle=False)
    evaluated = model.evaluate(x, y, batch_size=TRAINING["batch_size"])
    assert evaluated == pytest.approx(case["evaluate"], rel=1e-6)


def test_training_without_regularizers_is_unchanged() -> None:
    """The step without penalties: exactly the loss, gradient and update of before."""
    rnn.set_random_seed(0)
    x = np.random.default_rng(0).standard_normal((8, 3, 2))
    y = x.sum(axis=(1, 2))[:, None]
    model = Sequential([layers.Input((3, 2)), layers.SimpleRNN(3), layers.Dense(1)])
    model.compile(optimizer=rnn.optimizers.SGD(learning_rate=0.1), loss="mse")
    start = model.get_weights()
    y_pred = model.forward(x, training=True)
    value, grad = model.loss.value_and_gradient(y, y_pred)  # type: ignore[union-attr]
    model.backward(grad)
    expected = [w - 0.1 * g for w, g in zip(start, model.grads, strict=True)]
    assert model.train_on_batch(x, y) == value
    for mine, want in zip(model.get_weights(), expected, strict=True):
        np.testing.assert_array_equal(mine, want)


# ---------------------------------------------------------------------- gradients
class _Recorder:
    """An optimizer that keeps the gradients it is given and changes nothing."""

    def apply(self, grads: list[np.ndarray], weights: list[np.ndarray]) -> None:
        self.grads = [np.array(g) for g in grads]


GRAD_MODELS = {
    "dense": "Sequential([Input((3,)), Dense(4, activation='tanh', kernel_regularizer="
    "L1L2(l1=0.1, l2=0.2), bias_regularizer=L2(0.3), activity_regularizer=L2(0.5)),"
    " Dense(2, activity_regularizer=L1(0.2), kernel_regularizer=L1(0.1))])",
    "lstm_sequences": "Sequential([Input((5, 2)), LSTM(3, return_sequences=True,"
    " activity_regularizer=L1(0.3), recurrent_regularizer=L2(0.2), kernel_regularizer="
    "L1(0.1)), Dense(1, activity_regularizer=L2(1.0))])",
    "embedding_gru": "Sequential([Input((5,)), Embedding(6, 3, embeddings_regularizer=L2(0.2),"
    " activity_regularizer=L1(0.1)), GRU(2, activity_regularizer=L2(0.5),"
    " bias_regularizer=L1(0.1)), Dense(1)])",
    "bidirectional_time_distributed": "Sequential([Input((4, 2)), Bidirectional(LSTM(2,"
    " return_sequences=True, activity_regularizer=L2(0.4), kernel_regularizer=L2(0.1)),"
    " activity_regularizer=L1(0.2), merge_mode='mul'), TimeDistributed(Dense(2,"
    " activity_regularizer=L1(1.0), kernel_regularizer=L1(0.3))), SimpleRNN(2,"
    " activity_regularizer=L2(1.0)), Dense(1)])",
    "rnn_of_cells": "Sequential([Input((4, 2)), RNN([SimpleRNNCell(3, kernel_regularizer="
    "L2(0.2)), GRUCell(2, recurrent_regularizer=L1(0.1))], activity_regularizer=L2(0.3),"
    " return_sequences=True), Dense(1)])",
}


@pytest.mark.parametrize("name", list(GRAD_MODELS))
def test_training_gradient_is_the_penalised_loss_s(name: str) -> None:
    """The gradients fit follows are those of loss + penalties, by central differences."""
    rnn.set_floatx("float64")
    rnn.set_random_seed(1)
    model = run(GRAD_MODELS[name])
    rng = np.random.default_rng(2)
    shape = model.input_shape[1:]
    x = rng.integers(0, 6, (3, *shape)) if "Embedding" in GRAD_MODELS[name] else None
    x = rng.standard_normal((3, *shape)) if x is None else x
    y = rng.standard_normal((3, *model.output_shape[1:]))
    model.set_weights([w + rng.normal(0, 0.3, w.shape) for w in model.get_weights()])
    model.compile(optimizer="sgd", loss="mse")
    recorder = _Recorder()
    model.optimizer = recorder  # type: ignore[assignment]
    model.train_on_batch(x, y)

    def total() -> float:
        value = float(model.loss(y, model(x)))  # type: ignore[misc]
        return value + sum(_penalties.model_losses(model))

    eps = 1e-6
    for weight, grad in zip(model.weights, recorder.grads, strict=True):
        numeric = np.zeros_like(weight)
        for index in np.ndindex(weight.shape):
            keep = weight[index]
            weight[index] = keep + eps
            up = total()
            weight[index] = keep - eps
            down = total()
            weight[index] = keep
            numeric[index] = (up - down) / (2 * eps)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(
    "code",
    [
        "LSTM(3, return_sequences=True, return_state=True, activity_regularizer=L1(0.3))",
        "GRU(2, return_state=True, activity_regularizer=L2(0.7))",
        "RNN([SimpleRNNCell(2), LSTMCell(3)], return_state=True, activity_regularizer=L2(0.4))",
        "Bidirectional(LSTM(2, return_sequences=True, return_state=True,"
        " activity_regularizer=L1(0.5)), merge_mode=None, activity_regularizer=L2(0.3))",
    ],
)
def test_activity_gradient_reaches_every_output_and_the_inputs(code: str) -> None:
    """backward adds each output's penalty gradient (states included), by central
    differences of sum(r * main output) + the activity penalties."""
    rnn.set_floatx("float64")
    layer = run(code)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 4, 2))
    heads = 2 if getattr(layer, "merge_mode", "concat") is None else 1  # the main outputs
    out = layer.forward(x)
    r = [rng.standard_normal(np.shape(o)) for o in out[:heads]]
    layer.backward(r if len(r) > 1 else r[0])
    grads = [g.copy() for g in layer.grads]
    layer.forward(x)
    grad_x = layer.backward(r if len(r) > 1 else r[0])

    def total() -> float:
        mains = layer(x)[:heads]
        return float(sum(np.sum(a * b) for a, b in zip(mains, r, strict=True))) + sum(layer.losses)

    eps = 1e-6
    for weight, grad in [*zip(layer.weights, grads, strict=True), (x, grad_x)]:
        numeric = np.zeros_like(weight)
        for index in np.ndindex(weight.shape):
            keep = weight[index]
            weight[index] = keep + eps
            up = total()
            weight[index] = keep - eps
            down = total()
            weight[index] = keep
            numeric[index] = (up - down) / (2 * eps)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)
