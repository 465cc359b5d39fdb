"""`rnn` against what real Keras 3 computed for masks, initial and carried states
(``tests/fixtures/keras/sequences/``, written by ``tools/keras_fixtures/gen_sequences.py``).

Each case is rebuilt from its recorded constructor, given Keras's weights, called as
Keras was called, in float64, and compared with Keras's float32 numbers: outputs within
1e-5, gradients (of ``L = sum_i sum(outputs[i] * G[i])``) within ``rtol=1e-4, atol=1e-5``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rnn import layers
from rnn.models import Sequential

FIXTURES = Path(__file__).parent / "fixtures" / "keras" / "sequences"
NAMES = {name: getattr(layers, name) for name in layers.__all__} | {"Sequential": Sequential}


@cache
def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def built(case: dict[str, Any]) -> Any:
    """The case's layer, made by its recorded constructor, in float64, with its weights."""
    layer = eval(case["code"], dict(NAMES))  # the fixture's own constructor call
    layer.set_dtype("float64")
    if hasattr(layer, "forward_layer"):
        for sub in (layer.forward_layer, layer.backward_layer):
            sub.set_dtype("float64")
    layer.build(np.shape(case["x"]))
    layer.set_weights([np.asarray(w) for w in case["weights"]])
    return layer


def arguments(case: dict[str, Any]) -> dict[str, Any]:
    given: dict[str, Any] = {}
    if case.get("mask") is not None:
        given["mask"] = np.asarray(case["mask"], dtype=bool)
    if case.get("initial_state") is not None:
        given["initial_state"] = [np.asarray(s) for s in case["initial_state"]]
    return given


def flat(returned: Any) -> list[np.ndarray]:
    if isinstance(returned, (list, tuple)):
        return [a for item in returned for a in flat(item)]
    return [np.asarray(returned)]


def nested(structure: Any, arrays: list[np.ndarray]) -> Any:
    """The gradients as the layer's output is nested (`structure` holds their indices)."""
    if isinstance(structure, list):
        return [nested(item, arrays) for item in structure]
    return arrays[structure]


def check_case(case: dict[str, Any]) -> None:
    layer = built(case)
    x = np.asarray(case["x"], dtype=np.float64)
    given = arguments(case)
    outputs = flat(layer(x, **given))
    assert len(outputs) == len(case["outputs"]), case["id"]
    for got, expected in zip(outputs, case["outputs"], strict=True):
        np.testing.assert_allclose(got, np.asarray(expected), rtol=0, atol=1e-5, err_msg=case["id"])
    if "grads" not in case:
        return
    layer.forward(x, **given)
    grad_outputs = nested(case["structure"], [np.asarray(g) for g in case["G"]])
    grad = layer.backward(grad_outputs)
    grad_x, *grad_states = grad if isinstance(grad, list) else [grad]
    expected = case["grads"]
    close = {"rtol": 1e-4, "atol": 1e-5, "err_msg": case["id"]}
    np.testing.assert_allclose(grad_x, np.asarray(expected["x"]), **close)
    for got, want in zip(layer.grads, expected["weights"], strict=True):
        np.testing.assert_allclose(got, np.asarray(want), **close)
    if "initial_state" in expected:
        assert len(grad_states) == len(expected["initial_state"]), case["id"]
        for got, want in zip(grad_states, expected["initial_state"], strict=True):
            np.testing.assert_allclose(got, np.asarray(want), **close)


STATE_CASES = load("state")["cases"]


@pytest.mark.parametrize("case", STATE_CASES, ids=[c["id"] for c in STATE_CASES])
def test_initial_state_as_keras(case: dict[str, Any]) -> None:
    check_case(case)


STATEFUL = load("state")["stateful"]


