"""The sequence fixtures (tests/fixtures/keras/sequences/*.json) are well formed.

They were written by real Keras 3 (tools/keras_fixtures/gen_sequences.py) for features
`rnn` does not have yet; these tests only check the files themselves: every case has
the fields the README promises, shapes agree with the configs, masks are 0/1, and what
the generator recorded as checked is true. No `rnn` code is exercised here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

HERE = Path(__file__).parent / "fixtures" / "keras" / "sequences"
FILES = ["masking", "masking_models", "state", "cells", "errors", "dropout"]
LAYER_CASE_KEYS = {
    "id",
    "code",
    "call",
    "class",
    "config",
    "weight_names",
    "weight_shapes",
    "x",
    "mask",
    "initial_state",
    "weights",
    "structure",
    "outputs",
}
GRAD_KEYS = {"G", "grads"}


def load(name: str) -> dict[str, Any]:
    return json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))


def arr(value: Any) -> np.ndarray:
    return np.asarray(value, dtype=np.float32)


def leaves(structure: Any) -> list[int]:
    if isinstance(structure, list):
        return [i for s in structure for i in leaves(s)]
    return [structure]


def units_of(config: dict[str, Any]) -> int:
    return int(config["units"])


def expected_outputs(case: dict[str, Any]) -> list[tuple[int, ...]]:
    """Shapes of the returned tensors, derived from the config alone."""
    config = case["config"]
    batch, steps = len(case["x"]), len(case["x"][0])
    cls = case["class"]
    if cls == "Bidirectional":
        inner = config["layer"]["config"]
        units = units_of(inner)
        width = 2 * units if config["merge_mode"] == "concat" else units
        main = (batch, steps, width) if inner["return_sequences"] else (batch, width)
        states = [(batch, units)] * 4 if inner["return_state"] else []
        return [main, *states]
    if cls == "TimeDistributed":
        return [(batch, steps, units_of(config["layer"]["config"]))]
    if cls == "RNN":
        cells = config["cell"]
        if cells["class_name"] == "StackedRNNCells":
            cells = cells["config"]["cells"]
        else:
            cells = [cells]
        state_shapes = []
        for cell in cells:
            n = 2 if cell["class_name"] == "LSTMCell" else 1
            state_shapes += [(batch, units_of(cell["config"]))] * n
        units = units_of(cells[-1]["config"])
    else:
        units = units_of(config)
        state_shapes = [(batch, units)] * (2 if cls == "LSTM" else 1)
    main = (batch, steps, units) if config["return_sequences"] else (batch, units)
    return [main, *(state_shapes if config["return_state"] else [])]


def expected_weight_shapes(case: dict[str, Any]) -> list[list[int]]:
    """Keras weight shapes of the recurrent layers, from the config and the features."""
    features = len(case["x"][0][0])
    config, cls = case["config"], case["class"]

    def one(kind: str, cfg: dict[str, Any], fin: int) -> list[list[int]]:
        u = units_of(cfg)
        gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[kind]
        bias = [gates * u]
        if kind == "GRU" and cfg.get("reset_after", True):
            bias = [2, 3 * u]
        return [[fin, gates * u], [u, gates * u], bias]

    if cls in ("SimpleRNN", "LSTM", "GRU"):
        return one(cls, config, features)
    if cls == "Bidirectional":
        inner = config["layer"]
        return one(inner["class_name"], inner["config"], features) * 2
    if cls == "RNN":
        cells = config["cell"]
        cells = cells["config"]["cells"] if cells["class_name"] == "StackedRNNCells" else [cells]
        shapes, fin = [], features
        for cell in cells:
            kind = cell["class_name"].removesuffix("Cell")
            shapes += one(kind, cell["config"], fin)
            fin = units_of(cell["config"])
        return shapes
    if cls == "TimeDistributed":
        u = units_of(config["layer"]["config"])
        return [[features, u], [u]]
    raise AssertionError(cls)


def check_mask(mask: Any, batch: int, steps: int) -> None:
    m = np.asarray(mask)
    assert m.shape == (batch, steps)
    assert set(np.unique(m)) <= {0, 1}


def check_layer_case(case: dict[str, Any], grads: bool) -> None:
    missing = (LAYER_CASE_KEYS | (GRAD_KEYS if grads else set())) - set(case)
    assert not missing, (case["id"], missing)
    x = arr(case["x"])
    assert x.ndim == 3
    batch, steps, _ = x.shape
    if case["mask"] is not None:
        check_mask(case["mask"], batch, steps)
        assert "mask=mask" in case["call"]
    # weights: names, declared shapes, actual arrays and the shapes the config implies
    assert len(case["weight_names"]) == len(case["weight_shapes"]) == len(case["weights"])
    assert [list(arr(w).shape) for w in case["weights"]] == case["weight_shapes"]
    assert case["weight_shapes"] == expected_weight_shapes(case), case["id"]
    # outputs: structure, count and shapes
    assert sorted(leaves(case["structure"])) == list(range(len(case["outputs"])))
    shapes = [arr(o).shape for o in case["outputs"]]
    assert shapes == expected_outputs(case), case["id"]
    assert all(np.isfinite(arr(o)).all() for o in case["outputs"])
    if case["initial_state"] is not None:
        assert "initial_state=initial_state" in case["call"]
        assert [arr(s).shape for s in case["initial_state"]] == shapes[1:]
    if grads:
        assert [arr(g).shape for g in case["G"]] == shapes
        g = case["grads"]
        assert [list(arr(w).shape) for w in g["weights"]] == case["weight_shapes"]
        assert arr(g["x"]).shape == x.shape
        if case["initial_state"] is not None:
            assert [arr(s).shape for s in g["initial_state"]] == [
                arr(s).shape for s in case["initial_state"]
            ]
        else:
            assert "initial_state" not in g


@pytest.mark.parametrize("name", FILES)
def test_header(name: str) -> None:
    doc = load(name)
    assert doc["keras"].startswith("3.")
    assert doc["backend"] == "torch"
    assert doc["floatx"] == "float32"


def test_readme_mentions_every_file() -> None:
    text = (HERE / "README.md").read_text(encoding="utf-8")
    for name in FILES:
        assert f"`{name}.json`" in text
    assert sorted(p.stem for p in HERE.glob("*.json")) == sorted(FILES)


def test_masking_cases() -> None:
    doc = load("masking")
    cases = doc["cases"]
    assert len({c["id"] for c in cases}) == len(cases) == 4 * 3 * 8 + 8
    for case in cases:
        check_layer_case(case, grads=True)
        assert case["mask"] is not None
        config = case["config"]
        assert case["class"] in ("SimpleRNN", "LSTM", "GRU")
        assert not config["zero_output_for_mask"]
        # every check the generator recorded holds (null: nothing to check)
        for key, value in case["checks"].items():
            if key == "leading_masked_outputs_equal_initial_h":
                assert value in (False, None), case["id"]
            else:
                assert value in (True, None), (case["id"], key)
    combos = {
        (
            c["class"],
            c["config"].get("reset_after"),
            c["mask_name"],
            *(c["config"][k] for k in ("return_sequences", "return_state", "go_backwards")),
        )
        for c in cases
        if c["initial_state"] is None
    }
    assert len(combos) == 96


def test_masked_outputs_hold_previous_value() -> None:
    """Recheck one semantic on the numbers: a masked step repeats the previous output."""
    for case in load("masking")["cases"]:
        if not case["config"]["return_sequences"]:
            continue
        seq = arr(case["outputs"][0])
        mask = np.asarray(case["mask"], bool)
        if case["config"]["go_backwards"]:
            mask = mask[:, ::-1]
        for b, t in zip(*np.nonzero(~mask), strict=True):
            previous = seq[b, t - 1] if t else np.zeros_like(seq[b, 0])
            np.testing.assert_array_equal(seq[b, t], previous)


def test_masking_models() -> None:
    doc = load("masking_models")
    for case in doc["cases"]:
        x = np.asarray(case["x"])
        for layer in case["layers"]:
            assert {"name", "class", "config", "weight_names", "weight_shapes"} <= set(layer)
            assert "output_mask" in layer
            mask = layer["output_mask"]
            masks = (
                mask
                if layer["class"] == "Bidirectional"
                and isinstance(mask, list)
                and (np.asarray(mask).ndim == 3)
                else [mask]
            )
            for m in masks:
                if m is not None:
                    check_mask(m, x.shape[0], x.shape[1])
        shapes = [s for layer in case["layers"] for s in layer["weight_shapes"]]
        assert [list(arr(w).shape) for w in case["weights"]] == shapes
        if "outputs" in case:  # merge_mode=None: two outputs, no training
            assert len(case["outputs"]) == 2
            continue
        for key in ("code", "compile", "x_dtype", "y", "output", "output_mask", "evaluate"):
            assert key in case, (case["id"], key)
        assert arr(case["y"]).shape == arr(case["output"]).shape
        assert [list(arr(w).shape) for w in case["weights_after_train_on_batch"]] == shapes
        assert set(case["evaluate"]) == {"loss", "mae"}
        # the mask comes from the input: token 0 / all-zero feature rows
        if case["output_mask"] is not None:
            if x.ndim == 2:
                expected = (x != 0).astype(int)
            else:
                expected = np.any(x != 0, axis=-1).astype(int)
            assert np.array_equal(case["output_mask"], expected)
            cand = case["candidates"]
            assert case["evaluate"]["loss"] == pytest.approx(cand["mse_unmasked_only"], rel=1e-5)
            assert case["evaluate"]["mae"] == pytest.approx(cand["mae_unmasked_only"], rel=1e-5)
        else:
            assert case["evaluate"]["loss"] == pytest.approx(
                case["candidates"]["mse_all"], rel=1e-5
            )
        assert case["train_on_batch"]["loss"] == pytest.approx(case["evaluate"]["loss"], rel=1e-5)


def test_state() -> None:
    doc = load("state")
    for case in doc["cases"]:
        check_layer_case(case, grads=True)
        assert case["initial_state"] is not None
    for case in doc["stateful"]:
        assert len(case["calls"]) == 3
        assert all(case["checks"].values()), case["checks"]
        assert not case["state_variables_in_weights"]
        for call in case["calls"]:
            assert arr(call["x"]).shape == (2, 4, 3)
            assert len(call["states_after"]) == (2 if case["class"] == "LSTM" else 1)
        assert all(not arr(s).any() for s in case["states_after_reset"])
        units = case["config"]["units"]
        expect = (2, 4, units) if case["config"]["return_sequences"] else (2, units)
        assert arr(case["calls"][0]["output"]).shape == expect


def test_cells() -> None:
    doc = load("cells")
    for case in doc["cases"]:
        check_layer_case(case, grads=False)
        if case["class"] == "RNN":
            eq = case["plain_equivalent"]
            assert eq["equal"] and eq["same_number_of_outputs"], case["id"]
            assert eq["max_abs_diff"] <= 1e-6
            assert eq["bitwise_equal"] == (eq["max_abs_diff"] == 0.0)
        else:
            assert all(case["checks"].values())
    for model in doc["summaries"]:
        assert set(model["summary"]) == {"keras3", "keras3_88", "keras3_88_piped"}
        assert model["total_params"] == sum(layer["params"] for layer in model["layers"])
        assert model["total_params"] == model["trainable_params"] + model["non_trainable_params"]
        for layer in model["layers"]:
            assert layer["params"] == sum(int(np.prod(s)) for s in layer["weight_shapes"])
            assert f"{layer['name']} ({layer['class']})" in model["summary"]["keras3_88"]
        assert f"Total params: {model['total_params']:,}" in model["summary"]["keras3"]


def test_errors() -> None:
    doc = load("errors")
    stages = ("construct", "build", "call")
    for case in doc["cases"]:
        assert {"id", "description", "x_shape", "steps", "raises", "observed"} <= set(case)
        assert all(step["stage"] in stages for step in case["steps"])
        raised = case["raises"]
        if raised is None:
            assert case["observed"] or case["id"] == "simple_rnn_dropout_negative"
        else:
            assert raised["stage"] in [s["stage"] for s in case["steps"]]
            assert raised["class"] and raised["core"] in raised["message"]
            assert not case["observed"]
    by_id = {c["id"]: c for c in doc["cases"]}
    assert by_id["simple_rnn_dropout_1_5"]["raises"] is None
    assert by_id["simple_rnn_dropout_1_5"]["observed"]["layer.dropout"] == 1.0
    assert by_id["dropout_layer_1_5"]["raises"]["class"] == "ValueError"


def test_dropout() -> None:
    doc = load("dropout")
    for case in doc["cases"]:
        calls = case["calls"]
        assert calls["training_false"]["equals_reference"], case["id"]
        assert calls["training_none"]["equals_reference"], case["id"]
        assert not calls["training_true"]["equals_reference"], case["id"]
        assert arr(case["output_training_false"]).shape == arr(case["reference_output"]).shape
        cell = case["cell"]
        features = len(case["x"][0][0])
        units = case["config"]["units"]
        per_rate = cell["dropout_mask_count"] or 1
        expected = [[len(case["x"]), features]] * (per_rate if cell["dropout"] > 0 else 0)
        expected += [[len(case["x"]), units]] * (per_rate if cell["recurrent_dropout"] > 0 else 0)
        for call in calls.values():
            assert [d["shape"] for d in call["draws"]] == expected, case["id"]
        if cell["recurrent_dropout"] and case["class"] != "SimpleRNN":
            assert cell["implementation"] == 1
    for edge in doc["rate_1_edge_cases"]:
        for key in ("training_true_no_mask", "training_true_all_ones_mask"):
            result = edge[key]
            assert result["equals_reference_on_zero_input"] != result["equals_reference_on_x"]
