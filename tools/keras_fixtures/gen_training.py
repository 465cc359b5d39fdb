"""Step 3: Keras 3's numbers for the loss and optimizer tests.

Run with the Keras 3 venv:  KERAS_BACKEND=torch /work/venvs/keras3/bin/python gen_training.py
(`generate.sh` does this). Writes tests/fixtures/keras/training/losses.json and
optimizers.json: each case names a class and its arguments (the same names in Keras and
in `rnn`), holds its inputs, and what Keras computed from them. tests/test_losses.py and
tests/test_optimizers.py read them; they need neither Keras nor this script.

- A loss: the loss object called on float32 predictions, and the gradient of its value
  with respect to the predictions, by torch's autograd.
- An optimizer: ``optimizer.apply(gradients, [kernel, bias])`` on float32 variables,
  three steps with the gradients the case holds; the weights after the third step.
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common
import keras
import torch

OUT = common.OUT / "training"

Y_REG = [[0.5, -1.0, 2.0], [0.0, 1.5, -0.5]]
P_REG = [[0.25, -0.5, 1.0], [0.75, 1.5, 0.5]]
Y_BIN = [[1, 0, 1], [0, 1, 0]]
P_PROB = [[0.9, 0.2, 1.0], [0.0, 0.6, 0.3]]  # 1.0 and 0.0 hit the clipping
LOGITS = [[2.0, -1.0, 0.5], [-3.0, 0.25, 1.5]]
ONE_HOT = [[0, 0, 1], [1, 0, 0]]
LABELS = [2, 0]
P_SOFT = [[0.1, 0.2, 0.7], [0.5, 0.3, 0.2]]
P_UNNORM = [[0.2, 0.4, 0.6], [0.9, 0.3, 0.1]]  # Keras rescales these to sum to 1

# name: (class, arguments, y_true, y_pred)
LOSSES = {
    "mse": ("MeanSquaredError", {}, Y_REG, P_REG),
    "mae": ("MeanAbsoluteError", {}, Y_REG, P_REG),
    "mse_targets_without_last_axis": ("MeanSquaredError", {}, [0.5, 0.0], [[0.25], [0.75]]),
    "bce": ("BinaryCrossentropy", {}, Y_BIN, P_PROB),
    "bce_logits": ("BinaryCrossentropy", {"from_logits": True}, Y_BIN, LOGITS),
    "bce_smoothing": ("BinaryCrossentropy", {"label_smoothing": 0.1}, Y_BIN, P_PROB),
    "cce": ("CategoricalCrossentropy", {}, ONE_HOT, P_SOFT),
    "cce_unnormalised": ("CategoricalCrossentropy", {}, ONE_HOT, P_UNNORM),
    "cce_logits": ("CategoricalCrossentropy", {"from_logits": True}, ONE_HOT, LOGITS),
    "scce": ("SparseCategoricalCrossentropy", {}, LABELS, P_SOFT),
    "scce_logits": ("SparseCategoricalCrossentropy", {"from_logits": True}, LABELS, LOGITS),
}

W0 = [[0.5, -0.25, 1.0], [2.0, 0.0, -1.5]]
B0 = [0.1, -0.2, 0.3]

# name: (class, arguments)
OPTIMIZERS = {
    "sgd": ("SGD", {}),
    "sgd_momentum": ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    "sgd_nesterov": ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    "rmsprop": ("RMSprop", {}),
    "rmsprop_momentum_centered": (
        "RMSprop",
        {"learning_rate": 0.01, "momentum": 0.5, "centered": True},
    ),
    "adam": ("Adam", {}),
    "adam_amsgrad": ("Adam", {"learning_rate": 0.05, "amsgrad": True}),
    "adam_clipnorm": ("Adam", {"learning_rate": 0.05, "clipnorm": 1.0}),
    "sgd_clipnorm": ("SGD", {"learning_rate": 0.1, "clipnorm": 1.0}),
    "sgd_global_clipnorm": ("SGD", {"learning_rate": 0.1, "global_clipnorm": 2.0}),
    "sgd_clipvalue": ("SGD", {"learning_rate": 0.1, "clipvalue": 0.5}),
}


def gradients(step):
    """Deterministic float32 gradients of the kernel and the bias, different at each step."""
    gw = np.array([[1.0, -2.0, 0.5], [0.25, 3.0, -1.0]], np.float32) * (1 + 0.5 * step)
    gb = np.array([0.1, -0.05, 2.0], np.float32) * (step - 1.5)
    return [(gw - 0.3 * step).astype(np.float32), gb.astype(np.float32)]


def float32_list(array):
    """The float32 values, exactly, as Python floats (JSON keeps every digit)."""
    return np.asarray(array, dtype=np.float32).astype(np.float64).tolist()


def losses():
    cases = {}
    for name, (cls, arguments, y_true, y_pred) in LOSSES.items():
        loss = getattr(keras.losses, cls)(**arguments)
        prediction = torch.tensor(y_pred, dtype=torch.float32, requires_grad=True)
        value = loss(torch.tensor(y_true), prediction)
        value.backward()
        cases[name] = {
            "class": cls,
            "arguments": arguments,
            "y_true": y_true,
            "y_pred": y_pred,
            "value": float(value.detach().numpy()),
            "gradient": float32_list(prediction.grad.numpy()),
        }
    return cases


def optimizers():
    steps = [gradients(step) for step in range(3)]
    cases = {}
    for name, (cls, arguments) in OPTIMIZERS.items():
        optimizer = getattr(keras.optimizers, cls)(**arguments)
        kernel = keras.Variable(np.array(W0, np.float32), dtype="float32")
        bias = keras.Variable(np.array(B0, np.float32), dtype="float32")
        for grads in steps:
            optimizer.apply([keras.ops.convert_to_tensor(g) for g in grads], [kernel, bias])
        cases[name] = {
            "class": cls,
            "arguments": arguments,
            "kernel": float32_list(keras.ops.convert_to_numpy(kernel)),
            "bias": float32_list(keras.ops.convert_to_numpy(bias)),
        }
    return {
        "kernel": W0,
        "bias": B0,
        "gradients": [[float32_list(g) for g in grads] for grads in steps],
        "cases": cases,
    }


def write(name, body):
    document = {
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "torch": torch.__version__.split("+")[0],
        **body,
    }
    path = OUT / name
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(common.REPO)}")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    write("losses.json", {"cases": losses()})
    write("optimizers.json", optimizers())


if __name__ == "__main__":
    main()
