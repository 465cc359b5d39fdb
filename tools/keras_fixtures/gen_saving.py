"""Write the ``.keras`` fixtures of rnn.saving with real Keras 3 (torch backend).

    KERAS_BACKEND=torch /work/venvs/keras3/bin/python tools/keras_fixtures/gen_saving.py

For each model below it writes, into ``tests/fixtures/keras/saving/``:

* ``<id>.keras``: the model as Keras's ``model.save`` writes it (some are compiled and
  trained first, so that the file holds an optimizer's state);
* ``<id>.npz``: ``x``, an input batch, and ``y``, Keras's ``model.predict(x)`` of the
  model it saved (checked equal to the prediction of the model Keras loads back);
* ``<id>.json``: the description, the code, the Keras versions, Keras's
  ``model.summary()`` of the model loaded back (``compile=False`` and ``compile=True``,
  stdout a pipe without ``COLUMNS``: the ``keras3`` style of the other fixtures), what
  the optimizer holds (its class and step count), and the HDF5 layout of the weights
  (every dataset's path, shape and dtype, and every ``vars`` group's ``name``).

The ``.keras`` files carry the date Keras wrote them (``metadata.json`` and the zip
entry of ``model.weights.h5``), so regenerating changes their bytes, not their content.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import OUT, clean_env, save_npz  # noqa: E402

DIR = Path(os.environ.get("KERAS_SAVING_OUT", OUT / "saving"))

# id, description, model source, compile arguments (source) or None, x: ("float", shape)
# or ("int", shape, vocabulary), epochs of training on seeded data (0: the initial weights
# plus N(0, 0.1) noise, so that no bias is zero).
MODELS = [
    {
        "id": "simple_rnn",
        "description": "The course notebook's SimpleRNN(10) + Dense(1) on 3 steps of 1 "
        "feature, compiled with Adam and MSE and trained for 3 epochs (the file holds "
        "Adam's state).",
        "code": "Sequential([Input(shape=(3, 1)), SimpleRNN(10), Dense(1)])",
        "compile": "dict(optimizer='adam', loss='mse', metrics=['mae'])",
        "x": ("float", (16, 3, 1)),
        "epochs": 3,
    },
    {
        "id": "lstm",
        "description": "An LSTM(8) returning sequences, then an LSTM(4) and a softmax "
        "Dense(3); not compiled.",
        "code": "Sequential([Input(shape=(5, 2)), LSTM(8, return_sequences=True), LSTM(4), "
        "Dense(3, activation='softmax')])",
        "compile": None,
        "x": ("float", (6, 5, 2)),
        "epochs": 0,
    },
    {
        "id": "embedding_gru",
        "description": "Embedding(20, 4, mask_zero=True) + GRU(5) + a sigmoid Dense(1) on "
        "int32 token ids (0 is padding), compiled with RMSprop, binary cross-entropy and "
        "accuracy, trained for 2 epochs.",
        "code": "Sequential([Input(shape=(6,), dtype='int32'), "
        "Embedding(20, 4, mask_zero=True), GRU(5), Dense(1, activation='sigmoid')])",
        "compile": "dict(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])",
        "x": ("int", (8, 6), 20),
        "epochs": 2,
    },
    {
        "id": "bidirectional",
        "description": "Bidirectional(LSTM(3, return_sequences=True)), TimeDistributed(Dense(2)), "
        "compiled with SGD(momentum=0.9) and MAE, trained for 2 epochs.",
        "code": "Sequential([Input(shape=(4, 3)), "
        "Bidirectional(LSTM(3, return_sequences=True)), TimeDistributed(Dense(2))])",
        "compile": "dict(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9), "
        "loss='mae')",
        "x": ("float", (5, 4, 3)),
        "epochs": 2,
    },
]


def namespace():
    import keras

    names = {n: getattr(keras.layers, n) for n in dir(keras.layers) if n[:1].isupper()}
    names.update(Sequential=keras.Sequential, Input=keras.Input, keras=keras)
    return names


def seeded(name, spec):
    return np.random.default_rng(zlib.crc32(f"{name}:{spec['id']}".encode()))


def make_x(spec):
    rng = seeded("x", spec)
    if spec["x"][0] == "float":
        return rng.standard_normal(spec["x"][1]).astype(np.float32)
    x = rng.integers(0, spec["x"][2], size=spec["x"][1]).astype(np.int32)
    x[:, :2] = np.where(rng.random((len(x), 2)) < 0.5, 0, x[:, :2])  # some leading padding
    return x


def build(spec):
    import keras

    keras.utils.clear_session()
    keras.utils.set_random_seed(zlib.crc32(spec["id"].encode()) % 2**31)
    names = namespace()
    model = eval(spec["code"], {"__builtins__": {}}, names)  # our own source above
    x = make_x(spec)
    if spec["compile"]:
        model.compile(**eval(spec["compile"], {"__builtins__": {"dict": dict}}, names))
    if spec["epochs"]:
        out = model.output_shape
        rng = seeded("y", spec)
        if out[-1] == 1 and spec["id"] == "embedding_gru":
            y = (rng.random((len(x), 1)) < 0.5).astype(np.float32)
        else:
            y = rng.standard_normal((len(x), *out[1:])).astype(np.float32)
        model.fit(x, y, batch_size=4, epochs=spec["epochs"], shuffle=False, verbose=0)
    else:
        rng = seeded("w", spec)
        model.set_weights(
            [
                (w + rng.normal(0.0, 0.1, size=w.shape)).astype(np.float32)
                for w in model.get_weights()
            ]
        )
    return model, x


def layout(path):
    """Every dataset of model.weights.h5 (path, shape, dtype) and every group's name."""
    import h5py

    with zipfile.ZipFile(path) as archive:
        data = archive.read("model.weights.h5")
    datasets, names = [], {}
    with h5py.File(io.BytesIO(data), "r") as h5:

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                datasets.append([name, list(obj.shape), str(obj.dtype)])
            elif "name" in obj.attrs:
                names[name] = str(obj.attrs["name"])

        h5.visititems(visit)
    return {"datasets": sorted(datasets), "group_names": dict(sorted(names.items()))}


