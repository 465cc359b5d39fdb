"""Keras 3's numbers for weighted fits and for the callbacks (issue 13).

Run with the Keras 3 venv::

    KERAS_BACKEND=torch /work/venvs/keras3/bin/python tools/keras_fixtures/gen_callbacks.py

Writes tests/fixtures/keras/callbacks/fits.json and errors.json, read by
tests/test_training.py and tests/test_callbacks.py (which need neither Keras nor this
script). Every fit runs in float64 (``keras.config.set_floatx("float64")``) with plain
SGD, ``shuffle=False`` and starting weights drawn here with NumPy and set with
``set_weights``, so `rnn` can repeat it to 1e-6. Each case records:

- ``model``: which of the small models below (``regression``, ``classifier``,
  ``sequences``: a Masking layer, a SimpleRNN returning sequences, a Dense);
- ``compile`` and ``fit``: the arguments (arrays by name, see ``data``);
- ``history``, ``epoch``: what ``fit`` returned; ``weights``: the weights after ``fit``;
- ``printed``: what the callbacks printed (``fit`` itself runs with ``verbose=0``);
- ``evaluate`` / ``train_on_batch`` / ``test_on_batch`` results where asked;
- ``trace``: the callback hooks Keras called, in order (for the ``trace`` cases).

``errors.json`` holds Keras's error types and messages for bad weights and callbacks.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import traceback

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common
import keras

OUT = common.OUT / "callbacks"
keras.config.set_floatx("float64")


RNG = np.random.default_rng(13)
N, T, F = 24, 5, 2


def _data() -> dict[str, np.ndarray]:
    x = RNG.uniform(-1, 1, (N, T, F))
    y = x.sum(axis=(1, 2))[:, None] * 0.5
    labels = (x[:, -1, 0] > 0).astype(int) + (x[:, 0, 1] > 0.5).astype(int)
    x_seq = x.copy()
    for i, pad in enumerate([0, 1, 2, 0, 3, 1] * 4):
        if pad:
            x_seq[i, :pad] = 0.0  # padding at the start, which Masking(0.0) marks
    y_seq = np.cumsum(x_seq[..., :1], axis=1)
    x_nan = x.copy()
    x_nan[10, 0, 0] = np.nan  # in the second batch of 8
    x_val = RNG.uniform(-1, 1, (8, T, F))
    labels_val = (x_val[:, -1, 0] > 0).astype(int) + (x_val[:, 0, 1] > 0.5).astype(int)
    return {
        "x": x,
        "y": y,
        "labels": labels.astype(float),
        "one_hot": np.eye(3)[labels],
        "x_seq": x_seq,
        "y_seq": y_seq,
        "x_val": x_val,
        "labels_val": labels_val.astype(float),
        "y_val": RNG.uniform(-1, 1, (8, 1)),
        "w": RNG.uniform(0, 2, N).round(3),
        "w_val": RNG.uniform(0, 2, 8).round(3),
        "w_seq": RNG.uniform(0, 2, (N, T)).round(3),
        "x_nan": x_nan,
    }


DATA = _data()


def _model(kind: str) -> keras.Sequential:
    if kind == "regression":
        layers = [keras.Input((T, F)), keras.layers.SimpleRNN(3), keras.layers.Dense(1)]
    elif kind == "classifier":
        layers = [
            keras.Input((T, F)),
            keras.layers.SimpleRNN(4),
            keras.layers.Dense(3, activation="softmax"),
        ]
    else:
        layers = [
            keras.Input((T, F)),
            keras.layers.Masking(0.0),
            keras.layers.SimpleRNN(3, return_sequences=True),
            keras.layers.Dense(1),
        ]
    model = keras.Sequential(layers)
    rng = np.random.default_rng(len(kind))
    model.set_weights([rng.uniform(-0.5, 0.5, w.shape) for w in model.get_weights()])
    return model


MODEL_KINDS = ["regression", "classifier", "sequences"]
INITIAL = {kind: [w.tolist() for w in _model(kind).get_weights()] for kind in MODEL_KINDS}


def _resolve(args: dict) -> dict:
    """Arrays named ``"@name"`` (or tuples of them) become the arrays of ``DATA``."""

    def one(v):
        if isinstance(v, str) and v.startswith("@"):
            return DATA[v[1:]]
        if isinstance(v, list) and v and isinstance(v[0], str) and v[0].startswith("@"):
            return tuple(one(e) for e in v)
        return v

    return {k: one(v) for k, v in args.items()}


def _callback(spec: list) -> keras.callbacks.Callback:
    name, kwargs = spec
    return getattr(keras.callbacks, name)(**kwargs)


class Tracer(keras.callbacks.Callback):
    """Records each hook Keras calls: its name, its index and its logs' keys."""

    def __init__(self, stop_at=None):
        super().__init__()
        self.calls = []
        self.stop_at = stop_at
        for hook in [
            "on_train_begin",
            "on_train_end",
            "on_test_begin",
            "on_test_end",
            "on_predict_begin",
            "on_predict_end",
        ]:
            setattr(self, hook, self._recorder(hook, False))
        for hook in [
            "on_epoch_begin",
            "on_epoch_end",
            "on_train_batch_begin",
            "on_train_batch_end",
            "on_test_batch_begin",
            "on_test_batch_end",
            "on_predict_batch_begin",
            "on_predict_batch_end",
        ]:
            setattr(self, hook, self._recorder(hook, True))

    def _recorder(self, hook, indexed):
        def record(*args, logs=None):
            if indexed:
                index, logs = args[0], (args[1] if len(args) > 1 else logs)
                self.calls.append([hook, int(index), sorted(logs or {})])
                if self.stop_at == [hook, int(index)]:
                    self.model.stop_training = True
            else:
                logs = args[0] if args else logs
                self.calls.append([hook, None, sorted(logs or {})])

        return record


