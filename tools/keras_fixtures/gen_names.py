"""Keras 3's activations and initializers by name: values, gradients, configs and errors.

Run with the Keras 3 venv::

    cd tools/keras_fixtures
    KERAS_BACKEND=torch /work/venvs/keras3/bin/python gen_names.py

Writes ``tests/fixtures/keras/names/activations.json`` and ``initializers.json``
(``json.dumps(obj, indent=1)`` plus a final newline, so regenerating gives the same
bytes). tests/test_activations.py and tests/test_initializers.py read them; they need
neither Keras nor this script.

- activations: every activation the issue names, applied by ``keras.activations.get(name)``
  to one float64 input (with large negative and positive values), its derivative by
  torch's autograd, the name ``keras.activations.serialize`` gives, the default
  arguments of its signature, and the error for an unknown name.
- initializers: for every name, the class ``keras.initializers.get(name)`` returns, its
  ``get_config()`` and ``keras.initializers.serialize`` form; for each class, its
  constructor's defaults; the errors for an unknown name, for ``Identity`` on a shape
  that is not 2-D, and for ``VarianceScaling``'s arguments; and what ``Identity`` gives
  for a non-square shape.
"""

import inspect
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
if os.environ.get("PYTHONHASHSEED") != "0":  # Keras prints sets in its messages: fix their order
    os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common
import keras
import torch

OUT = common.OUT / "names"

ACTIVATIONS = [
    "elu",
    "selu",
    "gelu",
    "softplus",
    "swish",
    "silu",
    "leaky_relu",
    "relu6",
    "softsign",
    "exponential",
    "hard_sigmoid",
    "tanh",
    "sigmoid",
    "relu",
    "linear",
]
X = [-100.0, -30.0, -20.0, -10.0, -6.0, -3.5, -3.0, -2.5, -1.0, -0.5, -1e-3]
X = X + [0.0] + [-v for v in reversed(X)]

INITIALIZER_NAMES = [
    "zeros",
    "ones",
    "glorot_uniform",
    "glorot_normal",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
    "random_normal",
    "random_uniform",
    "truncated_normal",
    "identity",
    "orthogonal",
    "variance_scaling",
    "uniform",
    "normal",
    "zero",
    "one",
]
INITIALIZER_CLASSES = [
    "Zeros",
    "Ones",
    "Constant",
    "GlorotUniform",
    "GlorotNormal",
    "HeNormal",
    "HeUniform",
    "LecunNormal",
    "LecunUniform",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "Identity",
    "Orthogonal",
    "VarianceScaling",
]


def _error(fn):
    try:
        fn()
    except Exception as e:  # recording whatever Keras raises
        return {"type": type(e).__name__, "message": str(e)}
    raise AssertionError("expected an error")


def _defaults(fn, skip=("self", "x")):
    out = {}
    for name, p in inspect.signature(fn).parameters.items():
        if name not in skip and p.default is not inspect.Parameter.empty:
            out[name] = p.default
    return out


def activations():
    cases = {}
    for name in ACTIVATIONS:
        fn = keras.activations.get(name)
        x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
        y = fn(x)
        (grad,) = torch.autograd.grad(y.sum(), x)
        cases[name] = {
            "serialized": keras.activations.serialize(fn),
            "defaults": _defaults(fn),
            "y": y.detach().numpy().tolist(),
            "dy_dx": grad.numpy().tolist(),
        }
    errors = {
        "unknown_name": _error(lambda: keras.activations.get("tahn")),
        "number": _error(lambda: keras.activations.get(3)),
    }
    return {"x": X, "dtype": "float64", "activations": cases, "errors": errors}


def initializers():
    init = keras.initializers
    names = {}
    for name in INITIALIZER_NAMES:
        obj = init.get(name)
        names[name] = {
            "class": type(obj).__name__,
            "config": obj.get_config(),
            "serialized": init.serialize(obj),
        }
    classes = {}
    for cls_name in INITIALIZER_CLASSES:
        cls = getattr(init, cls_name)
        classes[cls_name] = {
            "defaults": _defaults(cls.__init__),
            "config": cls().get_config(),
            "serialized": init.serialize(cls()),
        }
    eye = init.Identity(gain=2.0)
    configured = {
        "HeNormal(seed=3)": init.serialize(init.HeNormal(seed=3)),
        "RandomNormal(mean=1.0, stddev=2.0, seed=1)": init.serialize(
            init.RandomNormal(mean=1.0, stddev=2.0, seed=1)
        ),
        "Constant(2.5)": init.serialize(init.Constant(2.5)),
        "Identity(gain=2.0)": init.serialize(eye),
        "Orthogonal(gain=2.0, seed=1)": init.serialize(init.Orthogonal(gain=2.0, seed=1)),
    }
    errors = {
        "unknown_name": _error(lambda: init.get("glorot")),
        "unknown_class_dict": _error(lambda: init.get({"class_name": "Foo", "config": {}})),
        "identity_1d": _error(lambda: init.Identity()((3,))),
        "identity_3d": _error(lambda: init.Identity()((2, 3, 3))),
        "orthogonal_1d": _error(lambda: init.Orthogonal()((3,))),
        "variance_scaling_mode": _error(lambda: init.VarianceScaling(mode="x")),
        "variance_scaling_distribution": _error(lambda: init.VarianceScaling(distribution="x")),
        "variance_scaling_scale": _error(lambda: init.VarianceScaling(scale=-1)),
        "constant_by_name": _error(lambda: init.get("constant")),
    }
    values = {
        "Identity(gain=2.0)((3, 4))": np.asarray(eye((3, 4))).tolist(),
        "Identity()((4, 2))": np.asarray(init.Identity()((4, 2))).tolist(),
        "Constant(2.5)((2, 3))": np.asarray(init.Constant(2.5)((2, 3))).tolist(),
    }
    lstm = keras.layers.LSTM(4, recurrent_initializer="identity")
    lstm.build((None, 3, 2))
    values["LSTM(4, recurrent_initializer='identity').recurrent_kernel"] = np.asarray(
        lstm.cell.recurrent_kernel.numpy()
    ).tolist()
    return {
        "names": names,
        "classes": classes,
        "configured": configured,
        "errors": errors,
        "values": values,
    }


def _write(name, obj):
    obj = {"keras": keras.__version__, "backend": keras.backend.backend(), **obj}
    path = OUT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=1) + "\n")
    print("wrote", path)


if __name__ == "__main__":
    _write("activations.json", activations())
    _write("initializers.json", initializers())
