"""The LSTM (Keras gate order ``i, f, c, o``), forward and backward."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from rnn import activations
from rnn.functional import _consistency
from rnn.functional._checks import (
    _bias,
    _dtype,
    _grad_outputs,
    _inputs,
    _Masks,
    _masks,
    _sequence,
    _state,
    _truncation,
    _weights,
)
from rnn.functional._steps import (
    ActivationLike,
    _Acts,
    _arriving,
    _batch_major,
    _carried,
    _chunks,
    _dropped_product,
    _drops,
    _finish,
    _flat,
    _gate_back,
    _gate_dot,
    _gate_grad,
    _gate_product,
    _history,
    _last,
    _outputs,
    _project,
    _project_dropped,
    _start,
    _tanh_of_scaled,
)

__all__ = ["lstm_backward", "lstm_forward"]


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
    mask: np.ndarray | None = None,
    dropout_mask: np.ndarray | None = None,
    recurrent_dropout_mask: np.ndarray | None = None,
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
    activation : str, callable or None
        For the cell candidate and the output (``"tanh"``).
    recurrent_activation : str, callable or None
        For the gates (``"sigmoid"``).
    initial_state : pair of ndarrays of shape (batch, units), optional
        ``(h_0, c_0)``, each ``(units,)`` when the inputs are unbatched; zeros by default.
    return_sequences : bool
        Return every ``h_t`` (default) or only the last one.
    return_state : bool
        Also return the final ``h_T`` and ``c_T``, each (batch, units) or (units,).
    mask : ndarray of shape (batch, timesteps) or (timesteps,), optional
        Bool or 0/1 (see `simple_rnn_forward`): a masked step carries ``h`` and ``c``
        over and repeats the previous output (zeros before the first unmasked step);
        the final states are the carried ones.
    dropout_mask : ndarray of shape (batch, features) or (batch, 4, features), optional
        Multiplies ``x_t`` before the input product at every step: one mask for every
        gate, or one per gate ``i, f, c, o`` (Keras's ``implementation=1``). Unbatched:
        without the batch axis. Cast to the dtype computed in.
    recurrent_dropout_mask : ndarray of shape (batch, 4, units) or (batch, units), optional
        Multiplies ``h_{t-1}`` before each gate's block of the recurrent kernel, one mask
        per gate (Keras's ``implementation=1``) or one for all.

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
    h0, c0 = _pair("initial_state", initial_state, x, units, batched)
    act, gate_act = activations.in_place(activation), activations.in_place(recurrent_activation)
    dtype = _dtype(x, k, rk, b, h0, c0)
    masks = _masks(x, units, 4, batched, mask, dropout_mask, recurrent_dropout_mask).cast(dtype)
    batch, u = x.shape[0], units

    fast = batch > 0 and _is_default(activation, recurrent_activation)  # fast: not empty
    if fast and not masks.steps and masks.inputs is None:
        seq = np.empty((batch, x.shape[1], u), dtype)
        h, c = _forward_default(x, (k, rk, b), (h0, c0), seq)
        final = (_last(h, batch, batched), _last(c, batch, batched))
        out = _finish(seq, batched, return_sequences)
        return (out, *final) if return_state else out

    # reorder the gates to i, f, o, c so that the three sigmoid gates sit side by side
    order = np.r_[0 : 2 * u, 3 * u : 4 * u, 2 * u : 3 * u]
    k, b = k[:, order], None if b is None else b[order]
    if masks.inputs is None:
        xz = _project(x, k, b, dtype)
    else:
        xz = _project_dropped(x, k, b, dtype, _in_step_order(masks.inputs))
    rk = rk[:, order].astype(dtype)
    seq = np.empty((batch, x.shape[1], u), dtype)
    h, c = _start(h0, batch, u, dtype), _start(c0, batch, u, dtype)
    if masks.steps:  # a mask or a recurrent dropout: the loop below, with them
        h, c = _steps_masked(xz, seq, (h, c), rk, (act, gate_act), masks)
    else:
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
    final = (_last(h, batch, batched), _last(c, batch, batched))
    out = _outputs(seq, masks.keep, batched, return_sequences)
    return (out, *final) if return_state else out


def _is_default(activation: ActivationLike, recurrent_activation: ActivationLike) -> bool:
    """Whether the activations are Keras's defaults, ``tanh`` and ``sigmoid``."""
    return activations.get(activation) is activations.tanh and (
        activations.get(recurrent_activation) is activations.sigmoid
    )


