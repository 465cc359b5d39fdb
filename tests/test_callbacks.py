"""Keras 3's callbacks, and weighted fits, against fits recorded from real Keras.

``tests/fixtures/keras/callbacks/fits.json`` holds fits run by Keras 3.15 in float64 with
SGD, ``shuffle=False`` and set starting weights (``tools/keras_fixtures/gen_callbacks.py``
wrote it; see the README beside it). Each is repeated here with `rnn`: the histories,
the epochs run, the weights after ``fit`` (e.g. the best epoch's, restored), the
learning rate, what the callbacks printed, and the hooks called, all within 1e-6.
``errors.json`` holds Keras's errors and warnings for bad callbacks and weights.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rnn
from rnn import callbacks as rnn_callbacks
from rnn.callbacks import (
    Callback,
    EarlyStopping,
    LambdaCallback,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TerminateOnNaN,
)
from rnn.layers import Dense, Input, Masking, SimpleRNN
from rnn.models import Sequential

FIXTURES = Path(__file__).parent / "fixtures" / "keras" / "callbacks"
FITS = json.loads((FIXTURES / "fits.json").read_text())
ERRORS = json.loads((FIXTURES / "errors.json").read_text())
CASES = {case["id"]: case for case in FITS["cases"]}
DATA = {name: np.asarray(value, dtype=np.float64) for name, value in FITS["data"].items()}
T, F = 5, 2
TOL = 1e-6


class RecordingSequential(Sequential):
    """A Sequential whose ``save``/``save_weights`` record their calls and write a stub."""

    def __init__(self, layers: list[Any]) -> None:
        super().__init__(layers)
        self.saves: list[tuple[str, str, bool]] = []

    def _record(self, kind: str, filepath: str, overwrite: bool) -> None:
        self.saves.append((kind, os.fspath(filepath), overwrite))
        Path(filepath).write_bytes(b"")

    def save(self, filepath: str, overwrite: bool = True, **kwargs: Any) -> None:  # type: ignore[override]
        self._record("save", filepath, overwrite)

    def save_weights(self, filepath: str, overwrite: bool = True, **kwargs: Any) -> None:  # type: ignore[override]
        self._record("save_weights", filepath, overwrite)


def build(kind: str) -> RecordingSequential:
    """The fixture's model ``kind`` in float64, with the fixture's starting weights."""
    rnn.set_floatx("float64")
    if kind == "regression":
        layers: list[Any] = [Input((T, F)), SimpleRNN(3), Dense(1)]
    elif kind == "classifier":
        layers = [Input((T, F)), SimpleRNN(4), Dense(3, activation="softmax")]
    else:
        layers = [Input((T, F)), Masking(0.0), SimpleRNN(3, return_sequences=True), Dense(1)]
    model = RecordingSequential(layers)
    model.build((None, T, F))
    model.set_weights([np.asarray(w) for w in FITS["initial_weights"][kind]])
    return model


def resolve(args: dict[str, Any]) -> dict[str, Any]:
    """Arrays named ``"@name"`` (or lists of them) become the fixture's arrays."""

    def one(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("@"):
            return DATA[value[1:]]
        if isinstance(value, list) and value and str(value[0]).startswith("@"):
            return tuple(one(v) for v in value)
        if isinstance(value, dict):
            return {int(k): v for k, v in value.items()}  # class_weight keys: JSON strings
        return value

    return {key: one(value) for key, value in args.items()}


class Tracer(Callback):
    """Records each hook called: its name, its index and its logs' keys (as the generator)."""

    def __init__(self, stop_at: list[Any] | None = None) -> None:
        super().__init__()
        self.calls: list[list[Any]] = []
        self.stop_at = stop_at
        for hook in ["train", "test", "predict"]:
            for end in ["begin", "end"]:
                setattr(self, f"on_{hook}_{end}", self._recorder(f"on_{hook}_{end}", False))
                name = f"on_{hook}_batch_{end}"
                setattr(self, name, self._recorder(name, True))
        for end in ["begin", "end"]:
            setattr(self, f"on_epoch_{end}", self._recorder(f"on_epoch_{end}", True))

    def _recorder(self, hook: str, indexed: bool) -> Any:
        def record(*args: Any, logs: Any = None) -> None:
            if indexed:
                index, logs = args[0], (args[1] if len(args) > 1 else logs)
                self.calls.append([hook, int(index), sorted(logs or {})])
                if self.stop_at == [hook, int(index)]:
                    self.model.stop_training = True
            else:
                logs = args[0] if args else logs
                self.calls.append([hook, None, sorted(logs or {})])

        return record


def run(case: dict[str, Any], workdir: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """Repeat the fixture's fit with `rnn`; return what the generator recorded, the same way."""
    model = build(case["model"])
    compile_args = dict(case["compile"])
    optimizer = rnn.optimizers.SGD(**compile_args.pop("sgd"))
    model.compile(optimizer=optimizer, **compile_args)
    callbacks: list[Callback] = []
    for name, kwargs in case.get("callbacks", []):
        callback = getattr(rnn_callbacks, name)(**kwargs)
        if isinstance(callback, ModelCheckpoint):
            callback.filepath = os.path.join(workdir, callback.filepath)
        callbacks.append(callback)
    tracer = Tracer(case.get("stop_at")) if "trace" in case else None
    if tracer is not None:
        callbacks.append(tracer)
    capsys.readouterr()
    history = model.fit(**resolve(case["fit"]), callbacks=callbacks, verbose=0, shuffle=False)
    printed = capsys.readouterr().out
    out: dict[str, Any] = {
        "history": history.history,
        "epoch": history.epoch,
        "weights": [w.copy() for w in model.weights],
        "printed": printed.replace(str(workdir) + os.sep, ""),
        "learning_rate": model.optimizer.learning_rate,
        "model": model,
    }
    if "evaluate" in case:
        args = resolve(case["evaluate"])
        out["evaluate_result"] = model.evaluate(**args, verbose=0, return_dict=True)
    if "on_batch" in case:
        args = resolve(case["on_batch"])
        out["test_on_batch_result"] = model.test_on_batch(**args, return_dict=True)
        out["train_on_batch_result"] = model.train_on_batch(**args, return_dict=True)
        out["weights_after_train_on_batch"] = [w.copy() for w in model.weights]
    if tracer is not None:
        if case["id"] == "trace":
            tracer.calls.append(["-- evaluate --", None, []])
            model.evaluate(DATA["x_val"], DATA["y_val"], batch_size=4, callbacks=[tracer])
            tracer.calls.append(["-- predict --", None, []])
            model.predict(DATA["x_val"], batch_size=4, callbacks=[tracer], verbose=0)
        out["trace"] = tracer.calls
    saved = sorted(
        os.path.relpath(os.path.join(root, f), workdir)
        for root, _, files in os.walk(workdir)
        for f in files
    )
    if saved:
        out["saved_files"] = saved
    return out


def assert_close_dict(got: dict[str, Any], expected: dict[str, Any]) -> None:
    assert list(got) == list(expected)
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=0, atol=TOL, err_msg=key)


def assert_close_weights(got: list[np.ndarray], expected: list[Any]) -> None:
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, np.asarray(e), rtol=0, atol=TOL)


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_fit_as_keras(case_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES[case_id]
    got = run(case, tmp_path, capsys)
    assert got["epoch"] == case["epoch"]
    assert_close_dict(got["history"], case["history"])
    assert_close_weights(got["weights"], case["weights"])
    assert got["printed"] == case["printed"]
    assert got["learning_rate"] == pytest.approx(case["learning_rate"], abs=1e-12)
    for key in ["evaluate_result", "test_on_batch_result", "train_on_batch_result"]:
        if key in case:
            assert_close_dict(got[key], case[key])
    if "weights_after_train_on_batch" in case:
        assert_close_weights(
            got["weights_after_train_on_batch"], case["weights_after_train_on_batch"]
        )
    assert got.get("saved_files") == case.get("saved_files")
    if "trace" in case:
        assert got["trace"] == case["trace"]


def test_checkpoint_calls_save_or_save_weights(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    best = run(CASES["checkpoint_best"], tmp_path / "best", capsys)["model"]
    assert [(kind, Path(p).name, o) for kind, p, o in best.saves] == [
        ("save", Path(f).name, True) for f in CASES["checkpoint_best"]["saved_files"]
    ]
    weights = run(CASES["checkpoint_weights_every_epoch"], tmp_path / "w", capsys)["model"]
    assert [kind for kind, _, _ in weights.saves] == ["save_weights"] * 3


def test_early_stopping_restores_the_best_epochs_weights(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CASES["early_stopping_restore"]
    model = run(case, tmp_path, capsys)["model"]
    # the fixture's weights are those of the best epoch: a fit of that many epochs ends there
    best_epoch = int(case["printed"].rsplit(" ", 1)[-1].rstrip(".\n"))
    again = build(case["model"])
    again.compile(optimizer=rnn.optimizers.SGD(0.1), loss="mse")
    again.fit(DATA["x"], DATA["y"], batch_size=8, epochs=best_epoch, shuffle=False, verbose=0)
    assert_close_weights(model.weights, [w.tolist() for w in again.weights])


# ---------------------------------------------------------------------- errors


def keras_error(name: str) -> tuple[type[BaseException], str]:
    kind, message = ERRORS["errors"][name]
    return {"ValueError": ValueError, "TypeError": TypeError, "KeyError": KeyError}[kind], message


def regression() -> Sequential:
    model = build("regression")
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.mark.parametrize(
    ("name", "make"),
    [
        (
            "checkpoint_weights_extension",
            lambda: ModelCheckpoint("model.keras", save_weights_only=True),
        ),
        ("checkpoint_model_extension", lambda: ModelCheckpoint("model.h6")),
        ("checkpoint_save_freq", lambda: ModelCheckpoint("model.keras", save_freq="batch")),
        ("reduce_lr_factor", lambda: ReduceLROnPlateau(factor=1.0)),
    ],
)
def test_constructor_errors_as_keras(name: str, make: Any) -> None:
    kind, message = keras_error(name)
    with pytest.raises(kind) as info:
        make()
    assert str(info.value) == message


def test_unknown_direction_and_format_key_errors_as_keras(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kind, message = keras_error("early_stopping_unknown_direction")
    with pytest.raises(kind) as info:
        regression().fit(DATA["x"], DATA["y"], verbose=0, callbacks=[EarlyStopping("something")])
    assert str(info.value) == message
    kind, message = keras_error("checkpoint_format_key")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(kind) as info:
        regression().fit(
            DATA["x"], DATA["y"], verbose=0, callbacks=[ModelCheckpoint("m_{val_acc:.2f}.keras")]
        )
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("class_weight_and_sample_weight", {"sample_weight": "@w", "class_weight": {0: 1.0}}),
        ("sample_weight_wrong_length", {"sample_weight": DATA["w"][:20]}),
    ],
)
def test_weight_errors_as_keras(name: str, kwargs: dict[str, Any]) -> None:
    kind, message = keras_error(name)
    with pytest.raises(kind) as info:
        regression().fit(DATA["x"], DATA["y"], verbose=0, **resolve(kwargs))
    assert str(info.value) == message


def test_evaluate_weight_length_error_as_keras() -> None:
    kind, message = keras_error("evaluate_sample_weight_wrong_length")
    with pytest.raises(kind) as info:
        regression().evaluate(DATA["x"], DATA["y"], sample_weight=np.ones(5), verbose=0)
    assert str(info.value) == message


def test_validation_data_of_four_as_keras() -> None:
    kind, message = keras_error("validation_data_four")
    prefix = message.split("found: ")[0] + "found: "
    with pytest.raises(kind, match="^" + prefix.replace("(", r"\(").replace(")", r"\)")):
        data = (np.zeros((1, T, F)), np.ones((1, 1)), np.ones(1), 1)
        regression().fit(DATA["x"], DATA["y"], verbose=0, validation_data=data)


def test_class_weight_with_a_label_per_step() -> None:
    """Keras 3 fails in NumPy's conversion (a TypeError); `rnn` says the same, then why."""
    kind, message = keras_error("class_weight_3d_targets")
    model = build("sequences")
    model.compile(optimizer="sgd", loss="mse")
    labels = np.round(np.abs(DATA["y_seq"])) % 2  # (samples, timesteps, 1)
    with pytest.raises(kind, match="^" + message) as info:
        model.fit(DATA["x_seq"], labels, class_weight={0: 1.0, 1: 2.0}, verbose=0)
    assert str(info.value).endswith(
        "`class_weight` needs one class per sample, but targets of shape (24, 5, 1) give (5,) "
        "classes per sample. Pass `sample_weight` instead."
    )


def test_per_sample_weights_on_sequence_outputs_broadcast_over_the_steps() -> None:
    """Keras 3.15 (torch) fails here (recorded); `rnn` weighs each step by its sample's weight."""
    assert ERRORS["errors"]["sequence_outputs_sample_weight_per_sample"][0] == "RuntimeError"
    model = build("sequences")
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x, y, w = DATA["x_seq"], DATA["y_seq"], DATA["w"]
    per_sample = model.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)
    per_step = model.evaluate(x, y, sample_weight=np.repeat(w[:, None], T, 1), verbose=0)
    assert per_step == pytest.approx([per_sample["loss"], per_sample["mae"]], abs=1e-12)


@pytest.mark.parametrize(
    ("name", "callback"),
    [
        ("early_stopping_missing", lambda d: EarlyStopping(monitor="val_loss")),
        ("reduce_lr_missing", lambda d: ReduceLROnPlateau(monitor="val_loss")),
        (
            "checkpoint_missing",
            lambda d: ModelCheckpoint(os.path.join(d, "m.keras"), save_best_only=True),
        ),
    ],
)
def test_missing_monitor_warns_as_keras(name: str, callback: Any, tmp_path: Path) -> None:
    model = build("regression")
    model.compile(optimizer="sgd", loss="mse")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        model.fit(DATA["x"], DATA["y"], epochs=1, verbose=0, callbacks=[callback(tmp_path)])
    assert [str(w.message) for w in seen] == ERRORS["warnings"][name]


# ---------------------------------------------------------------------- behaviour


def test_unknown_mode_warns_and_falls_back_to_auto() -> None:
    with pytest.warns(
        UserWarning, match="^EarlyStopping mode 'up' is unknown, fallback to auto mode.$"
    ):
        stop = EarlyStopping(mode="up")
    assert stop.mode == "auto"


def test_terminate_on_nan_can_raise() -> None:
    model = regression()
    with pytest.raises(
        RuntimeError, match=r"^NaN or Inf loss encountered at batch 1\. Loss value: nan\."
    ):
        model.fit(
            DATA["x_nan"],
            DATA["y"],
            batch_size=8,
            shuffle=False,
            verbose=0,
            callbacks=[TerminateOnNaN(raise_error=True)],
        )


def test_lambda_callback_hooks_and_extra_hooks() -> None:
    seen: list[str] = []
    callback = LambdaCallback(
        on_train_begin=lambda logs: seen.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: seen.append(f"epoch_begin {epoch}"),
        on_train_batch_end=lambda batch, logs: seen.append(f"batch_end {batch}"),
        on_test_end=lambda logs: seen.append(f"test_end {sorted(logs)}"),
    )
    model = regression()
    model.fit(
        DATA["x"][:8],
        DATA["y"][:8],
        batch_size=4,
        verbose=0,
        callbacks=[callback],
        validation_data=(DATA["x_val"], DATA["y_val"]),
    )
    assert seen == [
        "train_begin",
        "epoch_begin 0",
        "batch_end 0",
        "batch_end 1",
        "test_end ['loss']",
    ]


def test_checkpoint_every_n_batches(tmp_path: Path) -> None:
    model = build("regression")
    model.compile(optimizer="sgd", loss="mse")
    path = str(tmp_path / "b{epoch}_{batch}.weights.h5")
    model.fit(
        DATA["x"],
        DATA["y"],
        batch_size=8,
        epochs=2,
        verbose=0,
        shuffle=False,
        callbacks=[ModelCheckpoint(path, save_weights_only=True, save_freq=2)],
    )
    assert [Path(p).name for _, p, _ in model.saves] == [
        "b1_2.weights.h5",
        "b2_1.weights.h5",
        "b2_3.weights.h5",
    ]


def test_the_progress_bar_comes_after_the_callbacks(capsys: pytest.CaptureFixture[str]) -> None:
    """As in Keras: a callback's message precedes the epoch's finished bar, which shows
    what the callback added to the logs."""
    model = regression()
    reduce = ReduceLROnPlateau(monitor="loss", patience=1, min_delta=10.0, verbose=1, factor=0.5)
    model.fit(DATA["x"], DATA["y"], epochs=2, verbose=2, callbacks=[reduce])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2"
    assert lines[1].endswith(" - learning_rate: 0.0100")
    assert lines[2:5] == [
        "Epoch 2/2",
        "",
        "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.005.",
    ]
    assert lines[5].endswith(" - learning_rate: 0.0100")


def test_weighted_loss_is_the_sum_over_the_count_not_over_the_weights() -> None:
    """Keras 3's ``sum_over_batch_size``: sum(w * loss) / batch size."""
    model = regression()
    x, y, w = DATA["x"][:8], DATA["y"][:8], DATA["w"][:8]
    per_sample = (model.predict(x) - y)[:, 0] ** 2
    assert model.test_on_batch(x, y, sample_weight=w) == pytest.approx(
        float((w * per_sample).sum() / 8), abs=1e-12
    )


def test_class_weight_and_train_on_batch_sample_weight_together_is_an_error() -> None:
    with pytest.raises(
        ValueError,
        match=r"^Arguments `sample_weight` and `class_weight` cannot be specified at the same "
        r"time\. Received: sample_weight=\[1\.0, 1\.0\], class_weight=\{0: 2\.0\}$",
    ):
        regression().train_on_batch(
            DATA["x"][:2], DATA["y"][:2], sample_weight=[1.0, 1.0], class_weight={0: 2.0}
        )


@pytest.mark.parametrize(
    ("metric", "monitor", "better"),
    [
        ("mae", "val_mae", "smaller"),
        ("mse", "mse", "smaller"),
        ("accuracy", "val_accuracy", "larger"),
        ("binary_accuracy", "binary_accuracy", "larger"),
        ("mae", "val_loss", "smaller"),
    ],
)
def test_auto_mode_reads_the_direction_of_compiles_metrics(
    metric: str, monitor: str, better: str
) -> None:
    model = build("regression")
    model.compile(optimizer="sgd", loss="mse", metrics=[metric])
    stop = EarlyStopping(monitor=monitor, min_delta=0.5)
    stop.set_model(model)
    stop._set_monitor_op()
    assert stop._is_improvement(1.0, 2.0) is (better == "smaller")
    assert stop._is_improvement(2.0, 1.0) is (better == "larger")
    assert stop.min_delta == (-0.5 if better == "smaller" else 0.5)


def test_lambda_callback_takes_keras_2s_on_batch_end() -> None:
    batches: list[int] = []
    model = regression()
    callback = LambdaCallback(on_batch_end=lambda batch, logs: batches.append(batch))
    model.fit(DATA["x"], DATA["y"], batch_size=10, verbose=0, callbacks=[callback])
    assert batches == [0, 1, 2]
