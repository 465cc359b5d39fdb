"""The Keras side of the ``fit`` rows, run by another Python: ``python _keras_fit.py``.

It reads a JSON request on standard input (the models, see `rnn.bench.fit`, and the
``.npz`` file of their data), and prints a JSON object of seconds per epoch: the minimum
over the timed epochs after a first one, which pays for Keras's tracing. It imports
NumPy and Keras only (the Python that runs it need not have ``rnn``); its backend is
``KERAS_BACKEND``'s, set to torch by the bench, held to one thread.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from typing import Any

import numpy as np


def _one_thread() -> None:
    """Hold the backend to one thread, as ``rnn`` is held to one BLAS thread."""
    if os.environ.get("KERAS_BACKEND", "tensorflow") == "torch":
        importlib.import_module("torch").set_num_threads(1)


def _model(keras: Any, spec: dict[str, Any]) -> Any:
    """Build and compile the model a spec describes, in float32."""
    layer_class, units = spec["recurrent"]
    model = keras.Sequential(
        [
            keras.Input(shape=tuple(spec["input_shape"])),
            getattr(keras.layers, layer_class)(units),
            keras.layers.Dense(1),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=spec["learning_rate"]),
        loss="mse",
        metrics=spec["metrics"],
    )
    return model


def main() -> None:
    """Time one epoch of every requested model; print the seconds as JSON."""
    request = json.load(sys.stdin)
    _one_thread()
    keras = importlib.import_module("keras")
    keras.utils.set_random_seed(0)
    data = np.load(request["data"])
    seconds: dict[str, Any] = {"keras": keras.__version__, "backend": keras.backend.backend()}
    for spec in request["models"]:
        name = spec["name"]
        model = _model(keras, spec)
        val = (data[name + "_xv"], data[name + "_yv"]) if name + "_xv" in data else None
        kwargs = dict(batch_size=spec["batch_size"], validation_data=val, verbose=0)
        model.fit(data[name + "_x"], data[name + "_y"], epochs=1, **kwargs)  # tracing
        times = []
        for _ in range(request["repeats"]):
            start = time.perf_counter()
            model.fit(data[name + "_x"], data[name + "_y"], epochs=1, **kwargs)
            times.append(time.perf_counter() - start)
        seconds[name] = min(times)
    print(json.dumps(seconds))


if __name__ == "__main__":
    main()
