"""Saving and loading in Keras 3's ``.keras`` format (rnn.saving).

- Files written by real Keras 3.15.1 (``tests/fixtures/keras/saving/``, made by
  ``tools/keras_fixtures/gen_saving.py``) load into rnn: the same predictions (within
  1e-5), the same ``model.summary()`` text, the optimizer with its step count; and rnn
  writes them back with Keras's HDF5 layout and Keras's config, key for key.
- rnn -> rnn: every kind of layer round-trips with its weights bit for bit, its config,
  its summary and, compiled and trained, its optimizer's state (training on continues
  exactly as it would have).
- The weights alone (``.weights.h5``), file objects and paths, Keras's errors for wrong
  names and wrong weights, and the optional h5py.

``tests/test_saving_live.py`` does the same against Keras itself (``make parity``).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rnn
from rnn import layers, saving
from rnn.layers import (
    GRU,
    LSTM,
    RNN,
    Bidirectional,
    Dense,
    Dropout,
    Embedding,
    GRUCell,
    Input,
    LSTMCell,
    Masking,
    SimpleRNN,
    SimpleRNNCell,
    TimeDistributed,
)
from rnn.models import Sequential, load_model
from rnn.summary import summary_text

h5py = pytest.importorskip("h5py")

FIXTURES = Path(__file__).parent / "fixtures" / "keras" / "saving"
IDS = sorted(p.stem for p in FIXTURES.glob("*.keras"))
COMPILED_IDS = [fid for fid in IDS if json.loads((FIXTURES / f"{fid}.json").read_text())["compile"]]


def fixture(fid: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{fid}.json").read_text(encoding="utf-8"))


def layout(source: Any) -> dict[str, Any]:
    """Every dataset (path, shape, dtype) and every group's name of a weights file."""
    if str(source).endswith(".keras"):
        with zipfile.ZipFile(source) as archive:
            source = io.BytesIO(archive.read("model.weights.h5"))
    datasets, names = [], {}
    with h5py.File(source, "r") as h5:

        def visit(name: str, obj: Any) -> None:
            if isinstance(obj, h5py.Dataset):
                datasets.append([name, list(obj.shape), str(obj.dtype)])
            elif "name" in obj.attrs:
                names[name] = str(obj.attrs["name"])

        h5.visititems(visit)
    return {"datasets": sorted(datasets), "group_names": dict(sorted(names.items()))}


def config_json(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("config.json"))


# ---------------------------------------------------------------- files Keras wrote


def test_the_fixtures_are_there() -> None:
    assert IDS == ["bidirectional", "embedding_gru", "lstm", "simple_rnn"]
    assert COMPILED_IDS == ["bidirectional", "embedding_gru", "simple_rnn"]
    with zipfile.ZipFile(FIXTURES / "simple_rnn.keras") as archive:
        assert archive.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        assert json.loads(archive.read("metadata.json"))["keras_version"] == "3.15.1"


@pytest.mark.parametrize("fid", IDS)
def test_a_keras_file_predicts_as_keras(fid: str) -> None:
    data = np.load(FIXTURES / f"{fid}.npz")
    model = load_model(FIXTURES / f"{fid}.keras")
    np.testing.assert_allclose(model.predict(data["x"]), data["y"], atol=1e-5, rtol=0)


@pytest.mark.parametrize("fid", IDS)
def test_a_keras_file_prints_keras_summary(fid: str) -> None:
    model = load_model(FIXTURES / f"{fid}.keras", compile=False)
    assert summary_text(model, console_width=80) == fixture(fid)["summary"]["no_compile"]


@pytest.mark.parametrize("fid", COMPILED_IDS)
def test_a_compiled_keras_file_prints_keras_summary(fid: str) -> None:
    model = load_model(FIXTURES / f"{fid}.keras")
    assert summary_text(model, console_width=80) == fixture(fid)["summary"]["compile"]


