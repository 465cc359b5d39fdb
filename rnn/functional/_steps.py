"""The machinery the forward and backward passes share.

For the forward passes: activations in place, the input product, time-major chunks,
gate-major recurrent products; and, for the backward passes, the states' history, flat
and batch-major views.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

ActivationLike = str | Callable[[np.ndarray], np.ndarray] | None


# ------------------------------------------------------------------ shared machinery


def _project(
    x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None, dtype: np.dtype
) -> np.ndarray:
    """``x_t @ kernel + bias`` for every step in one matrix product: (batch, timesteps, n).

    The bias rides along as one more row of the kernel, met by a column of ones.
    """
    batch, steps, features = x.shape
    if bias is None:
        flat = x.reshape(batch * steps, features).astype(dtype, copy=False)
    else:
        flat = np.empty((batch * steps, features + 1), dtype)
        flat[:, :features] = x.reshape(batch * steps, features)
        flat[:, features] = 1  # multiplies the bias row
        kernel = np.concatenate([kernel, bias.reshape(1, -1)])
    xw = np.dot(flat, kernel.astype(dtype, copy=False))
    return xw.reshape(batch, steps, kernel.shape[1])


# elements in each time-major scratch buffer: small enough to stay in cache
_CHUNK = 16384


def _chunks(
    xw: np.ndarray, out: np.ndarray, gates: int = 1
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Walk time in chunks of contiguous, time-major rows.

    Yields ``(xs, hs)``: ``xs[t]`` is step t's ``x_t K + b``, gate-major, of shape
    (gates, batch, units) (just (batch, units) for one gate); ``hs[t]`` (batch, units) is
    where the loop writes that step's state, copied into ``out`` before the next chunk.
    With a batch of 1 the rows are 1-D and already contiguous: no copies. ``out`` may be
    ``xw`` itself (the simple RNN writes each state over its input).
    """
    batch, steps, width = xw.shape
    units = width // gates
    if batch == 1:  # one sequence: 1-D rows, updated in place
        rows = out[0]
        if xw is out:
            yield rows, rows  # the very same view: NumPy skips its overlap checks
        else:
            yield xw[0].reshape(steps, gates, units) if gates > 1 else xw[0], rows
        return
    n = min(steps, max(2, _CHUNK // max(1, batch * width)))
    xs = np.empty((n, gates, batch, units), xw.dtype)
    hs = np.empty((n, batch, out.shape[2]), out.dtype)
    by_gate = xw.reshape(batch, steps, gates, units)
    for t in range(0, steps, n):
        k = min(n, steps - t)
        # one strided copy per chunk, so that every step reads contiguous rows
        xs[:k] = by_gate[:, t : t + k].transpose(1, 2, 0, 3)
        yield (xs[:k] if gates > 1 else xs[:k, 0]), hs[:k]
        out[:, t : t + k] = hs[:k].transpose(1, 0, 2)


def _chunk_steps(steps: int, batch: int, width: int) -> int:
    """How many steps a chunk of ``width`` values per row fits in ``_CHUNK`` elements."""
    return min(steps, max(2, _CHUNK // max(1, batch * width)))


def _gate_product(
    rk: np.ndarray, gates: int, lead: tuple[int, ...]
) -> tuple[Callable[[np.ndarray], Any], np.ndarray]:
    """``h @ rk`` written gate-major into ``z`` of shape (gates, *lead, units).

    Each gate's block of ``z`` is then contiguous, so the element-wise maths runs on
    contiguous memory. Returns the product as a function of ``h``, and ``z``.
    """
    units = rk.shape[0]
    z = np.empty((gates, *lead, units), rk.dtype)
    if not lead:  # batch 1: a 1-D product into the flat buffer
        rk = np.ascontiguousarray(rk)
        flat = z.reshape(-1)
        return (lambda h: np.ndarray.dot(h, rk, flat)), z
    by_gate = np.ascontiguousarray(rk.reshape(units, gates, units).transpose(1, 0, 2))
    return (lambda h: np.matmul(h, by_gate, z)), z


def _start(state: np.ndarray | None, batch: int, units: int, dtype: np.dtype) -> np.ndarray:
    """Return a fresh copy of the initial state in the step layout (1-D when batch is 1)."""
    h = np.zeros((batch, units), dtype) if state is None else state.astype(dtype)
    return h[0] if batch == 1 else h


def _finish(seq: np.ndarray, batched: bool, return_sequences: bool) -> np.ndarray:
    """All states (batch, timesteps, units), or the last; without batch axis if unbatched."""
    out = seq if return_sequences else seq[:, -1].copy()
    return out if batched else out[0]


def _last(h: np.ndarray, batch: int, batched: bool) -> np.ndarray:
    """Return a final state, (batch, units) or (units,) when unbatched."""
    h = h.reshape(batch, h.shape[-1]).copy()
    return h if batched else h[0]


# ----------------------------------------------------------------- backward helpers


def _history(states: np.ndarray, h0: np.ndarray | None, dtype: np.dtype) -> np.ndarray:
    """Every state, time-major, after the initial one: (timesteps + 1, batch, units).

    Row 0 is ``h_0`` (zeros by default), row ``t`` is ``h_t``; so ``rows[:-1]`` are the
    states each step started from, and ``rows[1:]`` the states it produced.
    """
    batch, steps, units = states.shape
    rows = np.empty((steps + 1, batch, units), dtype)
    rows[0] = 0 if h0 is None else h0
    rows[1:] = states.swapaxes(0, 1)
    return rows


def _flat(a: np.ndarray) -> np.ndarray:
    """Every leading axis folded into one: (n, last)."""
    return a.reshape(-1, a.shape[-1])


def _batch_major(a: np.ndarray, batched: bool) -> np.ndarray:
    """Return a time-major (timesteps, batch, n) array as (batch, timesteps, n), or unbatched."""
    out = np.ascontiguousarray(a.swapaxes(0, 1))
    return out if batched else out[0]