def _floats(obj):
    if isinstance(obj, dict):
        return {k: _floats(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_floats(v) for v in obj]
    if isinstance(obj, (np.floating, float)):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return obj


def run_case(case: dict, workdir: str) -> dict:
    model = _model(case["model"])
    compile_args = dict(case["compile"])
    compile_args["optimizer"] = keras.optimizers.SGD(**compile_args.pop("sgd"))
    model.compile(**compile_args)
    fit_args = _resolve(case["fit"])
    tracer = Tracer(case.get("stop_at")) if case.get("trace") or case.get("stop_at") else None
    callbacks = [_callback(spec) for spec in case.get("callbacks", [])]
    for cb in callbacks:
        if isinstance(cb, keras.callbacks.ModelCheckpoint):
            cb.filepath = os.path.join(workdir, cb.filepath)
    if tracer is not None:
        callbacks.append(tracer)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        history = model.fit(**fit_args, callbacks=callbacks, verbose=0, shuffle=False)
    record = dict(case)
    record["history"] = _floats(history.history)
    record["epoch"] = history.epoch
    record["weights"] = [w.tolist() for w in model.get_weights()]
    record["printed"] = out.getvalue().replace(workdir + os.sep, "")
    record["learning_rate"] = float(np.asarray(model.optimizer.learning_rate))
    if "evaluate" in case:
        record["evaluate_result"] = _floats(
            model.evaluate(**_resolve(case["evaluate"]), verbose=0, return_dict=True)
        )
    if "on_batch" in case:
        args = _resolve(case["on_batch"])
        record["test_on_batch_result"] = _floats(model.test_on_batch(**args, return_dict=True))
        record["train_on_batch_result"] = _floats(model.train_on_batch(**args, return_dict=True))
        record["weights_after_train_on_batch"] = [w.tolist() for w in model.get_weights()]
    if tracer is not None:
        if case.get("trace"):
            tracer.calls.append(["-- evaluate --", None, []])
            model.evaluate(
                DATA["x_val"], DATA["y_val"], batch_size=4, callbacks=[tracer], verbose=0
            )
            tracer.calls.append(["-- predict --", None, []])
            model.predict(DATA["x_val"], batch_size=4, callbacks=[tracer], verbose=0)
        record["trace"] = tracer.calls
    saved = sorted(
        os.path.relpath(os.path.join(root, f), workdir)
        for root, _, files in os.walk(workdir)
        for f in files
    )
    if saved:
        record["saved_files"] = saved
    return record


SGD = {"learning_rate": 0.1}
MSE = {"sgd": SGD, "loss": "mse", "metrics": ["mae"]}
VAL = ["@x_val", "@y_val"]

CASES = [
    # ------------------------------------------------------------ sample and class weights
    {
        "id": "sample_weight",
        "model": "regression",
        "compile": MSE,
        "fit": {"x": "@x", "y": "@y", "sample_weight": "@w", "batch_size": 8, "epochs": 3},
        "evaluate": {"x": "@x", "y": "@y", "sample_weight": "@w", "batch_size": 10},
        "on_batch": {"x": "@x_val", "y": "@y_val", "sample_weight": "@w_val"},
    },
    {
        "id": "sample_weight_validation",
        "model": "regression",
        "compile": MSE,
        "fit": {
            "x": "@x",
            "y": "@y",
            "sample_weight": "@w",
            "batch_size": 8,
            "epochs": 2,
            "validation_data": ["@x_val", "@y_val", "@w_val"],
        },
    },
    {
        "id": "sample_weight_validation_split",
        "model": "regression",
        "compile": MSE,
        "fit": {
            "x": "@x",
            "y": "@y",
            "sample_weight": "@w",
            "batch_size": 8,
            "epochs": 2,
            "validation_split": 0.25,
        },
    },
    {
        "id": "class_weight_sparse",
        "model": "classifier",
        "compile": {
            "sgd": SGD,
            "loss": "sparse_categorical_crossentropy",
            "metrics": ["accuracy"],
        },
        "fit": {
            "x": "@x",
            "y": "@labels",
            "class_weight": {0: 1.0, 1: 3.0, 2: 0.5},
            "batch_size": 8,
            "epochs": 3,
            "validation_data": ["@x_val", "@labels_val"],
        },
    },
    {
        "id": "class_weight_one_hot",
        "model": "classifier",
        "compile": {"sgd": SGD, "loss": "categorical_crossentropy", "metrics": ["accuracy"]},
        "fit": {
            "x": "@x",
            "y": "@one_hot",
            "class_weight": {1: 3.0},
            "batch_size": 8,
            "epochs": 3,
        },
    },
    {
        "id": "masked_sequences_temporal_weight",
        "model": "sequences",
        "compile": MSE,
        "fit": {
            "x": "@x_seq",
            "y": "@y_seq",
            "sample_weight": "@w_seq",
            "batch_size": 8,
            "epochs": 2,
        },
        "evaluate": {"x": "@x_seq", "y": "@y_seq", "sample_weight": "@w_seq"},
    },
    # ------------------------------------------------------------ callbacks
    {
        "id": "early_stopping_restore",
        "model": "regression",
        "compile": MSE,
        "fit": {"x": "@x", "y": "@y", "batch_size": 8, "epochs": 30},
        "callbacks": [
            [
                "EarlyStopping",
                {
                    "monitor": "loss",
                    "min_delta": 0.02,
                    "patience": 2,
                    "verbose": 1,
                    "restore_best_weights": True,
                },
            ]
        ],
    },
    {
        "id": "early_stopping_baseline",
        "model": "regression",
        "compile": MSE,
        "fit": {"x": "@x", "y": "@y", "batch_size": 8, "epochs": 12, "validation_data": VAL},
        "callbacks": [
            [
                "EarlyStopping",
                {
                    "monitor": "loss",
                    "min_delta": 0.01,
                    "patience": 3,
                    "verbose": 1,
                    "baseline": 0.75,
                },
            ]
        ],
    },
    {
        "id": "early_stopping_start_from_epoch",
        "model": "regression",
        "compile": MSE,
        "fit": {"x": "@x", "y": "@y", "batch_size": 8, "epochs": 30},
        "callbacks": [
            [
                "EarlyStopping",
                {
                    "monitor": "loss",
                    "min_delta": 0.05,
                    "patience": 1,
                    "verbose": 1,
                    "start_from_epoch": 4,
                    "restore_best_weights": True,
                },
            ]
        ],
    },
    {
        "id": "early_stopping_max_accuracy",
        "model": "classifier",
        "compile": {
            "sgd": SGD,
            "loss": "sparse_categorical_crossentropy",
            "metrics": ["accuracy"],
        },
        "fit": {"x": "@x", "y": "@labels", "batch_size": 8, "epochs": 15},
        "callbacks": [
            ["EarlyStopping", {"monitor": "accuracy", "patience": 2, "verbose": 1}],
        ],
    },
    {
        "id": "reduce_lr",
        "model": "regression",
        "compile": MSE,
        "fit": {"x": "@x", "y": "@y", "batch_size": 8, "epochs": 8},
        "callbacks": [
            [
                "ReduceLROnPlateau",
                {
                    "monitor": "loss",
                    "factor": 0.5,
                    "patience": 1,
                    "min_delta": 0.02,
                    "cooldown": 1,
                    "min_lr": 0.02,
                    "verbose": 1,
                },
            ]
        ],
    },
    {
        "id": "reduce_lr_val_mae",
        "model": "regression",
        "compile": MSE,
        "fit": {"x": "@x", "y": "@y", "batch_size": 8, "epochs": 6, "validation_data": VAL},
        "callbacks": [
            [
                "ReduceLROnPlateau",
                {
                    "monitor": "val_mae",
                    "mode": "min",
                    "factor": 0.2,
                    "patience": 2,
                    "min_delta": 0.02,
                    "verbose": 1,
                },
            ],
        ],
    },
    {
        "id": "checkpoint_best",
        "model": "regression",
        "compile": MSE,
        "fit": {"x": "@x", "y": "@y", "batch_size": 8, "epochs": 5, "validation_data": VAL},
        "callbacks": [
            [
                "ModelCheckpoint",
                {
                    "filepath": "ckpt/model_{epoch:02d}_{val_loss:.2f}.keras",
                    "save_best_only": True,
                    "verbose": 1,
                },
            ]
        ],
    },
    {
        "id": "checkpoint_weights_every_epoch",
        "model": "regression",
        "compile": MSE,
        "fit": {"x": "@x", "y": "@y", "batch_size": 8, "epochs": 3},
        "callbacks": [
            [
                "ModelCheckpoint",
                {
                    "filepath": "w_{epoch}_{loss:.3f}.weights.h5",
                    "save_weights_only": True,
                    "monitor": "loss",
                    "verbose": 1,
                },
            ]
        ],
    },
    {
        "id": "terminate_on_nan",
        "model": "regression",
        "compile": MSE,
        "fit": {"x": "@x_nan", "y": "@y", "batch_size": 8, "epochs": 3},
        "callbacks": [["TerminateOnNaN", {}]],
    },
    {
        "id": "stop_mid_epoch",
        "model": "regression",
        "compile": MSE,
        "fit": {"x": "@x", "y": "@y", "batch_size": 8, "epochs": 3},
        "stop_at": ["on_train_batch_end", 1],
    },
    {
        "id": "trace",
        "model": "regression",
        "compile": MSE,
        "fit": {"x": "@x", "y": "@y", "batch_size": 10, "epochs": 2, "validation_data": VAL},
        "trace": True,
    },
]


def _error(fn) -> list:
    try:
        fn()
    except Exception as e:
        return [type(e).__name__, str(e)]
    return ["no error", ""]


def errors() -> dict:
    def fit(**kwargs):
        def go():
            model = _model(kwargs.pop("kind", "regression"))
            model.compile(optimizer="sgd", loss=kwargs.pop("loss", "mse"))
            model.fit(**_resolve(kwargs), verbose=0)

        return go

    x, y_seq = DATA["x_seq"], DATA["y_seq"]
    seq_labels = np.round(np.abs(y_seq)).astype(int) % 2
    cases = {
        "class_weight_3d_targets": fit(
            kind="sequences", x="@x_seq", y=seq_labels, class_weight={0: 1.0, 1: 2.0}
        ),
        "class_weight_and_sample_weight": fit(
            x="@x", y="@y", sample_weight="@w", class_weight={0: 1.0}
        ),
        "sample_weight_wrong_length": fit(x="@x", y="@y", sample_weight=DATA["w"][:20]),
        "validation_data_four": fit(
            x="@x", y="@y", validation_data=(np.zeros((1, T, F)), np.ones((1, 1)), np.ones(1), 1)
        ),
        # Keras 3.15 (torch) cannot broadcast per-sample weights over a sequence's steps
        "sequence_outputs_sample_weight_per_sample": fit(
            kind="sequences", x="@x_seq", y="@y_seq", sample_weight="@w"
        ),
        "evaluate_sample_weight_wrong_length": lambda: _compiled().evaluate(
            x, y_seq[:, -1], sample_weight=np.ones(5), verbose=0
        ),
        "checkpoint_weights_extension": lambda: keras.callbacks.ModelCheckpoint(
            "model.keras", save_weights_only=True
        ),
        "checkpoint_model_extension": lambda: keras.callbacks.ModelCheckpoint("model.h6"),
        "checkpoint_save_freq": lambda: keras.callbacks.ModelCheckpoint(
            "model.keras", save_freq="batch"
        ),
        "checkpoint_format_key": lambda: _fit_with(
            keras.callbacks.ModelCheckpoint("m_{val_acc:.2f}.keras")
        ),
        "reduce_lr_factor": lambda: keras.callbacks.ReduceLROnPlateau(factor=1.0),
        "early_stopping_unknown_direction": lambda: _fit_with(
            keras.callbacks.EarlyStopping(monitor="something")
        ),
    }
    return {name: _error(fn) for name, fn in cases.items()}


def _compiled():
    model = _model("regression")
    model.compile(optimizer="sgd", loss="mse")
    return model


def _fit_with(callback):
    with tempfile.TemporaryDirectory() as d:
        cwd = os.getcwd()
        os.chdir(d)
        try:
            _compiled().fit(DATA["x"], DATA["y"], epochs=1, verbose=0, callbacks=[callback])
        finally:
            os.chdir(cwd)


def warnings_seen() -> dict:
    """The warnings of a monitor that is not in the logs (Keras warns and goes on)."""
    import warnings

    out = {}
    for name, cb in {
        "early_stopping_missing": keras.callbacks.EarlyStopping(monitor="val_loss"),
        "reduce_lr_missing": keras.callbacks.ReduceLROnPlateau(monitor="val_loss"),
        "checkpoint_missing": None,
    }.items():
        with warnings.catch_warnings(record=True) as seen, tempfile.TemporaryDirectory() as d:
            warnings.simplefilter("always")
            if cb is None:
                cb = keras.callbacks.ModelCheckpoint(
                    os.path.join(d, "m.keras"), monitor="val_loss", save_best_only=True
                )
            _compiled().fit(DATA["x"], DATA["y"], epochs=1, verbose=0, callbacks=[cb])
        out[name] = [
            str(w.message)
            for w in seen
            if "conditioned" in str(w.message) or "Can save best" in str(w.message)
        ]
    return out


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    records = []
    for case in CASES:
        with tempfile.TemporaryDirectory() as workdir:
            try:
                records.append(run_case(case, workdir))
            except Exception:
                traceback.print_exc()
                raise
    fits = {
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "floatx": keras.config.floatx(),
        "data": {k: v.tolist() for k, v in DATA.items()},
        "initial_weights": INITIAL,
        "cases": records,
    }
    (OUT / "fits.json").write_text(json.dumps(fits, indent=1, allow_nan=True) + "\n")
    errs = {"keras": keras.__version__, "errors": errors(), "warnings": warnings_seen()}
    (OUT / "errors.json").write_text(json.dumps(errs, indent=1) + "\n")
    print(f"wrote {len(records)} fits and {len(errs['errors'])} errors to {OUT}")


if __name__ == "__main__":
    main()