@pytest.mark.parametrize("fid", COMPILED_IDS)
def test_a_keras_file_restores_the_compile_and_the_optimizer(fid: str) -> None:
    expected = fixture(fid)["optimizer"]
    keras_config = config_json(FIXTURES / f"{fid}.keras")["compile_config"]
    model = load_model(FIXTURES / f"{fid}.keras")
    assert model.compiled
    assert type(model.optimizer).__name__ == expected["class_name"]
    assert model.optimizer.iterations == expected["iterations"]
    assert model.optimizer.name == keras_config["optimizer"]["config"]["name"]
    assert model.optimizer.built  # its moments are the file's, not zeros
    assert model.metrics_names == ["loss", *(keras_config["metrics"] or [])]
    rate = keras_config["optimizer"]["config"]["learning_rate"]
    assert model.optimizer.learning_rate == pytest.approx(rate, rel=1e-7)


def test_compile_false_leaves_the_model_uncompiled() -> None:
    model = load_model(FIXTURES / "simple_rnn.keras", compile=False)
    assert not model.compiled and model.optimizer is None


@pytest.mark.parametrize("fid", IDS)
def test_rnn_writes_keras_weights_layout(fid: str, tmp_path: Path) -> None:
    model = load_model(FIXTURES / f"{fid}.keras")
    model.save(tmp_path / "again.keras")
    assert layout(tmp_path / "again.keras") == fixture(fid)["weights_h5"]


def differences(mine: Any, theirs: Any, path: str = "") -> list[str]:
    """Where rnn's config differs from Keras's; Keras may have more keys (its defaults)."""
    if isinstance(mine, dict) and isinstance(theirs, dict):
        out = []
        for key, value in mine.items():
            if key not in theirs:
                out.append(f"{path}/{key}: only rnn writes it")
            else:
                out += differences(value, theirs[key], f"{path}/{key}")
        return out
    if isinstance(mine, list) and isinstance(theirs, list) and len(mine) == len(theirs):
        return [
            d
            for i, (a, b) in enumerate(zip(mine, theirs, strict=True))
            for d in differences(a, b, f"{path}[{i}]")
        ]
    return [] if mine == theirs else [f"{path}: rnn {mine!r}, Keras {theirs!r}"]


# What rnn writes differently, on purpose: the optimizer under its public module (Keras
# writes its backend's, e.g. keras.src.backend.torch.optimizers.torch_adam), the loss as
# the object rnn's compile made of the name, and an Input's dtype (rnn's Input has none).
ALLOWED = (
    "/compile_config/optimizer/module:",
    "/compile_config/optimizer/registered_name:",
    "/compile_config/loss:",
    "/config/layers[0]/config/dtype: rnn 'float32', Keras 'int32'",
)


@pytest.mark.parametrize("fid", IDS)
def test_rnn_writes_keras_config(fid: str) -> None:
    keras_config = config_json(FIXTURES / f"{fid}.keras")
    mine = saving.serialize_keras_object(load_model(FIXTURES / f"{fid}.keras"))
    found = [d for d in differences(mine, keras_config) if not d.startswith(ALLOWED)]
    assert found == []
    assert mine["compile_config"].keys() == keras_config["compile_config"].keys()


# ---------------------------------------------------------------------- rnn -> rnn


