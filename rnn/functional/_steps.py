"""The machinery the forward and backward passes share.

For the forward passes: activations in place, the input product, time-major chunks,
gate-major recurrent products; and, for the backward passes, the states' history, flat
and batch-major views.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

from rnn import activations

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


def _tanh_of_scaled(s: np.ndarray, out: np.ndarray) -> None:
    """``out = tanh(a)`` from ``s = -2 a``, as ``2 / (1 + exp(-2 a)) - 1``.

    Two to three times faster than ``np.tanh`` in float64, whose ``tanh`` is scalar code
    here (its float32 one is vectorised and wins), within a few units in the last place
    of 1; saturated values are exactly ``±1``: an ``exp`` overflowing to inf gives -1
    (call it under ``np.errstate(over="ignore")``). ``out`` may be ``s``.
    """
    np.exp(s, out)  # exp(-2 a)
    np.add(out, 1, out)  # 1 + exp(-2 a)
    np.divide(2, out, out)  # 2 σ(2 a)
    np.subtract(out, 1, out)  # tanh(a) = 2 σ(2 a) - 1


# ----------------------------------------------------------------- backward helpers


class _Acts(NamedTuple):
    """The activations in place, and their derivatives read from their outputs.

    ``gelu`` and ``silu`` have theirs read from their inputs instead: ``z_act`` and
    ``z_gate`` (None for every other activation, whose ``d_act``/``d_gate`` are used).
    """

    act: Any
    gate_act: Any
    d_act: Any
    d_gate: Any
    z_act: Any = None
    z_gate: Any = None

    @classmethod
    def of(cls, activation: ActivationLike, recurrent_activation: ActivationLike) -> _Acts:
        """Look up both activations and their derivatives (`rnn.activations`)."""
        d_act, z_act = _derivatives(activation, "activation")
        d_gate, z_gate = _derivatives(recurrent_activation, "recurrent_activation")
        return cls(
            activations.in_place(activation),
            activations.in_place(recurrent_activation),
            d_act,
            d_gate,
            z_act,
            z_gate,
        )

    @property
    def needs_inputs(self) -> bool:
        """Whether a derivative is read from the pre-activations, which must then be kept."""
        return self.z_act is not None or self.z_gate is not None

    def act_slope(self, y: np.ndarray, z: np.ndarray | None) -> np.ndarray | float:
        """Return ``act'`` at the output ``y``, or at the input ``z`` for gelu and silu."""
        if self.z_act is not None:
            assert z is not None  # kept whenever z_act is set
            return activations.slope(self.z_act, z)
        return activations.slope(self.d_act, y)

    def gate_slope(self, y: np.ndarray, z: np.ndarray | None) -> np.ndarray | float:
        """Return the recurrent activation's derivative, as `act_slope` does."""
        if self.z_gate is not None:
            assert z is not None  # kept whenever z_gate is set
            return activations.slope(self.z_gate, z)
        return activations.slope(self.d_gate, y)


def _derivatives(activation: ActivationLike, argument: str) -> tuple[Any, Any]:
    """Return ``(derivative from the output, None)`` or ``(None, from the input)``."""
    if activations.needs_input(activation):
        return None, activations.input_derivative(activation, argument)
    return activations.derivative(activation, argument), None


class _Arrivals(NamedTuple):
    """The output gradients, and how each enters the walk back through time.

    ``g`` (timesteps, batch, units) or None, ``g_last`` (batch, units) or None. Without
    truncation one slot carries every output's gradient; with ``window`` steps, output
    ``t`` takes slot ``t % window`` from output ``t + window``, whose gradient has then
    gone back ``window`` steps and stops: the one place where truncation happens.
    """

    g: np.ndarray | None
    g_last: np.ndarray | None
    window: int | None

    @property
    def slots(self) -> int:
        """Return how many gradients travel back side by side: 1, or ``window``."""
        return 1 if self.window is None else self.window

    def enter(self, dh: np.ndarray, t: int, steps: int) -> None:
        """Add output ``t``'s gradient ``dL/dh_t`` to its slot of ``dh`` (slots, batch, units)."""
        s = 0 if self.window is None else t % self.window
        if self.window is not None:
            dh[s] = 0  # output t takes the slot of one `window` steps older
        if self.g is not None:
            dh[s] += self.g[t]  # dL/dh_t from output t
        if self.g_last is not None and t == steps - 1:
            dh[s] += self.g_last  # the last state's gradient


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


# ------------------------------------------------------------------ masks


def _project_dropped(
    x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None, dtype: np.dtype, mask: np.ndarray
) -> np.ndarray:
    """`_project` of the inputs times a dropout mask (batch, g, features), g 1 or per gate.

    With one mask per gate, each gate's block of the kernel meets its own masked inputs.
    """
    gates = mask.shape[1]
    if gates == 1:
        return _project(x * mask[:, :1], kernel, bias, dtype)  # the mask of every step
    n = kernel.shape[1] // gates
    blocks = [slice(g * n, (g + 1) * n) for g in range(gates)]
    parts = [
        _project(x * mask[:, np.newaxis, g], kernel[:, s], None if bias is None else bias[s], dtype)
        for g, s in enumerate(blocks)
    ]
    return np.concatenate(parts, axis=2)