@pytest.mark.parametrize("case", STATEFUL, ids=[c["id"] for c in STATEFUL])
def test_a_stateful_model_carries_its_state_as_keras(case: dict[str, Any]) -> None:
    model = eval(case["code"], dict(NAMES))
    layer = model.layers[0]
    layer.set_dtype("float64")
    layer.set_weights([np.asarray(w) for w in case["weights"]])
    first, second, third = case["calls"]
    for call in (first, second):
        np.testing.assert_allclose(model(np.asarray(call["x"])), call["output"], atol=1e-5)
        for got, want in zip(layer.states, call["states_after"], strict=True):
            np.testing.assert_allclose(got, want, atol=1e-5)
    layer.reset_states()
    for got, want in zip(layer.states, case["states_after_reset"], strict=True):
        np.testing.assert_allclose(got, want, atol=0)
    np.testing.assert_allclose(model(np.asarray(third["x"])), third["output"], atol=1e-5)
    assert model.count_params() == sum(np.size(w) for w in case["weights"])  # states are no weights


MASKING_CASES = load("masking")["cases"]


@pytest.mark.parametrize("case", MASKING_CASES, ids=[c["id"] for c in MASKING_CASES])
def test_masked_sequences_as_keras(case: dict[str, Any]) -> None:
    """Post- and pre-padded masks, a fully masked row, initial states: outputs, states
    and every gradient as Keras 3 computes them."""
    check_case(case)


MODELS = [c for c in load("masking_models")["cases"] if c.get("compile")]


def model_of(case: dict[str, Any]) -> Sequential:
    """The case's model in float64, with Keras's weights."""
    from rnn.config import set_floatx

    set_floatx("float64")  # the layers are made float64 (the autouse fixture resets it)
    model = eval(case["code"], dict(NAMES))
    model.set_weights([np.asarray(w) for w in case["weights"]])
    return model