def kinds() -> dict[str, Any]:
    """Models of every layer kind, with the input batch they take."""
    f = np.random.default_rng(1).standard_normal
    seq = f((4, 5, 3)).astype(np.float32)
    ids = np.random.default_rng(2).integers(0, 12, (4, 7))
    ids[:, :2] = 0
    return {
        "simple_rnn": (lambda: [Input((5, 3)), SimpleRNN(4), Dense(1)], seq),
        "lstm": (lambda: [Input((5, 3)), LSTM(4, return_sequences=True), LSTM(2)], seq),
        "gru": (lambda: [Input((5, 3)), GRU(4, reset_after=False, use_bias=False), Dense(2)], seq),
        "embedding": (lambda: [Input((7,)), Embedding(12, 3, mask_zero=True), GRU(4)], ids),
        "bidirectional": (
            lambda: [Input((5, 3)), Bidirectional(LSTM(3), merge_mode="sum"), Dense(1)],
            seq,
        ),
        "masking_dropout": (
            lambda: [
                Input((5, 3)),
                Masking(0.5),
                SimpleRNN(4, return_sequences=True),
                Dropout(0.3),
                TimeDistributed(Dense(2)),
            ],
            seq,
        ),
        "cells": (
            lambda: [
                Input((5, 3)),
                RNN(SimpleRNNCell(3), return_sequences=True),
                RNN([LSTMCell(2), GRUCell(3)], go_backwards=True),
                Dense(1),
            ],
            seq,
        ),
        "float64": (
            lambda: [Input((5, 3)), SimpleRNN(3, dtype="float64"), Dense(1, dtype="float64")],
            seq,
        ),
        "bptt_truncate": (lambda: [Input((5, 3)), SimpleRNN(4, bptt_truncate=2), Dense(1)], seq),
    }


KINDS = sorted(kinds())


def fresh(kind: str) -> tuple[Sequential, np.ndarray]:
    rnn.clear_session()
    rnn.set_random_seed(3)
    make, x = kinds()[kind]
    return Sequential(make(), name=f"model_{kind}"), x


@pytest.mark.parametrize("kind", KINDS)
def test_rnn_round_trip_is_exact(kind: str, tmp_path: Path) -> None:
    model, x = fresh(kind)
    path = tmp_path / "model.keras"
    model.save(path)
    again = load_model(path)
    assert [w.dtype for w in again.weights] == [w.dtype for w in model.weights]
    assert all(np.array_equal(a, b) for a, b in zip(model.weights, again.weights, strict=True))
    assert again.get_config() == model.get_config()
    assert np.array_equal(again.predict(x), model.predict(x))
    assert summary_text(again) == summary_text(model)
    assert not again.compiled


OPTIMIZERS = {
    "adam": lambda: rnn.optimizers.Adam(learning_rate=0.01),
    "amsgrad": lambda: rnn.optimizers.Adam(learning_rate=0.01, amsgrad=True),
    "rmsprop": lambda: rnn.optimizers.RMSprop(momentum=0.5, centered=True, clipnorm=1.0),
    "sgd_momentum": lambda: rnn.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
    "sgd": lambda: "sgd",
}


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
@pytest.mark.parametrize("kind", ["simple_rnn", "bidirectional", "cells"])
def test_training_goes_on_exactly_after_a_round_trip(
    kind: str, optimizer: str, tmp_path: Path
) -> None:
    model, x = fresh(kind)
    y = np.random.default_rng(4).standard_normal((len(x), 1)).astype(np.float32)
    model.compile(optimizer=OPTIMIZERS[optimizer](), loss="mse", metrics=["mae"])
    model.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0)
    model.save(tmp_path / "model.keras")
    again = load_model(tmp_path / "model.keras")
    assert again.optimizer.get_config() | {"learning_rate": None} == (
        model.optimizer.get_config() | {"learning_rate": None}
    )
    assert again.optimizer.iterations == model.optimizer.iterations == 4
    assert again.metrics_names == model.metrics_names
    for slots, kept in zip(model.optimizer._slots, again.optimizer._slots, strict=True):
        assert slots.keys() == kept.keys()
        assert all(np.array_equal(slots[k], kept[k]) for k in slots)
    model.fit(x, y, batch_size=2, epochs=1, shuffle=False, verbose=0)
    again.fit(x, y, batch_size=2, epochs=1, shuffle=False, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(model.weights, again.weights, strict=True))


