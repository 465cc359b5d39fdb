"""Configs: a real Keras 3 ``get_config()`` makes the same model in rnn, and bad ones are named.

The fixture (``tests/fixtures/keras/configs/configs.json``) is recorded from Keras 3 by
``tools/keras_fixtures/gen_configs.py``: whole models' configs, one layer of every class
rnn has, and Keras's errors for malformed configs.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

import rnn
from rnn import layers

FIXTURE = json.loads(
    (Path(__file__).parent / "fixtures" / "keras" / "configs" / "configs.json").read_text()
)
MODELS = {m["id"]: m for m in FIXTURE["models"]}
LAYERS = {entry["code"]: entry for entry in FIXTURE["layers"]}


def _model_class(entry: dict[str, Any]) -> Any:
    return rnn.Sequential if entry["class_name"] == "Sequential" else rnn.Model


def _keras_layer_names(config: dict[str, Any]) -> list[str]:
    return [
        item["config"]["name"]
        for item in config["layers"]
        if item["class_name"] not in ("InputLayer", "NotEqual")
    ]


def raises_exactly(error: type[Exception], message: str) -> Any:
    return pytest.raises(error, match="^" + re.escape(message) + "$")


def test_the_fixture_covers_every_layer_class_rnn_has() -> None:
    own = {name for name in layers.__all__ if name[:1].isupper()}
    own -= {"Layer", "Input", "InputLayer"}  # the base class; Input is in every model
    assert own <= {entry["class_name"] for entry in FIXTURE["layers"]}
    assert len(MODELS) >= 40


@pytest.mark.parametrize("ident", sorted(MODELS))
def test_a_keras_model_config_makes_the_same_model(ident: str) -> None:
    entry = MODELS[ident]
    config = copy.deepcopy(entry["config"])
    model = _model_class(entry).from_config(config)
    assert config == entry["config"]  # the caller's dict is left as it was
    assert [layer.name for layer in model.layers if type(layer).__name__ != "InputLayer"] == (
        _keras_layer_names(entry["config"])
    )
    assert model.built == entry["built"]
    if entry["built"]:
        assert model.count_params() == entry["count_params"]
        again = type(model).from_config(model.get_config())  # and rnn's own config still works
        assert again.count_params() == entry["count_params"]


@pytest.mark.parametrize("code", sorted(LAYERS))
def test_a_keras_layer_config_makes_the_same_layer(code: str) -> None:
    entry = LAYERS[code]
    layer = getattr(layers, entry["class_name"]).from_config(copy.deepcopy(entry["config"]))
    assert layer.name == entry["config"]["name"]
    if entry["input_shape"] is not None:
        layer.build(tuple(entry["input_shape"]))
        assert layer.count_params() == entry["count_params"]


def test_a_keras_argument_rnn_lacks_is_dropped_at_its_default_and_refused_otherwise() -> None:
    config = copy.deepcopy(LAYERS["Dense(3, activation='relu')"]["config"])
    assert config["quantization_config"] is None
    assert layers.Dense.from_config(config).units == 3
    config["quantization_config"] = {"mode": "int8"}
    with raises_exactly(
        ValueError,
        "Layer 'dense' (Dense) sets `quantization_config={'mode': 'int8'}`, which rnn does "
        "not support: rnn's class has no such argument. Change it in Keras before saving, "
        "or leave it at its default.",
    ):
        layers.Dense.from_config(config)


def test_a_misspelt_argument_in_rnns_own_config_is_still_refused() -> None:
    with raises_exactly(
        ValueError, "Unrecognized keyword arguments passed to Dense: {'activaton': None}"
    ):
        layers.Dense.from_config({"units": 2, "activaton": None})


@pytest.mark.parametrize(
    "case", [e for e in FIXTURE["errors"] if e["type"] == "ValueError"], ids=str
)
def test_malformed_configs_raise_kerass_error(case: dict[str, Any]) -> None:
    cls = (
        rnn.Sequential
        if case["class_name"] == "Sequential"
        else getattr(layers, case["class_name"])
    )
    message = case["message"]
    if "'config' key" in message:  # rnn names both keys an entry needs
        message = message.replace("a 'config' key", "a 'class_name' and a 'config' key")
    with raises_exactly(ValueError, message):
        cls.from_config(case["config"])


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"name": "s"},
            "A Sequential model configuration must be a dictionary containing the 'name' "
            "and 'layers' keys. Received: config={'name': 's'}",
        ),
        (
            {"name": "s", "layers": "dense"},
            "A Sequential model configuration must be a dictionary containing the 'name' "
            "and 'layers' keys. Received: config={'name': 's', 'layers': 'dense'}",
        ),
        (
            {"name": "s", "layers": [{"config": {"units": 2}}]},
            "The provided configuration is not a valid Keras configuration. Expected a "
            "dictionary containing a 'class_name' and a 'config' key. "
            "Received: config={'config': {'units': 2}}",
        ),
        (
            {"name": "s", "layers": ["Dense"]},
            "The provided configuration is not a valid Keras configuration. Expected a "
            "dictionary containing a 'class_name' and a 'config' key. Received: config='Dense'",
        ),
    ],
)
def test_malformed_sequential_configs_say_what_a_config_holds(
    config: dict[str, Any], message: str
) -> None:
    # Keras itself raises a bare KeyError for the first
    with raises_exactly(ValueError, message):
        rnn.Sequential.from_config(config)


@pytest.mark.parametrize("missing", ["input_layers", "output_layers"])
def test_a_functional_config_without_its_inputs_or_outputs_says_which(missing: str) -> None:
    config = copy.deepcopy(MODELS["functional_chain"]["config"])
    del config[missing]
    keys = sorted(config)
    with raises_exactly(
        ValueError,
        "A Functional model configuration must be a dictionary containing the 'layers', "
        f"'input_layers' and 'output_layers' keys; it lacks '{missing}'. Received keys: {keys}",
    ):
        rnn.Model.from_config(config)
    own = rnn.Model.from_config(MODELS["functional_chain"]["config"]).get_config()
    del own[missing]
    with pytest.raises(ValueError, match="it lacks"):
        rnn.Model.from_config(own)


@pytest.mark.parametrize("config", [[("units", 2)], "units=2", None])
def test_a_layer_config_that_is_not_a_dict_is_a_type_error(config: Any) -> None:
    with raises_exactly(
        TypeError,
        "Dense.from_config expects a dict, the output of get_config(). "
        f"Received: config={config!r} (of type {type(config).__name__})",
    ):
        layers.Dense.from_config(config)


@pytest.mark.parametrize("config", [{}, {"class_name": "Dense"}, [1], "Dense"])
def test_deserialize_keras_object_names_the_two_keys_an_entry_needs(config: Any) -> None:
    with raises_exactly(
        ValueError,
        "The provided configuration is not a valid Keras configuration. Expected a "
        f"dictionary containing a 'class_name' and a 'config' key. Received: config={config!r}",
    ):
        rnn.saving.deserialize_keras_object(config)


def test_deserialize_keras_object_of_a_model_without_layers_says_so() -> None:
    with raises_exactly(
        ValueError,
        "A Sequential model configuration must be a dictionary containing the 'name' and "
        "'layers' keys. Received: config={'name': 's'}",
    ):
        rnn.saving.deserialize_keras_object({"class_name": "Sequential", "config": {"name": "s"}})


@pytest.mark.parametrize("ident", ["lstm", "functional_encoder_decoder_lstm"])
def test_deserialize_keras_object_reads_a_whole_keras_model(ident: str) -> None:
    entry = MODELS[ident]
    wrapped = {"module": "keras", "class_name": entry["class_name"], "config": entry["config"]}
    assert rnn.saving.deserialize_keras_object(wrapped).count_params() == entry["count_params"]
