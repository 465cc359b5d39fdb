"""Keras 3's ``get_config()`` of whole models and of every layer class rnn has.

Run with the Keras 3 venv::

    cd tools/keras_fixtures
    KERAS_BACKEND=torch /work/venvs/keras3/bin/python gen_configs.py

Writes ``tests/fixtures/keras/configs/configs.json`` (``json.dumps(obj, indent=1)`` plus a
final newline, so regenerating gives the same bytes). tests/test_configs.py reads it; it
needs neither Keras nor this script.

- ``models``: for every Sequential model of ``models.py`` and every functional case of
  ``gen_functional.py``, the class name, ``model.get_config()`` exactly as Keras returns
  it (what a learner copies from Keras into ``rnn.Sequential.from_config``), whether it is
  built, and its parameter count.
- ``layers``: one layer of each class rnn has, made by the code given, with Keras's
  ``get_config()`` and its parameter count once built on the input shape given.
- ``errors``: what Keras raises for malformed configs: the type and the message.
"""

import json
import os
import sys
import zlib
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import keras
from gen_functional import CASES
from gen_functional import scope as functional_scope
from models import MODELS

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "keras" / "configs"

LAYERS = [
    ("Dense(3, activation='relu')", [None, 4]),
    ("SimpleRNN(4, return_sequences=True, dropout=0.1)", [None, 5, 2]),
    ("LSTM(3, unit_forget_bias=False, go_backwards=True)", [None, 5, 2]),
    ("GRU(3, reset_after=False)", [None, 5, 2]),
    ("Embedding(20, 4, mask_zero=True)", [None, 6]),
    ("Dropout(0.25)", [None, 4]),
    ("Masking(mask_value=0.0)", [None, 5, 2]),
    ("Bidirectional(LSTM(3), merge_mode='sum')", [None, 5, 2]),
    ("TimeDistributed(Dense(2))", [None, 5, 3]),
    ("RNN(SimpleRNNCell(3))", [None, 5, 2]),
    ("RNN(StackedRNNCells([LSTMCell(3), GRUCell(2)]))", [None, 5, 2]),
    ("SimpleRNNCell(3)", None),
    ("LSTMCell(3)", None),
    ("GRUCell(3)", None),
    ("StackedRNNCells([SimpleRNNCell(3), LSTMCell(2)])", None),
    ("Add()", None),
    ("Concatenate(axis=-1)", None),
]

MALFORMED = [
    ("Sequential", {}),
    ("Sequential", {"name": "s"}),
    ("Sequential", {"name": "s", "layers": [{"class_name": "Dense"}]}),
    ("Sequential", [1, 2]),
    ("Dense", {"units": 2, "foo": 1}),
    ("Dense", {"unitz": 2}),
    ("Dense", {"units": "x"}),
]


def _plain(obj):
    return json.loads(json.dumps(obj))


def _seed(text):
    keras.utils.clear_session()
    keras.utils.set_random_seed(zlib.crc32(text.encode()) % (2**31))


def model_entries():
    names = {
        "Sequential": keras.Sequential,
        "Input": keras.Input,
        **{n: getattr(keras.layers, n) for n in ("SimpleRNN", "Dense", "Embedding", "LSTM", "GRU")},
        "Bidirectional": keras.layers.Bidirectional,
    }
    out = []
    for spec in MODELS:
        _seed(spec["id"])
        model = eval(spec["code"], {"__builtins__": {}}, names)
        out.append(_entry(spec["id"], spec["code"], model))
    for case in CASES:
        _seed(case["id"])
        space = functional_scope()
        exec(case["code"], space)
        out.append(_entry("functional_" + case["id"], case["code"], space["model"]))
    return out


def _entry(ident, code, model):
    return {
        "id": ident,
        "code": code,
        "class_name": type(model).__name__,
        "built": bool(model.built),
        "count_params": int(model.count_params()) if model.built else None,
        "config": _plain(model.get_config()),
    }


def layer_entries():
    space = {n: getattr(keras.layers, n) for n in dir(keras.layers) if n[:1].isupper()}
    out = []
    for code, shape in LAYERS:
        _seed(code)
        layer = eval(code, {"__builtins__": {}}, space)
        if shape is not None:
            layer.build(tuple(shape))
        out.append(
            {
                "code": code,
                "class_name": type(layer).__name__,
                "input_shape": shape,
                "count_params": int(layer.count_params()) if shape is not None else None,
                "config": _plain(layer.get_config()),
            }
        )
    return out


def error_entries():
    out = []
    for class_name, config in MALFORMED:
        cls = keras.Sequential if class_name == "Sequential" else getattr(keras.layers, class_name)
        try:
            cls.from_config(config)
        except Exception as err:
            out.append(
                {
                    "class_name": class_name,
                    "config": config,
                    "type": type(err).__name__,
                    "message": str(err),
                }
            )
        else:
            out.append({"class_name": class_name, "config": config, "type": None, "message": None})
    return out


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    fixture = {
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "models": model_entries(),
        "layers": layer_entries(),
        "errors": error_entries(),
    }
    (OUT / "configs.json").write_text(json.dumps(fixture, indent=1) + "\n")


if __name__ == "__main__":
    main()