def test_a_compiled_model_saved_before_training(tmp_path: Path) -> None:
    model, _ = fresh("simple_rnn")
    model.compile(optimizer="adam", loss="mse")
    model.save(tmp_path / "m.keras")
    # as Keras: an optimizer not yet built keeps its step count and learning rate only
    assert [d[0] for d in layout(tmp_path / "m.keras")["datasets"] if d[0].startswith("opt")] == [
        "optimizer/vars/0",
        "optimizer/vars/1",
    ]
    again = load_model(tmp_path / "m.keras")
    assert again.compiled and not again.optimizer.built and again.optimizer.iterations == 0


def test_a_frozen_layer_keeps_no_optimizer_state(tmp_path: Path) -> None:
    model, x = fresh("simple_rnn")
    model.layers[0].trainable = False
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, np.zeros((len(x), 1)), epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    names = [d[0] for d in layout(tmp_path / "m.keras")["datasets"] if d[0].startswith("opt")]
    assert len(names) == 2 + 2 * 2  # Adam's two moments of the Dense's kernel and bias
    again = load_model(tmp_path / "m.keras")
    assert again.layers[0].trainable is False
    assert len(again.optimizer._slots) == 2


def test_the_config_names_keras_classes(tmp_path: Path) -> None:
    model, _ = fresh("cells")
    model.save(tmp_path / "m.keras")
    config = config_json(tmp_path / "m.keras")
    assert (config["module"], config["class_name"], config["registered_name"]) == (
        "keras",
        "Sequential",
        None,
    )
    first, second = config["config"]["layers"][1:3]
    assert first["config"]["cell"]["class_name"] == "SimpleRNNCell"
    assert first["config"]["cell"]["build_config"] == {"input_shape": [None, 3]}
    stacked = second["config"]["cell"]
    assert stacked["class_name"] == "StackedRNNCells"
    assert [c["class_name"] for c in stacked["config"]["cells"]] == ["LSTMCell", "GRUCell"]
    assert config["config"]["layers"][0] == {
        "module": "keras.layers",
        "class_name": "InputLayer",
        "config": {
            "batch_shape": [None, 5, 3],
            "dtype": "float32",
            "sparse": False,
            "name": "input_layer",
        },
        "registered_name": None,
    }
    assert config["compile_config"] == {}
    assert sorted(d[0] for d in layout(tmp_path / "m.keras")["datasets"]) == [
        "layers/dense/vars/0",
        "layers/dense/vars/1",
        "layers/rnn/cell/vars/0",
        "layers/rnn/cell/vars/1",
        "layers/rnn/cell/vars/2",
        "layers/rnn_1/cell/cells/gru_cell/vars/0",
        "layers/rnn_1/cell/cells/gru_cell/vars/1",
        "layers/rnn_1/cell/cells/gru_cell/vars/2",
        "layers/rnn_1/cell/cells/lstm_cell/vars/0",
        "layers/rnn_1/cell/cells/lstm_cell/vars/1",
        "layers/rnn_1/cell/cells/lstm_cell/vars/2",
    ]


def test_rnn_only_settings_ride_in_the_metadata(tmp_path: Path) -> None:
    model, _ = fresh("bptt_truncate")
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        metadata = json.loads(archive.read("metadata.json"))
    layer = config_json(tmp_path / "m.keras")["config"]["layers"][1]["config"]
    assert layer["name"] == "simple_rnn" and "bptt_truncate" not in layer  # Keras lacks it
    assert metadata["keras_version"] == saving.KERAS_FORMAT_VERSION
    assert metadata["rnn"] == {
        "version": rnn.__version__,
        "layer_settings": {"simple_rnn": {"bptt_truncate": 2}},
    }
    assert load_model(tmp_path / "m.keras").layers[0].bptt_truncate == 2


def test_an_unbuilt_model_is_saved_with_keras_warning(tmp_path: Path) -> None:
    rnn.clear_session()
    model = Sequential([SimpleRNN(2), Dense(1)])
    with pytest.warns(UserWarning, match="You are saving a model that has not yet been built"):
        model.save(tmp_path / "m.keras")
    config = config_json(tmp_path / "m.keras")
    assert "build_config" not in config and "build_input_shape" not in config["config"]
    again = load_model(tmp_path / "m.keras")
    assert not again.built and [layer.name for layer in again.layers] == ["simple_rnn", "dense"]