def _dropped_product(
    rk: np.ndarray, gates: int, lead: tuple[int, ...], mask: np.ndarray
) -> tuple[Callable[[np.ndarray], Any], np.ndarray]:
    """`_gate_product` of ``h`` times a recurrent dropout mask, one per gate.

    ``mask`` (gates, batch, units) is gate-major: gate ``g``'s product is
    ``(h m_g) R_g``. Returns the product as a function of ``h``, and ``z``.
    """
    units = rk.shape[0]
    z = np.empty((gates, *lead, units), rk.dtype)
    rows = z.reshape(gates, -1, units)  # a view: (gates, batch, units) even for batch 1
    by_gate = np.ascontiguousarray(rk.reshape(units, gates, units).transpose(1, 0, 2))
    dropped = np.empty(rows.shape, rk.dtype)

    def product(h: np.ndarray) -> Any:
        np.multiply(mask, h.reshape(-1, units), dropped)  # h_{t-1} m_g for every gate
        return np.matmul(dropped, by_gate, rows)  # (h m_g) R_g

    return product, z


def _drops(keep: np.ndarray | None, batch: int, steps: int) -> list[np.ndarray]:
    """Per step, where the state is carried over: (batch, 1), or (1,) when the batch is 1."""
    lead = () if batch == 1 else (batch,)
    drop = np.zeros((steps, batch), bool) if keep is None else ~keep.T
    return list(drop.reshape(steps, *lead, 1))


def _started(keep: np.ndarray) -> np.ndarray:
    """Return (batch, timesteps) True from each sequence's first unmasked step on."""
    return np.logical_or.accumulate(keep, axis=1)


def _outputs(
    states: np.ndarray, keep: np.ndarray | None, batched: bool, return_sequences: bool
) -> np.ndarray:
    """`_finish` the outputs from the carried states (batch, timesteps, units), in place.

    A masked step's output is the previous output: the carried state, except before
    a sequence's first unmasked step, where it is zeros (not the initial state).
    """
    if keep is not None:
        states[~_started(keep)] = 0  # no output yet: zeros
    return _finish(states, batched, return_sequences)


def _carried(
    outputs: np.ndarray, keep: np.ndarray | None, h0: np.ndarray | None, dtype: np.dtype
) -> np.ndarray:
    """Return the states (batch, timesteps, units) from a masked forward pass's outputs.

    They are the outputs, except before a sequence's first unmasked step, where the
    state is ``h_0`` carried over and the output zeros.
    """
    if keep is None:
        return outputs
    before = ~_started(keep)[..., np.newaxis]
    return np.where(before, 0 if h0 is None else h0[:, np.newaxis].astype(dtype), outputs)


def _arriving(
    g_seq: np.ndarray | None, g_last: np.ndarray | None, keep: np.ndarray | None
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Drop the gradients of the outputs that are constant zeros (before the first step)."""
    if keep is None:
        return g_seq, g_last
    started = _started(keep)
    if g_seq is not None:
        g_seq = np.where(started[..., np.newaxis], g_seq, 0)
    if g_last is not None:
        g_last = np.where(started[:, -1:], g_last, 0)
    return g_seq, g_last


def _gate_dot(a: np.ndarray, w: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """Return ``a w`` (n, batch, gates * units), each gate's block of ``w`` met by ``a m_g``.

    ``a`` (n, batch, width) is time-major, ``w`` (width, gates * units), ``mask`` (batch,
    g, width) a dropout mask shared by the gates (g = 1) or one per gate; None: none.
    """
    steps, batch, _ = a.shape
    if mask is None or mask.shape[1] == 1:
        rows = _flat(a if mask is None else a * mask[:, 0])
        return (rows @ w).reshape(steps, batch, w.shape[1])
    blocks = np.split(w, mask.shape[1], axis=1)
    parts = [_flat(a * mask[:, g]) @ block for g, block in enumerate(blocks)]  # (a m_g) w_g
    return np.concatenate(parts, axis=1).reshape(steps, batch, w.shape[1])


def _gate_grad(a: np.ndarray, d: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """``dL/dw`` (width, gates * units) of `_gate_dot`, given ``d = dL/d(a w)``."""
    rows = _flat(d)
    if mask is None or mask.shape[1] == 1:
        return _flat(a if mask is None else a * mask[:, 0]).T @ rows  # sum (a m)^T d
    blocks = np.split(rows, mask.shape[1], axis=1)
    parts = [_flat(a * mask[:, g]).T @ block for g, block in enumerate(blocks)]
    return np.concatenate(parts, axis=1)  # per gate: sum (a m_g)^T d_g


def _gate_back(d: np.ndarray, w: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """``dL/da`` (n, batch, width) of `_gate_dot`, given ``d = dL/d(a w)`` (n, batch, g u)."""
    steps, batch, _ = d.shape
    if mask is None or mask.shape[1] == 1:
        back = (_flat(d) @ w.T).reshape(steps, batch, w.shape[0])  # d w^T
        return back if mask is None else back * mask[:, 0]  # times the shared mask
    gates = mask.shape[1]
    blocks = zip(np.split(_flat(d), gates, axis=1), np.split(w, gates, axis=1), strict=True)
    back = sum(  # per gate: (d_g w_g^T) m_g
        (dg @ wg.T).reshape(steps, batch, w.shape[0]) * mask[:, g]
        for g, (dg, wg) in enumerate(blocks)
    )
    return np.asarray(back)


def _back_product(rk: np.ndarray, mask: np.ndarray | None) -> Callable[[np.ndarray, Any], Any]:
    """Return ``(d, out) -> d R^T`` into ``out`` (slots, batch, n), for the walk back.

    ``d`` is (slots, batch, gates, units) or (slots, batch, gates * units).

    With a recurrent dropout ``mask`` (batch, g, n), each gate's part is multiplied by
    its mask: ``sum_g (d_g R_g^T) m_g`` (see `_gate_back`).
    """
    if mask is None:
        rk_t, n = np.ascontiguousarray(rk.T), rk.shape[1]
        return lambda d, out: np.dot(d.reshape(-1, n), rk_t, _flat(out))
    return lambda d, out: np.copyto(out, _gate_back(d.reshape(*out.shape[:2], -1), rk, mask))
