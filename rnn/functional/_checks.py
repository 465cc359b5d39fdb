"""Argument checks shared by the forward and backward functions.

Each check says what was expected and what came, so a wrong shape is easy to fix.
"""

from __future__ import annotations

from typing import Any, NamedTuple

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


def _one_state(state: Any, x: np.ndarray, units: int, batched: bool) -> np.ndarray | None:
    """Check ``h_0`` (see `_state`); Keras passes it as a list of one state."""
    if isinstance(state, (tuple, list)) and len(state) == 1:
        state = state[0]
    return _state("initial_state", state, x, units, batched)


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


# ------------------------------------------------------------------ masks


class _Masks(NamedTuple):
    """The masks of one call, checked and batched (any may be None).

    ``keep`` (batch, timesteps) bool: True where a step updates the state (the mask).
    ``inputs`` (batch, g, features) and ``recurrent`` (batch, g, units): the dropout
    masks multiplying ``x_t`` and ``h_{t-1}``, with ``g`` 1 (one mask shared by every
    gate) or the number of gates (one mask per gate, in Keras's gate order).
    """

    keep: np.ndarray | None
    inputs: np.ndarray | None
    recurrent: np.ndarray | None

    @property
    def steps(self) -> bool:
        """Return whether the loop over time must change: a mask or a recurrent dropout."""
        return self.keep is not None or self.recurrent is not None

    def cast(self, dtype: np.dtype) -> _Masks:
        """Return the masks with the dropout masks in ``dtype``, the dtype computed in."""
        inputs, recurrent = (None if m is None else m.astype(dtype, copy=False) for m in self[1:])
        return _Masks(self.keep, inputs, recurrent)


def _masks(
    x: np.ndarray,
    units: int,
    gates: int,
    batched: bool,
    mask: Any,
    dropout_mask: Any,
    recurrent_dropout_mask: Any,
) -> _Masks:
    """Check ``mask``, ``dropout_mask`` and ``recurrent_dropout_mask`` (any may be None).

    ``x`` (batch, timesteps, features) are the inputs, batched; ``units`` and ``gates``
    the cell's size and number of gates (1 for a simple RNN); ``batched`` whether the
    caller's inputs had a batch axis (the masks must have it too).
    """
    features = x.shape[2]
    return _Masks(
        _keep(mask, x, batched),
        _dropout("dropout_mask", dropout_mask, x, "features", features, gates, batched),
        _dropout(
            "recurrent_dropout_mask", recurrent_dropout_mask, x, "units", units, gates, batched
        ),
    )


def _keep(mask: Any, x: np.ndarray, batched: bool) -> np.ndarray | None:
    """Check a mask: (batch, timesteps), or (timesteps,) unbatched; bool or 0/1."""
    if mask is None:
        return None
    m = _array("mask", mask)
    batch, steps = x.shape[:2]
    shape, axes = ((batch, steps), "(batch, timesteps)") if batched else ((steps,), "(timesteps,)")
    if m.shape != shape:
        raise ValueError(
            f"mask must have shape {shape} {axes} to match inputs of shape "
            f"{x.shape if batched else x.shape[1:]}, got {m.shape}"
        )
    if m.dtype != bool and not np.isin(m, (0, 1)).all():
        raise ValueError(f"mask must be boolean or hold only 0 and 1, got dtype {m.dtype} values")
    return m.reshape(batch, steps).astype(bool)


def _dropout(
    name: str, value: Any, x: np.ndarray, axis: str, width: int, gates: int, batched: bool
) -> np.ndarray | None:
    """Check a dropout mask: (batch, width) shared by the gates, or (batch, gates, width)."""
    if value is None:
        return None
    m = _array(name, value)
    lead, axes = ((x.shape[0],), "batch, ") if batched else ((), "")
    shapes = [(*lead, width)] + ([(*lead, gates, width)] if gates > 1 else [])
    if m.shape not in shapes:
        expected = f"{shapes[0]} ({axes}{axis})"
        if gates > 1:
            expected += f", shared by the gates, or {shapes[1]} ({axes}{gates} gates, {axis})"
        raise ValueError(f"{name} must have shape {expected}, got {m.shape}")
    return m.reshape(x.shape[0], -1, width)
