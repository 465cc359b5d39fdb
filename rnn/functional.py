"""Pure forward functions: a simple RNN, an LSTM and a GRU over whole sequences.

They take NumPy arrays in Keras's weight layout, keep no state, and work alike:

1. check every shape, saying what was expected and what came when one does not fit;
2. compute the input part ``x_t @ kernel + bias`` of every timestep in **one** matrix
   product (a column of ones in the inputs meets the bias as one more kernel row);
3. loop over time with only ``h @ recurrent_kernel`` and element-wise maths per step,
   in place, on contiguous time-major rows (1-D rows when the batch is 1).

Dtype rule: they compute in ``np.result_type`` of the arrays passed (inputs, weights,
bias, initial state), with booleans and integers promoted to float64. So float32 stays
float32, float16 stays float16, and float32 mixed with float64 gives float64.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from rnn import activations

__all__ = ["gru_forward", "lstm_forward", "simple_rnn_forward"]

ActivationLike = str | Callable[[np.ndarray], np.ndarray] | None
# An activation applied in place: ``fn(x, out)`` writes ``act(x)`` into ``out``.
InPlace = Callable[[np.ndarray, np.ndarray], Any]


# ----------------------------------------------------------------------------- checks


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
    """The dtype to compute in: the arrays' result type, with ints and bools as float64."""
    dtype = np.result_type(*(a for a in arrays if a is not None))
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


# ------------------------------------------------------------------ shared machinery


def _sigmoid_into(x: np.ndarray, out: np.ndarray) -> None:
    """``out = sigmoid(x)`` computed as ``(1 + tanh(x / 2)) / 2``, which never overflows."""
    np.multiply(x, 0.5, out)
    np.tanh(out, out)
    np.multiply(out, 0.5, out)
    np.add(out, 0.5, out)


def _in_place(identifier: ActivationLike) -> InPlace:
    """The activation as ``fn(x, out)``; ufuncs where possible, so no Python wrapper runs."""
    fn = activations.get(identifier)
    if fn is activations.tanh:
        return np.tanh
    if fn is activations.sigmoid:
        return _sigmoid_into
    if fn is activations.relu:
        return lambda x, out: np.maximum(x, 0, out=out)
    if fn is activations.linear:
        return lambda x, out: None if out is x else np.copyto(out, x)
    return lambda x, out: np.copyto(out, fn(x), casting="same_kind")


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
    """A fresh copy of the initial state in the step layout (1-D when batch is 1)."""
    h = np.zeros((batch, units), dtype) if state is None else state.astype(dtype)
    return h[0] if batch == 1 else h


def _finish(seq: np.ndarray, batched: bool, return_sequences: bool) -> np.ndarray:
    """All states (batch, timesteps, units), or the last; without batch axis if unbatched."""
    out = seq if return_sequences else seq[:, -1].copy()
    return out if batched else out[0]


def _last(h: np.ndarray, batch: int, batched: bool) -> np.ndarray:
    """A final state, (batch, units) or (units,) when unbatched."""
    h = h.reshape(batch, h.shape[-1]).copy()
    return h if batched else h[0]


# ------------------------------------------------------------------------- SimpleRNN