def test_paths_and_file_objects(tmp_path: Path) -> None:
    model, x = fresh("simple_rnn")
    buffer = io.BytesIO()
    rnn.saving.save_model(model, buffer)
    buffer.seek(0)
    assert np.array_equal(rnn.saving.load_model(buffer).predict(x), model.predict(x))
    model.save(str(tmp_path / "m.keras"))
    with open(tmp_path / "m.keras", "rb") as file:
        assert np.array_equal(load_model(file).predict(x), model.predict(x))
    with pytest.raises(FileExistsError, match="already exists and overwrite=False"):
        model.save(tmp_path / "m.keras", overwrite=False)


def test_an_unzipped_keras_folder_loads(tmp_path: Path) -> None:
    model, x = fresh("lstm")
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        archive.extractall(tmp_path / "folder")
    assert np.array_equal(load_model(tmp_path / "folder").predict(x), model.predict(x))


# ---------------------------------------------------------------------- weights only


def test_weights_round_trip(tmp_path: Path) -> None:
    model, x = fresh("bidirectional")
    model.save_weights(tmp_path / "m.weights.h5")
    other, _ = fresh("bidirectional")
    rnn.set_random_seed(9)
    other = Sequential(kinds()["bidirectional"][0]())  # other starting weights
    assert not np.array_equal(other.predict(x), model.predict(x))
    other.load_weights(tmp_path / "m.weights.h5")
    assert all(np.array_equal(a, b) for a, b in zip(model.weights, other.weights, strict=True))
    model.save(tmp_path / "m.keras")
    third = Sequential(kinds()["bidirectional"][0]())
    third.load_weights(tmp_path / "m.keras")  # a .keras file's weights, as Keras allows
    assert np.array_equal(third.predict(x), model.predict(x))
    assert layout(tmp_path / "m.weights.h5") == layout(tmp_path / "m.keras")


def test_load_weights_keeps_the_arrays(tmp_path: Path) -> None:
    model, _ = fresh("simple_rnn")
    model.save_weights(tmp_path / "m.weights.h5")
    arrays = model.weights
    model.load_weights(tmp_path / "m.weights.h5")
    assert all(a is b for a, b in zip(arrays, model.weights, strict=True))  # updated in place


def test_weights_that_do_not_fit_raise_keras_error(tmp_path: Path) -> None:
    model, _ = fresh("simple_rnn")
    model.save_weights(tmp_path / "m.weights.h5")
    rnn.clear_session()
    wider = Sequential([Input((5, 3)), SimpleRNN(3), Dense(1)])
    before = [w.copy() for w in wider.weights]
    message = (
        "A total of 2 objects could not be loaded. Example error message for object "
        "<SimpleRNNCell name=simple_rnn_cell, built=True>:\n\n"
        "The shape of the target variable and the shape of the target value in "
        "`variable.assign(value)` must match. variable.shape=(3, 3), Received: "
        "value.shape=(3, 4). Target variable: simple_rnn_cell/kernel\n\n"
        "List of objects that could not be loaded:\n"
        "[<SimpleRNNCell name=simple_rnn_cell, built=True>, <Dense name=dense, built=True>]"
    )
    with pytest.raises(ValueError) as info:
        wider.load_weights(tmp_path / "m.weights.h5")
    assert str(info.value) == message
    assert all(np.array_equal(a, b) for a, b in zip(before, wider.weights, strict=True))
    with pytest.warns(UserWarning, match="A total of 2 objects could not be loaded"):
        wider.load_weights(tmp_path / "m.weights.h5", skip_mismatch=True)

    rnn.clear_session()
    longer = Sequential([Input((5, 3)), SimpleRNN(4), Dense(1), Dense(1)])
    with pytest.raises(
        ValueError,
        match=r"Layer 'dense_1' expected 2 variables, but received "
        r"0 variables during loading. Expected: \['kernel', 'bias'\]",
    ):
        longer.load_weights(tmp_path / "m.weights.h5")