def summaries(path):
    """Keras's summary of the file loaded back, with stdout a pipe and no COLUMNS."""
    out = {}
    for compiled in (False, True):
        proc = subprocess.run(
            [sys.executable, __file__, "--summary", str(path), str(int(compiled))],
            env=clean_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            check=True,
        )
        out["compile" if compiled else "no_compile"] = proc.stdout.decode("utf-8")
    return out


def print_summary(path, compiled):
    import warnings

    import keras

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        keras.saving.load_model(path, compile=compiled).summary()


def main():
    import keras
    import torch

    DIR.mkdir(parents=True, exist_ok=True)
    for spec in MODELS:
        model, x = build(spec)
        y = np.asarray(model.predict(x, verbose=0), dtype=np.float32)
        path = DIR / f"{spec['id']}.keras"
        model.save(path)
        again = keras.saving.load_model(path)
        assert np.array_equal(np.asarray(again.predict(x, verbose=0)), y), spec["id"]
        save_npz(DIR / f"{spec['id']}.npz", {"x": x, "y": y})
        optimizer = None
        if spec["compile"]:
            optimizer = {
                "class_name": type(model.optimizer).__name__,
                "iterations": int(model.optimizer.iterations.numpy()),
                "variables": len(model.optimizer.variables),
            }
        record = {
            "id": spec["id"],
            "description": spec["description"],
            "code": spec["code"],
            "compile": spec["compile"],
            "epochs": spec["epochs"],
            "keras": {"keras3": keras.__version__, "backend": "torch", "torch": torch.__version__},
            "optimizer": optimizer,
            "summary": summaries(path),
            "weights_h5": layout(path),
        }
        text = json.dumps(record, indent=1, ensure_ascii=False) + "\n"
        (DIR / f"{spec['id']}.json").write_text(text, encoding="utf-8")
        print("wrote", path.name)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--summary"]:
        print_summary(sys.argv[2], bool(int(sys.argv[3])))
    else:
        main()