def simple_rnn_forward(
    inputs: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray | None = None,
    *,
    activation: ActivationLike = "tanh",
    initial_state: np.ndarray | None = None,
    return_sequences: bool = True,
) -> np.ndarray:
    """Run a simple (Elman) RNN over whole sequences: ``h_t = act(x_t K + h_{t-1} R + b)``.

    Parameters
    ----------
    inputs : ndarray of shape (batch, timesteps, features) or (timesteps, features)
        The sequences; a 2-D array is one unbatched sequence.
    kernel : ndarray of shape (features, units)
        Input weights, Keras layout (the notebook's ``W.T``).
    recurrent_kernel : ndarray of shape (units, units)
        State-to-state weights (the notebook's ``U.T``).
    bias : ndarray of shape (units,) or None
        Added at every step; ``None`` means no bias.
    activation : str, callable or None
        ``"tanh"`` (default), ``"relu"``, ``"sigmoid"``, ``"linear"``/``None`` or a
        function of one array.
    initial_state : ndarray of shape (batch, units) or (units,), optional
        ``h_0``; zeros by default. ``(units,)`` when the inputs are unbatched.
    return_sequences : bool
        Return every state (default) or only the last one.

    Returns
    -------
    ndarray of shape (batch, timesteps, units) or (batch, units)
        The states ``h_1 ... h_T`` or only ``h_T``; without the batch axis if the inputs
        had none. The dtype follows the module's rule (float32 stays float32).

    Raises
    ------
    ValueError
        If a shape, a dtype or the activation name does not fit, saying what was expected.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.functional import simple_rnn_forward
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((2, 5, 3))           # 2 sequences, 5 steps, 3 features
    >>> kernel = rng.standard_normal((3, 4)) * 0.5   # (features, units)
    >>> recurrent_kernel = np.eye(4) * 0.5           # (units, units)
    >>> states = simple_rnn_forward(x, kernel, recurrent_kernel, np.zeros(4))
    >>> states.shape, states.dtype
    ((2, 5, 4), dtype('float64'))
    >>> last = simple_rnn_forward(x, kernel, recurrent_kernel, return_sequences=False)
    >>> last.shape, bool(np.array_equal(last, states[:, -1]))
    ((2, 4), True)
    >>> simple_rnn_forward(x[0], kernel, recurrent_kernel).shape   # unbatched
    (5, 4)
    >>> simple_rnn_forward(x.astype(np.float32), kernel.astype(np.float32),
    ...                    recurrent_kernel.astype(np.float32)).dtype
    dtype('float32')
    >>> simple_rnn_forward(x[..., :2], kernel, recurrent_kernel)
    Traceback (most recent call last):
    ...
    ValueError: inputs have 2 features but kernel expects 3 (kernel shape (3, 4))
    """
    x, batched = _inputs(inputs)
    k, rk, units = _weights(x, kernel, recurrent_kernel, 1)
    b = _bias(bias, (units,), k)
    h0 = _state("initial_state", initial_state, x, units, batched)
    act = _in_place(activation)
    dtype = _dtype(x, k, rk, b, h0)
    rk = np.ascontiguousarray(rk, dtype)  # a strided view would be copied at every step

    # x_t K for every step at once; each state is then written over its own row
    seq = _project(x, k, b, dtype)
    h = _start(h0, x.shape[0], units, dtype)
    hr = np.empty_like(h)  # h_{t-1} R, reused at every step
    dot, add = np.ndarray.dot, np.add  # the method skips __array_function__ dispatch
    for xs, hs in _chunks(seq, seq):
        h_rows = list(hs)
        x_rows = h_rows if xs is hs else list(xs)  # identical views skip overlap checks
        for x_t, h_t in zip(x_rows, h_rows, strict=True):
            dot(h, rk, hr)  # h_{t-1} R
            add(x_t, hr, h_t)  # x_t K + b + h_{t-1} R
            act(h_t, h_t)  # h_t = act(...)
            h = h_t
    return _finish(seq, batched, return_sequences)


# ------------------------------------------------------------------------------ LSTM


