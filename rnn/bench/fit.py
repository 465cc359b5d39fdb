"""The ``fit`` rows: one epoch of the course's models in ``rnn`` and in Keras 3.

Three models, each ``recurrent layer + Dense(1)``, mean squared error, Adam, float32 on
both sides, the same data and batch size:

- the course's **seed model**, ``SimpleRNN(10)`` on sequences of 3 steps of 1 feature
  (the sum of three numbers, as on the page "Save, load, and carry on"), Adam's default
  learning rate, batches of 16;
- the **forecaster** of "Forecasting the weather": ``SimpleRNN(8)`` on windows of 7 days
  of 6 features, Adam(0.003), batches of 32, validation data and an ``mae`` metric, with
  the page's numbers of windows (the values are drawn: time does not depend on them);
- an ``LSTM(64)`` on sequences of 100 steps of 32 features, batches of 32.

Keras runs in another Python (``--keras-python`` or ``RNN_BENCH_KERAS_PYTHON``, with
``KERAS_BACKEND=torch`` unless set), which reads the data from a temporary ``.npz``
file: `rnn.bench._keras_fit` is its script. Both sides time the epochs after a first
one (Keras traces its step functions in the first) and keep the fastest.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from rnn.bench.threads import THREAD_VARIABLES

__all__ = ["FIT_MODELS", "KERAS_HINT", "fit_data", "keras_epochs", "rnn_epochs"]

KERAS_HINT = (
    "to compare fit with Keras 3, pass --keras-python PYTHON or set RNN_BENCH_KERAS_PYTHON "
    "to a Python that has keras and torch (KERAS_BACKEND=torch is set for it)"
)
FIT_TARGET = 0.5
FIT_MODELS: tuple[dict[str, Any], ...] = (
    {
        "name": "seed",
        "label": "seed model: SimpleRNN(10)+Dense(1), 1,024 x (3, 1), batch 16",
        "recurrent": ["SimpleRNN", 10],
        "input_shape": [3, 1],
        "samples": 1024,
        "validation": 0,
        "batch_size": 16,
        "learning_rate": 0.001,
        "metrics": ["mae"],
    },
    {
        "name": "forecaster",
        "label": "forecaster: SimpleRNN(8)+Dense(1), 723 x (7, 6) + 357 val, batch 32",
        "recurrent": ["SimpleRNN", 8],
        "input_shape": [7, 6],
        "samples": 723,
        "validation": 357,
        "batch_size": 32,
        "learning_rate": 0.003,
        "metrics": ["mae"],
    },
    {
        "name": "lstm",
        "label": "LSTM(64)+Dense(1), 512 x (100, 32), batch 32",
        "recurrent": ["LSTM", 64],
        "input_shape": [100, 32],
        "samples": 512,
        "validation": 0,
        "batch_size": 32,
        "learning_rate": 0.001,
        "metrics": [],
    },
)


def fit_data(models: tuple[dict[str, Any], ...], scale: float = 1.0) -> dict[str, np.ndarray]:
    """Draw float32 inputs and targets for every model (``scale`` shrinks the counts)."""
    rng = np.random.default_rng(0)
    data = {}
    for spec in models:
        name, shape = spec["name"], tuple(spec["input_shape"])
        for suffix, count in (("", spec["samples"]), ("v", spec["validation"])):
            n = max(1, round(count * scale)) if count else 0
            if n:
                x = rng.uniform(-1, 1, (n, *shape)).astype(np.float32)
                data[f"{name}_x{suffix}"] = x
                data[f"{name}_y{suffix}"] = x.sum(axis=(1, 2))[:, None] / shape[0]
    return data


def rnn_epochs(
    models: tuple[dict[str, Any], ...], data: dict[str, np.ndarray], repeats: int
) -> dict[str, float]:
    """Seconds of ``rnn``'s fastest epoch after the first, for every model."""
    import rnn
    from rnn import layers
    from rnn.models import Sequential

    seconds = {}
    for spec in models:
        name = spec["name"]
        rnn.set_random_seed(0)
        layer_class, units = spec["recurrent"]
        stack: list[Any] = [
            layers.Input(shape=tuple(spec["input_shape"])),
            getattr(layers, layer_class)(units),
            layers.Dense(1),
        ]
        model = Sequential(stack)
        model.compile(
            optimizer=rnn.optimizers.Adam(learning_rate=spec["learning_rate"]),
            loss="mse",
            metrics=spec["metrics"],
        )
        val = (data[name + "_xv"], data[name + "_yv"]) if name + "_xv" in data else None
        kwargs: dict[str, Any] = dict(batch_size=spec["batch_size"], validation_data=val, verbose=0)
        model.fit(data[name + "_x"], data[name + "_y"], epochs=1, **kwargs)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            model.fit(data[name + "_x"], data[name + "_y"], epochs=1, **kwargs)
            times.append(time.perf_counter() - start)
        seconds[name] = min(times)
    return seconds


def keras_epochs(
    python: str, models: tuple[dict[str, Any], ...], data: dict[str, np.ndarray], repeats: int
) -> dict[str, Any]:
    """Run `rnn.bench._keras_fit` in ``python``; return its seconds per model.

    Raises
    ------
    RuntimeError
        If the other Python fails (its standard error is in the message).
    """
    script = Path(__file__).with_name("_keras_fit.py")
    env = dict(os.environ, **dict.fromkeys(THREAD_VARIABLES, "1"))
    env.setdefault("KERAS_BACKEND", "torch")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "fit_data.npz")
        np.savez(path, **data)  # type: ignore[arg-type]
        request = {"data": path, "models": list(models), "repeats": repeats}
        proc = subprocess.run(
            [python, str(script)],
            input=json.dumps(request),
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"{python} {script.name} failed:\n{proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result
