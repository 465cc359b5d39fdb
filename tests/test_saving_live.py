"""Live: ``.keras`` files move between rnn and Keras 3 both ways (skipped without Keras).

- rnn builds, compiles and trains a model of each kind and saves it; Keras loads the file:
  the same summary, the same predictions (within 1e-5), its optimizer with rnn's step
  count, and one more training step in each gives the same weights (so the moments were
  read in the right order).
- Keras builds, compiles and trains the same models and saves them; rnn loads the files,
  with the same checks the other way round, and Keras loads back what rnn saves of them.

Run in a virtual environment that has Keras (``make parity`` does)::

    KERAS_BACKEND=torch python -m pytest tests/test_saving_live.py
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
pytest.importorskip("h5py")

import rnn  # noqa: E402
from rnn import layers as rnn_layers  # noqa: E402
from rnn.models import Sequential, load_model  # noqa: E402
from rnn.summary import summary_text  # noqa: E402

# model source (the same for Keras and rnn), input: ("float", shape) or ("int", shape, vocab)
MODELS = {
    "simple_rnn": ("[Input(shape=(3, 1)), SimpleRNN(10), Dense(1)]", ("float", (8, 3, 1))),
    "lstm_stack": (
        "[Input(shape=(5, 2)), LSTM(4, return_sequences=True), LSTM(3, use_bias=False), Dense(1)]",
        ("float", (8, 5, 2)),
    ),
    "gru": (
        "[Input(shape=(5, 2)), GRU(4, reset_after=False, return_sequences=True), GRU(3), Dense(1)]",
        ("float", (8, 5, 2)),
    ),
    "embedding": (
        "[Input(shape=(6,)), Embedding(15, 4, mask_zero=True), GRU(3), "
        "Dense(1, activation='sigmoid')]",
        ("int", (8, 6), 15),
    ),
    "bidirectional": (
        "[Input(shape=(4, 3)), Bidirectional(LSTM(3, return_sequences=True), merge_mode='ave'), "
        "TimeDistributed(Dense(2)), Bidirectional(SimpleRNN(2)), Dense(1)]",
        ("float", (8, 4, 3)),
    ),
    "masking_dropout": (
        "[Input(shape=(5, 3)), Masking(0.0), SimpleRNN(4, return_sequences=True), "
        "Dropout(0.25), GRU(2), Dense(1)]",
        ("float", (8, 5, 3)),
    ),
    "cells": (
        "[Input(shape=(5, 2)), RNN(SimpleRNNCell(3), return_sequences=True), "
        "RNN([LSTMCell(2), GRUCell(3)]), Dense(1)]",
        ("float", (8, 5, 2)),
    ),
}
OPTIMIZERS = {
    "adam": "Adam(learning_rate=0.01)",
    "amsgrad": "Adam(learning_rate=0.01, amsgrad=True)",
    "rmsprop": "RMSprop(learning_rate=0.01, momentum=0.5, centered=True)",
    "sgd": "SGD(learning_rate=0.05, momentum=0.9, nesterov=True)",
}
CASES = [(m, o) for m in sorted(MODELS) for o in sorted(OPTIMIZERS)]
NAMES = (
    "Input SimpleRNN LSTM GRU Dense Embedding Bidirectional TimeDistributed Masking Dropout "
    "RNN SimpleRNNCell LSTMCell GRUCell"
).split()


def keras_model(kind: str) -> Any:
    keras.utils.clear_session()
    keras.utils.set_random_seed(5)
    names = {n: getattr(keras.layers, n) for n in NAMES if n != "Input"}
    names["Input"] = keras.Input
    return keras.Sequential(eval(MODELS[kind][0], {"__builtins__": {}}, names))


def rnn_model(kind: str) -> Sequential:
    rnn.clear_session()
    rnn.set_random_seed(5)
    names = {n: getattr(rnn_layers, n) for n in NAMES}
    return Sequential(eval(MODELS[kind][0], {"__builtins__": {}}, names))


def data(kind: str) -> tuple[np.ndarray, np.ndarray]:
    spec = MODELS[kind][1]
    rng = np.random.default_rng(6)
    if spec[0] == "int":
        x = rng.integers(0, spec[2], size=spec[1]).astype(np.int32)
        x[:, :2] = 0
    else:
        x = rng.standard_normal(spec[1]).astype(np.float32)
    return x, rng.uniform(0.1, 0.9, (len(x), 1)).astype(np.float32)


def keras_summary(model: Any) -> str:
    captured: list[str] = []
    model.summary(print_fn=lambda text, *args, **kwargs: captured.append(text))
    return "".join(captured)


@pytest.fixture(autouse=True)
def _piped_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # what Keras sees when stdout is not a terminal


def load_in_keras(path: Path, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return keras.saving.load_model(path, **kwargs)


def same_weights(ours: Sequential, theirs: Any, atol: float = 1e-5) -> None:
    got, expected = ours.get_weights(), theirs.get_weights()
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_allclose(a, np.asarray(b), atol=atol, rtol=0)


@pytest.mark.parametrize(("kind", "optimizer"), CASES)
def test_rnn_file_loads_in_keras(kind: str, optimizer: str, tmp_path: Path) -> None:
    x, y = data(kind)
    ours = rnn_model(kind)
    ours.compile(optimizer=eval(OPTIMIZERS[optimizer], vars(rnn.optimizers)), loss="mse")
    ours.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    ours.save(tmp_path / "m.keras")

    theirs = load_in_keras(tmp_path / "m.keras")
    # the trained optimizer's variables included ("Optimizer params"), as both print them
    assert keras_summary(theirs) == summary_text(ours, console_width=80)
    np.testing.assert_allclose(
        np.asarray(theirs.predict(x, verbose=0)), ours.predict(x), atol=1e-5, rtol=0
    )
    assert type(theirs.optimizer).__name__ == type(ours.optimizer).__name__
    assert int(theirs.optimizer.iterations.numpy()) == ours.optimizer.iterations == 4
    if kind != "masking_dropout":  # Dropout draws other masks in Keras
        theirs.train_on_batch(x, y)
        ours.train_on_batch(x, y)
        same_weights(ours, theirs)


@pytest.mark.parametrize(("kind", "optimizer"), CASES)
def test_keras_file_loads_in_rnn(kind: str, optimizer: str, tmp_path: Path) -> None:
    x, y = data(kind)
    theirs = keras_model(kind)
    theirs.compile(optimizer=eval(OPTIMIZERS[optimizer], vars(keras.optimizers)), loss="mse")
    theirs.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    theirs.save(tmp_path / "m.keras")

    ours = load_model(tmp_path / "m.keras")
    assert summary_text(load_model(tmp_path / "m.keras", compile=False), console_width=80) == (
        keras_summary(load_in_keras(tmp_path / "m.keras", compile=False))
    )
    np.testing.assert_allclose(
        ours.predict(x), np.asarray(theirs.predict(x, verbose=0)), atol=1e-5, rtol=0
    )
    assert ours.optimizer.iterations == int(theirs.optimizer.iterations.numpy()) == 4
    if kind != "masking_dropout":
        theirs.train_on_batch(x, y)
        ours.train_on_batch(x, y)
        same_weights(ours, theirs)

    # and back: what rnn writes of Keras's model, Keras reads
    ours.save(tmp_path / "again.keras")
    back = load_in_keras(tmp_path / "again.keras")
    np.testing.assert_allclose(
        np.asarray(back.predict(x, verbose=0)), ours.predict(x), atol=1e-5, rtol=0
    )


def test_weights_files_move_both_ways(tmp_path: Path) -> None:
    x, _ = data("bidirectional")
    theirs = keras_model("bidirectional")
    theirs.save_weights(tmp_path / "keras.weights.h5")
    ours = rnn_model("bidirectional")
    ours.load_weights(tmp_path / "keras.weights.h5")
    np.testing.assert_allclose(
        ours.predict(x), np.asarray(theirs.predict(x, verbose=0)), atol=1e-5, rtol=0
    )
    rnn.set_random_seed(8)
    mine = rnn_model("bidirectional")
    mine.save_weights(tmp_path / "rnn.weights.h5")
    theirs.load_weights(tmp_path / "rnn.weights.h5")
    same_weights(mine, theirs, atol=0)


def test_keras_loss_objects_and_metrics_come_along(tmp_path: Path) -> None:
    x, y = data("simple_rnn")
    theirs = keras_model("simple_rnn")
    theirs.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.1, clipnorm=1.0),
        loss=keras.losses.MeanAbsoluteError(),
        metrics=["mse", keras.metrics.MeanAbsoluteError(name="m")],
    )
    theirs.fit(x, y, epochs=1, verbose=0)
    theirs.save(tmp_path / "m.keras")
    ours = load_model(tmp_path / "m.keras")
    assert isinstance(ours.loss, rnn.losses.MeanAbsoluteError)
    assert ours.optimizer.clipnorm == 1.0
    assert ours.metrics_names == ["loss", "mse", "m"]
    expected = theirs.evaluate(x, y, verbose=0, return_dict=True)
    got = ours.evaluate(x, y, return_dict=True)
    assert got.keys() == expected.keys()
    for key in got:
        assert got[key] == pytest.approx(expected[key], abs=1e-5)


def test_a_frozen_layer_both_ways(tmp_path: Path) -> None:
    x, y = data("lstm_stack")
    theirs = keras_model("lstm_stack")
    theirs.layers[0].trainable = False
    theirs.compile(optimizer="adam", loss="mse")
    theirs.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    theirs.save(tmp_path / "keras.keras")
    ours = load_model(tmp_path / "keras.keras")
    assert [layer.trainable for layer in ours.layers] == [False, True, True]
    theirs.train_on_batch(x, y)
    ours.train_on_batch(x, y)
    same_weights(ours, theirs)
    ours.save(tmp_path / "rnn.keras")
    back = load_in_keras(tmp_path / "rnn.keras")
    assert [layer.trainable for layer in back.layers] == [False, True, True]
    back.train_on_batch(x, y)
    ours.train_on_batch(x, y)
    same_weights(ours, back)


# ------------------------------------------------------------------ functional models
FUNCTIONAL = __import__("json").loads(
    (Path(__file__).parent / "fixtures" / "keras" / "functional" / "models.json").read_text(
        encoding="utf-8"
    )
)["models"]


def _functional(case: dict[str, Any], library: str) -> Any:
    """The fixture's model built by ``library`` ("rnn" or "keras"), with its weights."""
    if library == "keras":
        keras.utils.clear_session()
        names: dict[str, Any] = {n: getattr(keras.layers, n, None) for n in dir(keras.layers)}
        names.update(Input=keras.Input, Model=keras.Model)
    else:
        rnn.clear_session()
        names = {n: getattr(rnn_layers, n) for n in rnn_layers.__all__}
        names.update(Input=rnn_layers.Input, Model=rnn.Model)
    exec(case["code"], names)
    model = names["model"]
    model.set_weights([np.asarray(w, dtype="float32") for w in case["weights"]])
    return model