def lstm_forward(
    inputs: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray | None = None,
    *,
    activation: ActivationLike = "tanh",
    recurrent_activation: ActivationLike = "sigmoid",
    initial_state: Sequence[np.ndarray] | None = None,
    return_sequences: bool = True,
    return_state: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run a Keras-style LSTM over whole sequences (gate order ``i, f, c, o``).

    At each step ``z = x_t K + h R + b`` is split into four blocks of ``units``:
    ``i = σ(z_i)``, ``f = σ(z_f)``, ``c = f c + i act(z_c)``, ``o = σ(z_o)``,
    ``h = o act(c)``, where ``σ`` is the recurrent activation.

    Parameters
    ----------
    inputs : ndarray of shape (batch, timesteps, features) or (timesteps, features)
        As in `simple_rnn_forward`.
    kernel : ndarray of shape (features, 4 * units)
        Input weights of the gates ``i, f, c, o``, side by side.
    recurrent_kernel : ndarray of shape (units, 4 * units)
        State weights, same gate order.
    bias : ndarray of shape (4 * units,) or None
        Gate biases; ``None`` means no bias.
    activation, recurrent_activation : str, callable or None
        For the cell candidate and output (``"tanh"``), and for the gates (``"sigmoid"``).
    initial_state : pair of ndarrays of shape (batch, units), optional
        ``(h_0, c_0)``, each ``(units,)`` when the inputs are unbatched; zeros by default.
    return_sequences : bool
        Return every ``h_t`` (default) or only the last one.
    return_state : bool
        Also return the final ``h_T`` and ``c_T``, each (batch, units) or (units,).

    Returns
    -------
    ndarray of shape (batch, timesteps, units) or (batch, units), or a tuple
        ``output`` or ``(output, h_T, c_T)``; without the batch axis for unbatched inputs.

    Raises
    ------
    ValueError
        If a shape, a dtype or an activation name does not fit.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.functional import lstm_forward
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((2, 5, 3))
    >>> kernel = rng.standard_normal((3, 16)) * 0.5            # 4 gates of 4 units
    >>> recurrent_kernel = rng.standard_normal((4, 16)) * 0.5
    >>> out, h, c = lstm_forward(x, kernel, recurrent_kernel, np.zeros(16), return_state=True)
    >>> out.shape, h.shape, c.shape
    ((2, 5, 4), (2, 4), (2, 4))
    >>> bool(np.array_equal(out[:, -1], h)), bool(np.all(np.abs(h) < 1))
    (True, True)
    >>> lstm_forward(x, kernel, recurrent_kernel, return_sequences=False).shape
    (2, 4)
    """
    x, batched = _inputs(inputs)
    k, rk, units = _weights(x, kernel, recurrent_kernel, 4)
    b = _bias(bias, (4 * units,), k)
    if initial_state is None:
        h0 = c0 = None
    elif isinstance(initial_state, (tuple, list)) and len(initial_state) == 2:
        h0 = _state("initial_state[0] (h)", initial_state[0], x, units, batched)
        c0 = _state("initial_state[1] (c)", initial_state[1], x, units, batched)
    else:
        raise ValueError(
            f"initial_state must be a pair (h, c) of arrays, got {type(initial_state).__name__}"
        )
    act, gate_act = _in_place(activation), _in_place(recurrent_activation)
    dtype = _dtype(x, k, rk, b, h0, c0)
    batch, u = x.shape[0], units

    # reorder the gates to i, f, o, c so that the three sigmoid gates sit side by side
    order = np.r_[0 : 2 * u, 3 * u : 4 * u, 2 * u : 3 * u]
    xz = _project(x, k[:, order], None if b is None else b[order], dtype)
    rk = rk[:, order].astype(dtype)
    seq = np.empty((batch, x.shape[1], u), dtype)
    h, c = _start(h0, batch, u, dtype), _start(c0, batch, u, dtype)
    recurrent, z = _gate_product(rk, 4, h.shape[:-1])  # z: the four gates of one step
    i, f, o, g = z
    gates, ig = z[:3], np.empty_like(c)
    add, mul = np.add, np.multiply
    for xs, hs in _chunks(xz, seq, gates=4):
        for x_t, h_t in zip(list(xs), list(hs), strict=True):
            recurrent(h)  # z = h_{t-1} R
            add(z, x_t, z)  # z = x_t K + b + h_{t-1} R
            gate_act(gates, gates)  # i, f, o = σ(z_i), σ(z_f), σ(z_o)
            act(g, g)  # candidate cell act(z_c)
            mul(f, c, c)  # keep part of the old cell: f c
            mul(i, g, ig)  # let in part of the candidate: i act(z_c)
            add(c, ig, c)  # c_t = f c + i act(z_c)
            act(c, h_t)  # act(c_t)
            mul(h_t, o, h_t)  # h_t = o act(c_t)
            h = h_t
    out = _finish(seq, batched, return_sequences)
    if return_state:
        return out, _last(h, batch, batched), _last(c, batch, batched)
    return out


# ------------------------------------------------------------------------------- GRU


def gru_forward(
    inputs: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray | None = None,
    *,
    activation: ActivationLike = "tanh",
    recurrent_activation: ActivationLike = "sigmoid",
    reset_after: bool = True,
    initial_state: np.ndarray | None = None,
    return_sequences: bool = True,
    return_state: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Run a Keras-style GRU over whole sequences (gate order ``z, r, h``).

    With ``x_z, x_r, x_h`` the three blocks of ``x_t K + b_in``:
    ``z = σ(x_z + h R_z + ...)``, ``r = σ(x_r + h R_r + ...)``, and the candidate
    ``hh = act(x_h + r (h R_h + b_rec_h))`` when ``reset_after`` (Keras 3 default), or
    ``hh = act(x_h + (r h) R_h)`` otherwise; then ``h_t = z h + (1 - z) hh``.

    Parameters
    ----------
    inputs : ndarray of shape (batch, timesteps, features) or (timesteps, features)
        As in `simple_rnn_forward`.
    kernel : ndarray of shape (features, 3 * units)
        Input weights of the gates ``z, r, h``, side by side.
    recurrent_kernel : ndarray of shape (units, 3 * units)
        State weights, same gate order.
    bias : ndarray of shape (2, 3 * units) or (3 * units,), or None
        With ``reset_after``: row 0 the input bias, row 1 the recurrent bias. Without:
        one input bias. ``None`` means no bias.
    activation, recurrent_activation : str, callable or None
        For the candidate state (``"tanh"``) and for the gates (``"sigmoid"``).
    reset_after : bool
        Apply the reset gate after the recurrent product (default, as Keras 3 and cuDNN).
    initial_state : ndarray of shape (batch, units) or (units,), optional
        ``h_0``; zeros by default.
    return_sequences : bool
        Return every ``h_t`` (default) or only the last one.
    return_state : bool
        Also return the final ``h_T``, (batch, units) or (units,).

    Returns
    -------
    ndarray of shape (batch, timesteps, units) or (batch, units), or a tuple
        ``output`` or ``(output, h_T)``; without the batch axis for unbatched inputs.

    Raises
    ------
    ValueError
        If a shape, a dtype or an activation name does not fit.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.functional import gru_forward
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((2, 5, 3))
    >>> kernel = rng.standard_normal((3, 12)) * 0.5            # 3 gates of 4 units
    >>> recurrent_kernel = rng.standard_normal((4, 12)) * 0.5
    >>> out, h = gru_forward(x, kernel, recurrent_kernel, np.zeros((2, 12)), return_state=True)
    >>> out.shape, h.shape, bool(np.array_equal(out[:, -1], h))
    ((2, 5, 4), (2, 4), True)
    >>> gru_forward(x, kernel, recurrent_kernel, np.zeros(12), reset_after=False).shape
    (2, 5, 4)
    >>> gru_forward(x, kernel, recurrent_kernel, np.zeros(12))
    Traceback (most recent call last):
    ...
    ValueError: bias must have shape (2, 12) to match kernel shape (3, 12), got (12,)
    """
    x, batched = _inputs(inputs)
    k, rk, units = _weights(x, kernel, recurrent_kernel, 3)
    b = _bias(bias, (2, 3 * units) if reset_after else (3 * units,), k)
    if isinstance(initial_state, (tuple, list)) and len(initial_state) == 1:
        initial_state = initial_state[0]  # Keras passes a list of one state
    h0 = _state("initial_state", initial_state, x, units, batched)
    act, gate_act = _in_place(activation), _in_place(recurrent_activation)
    dtype = _dtype(x, k, rk, b, h0)
    batch, u = x.shape[0], units

    b_in, b_hh = (b, None) if b is None or not reset_after else (b[0], b[1, 2 * u :])
    if b is not None and reset_after:
        # the recurrent biases of z and r are plain sums: fold them into the input bias
        b_in = b[0] + np.concatenate([b[1, : 2 * u], np.zeros(u, b.dtype)])
    xw = _project(x, k, b_in, dtype)
    rk = rk.astype(dtype, copy=False)
    seq = np.empty((batch, x.shape[1], u), dtype)
    h = _start(h0, batch, u, dtype)
    if reset_after:  # h R for all three gates at once
        recurrent, m = _gate_product(rk, 3, h.shape[:-1])
        zr, hh = m[:2], m[2]
    else:  # h R for z and r only: the candidate's product needs r first
        recurrent, zr = _gate_product(rk[:, : 2 * u], 2, h.shape[:-1])
        rk_h, rh, hh = np.ascontiguousarray(rk[:, 2 * u :]), np.empty_like(h), np.empty_like(h)
    z, r = zr
    b_hh = None if b_hh is None else b_hh.astype(dtype)
    dot, add, mul = np.ndarray.dot, np.add, np.multiply
    for xs, hs in _chunks(xw, seq, gates=3):
        for x_zr, x_h, h_t in zip(list(xs[:, :2]), list(xs[:, 2]), list(hs), strict=True):
            recurrent(h)  # h_{t-1} R (all gates, or z and r)
            add(zr, x_zr, zr)  # x K + b + h R for z and r
            gate_act(zr, zr)  # z, r = σ(...)
            if reset_after:
                if b_hh is not None:
                    add(hh, b_hh, hh)  # h R_h + b_rec_h
                mul(hh, r, hh)  # reset after the product: r (h R_h + b_rec_h)
            else:
                mul(r, h, rh)  # reset before the product: r h
                dot(rh, rk_h, hh)  # (r h) R_h
            add(hh, x_h, hh)  # plus x_h
            act(hh, hh)  # candidate hh = act(...)
            np.subtract(h, hh, h_t)  # h_{t-1} - hh
            mul(h_t, z, h_t)  # z (h_{t-1} - hh)
            add(h_t, hh, h_t)  # h_t = z h_{t-1} + (1 - z) hh
            h = h_t
    out = _finish(seq, batched, return_sequences)
    return (out, _last(h, batch, batched)) if return_state else out
