"""Argument checks shared by the forward and backward functions.

Each check says what was expected and what came, so a wrong shape is easy to fix.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _array(name: str, value: Any) -> np.ndarray:
    """``value`` as an array, which must have a boolean, integer or real floating dtype."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must have a real numeric dtype (bool, integer or floating point), "
            f"got dtype {arr.dtype}"
        )
    return arr


def _inputs(inputs: Any) -> tuple[np.ndarray, bool]:
    """Return ``(x, batched)`` with ``x`` of shape (batch, timesteps, features)."""
    x = _array("inputs", inputs)
    if x.ndim not in (2, 3):
        raise ValueError(
            "inputs must have 2 dimensions (timesteps, features) or 3 (batch, timesteps, "
            f"features), got {x.ndim} dimensions with shape {x.shape}"
        )
    if x.shape[-2] == 0:
        raise ValueError(f"inputs must have at least one timestep, got shape {x.shape}")
    return (x, True) if x.ndim == 3 else (x[np.newaxis], False)


def _weights(
    x: np.ndarray, kernel: Any, recurrent_kernel: Any, gates: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Check ``kernel (features, gates * units)``, ``recurrent_kernel (units, gates * units)``."""
    k = _array("kernel", kernel)
    width = "units" if gates == 1 else f"{gates} * units"
    if k.ndim != 2 or k.shape[1] == 0 or k.shape[1] % gates:
        raise ValueError(f"kernel must have shape (features, {width}), got {k.shape}")
    if x.shape[-1] != k.shape[0]:
        raise ValueError(
            f"inputs have {x.shape[-1]} features but kernel expects {k.shape[0]} "
            f"(kernel shape {k.shape})"
        )
    units = k.shape[1] // gates
    rk = _array("recurrent_kernel", recurrent_kernel)
    if rk.shape != (units, gates * units):
        raise ValueError(
            f"recurrent_kernel must have shape (units, {width}) = {(units, gates * units)} "
            f"to match kernel shape {k.shape}, got {rk.shape}"
        )
    return k, rk, units


def _bias(bias: Any, shape: tuple[int, ...], kernel: np.ndarray) -> np.ndarray | None:
    """Check that ``bias`` is None or has ``shape``."""
    if bias is None:
        return None
    b = _array("bias", bias)
    if b.shape != shape:
        raise ValueError(
            f"bias must have shape {shape} to match kernel shape {kernel.shape}, got {b.shape}"
        )
    return b


def _state(name: str, state: Any, x: np.ndarray, units: int, batched: bool) -> np.ndarray | None:
    """Check an initial state: (batch, units), or (units,) for unbatched inputs."""
    if state is None:
        return None
    s = _array(name, state)
    shape, axes = ((x.shape[0], units), "(batch, units)") if batched else ((units,), "(units,)")
    if s.shape != shape:
        raise ValueError(f"{name} must have shape {shape} {axes}, got {s.shape}")
    return s.reshape(x.shape[0], units)


def _dtype(*arrays: np.ndarray | None) -> np.dtype:
    """Return the dtype to compute in: the arrays' result type, with ints and bools as float64."""
    dtype = np.result_type(*(a for a in arrays if a is not None))
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


# ------------------------------------------------------------------ backward only


def _sequence(name: str, value: Any, x: np.ndarray, units: int, batched: bool) -> np.ndarray:
    """Check the forward's states: (batch, timesteps, units), or (timesteps, units)."""
    s = _array(name, value)
    batch, steps = x.shape[:2]
    shape = (batch, steps, units) if batched else (steps, units)
    if s.shape != shape:
        raise ValueError(
            f"{name} must be every state of the forward pass (return_sequences=True), "
            f"shape {shape}, got {s.shape}"
        )
    return s.reshape(batch, steps, units)


def _grad_outputs(
    grad: Any, x: np.ndarray, units: int, batched: bool
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Split the output gradient into ``(per step (batch, T, units), last (batch, units))``.

    A gradient shaped like every state is for ``return_sequences=True``; one shaped
    like the last state is for ``return_sequences=False``. The other part is None.
    """
    g = _array("grad_outputs", grad)
    batch, steps = x.shape[:2]
    seq = (batch, steps, units) if batched else (steps, units)
    last = (batch, units) if batched else (units,)
    if g.shape == seq:
        return g.reshape(batch, steps, units), None
    if g.shape == last:
        return None, g.reshape(batch, units)
    raise ValueError(
        f"the output gradient must have the shape of every state {seq} "
        f"(return_sequences=True) or of the last one {last}, got {g.shape}"
    )


def _truncation(truncate: Any) -> int | None:
    """Check ``truncate``: None (full backpropagation through time) or a positive int."""
    if truncate is None:
        return None
    ok = isinstance(truncate, (int, np.integer)) and not isinstance(truncate, bool)
    if not ok or truncate < 1:
        raise ValueError(
            f"truncate must be None (full backpropagation through time) or a positive "
            f"number of steps, got {truncate!r}"
        )
    return int(truncate)