def _steps_per_chunk(steps: int, batch: int, width: int) -> int:
    """How many steps a chunk holds: enough rows for efficient products, few enough bytes."""
    rows = max(_ROWS // max(1, batch), _CHUNK_ELEMENTS // max(1, batch * width), 1)
    return min(steps, rows)


# a chunk's buffers: at least _ROWS rows for their products, about _CHUNK_ELEMENTS values
_ROWS, _CHUNK_ELEMENTS = 256, 65536


# float64 tanh by exp from this many elements (batch * units, or a chunk's cells) on:
# NumPy's float64 tanh is scalar code, ~3 times slower per element than exp, but exp
# takes more calls; its float32 tanh is vectorised and stays
_EXP_ELEMENTS = 512


def _tanh_by_exp(dtype: np.dtype, elements: int) -> bool:
    """Whether ``tanh`` of ``elements`` values in ``dtype`` is computed by ``exp``."""
    return dtype == np.float64 and elements >= _EXP_ELEMENTS


def _forward_default(
    x: np.ndarray,
    weights: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    state: tuple[np.ndarray | None, np.ndarray | None],
    seq: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Run the forward loop for ``tanh`` and ``sigmoid`` without masks: few, large calls.

    Parameters
    ----------
    x : ndarray of shape (batch, timesteps, features)
        The inputs.
    weights : tuple of ndarray
        ``(kernel (features, 4 units), recurrent_kernel (units, 4 units), bias or None)``
        in Keras's gate order ``i, f, c, o``.
    state : pair of ndarray of shape (batch, units) or None
        ``(h_0, c_0)``; zeros when None.
    seq : ndarray of shape (batch, timesteps, units)
        Receives every ``h_t``; its dtype is the one computed in.

    Returns
    -------
    h, c : ndarray of shape (batch, units), or (units,) when the batch is 1
        The final states.

    Notes
    -----
    The gates are reordered ``i, f, o, c`` and the columns of ``i, f, o`` negated once in
    ``K``, ``R`` and ``b`` (exact), so that ``σ(z) = 1 / (1 + exp(-z))`` of the three
    gates takes three calls on one block. The inputs are projected a chunk of steps at
    a time, time-major, so that no whole-sequence buffer of the gates exists.

    In float64 with at least ``_EXP_ELEMENTS`` values per step, ``tanh`` is computed
    by ``exp`` (see `_tanh_of_scaled`): the candidate's columns are multiplied by -2 too,
    so that the same three calls give ``σ(2 z_c)`` and ``tanh(z_c) = 2 σ(2 z_c) - 1``,
    and the loop carries ``s = -2 c`` instead of the cell (exact: a power of two), the
    ``exp(-2 c)`` of ``tanh(c) = 2 / (1 + exp(-2 c)) - 1``.
    """
    batch, steps, features = x.shape
    u, dtype = seq.shape[2], seq.dtype
    by_exp = _tanh_by_exp(dtype, batch * u)
    scale = -2 if by_exp else 1  # of the candidate's columns and of the cell
    k_t, rk_t, b = _step_weights(weights, dtype, batch, scale)
    n = _steps_per_chunk(steps, batch, 4 * u)
    lead = () if batch == 1 else (batch,)  # one sequence: 1-D columns, the fastest calls
    xs = np.empty((n, features, *lead), dtype)  # a chunk of inputs, x_t^T
    zs = np.empty((n, 4 * u, *lead), dtype)  # their K^T x_t^T + b
    hs = np.empty((n, u, *lead), dtype)  # the chunk's states h_t^T
    h = (
        np.zeros((u, *lead), dtype)
        if state[0] is None
        else state[0].T.astype(dtype).reshape(u, *lead)
    )
    zc = np.zeros((5 * u, *lead), dtype)  # the gates o, i, f, tanh(z_c), then the cell c
    if state[1] is not None:
        zc[4 * u :] = state[1].T.reshape(u, *lead) * scale  # c_0, or s_0 = -2 c_0
    z, sig, o, g, c = zc[: 4 * u], zc[: 3 * u], zc[:u], zc[3 * u : 4 * u], zc[4 * u :]
    i_f, g_c = zc[u : 3 * u], zc[3 * u :]  # (i, f) and (tanh(z_c), c), each one block
    prod = np.empty_like(i_f)  # i tanh(z_c) and f c
    ig, fc = prod[:u], prod[u:]
    one = np.ones((), dtype)  # 1 in the dtype: NumPy converts a Python 1 at every call
    two, minus_four = np.array(2, dtype), np.array(-4, dtype)
    dot, add, mul, exp, tanh, recip = np.dot, np.add, np.multiply, np.exp, np.tanh, np.reciprocal
    sub, div = np.subtract, np.divide
    product = _recurrent_product(rk_t, batch)
    with np.errstate(over="ignore"):  # exp(-z) overflows to inf for z << 0: σ = 0, exact
        for lo in range(0, steps, n):
            m = min(n, steps - lo)
            if batch == 1:
                xs[:m] = x[0, lo : lo + m]  # x_t
                dot(xs[:m], k_t.T, zs[:m])  # x_t K for the chunk's steps
            else:
                xs[:m] = x[:, lo : lo + m].transpose(1, 2, 0)  # x_t^T, time-major
                np.matmul(k_t, xs[:m], zs[:m])  # K^T x_t^T
            if b is not None:
                add(zs[:m], b, zs[:m])  # + b
            if by_exp:
                for x_t, h_t in zip(zs[:m], hs[:m], strict=True):
                    product(h, z)  # z = R^T h_{t-1} (o, i, f negated, c times -2)
                    add(z, x_t, z)  # z = x_t K + b + h_{t-1} R
                    exp(z, z)  # exp(-z_o), exp(-z_i), exp(-z_f), exp(-2 z_c)
                    add(z, one, z)  # 1 + exp(-z)
                    recip(z, z)  # o, i, f = σ(z), and σ(2 z_c)
                    mul(g, minus_four, g)
                    add(g, two, g)  # -2 tanh(z_c) = -2 (2 σ(2 z_c) - 1)
                    mul(i_f, g_c, prod)  # -2 i tanh(z_c), f s
                    add(ig, fc, c)  # s_t = -2 c_t = f s + (-2 i tanh(z_c))
                    exp(c, h_t)  # exp(-2 c_t)
                    add(h_t, one, h_t)
                    div(two, h_t, h_t)  # 2 σ(2 c_t)
                    sub(h_t, one, h_t)  # tanh(c_t) = 2 σ(2 c_t) - 1
                    mul(h_t, o, h_t)  # h_t = o tanh(c_t)
                    h = h_t
            else:
                for x_t, h_t in zip(zs[:m], hs[:m], strict=True):
                    product(h, z)  # z = R^T h_{t-1}
                    add(z, x_t, z)  # z = x_t K + b + h_{t-1} R (o, i, f negated)
                    exp(sig, sig)  # exp(-z_o), exp(-z_i), exp(-z_f)
                    add(sig, one, sig)  # 1 + exp(-z)
                    recip(sig, sig)  # o, i, f = σ(z) = 1 / (1 + exp(-z))
                    tanh(g, g)  # candidate cell tanh(z_c)
                    mul(i_f, g_c, prod)  # i tanh(z_c), f c
                    add(ig, fc, c)  # c_t = f c + i tanh(z_c)
                    tanh(c, h_t)  # tanh(c_t)
                    mul(h_t, o, h_t)  # h_t = o tanh(c_t)
                    h = h_t
            seq[:, lo : lo + m] = hs[:m].reshape(m, u, batch).transpose(2, 0, 1)
    c_end = c.reshape(u, batch).T / scale  # c_T, from s_T = -2 c_T by exp (exact)
    return h.reshape(u, batch).T.copy(), c_end


def _recurrent_product(rk_t: np.ndarray, batch: int) -> Any:
    """Return ``(h, out) -> R^T h`` for columns ``h`` (units, batch), or rows when the batch is 1.

    With a batch of 1, ``h R`` of a 1-D row takes the fastest path of `np.dot`.
    """
    if batch == 1:
        rk = np.ascontiguousarray(rk_t.T)
        return lambda h, out: np.dot(h, rk, out)
    return lambda h, out: np.dot(rk_t, h, out)


def _step_weights(
    weights: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    dtype: np.dtype,
    batch: int,
    scale: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``K^T``, ``R^T`` and ``b`` (a column) in the gate order ``o, i, f, c``, ``o, i, f`` negated.

    The candidate's columns are multiplied by ``scale`` (1, or -2 for tanh by exp). The
    bias is (4 units, 1), to add to the columns ``K^T x_t^T`` of a batch; (4 units,)
    when the batch is 1.
    """
    k, rk, b = weights
    u = rk.shape[0]
    k_t, rk_t = np.empty((4 * u, k.shape[0]), dtype), np.empty((4 * u, u), dtype)
    for w, w_t in ((k, k_t), (rk, rk_t)):
        np.negative(w[:, 3 * u :].T, w_t[:u])  # -o
        np.negative(w[:, : 2 * u].T, w_t[u : 3 * u])  # -i, -f
        np.multiply(w[:, 2 * u : 3 * u].T, scale, w_t[3 * u :])  # c (times -2: exact)
    if b is not None:
        b = np.concatenate([-b[3 * u :], -b[: 2 * u], b[2 * u : 3 * u] * scale]).astype(dtype)
        b = b.reshape(4 * u, *([1] * (batch > 1)))
    return k_t, rk_t, b


def _in_step_order(mask: np.ndarray) -> np.ndarray:
    """Return a per-gate mask (batch, 4, n) in the forward loop's gate order ``i, f, o, c``."""
    return mask if mask.shape[1] == 1 else mask[:, [0, 1, 3, 2]]


def _steps_masked(
    xz: np.ndarray,
    seq: np.ndarray,
    state: tuple[np.ndarray, np.ndarray],
    rk: np.ndarray,
    acts: tuple[Any, Any],
    masks: _Masks,
) -> tuple[np.ndarray, np.ndarray]:
    """Run the forward loop with a mask and a recurrent dropout mask (either may be None).

    ``xz`` (batch, timesteps, 4 units) holds ``x_t K + b`` and ``rk`` the recurrent
    kernel, both in the gate order ``i, f, o, c``; each ``h_t`` is written into ``seq``.
    ``state`` is ``(h_0, c_0)`` in the step layout (see `_start`), ``acts`` the
    activation and the recurrent activation in place. A masked step carries ``h`` and
    ``c`` over. Returns the final ``(h, c)``.
    """
    (h, c), (act, gate_act) = state, acts
    batch, steps, u = seq.shape
    if masks.recurrent is None:
        recurrent, z = _gate_product(rk, 4, h.shape[:-1])
    else:  # (h_{t-1} m_g) R_g, gate-major masks in the order i, f, o, c
        m = np.broadcast_to(_in_step_order(masks.recurrent), (batch, 4, u)).transpose(1, 0, 2)
        recurrent, z = _dropped_product(rk, 4, h.shape[:-1], m)
    i, f, o, g = z
    gates, ig, c_prev = z[:3], np.empty_like(c), np.empty_like(c)
    drops = iter(_drops(masks.keep, batch, steps))  # per step: where the state is carried
    for xs, hs in _chunks(xz, seq, gates=4):
        for x_t, h_t in zip(list(xs), list(hs), strict=True):
            recurrent(h)  # z = h_{t-1} R (each gate's h_{t-1} dropped by its mask)
            np.add(z, x_t, z)  # z = x_t K + b + h_{t-1} R
            gate_act(gates, gates)  # i, f, o = σ(z_i), σ(z_f), σ(z_o)
            act(g, g)  # candidate cell act(z_c)
            np.copyto(c_prev, c)  # c_{t-1}, for a masked step
            np.multiply(f, c, c)  # f c
            np.multiply(i, g, ig)  # i act(z_c)
            np.add(c, ig, c)  # c_t = f c + i act(z_c)
            act(c, h_t)  # act(c_t)
            np.multiply(h_t, o, h_t)  # h_t = o act(c_t)
            drop = next(drops)
            np.copyto(c, c_prev, where=drop)  # a masked step keeps c_{t-1}
            np.copyto(h_t, h, where=drop)  # and h_{t-1}
            h = h_t
    return h, c


def _pair(
    name: str, pair: Any, x: np.ndarray, units: int, batched: bool
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Check an ``(h, c)`` pair of states (either may be None); None means both None."""
    if pair is None:
        return None, None
    if isinstance(pair, (tuple, list)) and len(pair) == 2:
        return (
            _state(f"{name}[0] (h)", pair[0], x, units, batched),
            _state(f"{name}[1] (c)", pair[1], x, units, batched),
        )
    raise ValueError(f"{name} must be a pair (h, c) of arrays, got {type(pair).__name__}")


def lstm_backward(
    grad_outputs: np.ndarray,
    inputs: np.ndarray,
    outputs: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray | None = None,
    *,
    activation: ActivationLike = "tanh",
    recurrent_activation: ActivationLike = "sigmoid",
    initial_state: Sequence[np.ndarray] | None = None,
    grad_final_state: Sequence[np.ndarray | None] | None = None,
    truncate: int | None = None,
    mask: np.ndarray | None = None,
    dropout_mask: np.ndarray | None = None,
    recurrent_dropout_mask: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Backpropagate through time in an LSTM: the gradients of the loss ``L``.

    The gates are recomputed from the outputs (``z = x_t K + h_{t-1} R + b``, a matrix
    product per chunk of steps), then the cells ``c_t`` in a short loop. Going back in
    time, with ``dh = dL/dh_t`` and ``dc = dL/dc_t``:
    ``dc += dh o act'(c_t)``, ``dz_o = dh act(c_t) σ'``, ``dz_i = dc act(z_c) σ'``,
    ``dz_f = dc c_{t-1} σ'``, ``dz_c = dc i act'``, then ``dL/dc_{t-1} = dc f`` and
    ``dL/dh_{t-1} = dz R^T``. The weight gradients are matrix products, chunk by chunk.
    Without masks, the one buffer as long as the sequence holds the cells (the size of
    the outputs): the rest are a chunk of steps long.

    Parameters
    ----------
    grad_outputs : ndarray of shape (batch, timesteps, units) or (batch, units)
        ``dL/dh_t`` for every output, or for the last one (``return_sequences=False``).
    inputs : ndarray of shape (batch, timesteps, features) or (timesteps, features)
    outputs : ndarray of shape (batch, timesteps, units) or (timesteps, units)
        Every output of the forward pass (`lstm_forward`, ``return_sequences=True``, with
        the same ``mask``): its ``h_t``, rebuilt from the outputs, ``mask`` and
        ``initial_state`` when there is a mask; the cells are recomputed.
    kernel : ndarray of shape (features, 4 * units)
        As in `lstm_forward`.
    recurrent_kernel : ndarray of shape (units, 4 * units)
        As in `lstm_forward`.
    bias : ndarray of shape (4 * units,) or None
        As in `lstm_forward`: the bias is needed to recompute the gates.
    activation : str or None
        As in the forward pass (``"tanh"``); ``"tanh"``, ``"sigmoid"``, ``"relu"`` or
        ``"linear"``.
    recurrent_activation : str or None
        As in the forward pass (``"sigmoid"``); the same four choices.
    initial_state : pair of ndarrays of shape (batch, units), optional
        The forward pass's ``(h_0, c_0)``; zeros by default.
    grad_final_state : pair of ndarrays of shape (batch, units) or None, optional
        ``(dL/dh_T, dL/dc_T)`` for the final states of ``return_state=True``; either
        may be None.
    truncate : int, optional
        The gradient arriving at step ``t`` flows back through at most ``truncate``
        steps, along both ``h`` and ``c`` (see `simple_rnn_backward`); ``None``: all.
    mask, dropout_mask, recurrent_dropout_mask : ndarray, optional
        The forward pass's, held fixed (see `lstm_forward`). A masked step passes
        ``dL/dh_t`` and ``dL/dc_t`` straight back to ``h_{t-1}`` and ``c_{t-1}`` and to
        nothing else; an output before the first unmasked step (a constant zero) passes
        nothing back; ``grad_final_state`` reaches the carried states.

    Returns
    -------
    grad_inputs : ndarray of shape (batch, timesteps, features) or (timesteps, features)
    grads : dict of str to ndarray
        ``"kernel"`` (features, 4 * units), ``"recurrent_kernel"`` (units, 4 * units),
        ``"bias"`` (4 * units,) and ``"initial_state"``: the pair ``(dL/dh_0, dL/dc_0)``.

    Raises
    ------
    ValueError
        If a shape does not fit, an activation's derivative is unknown, or ``truncate``
        is not a positive integer; or if the ``outputs`` are not those `lstm_forward`
        gives with these arguments, when the gradients would be wrong (another
        ``bias``, ``activation``, ``recurrent_activation``, ``initial_state``,
        ``mask`` or dropout mask, other inputs or weights): each step's
        ``h_t = o act(c_t)``, computed again from the given ``h_{t-1}``, must be the
        given ``h_t`` within rounding; the message names the first step that differs,
        by how much, and the arguments to pass alike.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.functional import lstm_backward, lstm_forward
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((2, 5, 3))
    >>> kernel = rng.standard_normal((3, 16)) / 2
    >>> recurrent_kernel = rng.standard_normal((4, 16)) / 2
    >>> bias = np.zeros(16)
    >>> outputs = lstm_forward(x, kernel, recurrent_kernel, bias)
    >>> r = rng.standard_normal(outputs.shape)      # the loss L = sum(outputs * r)
    >>> grad_x, grads = lstm_backward(r, x, outputs, kernel, recurrent_kernel, bias)
    >>> grad_x.shape, grads["kernel"].shape, [g.shape for g in grads["initial_state"]]
    ((2, 5, 3), (3, 16), [(2, 4), (2, 4)])
    >>> def loss(b):
    ...     return float(np.sum(lstm_forward(x, kernel, recurrent_kernel, b) * r))
    >>> step = np.zeros(16)
    >>> step[5] = 1e-6                              # the forget gate of unit 1
    >>> numeric = (loss(bias + step) - loss(bias - step)) / 2e-6
    >>> bool(abs(numeric - grads["bias"][5]) < 1e-8)
    True

    Outputs of a forward pass with other arguments are refused, their gradients would
    be wrong:

    >>> lstm_backward(r, x, outputs, kernel, recurrent_kernel, bias, activation="relu")
    Traceback (most recent call last):
    ...
    ValueError: The `outputs` given to lstm_backward do not match a forward pass with ...
    """
    x, batched = _inputs(inputs)
    k, rk, units = _weights(x, kernel, recurrent_kernel, 4)
    b = _bias(bias, (4 * units,), k)
    h = _sequence("outputs", outputs, x, units, batched)
    h0, c0 = _pair("initial_state", initial_state, x, units, batched)
    g_seq, g_last = _grad_outputs(grad_outputs, x, units, batched)
    gh_end, gc_end = _pair("grad_final_state", grad_final_state, x, units, batched)
    acts = _Acts.of(activation, recurrent_activation)
    window = _truncation(truncate)
    dtype = _dtype(x, k, rk, b, h, h0, c0, g_seq, g_last, gh_end, gc_end)

    masks = _masks(x, units, 4, batched, mask, dropout_mask, recurrent_dropout_mask).cast(dtype)
    g_seq, g_last = _arriving(g_seq, g_last, masks.keep)
    g = None if g_seq is None else g_seq.swapaxes(0, 1)
    arrive = _Arrivals(g, g_last, gh_end, gc_end, window)
    k, rk = k.astype(dtype, copy=False), rk.astype(dtype, copy=False)
    b = None if b is None else b.astype(dtype, copy=False)
    drops = (masks.inputs, masks.recurrent)
    check = _consistency.Mismatch(
        "lstm",
        h,
        masks.keep,
        lambda: _consistency.tolerances(
            x, _carried(h, masks.keep, h0, dtype), h0, (k, rk, b), drops, dtype
        ),
        dtype,
        batched,
    )
    if x.shape[0] == 0:  # an empty batch: no gradient flows
        return _empty_batch_grads(x, k, rk, b, batched)
    if masks.steps or masks.inputs is not None:
        return _backward_masked(x, h, (h0, c0), (k, rk, b), acts, arrive, masks, batched, check)
    grad_x, grads, (dh0, dc0) = _backward_chunked(
        x,
        h,
        (h0, c0),
        (k, rk, b),
        _Recompute.of(acts, activation, recurrent_activation),
        arrive,
        check,
    )
    check.check()  # the outputs differ from those the arguments give: the gradients too
    grads["initial_state"] = (dh0, dc0) if batched else (dh0[0], dc0[0])
    return (grad_x if batched else grad_x[0]), grads


def _empty_batch_grads(
    x: np.ndarray, k: np.ndarray, rk: np.ndarray, b: np.ndarray | None, batched: bool
) -> tuple[np.ndarray, dict[str, Any]]:
    """Zero gradients, as `lstm_backward` returns them, for a batch of no sequence."""
    grads: dict[str, Any] = {"kernel": np.zeros_like(k), "recurrent_kernel": np.zeros_like(rk)}
    if b is not None:
        grads["bias"] = np.zeros_like(b)
    state = np.zeros((0, rk.shape[0]), k.dtype)
    grads["initial_state"] = (state, state.copy())
    return np.zeros(x.shape, k.dtype), grads


def _backward_masked(
    x: np.ndarray,
    h: np.ndarray,
    state: tuple[np.ndarray | None, np.ndarray | None],
    weights: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    acts: _Acts,
    arrive: _Arrivals,
    masks: _Masks,
    batched: bool,
    check: _consistency.Mismatch,
) -> tuple[np.ndarray, dict[str, Any]]:
    """`lstm_backward` with a mask or dropout masks: whole-sequence buffers, one loop.

    ``check`` compares each step's ``h_t = o act(c_t)`` with the given outputs.
    """
    (h0, c0), (k, rk, b) = state, weights
    dtype = k.dtype
    steps, batch, units = x.shape[1], x.shape[0], rk.shape[0]
    # the forward pass again, without its loop: every gate of every step at once
    hs = _history(_carried(h, masks.keep, h0, dtype), h0, dtype)  # h_0 ... h_T, time-major
    xs = np.ascontiguousarray(x.swapaxes(0, 1), dtype)  # x_1 ... x_T, time-major
    z = _gate_dot(xs, k, masks.inputs) + _gate_dot(hs[:-1], rk, masks.recurrent)  # x K + h R
    if b is not None:
        z += b  # + b
    z = z.reshape(steps, batch, 4, units)
    pre = z.copy() if acts.needs_inputs else None  # gelu, silu: their derivative needs z
    _activate_gates(z, acts)  # z becomes i, f, act(z_c), o
    if masks.keep is not None:
        _hold(z, masks.keep)  # masked steps: i = 0, f = 1, o = 0
    cs, tc = _cells(z, c0, acts)  # c_0 ... c_T, and act(c_1) ... act(c_T)
    check.compare(0, z[:, :, 3] * tc, scratch=True)  # h_t = o act(c_t): the outputs given?
    check.check()
    coef, to_cell = _coefficients(z, cs, tc, acts, pre)
    dz, dh0, dc0 = _back_masked(coef, to_cell, z[:, :, 1], rk, arrive, masks)
    dz = dz.reshape(steps, batch, 4 * units)
    grads = {
        "kernel": _gate_grad(xs, dz, masks.inputs),  # sum_t (x_t m)^T dz_t
        "recurrent_kernel": _gate_grad(hs[:-1], dz, masks.recurrent),  # sum h_{t-1}^T dz_t
        "bias": _flat(dz).sum(axis=0),  # sum_t dz_t
        "initial_state": (dh0, dc0) if batched else (dh0[0], dc0[0]),
    }
    grad_x = _gate_back(dz, k, masks.inputs)  # (dz_t K^T) m
    return _batch_major(grad_x, batched), grads


# the gates of every step are kept from the first pass to the second when they take at
# most this many bytes; longer sequences recompute them chunk by chunk instead
_KEEP_BYTES = 1 << 27


class _Recompute(NamedTuple):
    """How the backward pass recomputes the gates: Keras's defaults fast, any other generally.

    ``acts`` are the activations; ``fast`` is True for ``tanh`` and ``sigmoid``: then
    the kernels' columns are multiplied by ``-1, -1, -2, -1`` per gate ``i, f, c, o``
    (exact: powers of two), so that one ``1 / (1 + exp(.))`` over every gate gives ``σ``
    of ``z_i``, ``z_f``, ``z_o`` and ``σ(2 z_c)``, and ``tanh(z_c) = 2 σ(2 z_c) - 1``.
    """

    acts: _Acts
    fast: bool

    @classmethod
    def of(
        cls, acts: _Acts, activation: ActivationLike, recurrent_activation: ActivationLike
    ) -> _Recompute:
        """Choose the fast route for ``tanh`` and ``sigmoid``."""
        return cls(acts, _is_default(activation, recurrent_activation))

    def weights(
        self, weights: tuple[np.ndarray, np.ndarray, np.ndarray | None]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Return ``K``, ``R`` and ``b`` as the products need them (scaled on the fast route)."""
        if not self.fast:
            return weights
        k, rk, b = weights
        u = rk.shape[0]
        sign = np.repeat(np.array([-1, -1, -2, -1], k.dtype), u)  # exact: powers of two
        return k * sign, rk * sign, None if b is None else b * sign

    def activate(self, z: np.ndarray) -> np.ndarray | None:
        """Turn ``z`` (steps, batch, 4, units) into ``i, f, act(z_c), o`` in place.

        Returns the pre-activations when a derivative is read from them (gelu, silu).
        """
        if not self.fast:
            pre = z.copy() if self.acts.needs_inputs else None
            _activate_gates(z, self.acts)
            return pre
        with np.errstate(over="ignore"):  # exp overflows to inf for z << 0: σ = 0, exact
            np.exp(z, z)  # exp(-z), exp(-2 z_c)
        np.add(z, 1, z)
        np.reciprocal(z, z)  # σ(z_i), σ(z_f), σ(2 z_c), σ(z_o)
        g = z[:, :, 2]
        np.multiply(g, 2, g)
        np.subtract(g, 1, g)  # tanh(z_c) = 2 σ(2 z_c) - 1
        return None

    def coefficients(
        self,
        gates: np.ndarray,
        cs: np.ndarray,
        pre: np.ndarray | None,
        out: tuple[np.ndarray, np.ndarray, np.ndarray],
    ) -> None:
        """Write `_coefficients` of a chunk into ``out = (coef, to_cell, tc)`` buffers.

        ``gates`` (steps, batch, 4, units) are ``i, f, act(z_c), o``, ``cs`` (steps + 1,
        batch, units) the cells ``c_{t-1}`` and ``c_t``, ``pre`` as from `activate`.
        """
        coef, to_cell, tc = out
        if not self.fast:
            self.acts.act(cs[1:], tc)  # act(c_t)
            c, t = _coefficients(gates, cs, tc, self.acts, pre)
            coef[...], to_cell[...] = c, t
            return
        i, g, o = gates[:, :, 0], gates[:, :, 2], gates[:, :, 3]
        if _tanh_by_exp(tc.dtype, tc.size):
            with np.errstate(over="ignore"):  # exp(-2 c) overflows to inf: tanh = -1, exact
                np.multiply(cs[1:], -2, tc)  # -2 c_t
                _tanh_of_scaled(tc, tc)  # tanh(c_t)
        else:
            np.tanh(cs[1:], tc)  # tanh(c_t)
        np.subtract(1, gates, coef)  # 1 - σ
        np.multiply(coef, gates, coef)  # σ' = σ (1 - σ) of i, f, o (the c slot: overwritten)
        coef[:, :, 0] *= g  # dz_i = dc tanh(z_c) σ'(z_i)
        coef[:, :, 1] *= cs[:-1]  # dz_f = dc c_{t-1} σ'(z_f)
        coef[:, :, 3] *= tc  # dz_o = dh tanh(c_t) σ'(z_o)
        dc = coef[:, :, 2]
        np.multiply(g, g, dc)
        np.subtract(1, dc, dc)
        np.multiply(dc, i, dc)  # dz_c = dc i (1 - tanh^2(z_c))
        np.multiply(tc, tc, to_cell)
        np.subtract(1, to_cell, to_cell)
        np.multiply(to_cell, o, to_cell)  # dc += dh o (1 - tanh^2(c_t))


def _backward_chunked(
    x: np.ndarray,
    h: np.ndarray,
    state: tuple[np.ndarray | None, np.ndarray | None],
    weights: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    how: _Recompute,
    arrive: _Arrivals,
    check: _consistency.Mismatch,
) -> tuple[np.ndarray, dict[str, Any], tuple[np.ndarray, np.ndarray]]:
    """`lstm_backward` without masks, in chunks of steps with small time-major buffers.

    A first pass forward in time recomputes the gates chunk by chunk and from them the
    cells ``c_0 ... c_T`` (the one whole-sequence buffer, the size of the outputs); a
    second pass backward in time recomputes each chunk's gates (or reads them, when all
    of them take at most ``_KEEP_BYTES``), its coefficients, walks back through it and
    adds its share of the gradients.

    Parameters
    ----------
    x : ndarray of shape (batch, timesteps, features)
    h : ndarray of shape (batch, timesteps, units)
        Every ``h_t``.
    state : pair of ndarray of shape (batch, units) or None
        ``(h_0, c_0)``.
    weights : tuple of ndarray
        ``K``, ``R``, ``b`` (or None), in the dtype computed in.
    how : _Recompute
        The activations and the route.
    arrive : _Arrivals
        The gradients arriving from outside.
    check : _consistency.Mismatch
        Compares each chunk's ``h_t = o act(c_t)`` with the given outputs.

    Returns
    -------
    grad_x : ndarray of shape (batch, timesteps, features)
    grads : dict of str to ndarray
        ``"kernel"``, ``"recurrent_kernel"`` and ``"bias"``.
    (dh0, dc0) : pair of ndarray of shape (batch, units)
    """
    (h0, c0), (k, rk, _) = state, weights
    batch, steps, features = x.shape
    u, dtype = rk.shape[0], k.dtype
    ks, rks, bs = how.weights(weights)
    n = _steps_per_chunk(steps, batch, 4 * u * arrive.slots)
    keep = steps * batch * 4 * u * dtype.itemsize <= _KEEP_BYTES
    gates = np.empty((steps if keep else n, batch, 4, u), dtype)
    pres = None
    w = np.concatenate([ks, rks])  # [K; R]: one product of [x_t, h_{t-1}] per chunk
    xh = np.empty((n, batch, features + u), dtype)  # a chunk's x_t and h_{t-1}, side by side
    xs, hs = xh[..., :features], xh[..., features:]
    cs = np.empty((steps + 1, batch, u), dtype)  # c_0 ... c_T
    cs[0] = 0 if c0 is None else c0

    def load(lo: int, hi: int) -> None:
        """Copy the chunk's inputs and ``h_{t-1}`` into ``xs`` and ``hs``, time-major."""
        m = hi - lo
        xs[:m] = x[:, lo:hi].swapaxes(0, 1)  # x_t
        hs[1:m] = h[:, lo : hi - 1].swapaxes(0, 1)  # h_{t-1}
        hs[0] = h[:, lo - 1] if lo else (0 if h0 is None else h0)

    def recompute(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Return the chunk's gates ``i, f, act(z_c), o``, and its pre-activations if needed."""
        m = hi - lo
        z = gates[lo:hi] if keep else gates[:m]
        flat = z.reshape(m * batch, 4 * u)
        np.dot(_flat(xh[:m]), w, flat)  # x_t K + h_{t-1} R
        if bs is not None:
            flat += bs  # + b
        return z, how.activate(z)

    chunks = [(lo, min(lo + n, steps)) for lo in range(0, steps, n)]
    for lo, hi in chunks:  # forward in time: the cells
        load(lo, hi)
        z, _ = recompute(lo, hi)
        ig = z[:, :, 0] * z[:, :, 2]  # i act(z_c)
        c_rows = list(cs[lo : hi + 1])
        for t, (f_t, ig_t) in enumerate(zip(list(z[:, :, 1]), list(ig), strict=True)):
            np.multiply(f_t, c_rows[t], c_rows[t + 1])  # f c_{t-1}
            np.add(c_rows[t + 1], ig_t, c_rows[t + 1])  # c_t = f c_{t-1} + i act(z_c)

    grad_w = np.zeros((features + u, 4 * u), dtype)  # dL/d[K; R]
    grad_b = np.zeros(4 * u, dtype)
    grad_x = np.empty((batch, steps, features), dtype)
    dx = np.empty((n, batch, features), dtype)  # a chunk's dL/dx_t
    walk = _Walk.empty(arrive, n, batch, u, rk)
    coef, to_cell, tc = (np.empty((n, batch, *shape), dtype) for shape in ((4, u), (u,), (u,)))
    rec = np.empty_like(tc)  # each chunk's h_t computed again, to check the outputs
    for lo, hi in reversed(chunks):  # backward in time
        m = hi - lo
        load(lo, hi)
        if keep and not how.acts.needs_inputs:
            z = gates[lo:hi]
        else:
            z, pres = recompute(lo, hi)
        how.coefficients(z, cs[lo : hi + 1], pres, (coef[:m], to_cell[:m], tc[:m]))
        np.multiply(z[:, :, 3], tc[:m], rec[:m])  # h_t = o act(c_t), again
        check.compare(lo, rec[:m], scratch=True)
        dz = walk.back(coef[:m], to_cell[:m], z[:, :, 1], lo, steps)  # (m, batch, 4 u)
        rows = _flat(dz)
        grad_w += _flat(xh[:m]).T @ rows  # dL/dK, dL/dR += sum_t [x_t, h_{t-1}]^T dz_t
        grad_b += rows.sum(axis=0)  # dL/db += sum_t dz_t
        np.dot(rows, k.T, _flat(dx[:m]))  # dL/dx_t = dz_t K^T
        grad_x[:, lo:hi] = dx[:m].swapaxes(0, 1)
    grads = {"kernel": grad_w[:features], "recurrent_kernel": grad_w[features:], "bias": grad_b}
    return grad_x, grads, walk.initial()


class _Arrivals(NamedTuple):
    """The gradients arriving from outside, and how each enters the walk back in time.

    ``g`` (timesteps, batch, units) or None holds every output's ``dL/dh_t``; ``g_last``,
    ``gh_end`` and ``gc_end`` (batch, units) or None those of the last output and of the
    final states ``h_T`` and ``c_T``. Without truncation one slot carries every gradient;
    with ``window`` steps, output ``t`` takes slot ``t % window`` from output
    ``t + window``, whose gradient has then gone back ``window`` steps and stops, along
    both ``h`` and ``c``: the one place where truncation happens.
    """

    g: np.ndarray | None
    g_last: np.ndarray | None
    gh_end: np.ndarray | None
    gc_end: np.ndarray | None
    window: int | None

    @property
    def slots(self) -> int:
        """Return how many gradients travel back side by side: 1, or ``window``."""
        return 1 if self.window is None else self.window

    def enter(self, dh: np.ndarray, dc: np.ndarray, t: int, steps: int) -> None:
        """Add what arrives at step ``t`` to its slot of ``dh`` and ``dc``.

        Parameters
        ----------
        dh, dc : ndarray of shape (slots, batch, units)
            ``dL/dh_t`` and ``dL/dc_t``, one row per slot, updated in place.
        t : int
            The step, counted from 0.
        steps : int
            The number of timesteps: the final states' gradients enter at the last.
        """
        s = 0 if self.window is None else t % self.window
        if self.window is not None:
            dh[s], dc[s] = 0, 0  # output t takes the slot of one `window` steps older
        if self.g is not None:
            dh[s] += self.g[t]  # dL/dh_t from output t
        if t == steps - 1:
            for grad, into in ((self.g_last, dh), (self.gh_end, dh), (self.gc_end, dc)):
                if grad is not None:
                    into[s] += grad  # the last output and the final states


def _activate_gates(z: np.ndarray, acts: _Acts) -> None:
    """Apply the activations to the pre-activations ``z`` of every step, in place.

    Parameters
    ----------
    z : ndarray of shape (timesteps, batch, 4, units)
        ``x_t K + h_{t-1} R + b`` per gate ``i, f, c, o``; becomes ``i, f, act(z_c), o``.
    acts : _Acts
        The activation (for the candidate) and the recurrent activation (for the gates).
    """
    i, f, cand, o = (z[:, :, n] for n in range(4))  # views: each (timesteps, batch, units)
    for gate in (i, f, o):
        acts.gate_act(gate, gate)  # i, f, o = σ(z_i), σ(z_f), σ(z_o)
    acts.act(cand, cand)  # the candidate act(z_c)


def _cells(gates: np.ndarray, c0: np.ndarray | None, acts: _Acts) -> tuple[np.ndarray, np.ndarray]:
    """Recompute the cells from the gates: the one short loop of the backward pass.

    Parameters
    ----------
    gates : ndarray of shape (timesteps, batch, 4, units)
        ``i, f, act(z_c), o`` of every step (see `_activate_gates`).
    c0 : ndarray of shape (batch, units) or None
        The initial cell; zeros when None.
    acts : _Acts
        The activation applied to the cells.

    Returns
    -------
    cs : ndarray of shape (timesteps + 1, batch, units)
        ``c_0 ... c_T``.
    tc : ndarray of shape (timesteps, batch, units)
        ``act(c_1) ... act(c_T)``.
    """
    steps, batch, _, u = gates.shape
    i, f, cand = gates[:, :, 0], gates[:, :, 1], gates[:, :, 2]
    cs = np.empty((steps + 1, batch, u), gates.dtype)  # c_0 ... c_T
    cs[0] = 0 if c0 is None else c0
    ic = i * cand
    for t in range(steps):
        np.multiply(f[t], cs[t], cs[t + 1])  # f c_{t-1}
        cs[t + 1] += ic[t]  # c_t = f c_{t-1} + i act(z_c)
    tc = np.empty_like(cs[1:])
    acts.act(cs[1:], tc)  # act(c_t)
    return cs, tc


def _coefficients(
    gates: np.ndarray,
    cs: np.ndarray,
    tc: np.ndarray,
    acts: _Acts,
    pre: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return what each step's gradients get multiplied by, for every step at once.

    Parameters
    ----------
    gates : ndarray of shape (timesteps, batch, 4, units)
        ``i, f, act(z_c), o`` of every step.
    cs : ndarray of shape (timesteps + 1, batch, units)
        ``c_0 ... c_T``.
    tc : ndarray of shape (timesteps, batch, units)
        ``act(c_1) ... act(c_T)``.
    acts : _Acts
        The derivatives of the two activations, read from their outputs (or inputs).
    pre : ndarray of shape (timesteps, batch, 4, units), optional
        The pre-activations ``z_i, z_f, z_c, z_o``, kept when a derivative is read from
        its input (``gelu``, ``silu``); the cell's is ``c_t``.

    Returns
    -------
    coef : ndarray of shape (timesteps, batch, 4, units)
        ``dz_i, dz_f, dz_c`` per unit of ``dL/dc_t``, and ``dz_o`` per unit of ``dL/dh_t``.
    to_cell : ndarray of shape (timesteps, batch, units)
        ``dL/dc_t`` per unit of ``dL/dh_t``: ``o act'(c_t)``.
    """
    i, f, cand, o = (gates[:, :, n] for n in range(4))
    z = [None if pre is None else pre[:, :, n] for n in range(4)]
    coef = np.empty_like(gates)
    coef[:, :, 0] = cand * acts.gate_slope(i, z[0])  # dz_i = dc act(z_c) σ'(z_i)
    coef[:, :, 1] = cs[:-1] * acts.gate_slope(f, z[1])  # dz_f = dc c_{t-1} σ'(z_f)
    coef[:, :, 2] = i * acts.act_slope(cand, z[2])  # dz_c = dc i act'(z_c)
    coef[:, :, 3] = tc * acts.gate_slope(o, z[3])  # dz_o = dh act(c_t) σ'(z_o)
    to_cell = o * acts.act_slope(tc, cs[1:])  # dc += dh o act'(c_t)
    return coef, to_cell


class _Walk(NamedTuple):
    """The walk back through time, chunk by chunk: ``dL/dh`` and ``dL/dc`` carried between.

    ``dh`` and ``dc`` (slots, batch, units) hold ``dL/dh_t`` and ``dL/dc_t``, each output's
    in its slot (see `_Arrivals`); ``dz`` (n, batch, 4 units) receives a chunk's
    ``dL/dz_t``, ``slots`` (slots, batch, 4, units) one step's per slot when truncating.
    """

    arrive: _Arrivals
    dh: np.ndarray
    dc: np.ndarray
    tmp: np.ndarray
    dz: np.ndarray
    slots: np.ndarray
    rk_t: np.ndarray

    @classmethod
    def empty(cls, arrive: _Arrivals, n: int, batch: int, units: int, rk: np.ndarray) -> _Walk:
        """Allocate the buffers for chunks of at most ``n`` steps; ``rk`` is ``R``."""
        dh = np.zeros((arrive.slots, batch, units), rk.dtype)
        dz = np.empty((n, batch, 4, units), rk.dtype)
        slots = np.empty((arrive.slots, batch, 4, units), rk.dtype)
        rk_t = np.ascontiguousarray(rk.T)
        return cls(arrive, dh, np.zeros_like(dh), np.empty_like(dh), dz, slots, rk_t)

    def back(
        self, coef: np.ndarray, to_cell: np.ndarray, f: np.ndarray, lo: int, steps: int
    ) -> np.ndarray:
        """BPTT through one chunk: per step, element-wise maths and one product with ``R^T``.

        Parameters
        ----------
        coef, to_cell : ndarray
            The chunk's, as returned by `_coefficients`.
        f : ndarray of shape (chunk steps, batch, units)
            The forget gate of every step of the chunk.
        lo : int
            The chunk's first step.
        steps : int
            The number of timesteps.

        Returns
        -------
        ndarray of shape (chunk steps, batch, 4 units)
            ``dL/dz_t`` per gate ``i, f, c, o`` (a view of a buffer reused by the next chunk).
        """
        dh, dc, tmp, rk_t = self.dh, self.dc, self.tmp, self.rk_t
        m = coef.shape[0]
        dz = self.dz[:m]
        if self.arrive.window is None:
            self._back_full(coef, to_cell, f, lo, steps)
            return dz.reshape(m, dz.shape[1], -1)
        truncated = True
        dz_slots = self.slots
        mul, add, dot = np.multiply, np.add, np.dot
        flat_dh = _flat(dh)
        for t in reversed(range(m)):
            self.arrive.enter(dh, dc, lo + t, steps)
            if not truncated:
                dz_slots = dz[t : t + 1]  # one slot: write straight into dz
            mul(dh, to_cell[t], tmp)
            add(dc, tmp, dc)  # dc_t += dh_t o act'(c_t)
            mul(dc[:, :, None], coef[t, :, :3], dz_slots[:, :, :3])  # dz_i, dz_f, dz_c
            mul(dh, coef[t, :, 3], dz_slots[:, :, 3])  # dz_o
            mul(dc, f[t], dc)  # dL/dc_{t-1} = dc_t f_t
            dot(dz_slots.reshape(-1, rk_t.shape[0]), rk_t, flat_dh)  # dL/dh_{t-1} = dz_t R^T
            if truncated:
                dz_slots.sum(axis=0, out=dz[t])  # every output's dz_t together
        return dz.reshape(m, dz.shape[1], -1)

    def _back_full(
        self, coef: np.ndarray, to_cell: np.ndarray, f: np.ndarray, lo: int, steps: int
    ) -> None:
        """`back` without truncation: one slot, every step's views made once per chunk."""
        m, arrive = coef.shape[0], self.arrive
        dh, dc, tmp, rk_t = self.dh[0], self.dc[0], self.tmp[0], self.rk_t
        if lo + m == steps:  # the last output and the final states enter first
            for grad, into in ((arrive.g_last, dh), (arrive.gh_end, dh), (arrive.gc_end, dc)):
                if grad is not None:
                    into += grad
        dz = self.dz[:m]
        g = arrive.g
        parts = [to_cell, coef[:, :, :3], coef[:, :, 3], f, dz[:, :, :3], dz[:, :, 3]]
        parts += [dz.reshape(m, dz.shape[1], -1), dh, dc, tmp]
        if dh.shape[0] == 1:  # one sequence: rows without the batch axis, the fastest calls
            parts = [a[:, 0] for a in parts[:7]] + [a[0] for a in parts[7:]]
            g = None if g is None else g[:, 0]
        dh, dc, tmp = parts[7:]
        g_rows = [None] * m if g is None else list(g[lo : lo + m])
        rows = zip(g_rows, *(list(a) for a in parts[:7]), strict=True)
        dc3 = dc[..., np.newaxis, :]  # dc for each of the gates i, f, c
        mul, add, dot = np.multiply, np.add, np.dot
        for g_t, tc_t, ifc_t, o_t, f_t, dz_ifc, dz_o, dz_t in reversed(list(rows)):
            if g_t is not None:
                add(dh, g_t, dh)  # dL/dh_t from output t
            mul(dh, tc_t, tmp)
            add(dc, tmp, dc)  # dc_t += dh_t o act'(c_t)
            mul(dc3, ifc_t, dz_ifc)  # dz_i, dz_f, dz_c
            mul(dh, o_t, dz_o)  # dz_o
            mul(dc, f_t, dc)  # dL/dc_{t-1} = dc_t f_t
            dot(dz_t, rk_t, dh)  # dL/dh_{t-1} = dz_t R^T

    def initial(self) -> tuple[np.ndarray, np.ndarray]:
        """``dL/dh_0`` and ``dL/dc_0`` (batch, units), once every chunk has been walked."""
        return self.dh.sum(axis=0), self.dc.sum(axis=0)


def _hold(gates: np.ndarray, keep: np.ndarray) -> None:
    """Make every masked step carry its cell over: ``i = 0``, ``f = 1``, ``o = 0``.

    ``gates`` (timesteps, batch, 4, units) are ``i, f, act(z_c), o`` (see
    `_activate_gates`), ``keep`` (batch, timesteps) the mask. Then ``c_t = 1 c_{t-1} + 0``
    exactly, and ``dL/dc_{t-1} = dL/dc_t f`` passes straight back.
    """
    drop = ~keep.T  # (timesteps, batch)
    gates[drop, 0] = 0  # i
    gates[drop, 1] = 1  # f
    gates[drop, 3] = 0  # o


def _back_masked(
    coef: np.ndarray,
    to_cell: np.ndarray,
    f: np.ndarray,
    rk: np.ndarray,
    arrive: _Arrivals,
    masks: _Masks,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_back_through_time` with a mask and a recurrent dropout mask (either may be None).

    A masked step (its ``f`` is 1, see `_hold`) computes no ``dL/dz_t`` and passes
    ``dL/dh_t`` and ``dL/dc_t`` straight back; ``dL/dh_{t-1}`` of the others is
    ``sum_g (dz_g R_g^T) m_g``. Returns ``dL/dz_t`` (timesteps, batch, 4, units),
    ``dL/dh_0`` and ``dL/dc_0``.
    """
    steps, batch, _, u = coef.shape
    keep = np.ones((steps, batch), bool) if masks.keep is None else masks.keep.T
    coef = coef * keep[..., np.newaxis, np.newaxis]  # masked steps: no dL/dz_t
    to_cell = to_cell * keep[..., np.newaxis]  # nor dL/dc_t from dL/dh_t
    carry = (~keep[..., np.newaxis]).astype(coef.dtype)  # 1 where dL/dh_t passes back
    dh = np.zeros((arrive.slots, batch, u), coef.dtype)  # dL/dh_t, each output in its slot
    dc = np.zeros_like(dh)  # dL/dc_t
    dz = np.empty((steps, batch, 4, u), coef.dtype)  # dL/dz_t
    dz_slots = np.empty((arrive.slots, batch, 4, u), coef.dtype)
    for t in reversed(range(steps)):
        arrive.enter(dh, dc, t, steps)
        dc += dh * to_cell[t]  # dc_t += dh_t o act'(c_t)
        np.multiply(dc[:, :, np.newaxis], coef[t, :, :3], dz_slots[:, :, :3])  # dz_i, _f, _c
        np.multiply(dh, coef[t, :, 3], dz_slots[:, :, 3])  # dz_o
        dc *= f[t]  # dL/dc_{t-1} = dc_t f_t
        dh *= carry[t]  # a masked step passes dL/dh_t straight back
        dh += _gate_back(dz_slots.reshape(-1, batch, 4 * u), rk, masks.recurrent)  # dz R^T m
        dz_slots.sum(axis=0, out=dz[t])  # every output's dz_t together
    return dz, dh.sum(axis=0), dc.sum(axis=0)