@pytest.mark.parametrize("case", MODELS, ids=[c["id"] for c in MODELS])
def test_masked_models_predict_evaluate_and_train_as_keras(case: dict[str, Any]) -> None:
    """Embedding(mask_zero=True) and Masking feed masks to SimpleRNN, LSTM, GRU and
    Bidirectional; the loss and the metric leave the padding out; one SGD step moves the
    weights as Keras's does."""
    from rnn.optimizers import SGD

    model = model_of(case)
    x = np.asarray(case["x"], dtype=case["x_dtype"])
    y = np.asarray(case["y"], dtype=np.float64)
    np.testing.assert_allclose(model(x), np.asarray(case["output"]), atol=1e-5)
    if case["output_mask"] is None:
        assert model.output_mask is None
    else:
        np.testing.assert_array_equal(model.output_mask, np.asarray(case["output_mask"], bool))
    model.compile(optimizer=SGD(learning_rate=0.1), loss="mse", metrics=["mae"])
    logs = model.evaluate(x, y, return_dict=True, verbose=0)
    assert logs["loss"] == pytest.approx(case["evaluate"]["loss"], rel=1e-5)
    assert logs["mae"] == pytest.approx(case["evaluate"]["mae"], rel=1e-5)
    model.train_on_batch(x, y)
    for got, want in zip(model.get_weights(), case["weights_after_train_on_batch"], strict=True):
        np.testing.assert_allclose(got, np.asarray(want), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(model(x), np.asarray(case["output_after_train_on_batch"]), atol=1e-5)


DROPOUT = load("dropout")["cases"]


@pytest.mark.parametrize("case", DROPOUT, ids=[c["id"] for c in DROPOUT])
def test_dropout_outside_training_is_keras_without_dropout(case: dict[str, Any]) -> None:
    """Keras's random draws are its own; what must agree is inference: no dropout."""
    layer = built(case)
    x = np.asarray(case["x"], dtype=np.float64)
    np.testing.assert_allclose(layer(x, training=False), case["output_training_false"], atol=1e-5)
    np.testing.assert_allclose(layer(x), case["reference_output"], atol=1e-5)


SUMMARIES = load("cells")["summaries"]


@pytest.mark.parametrize("case", SUMMARIES, ids=[c["id"] for c in SUMMARIES])
def test_summary_as_keras_prints_it(case: dict[str, Any]) -> None:
    """model.summary() of models with the new layers, byte for byte as Keras 3."""
    from rnn.summary import summary_text

    model = eval(case["code"], dict(NAMES))
    from test_keras_fixtures import STYLE_ARGS

    for style, text in case["summary"].items():
        assert summary_text(model, **STYLE_ARGS[style]) == text, style
    assert model.count_params() == case["total_params"]


TIME_DISTRIBUTED = [c for c in load("cells")["cases"] if "TimeDistributed" in c["code"]]


@pytest.mark.parametrize("case", TIME_DISTRIBUTED, ids=[c["id"] for c in TIME_DISTRIBUTED])
def test_time_distributed_as_keras(case: dict[str, Any]) -> None:
    """TimeDistributed: Keras's outputs, weight names, shapes and config (the fixture has
    no gradients: tests/test_time_distributed.py checks them by central differences)."""
    from rnn.config import reset_session

    check_case(case)
    reset_session()  # the names count from zero again, as in the fixture's session
    layer = built(case)
    prefix = f"{layer.name}/"
    assert [prefix + n for n in layer.weight_names] == case["weight_names"]
    assert [list(w.shape) for w in layer.weights] == case["weight_shapes"]
    config = layer.get_config()
    assert config["layer"]["class_name"] == case["config"]["layer"]["class_name"]
    assert {k: config[k] for k in case["config"] if k != "layer"} == {
        k: v for k, v in case["config"].items() if k != "layer"
    }
    inner = config["layer"]["config"]
    assert {k: inner[k] for k in case["config"]["layer"]["config"] if k in inner} == {
        k: v for k, v in case["config"]["layer"]["config"].items() if k in inner
    }
    x = np.asarray(case["x"], dtype=np.float64)
    (output,) = flat(layer(x))
    steps = [layer.layer(x[:, t]) for t in range(x.shape[1])]
    assert case["checks"]["equals_dense_on_every_step"]
    np.testing.assert_allclose(output, np.stack(steps, axis=1), atol=1e-12)


CELLS = [c for c in load("cells")["cases"] if c["code"].startswith("RNN(")]


@pytest.mark.parametrize("case", CELLS, ids=[c["id"] for c in CELLS])
def test_rnn_of_cells_as_keras(case: dict[str, Any]) -> None:
    """RNN(cell) and RNN([cells]): Keras's outputs (nested states for stacked cells), weight
    paths, shapes and config; and the plain layers Keras found equal give them too."""
    from rnn.config import reset_session

    check_case(case)
    reset_session()
    layer = built(case)
    assert [f"{layer.name}/{n}" for n in layer.weight_names] == case["weight_names"]
    assert [list(w.shape) for w in layer.weights] == case["weight_shapes"]
    config = layer.get_config()
    assert {k: config[k] for k in case["config"] if k != "cell"} == {
        k: v for k, v in case["config"].items() if k != "cell"
    }
    assert _slim(config["cell"]) == case["config"]["cell"]
    # the plain layers, chained, on the same weights
    x = np.asarray(case["x"], dtype=np.float64)
    weights = [np.asarray(w) for w in case["weights"]]
    out = x
    for code in case["plain_equivalent"]["code"]:
        plain = eval(code, dict(NAMES))
        plain.set_dtype("float64")
        plain.build(out.shape)
        n = len(plain.weights)
        plain.set_weights(weights[:n])
        weights = weights[n:]
        out = flat(plain(out))[0]
    np.testing.assert_allclose(out, flat(layer(x))[0], rtol=0, atol=1e-5)


def _slim(item: dict[str, Any]) -> dict[str, Any]:
    """A nested config without the keys the fixtures leave out (as gen_sequences.slim_config:
    initializers, regularizers, constraints, dtype)."""
    config = {
        k: v
        for k, v in item["config"].items()
        if not k.endswith(("_initializer", "_regularizer", "_constraint")) and k != "dtype"
    }
    if "cells" in config:
        config["cells"] = [_slim(c) for c in config["cells"]]
    return {"class_name": item["class_name"], "config": config}
