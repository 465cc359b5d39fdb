"""Parity with real Keras, from golden fixtures (no Keras needed).

Every ``tests/fixtures/keras/<id>.json`` was written by running real Keras (see
that directory's README). For each one we build the same model with ``rnn``,
from the fixture's own Python source and from its layer configs, and compare
names, output shapes, parameter counts, every stored ``model.summary()`` text
byte for byte, and (with the ``.npz``) the outputs for the same weights.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rnn
from rnn import layers
from rnn.layers import GRU, LSTM, Bidirectional, Dense, Embedding, Input, SimpleRNN
from rnn.models import Sequential
from rnn.summary import summary_text

FIXTURES = Path(__file__).parent / "fixtures" / "keras"
IDS = sorted(p.stem for p in FIXTURES.glob("*.json") if p.stem != "index")

# The names the fixture's "code" may use, and nothing else.
NAMES = {
    "Sequential": Sequential,
    "Input": Input,
    "SimpleRNN": SimpleRNN,
    "Dense": Dense,
    "Embedding": Embedding,
    "LSTM": LSTM,
    "GRU": GRU,
    "Bidirectional": Bidirectional,
}

# How each stored summary was produced, as arguments of rnn.summary.summary_text.
STYLE_ARGS: dict[str, dict[str, Any]] = {
    "keras3": {"style": "keras3", "console_width": 80},  # piped stdout
    "keras3_88": {"style": "keras3", "line_length": 88, "console_width": 100},  # COLUMNS=100
    "keras3_88_piped": {"style": "keras3", "line_length": 88, "console_width": 80},
    "tf_keras": {"style": "tf_keras"},
    "keras2": {"style": "keras2"},
    "classic": {"style": "classic"},
}


def load(fid: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{fid}.json").read_text(encoding="utf-8"))


def from_code(fix: dict[str, Any]) -> Sequential:
    """Run the fixture's model source with rnn's classes, after clear_session()."""
    rnn.clear_session()
    return eval(fix["code"], {"__builtins__": {}}, dict(NAMES))  # our own fixture source


def layer_from_config(class_name: str, config: dict[str, Any], name: str | None) -> Any:
    config = dict(config)
    if class_name == "Bidirectional":
        inner = config.pop("layer")
        wrapped = layer_from_config(inner["class"], inner["config"], None)
        return Bidirectional(wrapped, name=name, **config)
    return getattr(layers, class_name)(name=name, **config)


def from_configs(fix: dict[str, Any]) -> Sequential:
    """Rebuild the model from the fixture's layer table instead of its source."""
    rnn.clear_session()
    items: list[Any] = []
    if fix["input_shape"] is not None:
        items.append(Input(shape=tuple(fix["input_shape"])))
    for spec in fix["layers"]:
        items.append(layer_from_config(spec["class"], spec["config"], spec["name"]))
    return Sequential(items, name=fix["model_name"])


def show(text: str) -> list[str]:
    """Lines with visible ends, so trailing spaces show up in a diff."""
    return [line + "⏎\n" for line in text.split("\n")]


def assert_same_text(expected: str, got: str, label: str) -> None:
    if got != expected:
        diff = "".join(difflib.unified_diff(show(expected), show(got), "keras", "rnn"))
        pytest.fail(f"{label} differs from Keras:\n{diff}", pytrace=False)


def shape(value: Any) -> Any:
    if isinstance(value, list):
        return [shape(v) for v in value]
    return list(value)


def test_fixtures_exist() -> None:
    assert IDS, f"no fixtures found in {FIXTURES}"


@pytest.mark.parametrize("fid", IDS)
def test_layers_names_shapes_and_params(fid: str) -> None:
    fix = load(fid)
    model = from_code(fix)
    assert model.name == fix["model_name"]
    assert model.built == fix["built"]
    if fix["input_shape"] is not None:
        assert list(model.input_shape[1:]) == fix["input_shape"]
    assert [type(layer).__name__ for layer in model.layers] == [s["class"] for s in fix["layers"]]
    assert [layer.name for layer in model.layers] == [s["name"] for s in fix["layers"]]
    for layer, spec in zip(model.layers, fix["layers"], strict=True):
        if spec["output_shape"] is None:
            assert not layer.built
            continue
        assert shape(layer.output_shape) == spec["output_shape"], layer.name
        assert layer.count_params() == spec["params"], layer.name
        assert [list(w.shape) for w in layer.weights] == spec["weight_shapes"], layer.name
    assert sum(w.size for w in model.weights) == fix["total_params"]
    if fix["built"]:
        assert model.count_params() == fix["total_params"]


SUMMARY_CASES = [(fid, style) for fid in IDS for style in load(fid)["summary"]]
ERROR_CASES = [(fid, style) for fid in IDS for style in load(fid).get("summary_errors") or {}]


@pytest.mark.parametrize(("fid", "style"), SUMMARY_CASES)
def test_summary_byte_for_byte(fid: str, style: str) -> None:
    fix = load(fid)
    expected = fix["summary"][style]
    assert_same_text(expected, summary_text(from_code(fix), **STYLE_ARGS[style]), style)


@pytest.mark.parametrize(("fid", "style"), ERROR_CASES)
def test_summary_errors_like_keras(fid: str, style: str) -> None:
    fix = load(fid)
    message = fix["summary_errors"][style]
    kind, _, text = message.partition(": ")
    assert kind == "ValueError"
    with pytest.raises(ValueError) as info:
        summary_text(from_code(fix), **STYLE_ARGS[style])
    assert str(info.value) == text


@pytest.mark.parametrize("fid", IDS)
def test_rebuilt_from_configs_prints_the_same(fid: str) -> None:
    fix = load(fid)
    model = from_configs(fix)
    assert [layer.name for layer in model.layers] == [s["name"] for s in fix["layers"]]
    assert_same_text(fix["summary"]["keras3"], summary_text(model, console_width=80), "keras3")


FORWARD_IDS = [fid for fid in IDS if load(fid)["forward"] is not None]


@pytest.mark.parametrize("fid", FORWARD_IDS)
@pytest.mark.parametrize("build", [from_code, from_configs], ids=["code", "configs"])
def test_outputs_match_keras(fid: str, build: Any) -> None:
    fix = load(fid)
    with np.load(FIXTURES / fix["forward"]["npz"]) as data:
        weights = [data[f"weights_{i}"] for i in range(sum(k.startswith("weights_") for k in data))]
        x, y = data["x"], data["y"]
    model = build(fix)
    model.set_weights(weights)
    got = model.predict(x, verbose=0)
    assert got.dtype == np.float32
    assert got.shape == y.shape
    np.testing.assert_allclose(got, y, atol=1e-5, rtol=0)
    for mine, theirs in zip(model.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(mine, theirs)