def _inputs(case: dict[str, Any]) -> Any:
    arrays = [np.asarray(x) for x in case["inputs"]]
    arrays = [a if a.dtype.kind == "i" else a.astype("float32") for a in arrays]
    return arrays if len(arrays) > 1 else arrays[0]


def _outputs(model: Any, x: Any) -> list[np.ndarray]:
    got = model.predict(x, verbose=0)
    return [np.asarray(g) for g in (got if isinstance(got, list) else [got])]


@pytest.mark.parametrize("case", FUNCTIONAL, ids=[c["id"] for c in FUNCTIONAL])
def test_functional_models_move_both_ways(case: dict[str, Any], tmp_path: Path) -> None:
    """A functional model saved by rnn loads in Keras, and one saved by Keras in rnn."""
    x = _inputs(case)
    ours = _functional(case, "rnn")
    ours.save(tmp_path / "rnn.keras")
    theirs = load_in_keras(tmp_path / "rnn.keras")
    for a, b in zip(_outputs(theirs, x), _outputs(ours, x), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5, rtol=0)
    assert keras_summary(theirs) == summary_text(ours, console_width=80)
    keras_made = _functional(case, "keras")
    keras_made.save(tmp_path / "keras.keras")
    back = load_model(tmp_path / "keras.keras")
    for a, b in zip(_outputs(back, x), _outputs(keras_made, x), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5, rtol=0)
    assert summary_text(back, console_width=80) == keras_summary(keras_made)
