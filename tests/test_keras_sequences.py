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