# ----------------------------------------------------------------- Keras's errors


@pytest.mark.parametrize("name", ["m.txt", "m", "m.weights"])
def test_save_wants_a_keras_extension(name: str) -> None:
    model, _ = fresh("simple_rnn")
    with pytest.raises(ValueError) as info:
        model.save(name)
    assert str(info.value) == (
        "Invalid filepath extension for saving. Please add either a `.keras` extension for "
        "the native Keras format (recommended) or a `.h5` extension. Use "
        "`model.export(filepath)` if you want to export a SavedModel for use with "
        f"TFLite/TFServing/etc. Received: filepath={name}."
    )


def test_save_refuses_the_legacy_h5_format(tmp_path: Path) -> None:
    model, _ = fresh("simple_rnn")
    with pytest.raises(ValueError, match=r"use a `.keras` extension \(the legacy HDF5"):
        model.save(tmp_path / "m.h5")
    with pytest.raises(ValueError, match="the legacy HDF5 format"):
        load_model(tmp_path / "m.h5")


def test_load_model_errors_are_keras(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as info:
        load_model(tmp_path / "missing.keras")
    where = tmp_path / "missing.keras"
    assert str(info.value) == (
        f"File not found: filepath={where}. Please ensure the file is an accessible "
        "`.keras` zip file."
    )
    (tmp_path / "not_a_zip.keras").write_text("hello")
    with pytest.raises(ValueError, match=r"File not found: filepath=.*not_a_zip\.keras"):
        load_model(tmp_path / "not_a_zip.keras")
    with pytest.raises(ValueError) as info:
        load_model("m.txt")
    assert str(info.value).startswith(
        "File format not supported: filepath=m.txt. Keras 3 only supports V3 `.keras` "
        "files, legacy H5 format files (`.h5` extension)."
    )


def test_weights_file_errors_are_keras(tmp_path: Path) -> None:
    model, _ = fresh("simple_rnn")
    for name in ("m.h5", "m.keras"):
        with pytest.raises(ValueError) as info:
            model.save_weights(name)
        assert str(info.value) == (
            f"The filename must end in `.weights.h5`. Received: filepath={name}"
        )
    with pytest.raises(ValueError) as info:
        model.load_weights("m.txt")
    assert str(info.value) == (
        "File format not supported: filepath=m.txt. Keras 3 only supports V3 `.keras` "
        "files, `.weights.h5` files, legacy H5 format files (`.h5` extension), or Orbax "
        "checkpoints."
    )
    rnn.clear_session()
    unbuilt = Sequential([SimpleRNN(2)])
    with pytest.raises(ValueError) as info:
        unbuilt.save_weights(tmp_path / "u.weights.h5")
    assert str(info.value) == (
        "You are saving a model that has not yet been built. Try building the model first "
        "by calling it on some data or by using `build()`."
    )
    with pytest.raises(ValueError) as info:
        unbuilt.load_weights(tmp_path / "u.weights.h5")
    assert str(info.value) == (
        "You are loading weights into a model that has not yet been built. Try building "
        "the model first by calling it on some data or by using `build()`."
    )


# ---------------------------------------------------------- what rnn cannot represent


def keras_lstm_entry(**config: Any) -> dict[str, Any]:
    return {
        "module": "keras.layers",
        "class_name": "LSTM",
        "config": {"name": "lstm", "units": 2, **config},
        "registered_name": None,
        "build_config": {"input_shape": [None, 4, 3]},
    }


def test_keras_defaults_rnn_lacks_are_dropped() -> None:
    layer = saving.deserialize_keras_object(
        keras_lstm_entry(
            kernel_regularizer=None,
            bias_constraint=None,
            unroll=False,
            seed=None,
            kernel_initializer={
                "module": "keras.initializers",
                "class_name": "GlorotUniform",
                "config": {"seed": None, "input_axes": None, "output_axes": None},
                "registered_name": None,
            },
        )
    )
    assert (
        isinstance(layer, LSTM)
        and layer.built
        and layer.get_config()["kernel_initializer"] == "glorot_uniform"
    )


def test_a_setting_rnn_lacks_is_an_error() -> None:
    with pytest.raises(ValueError) as info:
        saving.deserialize_keras_object(keras_lstm_entry(use_ema=True))
    assert str(info.value) == (
        "Layer 'lstm' (LSTM) sets `use_ema=True`, which rnn does not support: rnn's class "
        "has no such argument. Change it in Keras before saving, or leave it at its default."
    )


def test_an_unknown_initializer_is_an_error() -> None:
    entry = keras_lstm_entry(
        recurrent_initializer={
            "module": "keras.initializers",
            "class_name": "MyInit",
            "config": {},
            "registered_name": None,
        }
    )
    with pytest.raises(
        ValueError, match="Layer 'lstm' \\(LSTM\\): rnn has no initializer 'MyInit'"
    ):
        saving.deserialize_keras_object(entry)


def test_an_initializer_with_other_arguments_is_kept() -> None:
    entry = keras_lstm_entry(
        recurrent_initializer={
            "module": "keras.initializers",
            "class_name": "Orthogonal",
            "config": {"gain": 2.0, "seed": None},
            "registered_name": None,
        }
    )
    layer = saving.deserialize_keras_object(entry)
    kept = rnn.initializers.serialize(layer.cell.recurrent_initializer)
    assert (kept["class_name"], kept["config"]["gain"]) == ("Orthogonal", 2.0)


def test_a_backward_layer_of_its_own_loads() -> None:
    forward = keras_lstm_entry(go_backwards=False)
    backward = keras_lstm_entry(go_backwards=True, units=3)
    entry = {
        "module": "keras.layers",
        "class_name": "Bidirectional",
        "config": {"name": "bidirectional", "layer": forward, "backward_layer": backward},
        "registered_name": None,
    }
    layer = saving.deserialize_keras_object(entry)
    assert (layer.forward_layer.units, layer.backward_layer.units) == (2, 3)
    assert layer.backward_layer.go_backwards


def test_an_unknown_layer_class_is_keras_error() -> None:
    entry = {
        "module": "keras.layers",
        "class_name": "Conv1D",
        "config": {"name": "c"},
        "registered_name": None,
    }
    with pytest.raises(TypeError, match="Could not locate class 'Conv1D'"):
        saving.deserialize_keras_object(entry)


# ------------------------------------------------------------------------ h5py


def test_import_rnn_does_not_import_h5py() -> None:
    code = "import sys, rnn, rnn.models, rnn.saving; print('h5py' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_without_h5py_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model, _ = fresh("simple_rnn")
    monkeypatch.setitem(sys.modules, "h5py", None)  # import h5py now raises ImportError
    for call in (
        lambda: model.save(tmp_path / "m.keras"),
        lambda: model.save_weights(tmp_path / "m.weights.h5"),
    ):
        with pytest.raises(ImportError) as info:
            call()
        assert str(info.value) == (
            "h5py must be installed in order to save a model: rnn keeps weights in "
            'Keras\'s HDF5 layout. Install it with `pip install "rnn[h5]"` (or '
            "`pip install h5py`)."
        )
    with pytest.raises(ImportError, match=r'in order to load a model: .*pip install "rnn\[h5\]"'):
        load_model(FIXTURES / "lstm.keras")
    assert saving.serialize_keras_object(model)["class_name"] == "Sequential"  # no h5py needed


def test_the_models_module_offers_keras_names() -> None:
    assert rnn.models.load_model is saving.load_model
    assert rnn.models.save_model is saving.save_model
    assert layers.Layer  # rnn.layers untouched
