"""The GRU (Keras gate order ``z, r, h``), forward and backward.

Both ``reset_after`` variants: the reset gate after the recurrent product (Keras 3,
cuDNN) or before it (Keras 2).
"""

from __future__ import annotations

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
    _one_state,
    _sequence,
    _state,
    _truncation,
    _weights,
)
from rnn.functional._steps import (
    ActivationLike,
    _Acts,
    _Arrivals,
    _arriving,
    _back_product,
    _carried,
    _chunks,
    _dropped_product,
    _drops,
    _flat,
    _gate_back,
    _gate_dot,
    _gate_grad,
    _gate_product,
    _last,
    _outputs,
    _project,
    _project_dropped,
    _start,
    _tanh_of_scaled,
)

__all__ = ["gru_backward", "gru_forward"]


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
    mask: np.ndarray | None = None,
    dropout_mask: np.ndarray | None = None,
    recurrent_dropout_mask: np.ndarray | None = None,
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
    activation : str, callable or None
        For the candidate state (``"tanh"``).
    recurrent_activation : str, callable or None
        For the gates (``"sigmoid"``).
    reset_after : bool
        Apply the reset gate after the recurrent product (default, as Keras 3 and cuDNN).
    initial_state : ndarray of shape (batch, units) or (units,), optional
        ``h_0``; zeros by default. A list of one such array (as Keras passes states) is
        taken too.
    return_sequences : bool
        Return every ``h_t`` (default) or only the last one.
    return_state : bool
        Also return the final ``h_T``, (batch, units) or (units,).
    mask : ndarray of shape (batch, timesteps) or (timesteps,), optional
        Bool or 0/1 (see `simple_rnn_forward`): a masked step carries ``h`` over and
        repeats the previous output (zeros before the first unmasked step); the final
        state is the carried one.
    dropout_mask : ndarray of shape (batch, features) or (batch, 3, features), optional
        Multiplies ``x_t`` before the input product at every step: one mask for every
        gate, or one per gate ``z, r, h`` (Keras's ``implementation=1``). Unbatched:
        without the batch axis. Cast to the dtype computed in.
    recurrent_dropout_mask : ndarray of shape (batch, 3, units) or (batch, units), optional
        Multiplies ``h_{t-1}`` before each gate's block of the recurrent kernel, one per
        gate ``z, r, h`` (Keras's ``implementation=1``) or one for all. The candidate
        gets ``r ((h m_h) R_h + b_rec_h)`` with ``reset_after``, else ``(r (h m_h)) R_h``.

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
    h0 = _one_state(initial_state, x, units, batched)
    acts = activations.in_place(activation), activations.in_place(recurrent_activation)
    dtype = _dtype(x, k, rk, b, h0)
    masks = _masks(x, units, 3, batched, mask, dropout_mask, recurrent_dropout_mask).cast(dtype)
    batch, u = x.shape[0], units

    if reset_after and not masks.steps and activations.get(recurrent_activation) is _SIGMOID:
        # the common case (Keras 3's defaults): the fused loop, in chunks of time
        seq = np.empty((batch, x.shape[1], u), dtype)
        h = _start(h0, batch, u, dtype).reshape(batch, u)
        # tanh by exp: NumPy's float64 tanh is scalar code (its float32 one is faster); by
        # exp pays for its three extra calls per step from a thousand values on
        by_exp = activations.get(activation) is _TANH and dtype == np.float64 and batch * u >= 1024
        act = None if by_exp else acts[0]
        h = _fused_steps(x, (k, rk, b), h, seq, act, masks.inputs)
        out = _outputs(seq, None, batched, return_sequences)
        final = _last(h, batch, batched)
        return (out, final) if return_state else out

    b_in, b_hh = (b, None) if b is None or not reset_after else (b[0], b[1, 2 * u :])
    if b is not None and reset_after:
        # the recurrent biases of z and r are plain sums: fold them into the input bias
        b_in = b[0] + np.concatenate([b[1, : 2 * u], np.zeros(u, b.dtype)])
    if masks.inputs is None:
        xw = _project(x, k, b_in, dtype)
    else:
        xw = _project_dropped(x, k, b_in, dtype, masks.inputs)  # (x_t m_g) K_g + b_g
    rk = rk.astype(dtype, copy=False)
    seq = np.empty((batch, x.shape[1], u), dtype)
    h = _start(h0, batch, u, dtype)
    b_hh = None if b_hh is None else b_hh.astype(dtype)
    if masks.steps:  # a mask or a recurrent dropout: the loop with them
        h = _steps_masked(xw, seq, h, (rk, b_hh), acts, reset_after, masks)
    else:
        h = _steps(xw, seq, h, (rk, b_hh), acts, reset_after)
    final = _last(h, batch, batched)
    out = _outputs(seq, masks.keep, batched, return_sequences)
    return (out, final) if return_state else out


_SIGMOID, _TANH = activations.get("sigmoid"), activations.get("tanh")


# elements in the forward pass's chunk of x_t K, (3, steps, batch, units): ~1 MB in float32
_FORWARD_ELEMENTS = 1 << 18


def _tanh_by_exp(a: np.ndarray, out: np.ndarray) -> None:
    """``out = tanh(a)`` by `_tanh_of_scaled`."""
    np.multiply(a, -2, out)
    _tanh_of_scaled(out, out)


def _fused_steps(
    x: np.ndarray,
    weights: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    h: np.ndarray,
    seq: np.ndarray,
    act: Any,
    dropout: np.ndarray | None,
) -> np.ndarray:
    """Run the forward loop of a GRU with sigmoid gates and ``reset_after``, no mask.

    ``x`` (batch, timesteps, features), ``weights`` the kernel, the recurrent kernel
    and the bias (2, 3 units) or None, ``h`` (batch, units) ``h_0`` in the dtype computed
    in, ``seq`` (batch, timesteps, units) receives every ``h_t``, ``act`` the candidate's
    activation in place (None for tanh, computed by `_tanh_of_scaled` from the
    candidate's weights times -2), ``dropout`` the input dropout mask (batch, 1 or 3,
    features). Returns ``h_T``.

    ``x_t K + b`` is computed a chunk of steps at a time, gate-major. The weights of
    ``z`` and ``r`` are negated (exactly), so that ``σ(a) = 1 / (1 + exp(-a))`` needs
    no negation, and dividing by ``1 + exp(-a)`` multiplies by the gate. Per step:
    one product and ten element-wise calls (nine without a bias; tanh by exp counts as
    four).
    """
    (k, rk, b), (batch, steps, features), u = weights, x.shape, h.shape[1]
    dtype = h.dtype
    sign = np.ones(3 * u, dtype)
    sign[: 2 * u] = -1  # -a for z and r, +a for the candidate
    if act is None:
        sign[2 * u :] = -2  # -2 a for the candidate: tanh(a) = 2 / (1 + exp(-2 a)) - 1
        act = _tanh_of_scaled
    # the bias rides along as one more row of the kernel, met by a column of ones
    k1 = np.empty((features + 1, 3 * u), dtype)
    k1[:features] = k
    k1[features] = 0 if b is None else b[0] + np.concatenate([b[1, : 2 * u], np.zeros(u, b.dtype)])
    k1 *= sign  # -(x K_zr + b_zr), and x K_h + b_h (times -2 for tanh by exp)
    by_gate = lambda w: np.ascontiguousarray(w.reshape(-1, 3, u).transpose(1, 0, 2))  # noqa: E731
    k_gates = by_gate(k1)  # (3, features + 1, units)
    rs = rk.astype(dtype) * sign  # -R_z, -R_r, R_h: columns already gate-major
    lead = () if batch == 1 else (batch,)  # one sequence: 1-D rows, the fastest products
    prod = np.empty((3, *lead, u), dtype)
    if batch == 1:
        flat = prod.reshape(-1)
        product = lambda h: np.ndarray.dot(h, rs, flat)  # noqa: E731
    else:
        r_gates = by_gate(rs)  # (3, units, units)
        product = lambda h: np.matmul(h, r_gates, prod)  # noqa: E731
    b_hh = None if b is None else b[1, 2 * u :].astype(dtype) * sign[2 * u :]  # its b_rec

    n = max(1, min(steps, _FORWARD_ELEMENTS // max(1, 3 * batch * u)))
    xs = np.empty((n, batch, features + 1), dtype)
    xs[..., features] = 1  # meets the bias row
    dropped = None if dropout is None else xs.copy()
    xw = np.empty((3, n, batch, u), dtype)  # gate-major: each gate's rows contiguous
    hs = np.empty((n, *lead, u), dtype)
    h = h.reshape(*lead, u)
    zr, (z, r, hh) = prod[:2], prod
    add, div, mul = np.add, np.divide, np.multiply
    with np.errstate(over="ignore"):  # exp(-a) may overflow to inf: then σ(a) = 0
        for lo in range(0, steps, n):
            c = min(n, steps - lo)
            xs[:c, :, :features] = x[:, lo : lo + c].swapaxes(0, 1)  # x_t, time-major
            for g in range(3):
                src = xs[:c]
                if dropout is not None and dropped is not None:
                    src = dropped[:c]
                    m_g = dropout[:, min(g, dropout.shape[1] - 1)]  # gate g's, or the shared one
                    mul(xs[:c, :, :features], m_g, src[..., :features])  # x_t m_g
                np.dot(src.reshape(-1, features + 1), k_gates[g], xw[g, :c].reshape(-1, u))
            xzr = list(xw[:2, :c].reshape(2, c, *lead, u).swapaxes(0, 1))
            xh = list(xw[2, :c].reshape(c, *lead, u))
            for x_zr, x_h, h_t in zip(xzr, xh, list(hs[:c]), strict=True):
                product(h)  # -h R_z, -h R_r, h R_h
                add(zr, x_zr, zr)  # -a_z, -a_r
                np.exp(zr, zr)
                add(zr, 1, zr)  # 1 + exp(-a) = 1 / σ(a): 1 / z, 1 / r
                if b_hh is not None:
                    add(hh, b_hh, hh)  # h R_h + b_rec_h
                div(hh, r, hh)  # r (h R_h + b_rec_h)
                add(hh, x_h, hh)  # plus x_h
                act(hh, hh)  # candidate hh = act(...) (from -2 times it, for tanh by exp)
                np.subtract(h, hh, h_t)  # h_{t-1} - hh
                div(h_t, z, h_t)  # z (h_{t-1} - hh)
                add(h_t, hh, h_t)  # h_t = z h_{t-1} + (1 - z) hh
                h = h_t
            seq[:, lo : lo + c] = hs[:c].reshape(c, batch, u).swapaxes(0, 1)
    return h.reshape(batch, u).copy()


def _steps(
    xw: np.ndarray,
    seq: np.ndarray,
    h: np.ndarray,
    weights: tuple[np.ndarray, np.ndarray | None],
    acts: tuple[Any, Any],
    reset_after: bool,
) -> np.ndarray:
    """Run the forward loop, writing each ``h_t`` into ``seq``; return the last state.

    ``xw`` (batch, timesteps, 3 units) holds ``x_t K + b``, ``h`` is ``h_0`` in the step
    layout (see `_start`), ``weights`` is ``(recurrent_kernel, b_rec_h or None)`` and
    ``acts`` the activation and the recurrent activation in place.
    """
    (rk, b_hh), (act, gate_act), u = weights, acts, seq.shape[2]
    if reset_after:  # h R for all three gates at once
        recurrent, m = _gate_product(rk, 3, h.shape[:-1])
        zr, hh = m[:2], m[2]
    else:  # h R for z and r only: the candidate's product needs r first
        recurrent, zr = _gate_product(rk[:, : 2 * u], 2, h.shape[:-1])
        rk_h, rh, hh = np.ascontiguousarray(rk[:, 2 * u :]), np.empty_like(h), np.empty_like(h)
    z, r = zr
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
    return h


def _steps_masked(
    xw: np.ndarray,
    seq: np.ndarray,
    h: np.ndarray,
    weights: tuple[np.ndarray, np.ndarray | None],
    acts: tuple[Any, Any],
    reset_after: bool,
    masks: _Masks,
) -> np.ndarray:
    """Run `_steps` with a mask and a recurrent dropout mask (either may be None).

    A masked step carries ``h_{t-1}`` over; each gate's product is ``(h_{t-1} m_g) R_g``.
    """
    (rk, b_hh), (act, gate_act), (batch, steps, u) = weights, acts, seq.shape
    m = masks.recurrent
    m = None if m is None else np.broadcast_to(m, (batch, 3, u)).transpose(1, 0, 2)
    n = 3 if reset_after else 2  # the gates multiplied at once: all, or z and r
    if m is None:
        recurrent, prod = _gate_product(rk[:, : n * u], n, h.shape[:-1])
    else:
        recurrent, prod = _dropped_product(rk[:, : n * u], n, h.shape[:-1], m[:n])
    (z, r), zr = prod[:2], prod[:2]
    hh = prod[2] if reset_after else np.empty_like(h)
    rk_h, rh, hm = np.ascontiguousarray(rk[:, 2 * u :]), np.empty_like(h), np.empty_like(h)
    m_h = None if m is None else m[2].reshape(h.shape)  # the candidate's mask
    drops = iter(_drops(masks.keep, batch, steps))  # per step: where the state is carried
    for xs, hs in _chunks(xw, seq, gates=3):
        for x_zr, x_h, h_t in zip(list(xs[:, :2]), list(xs[:, 2]), list(hs), strict=True):
            recurrent(h)  # (h_{t-1} m) R (all gates, or z and r)
            np.add(zr, x_zr, zr)  # x K + b + h R for z and r
            gate_act(zr, zr)  # z, r = σ(...)
            if reset_after:
                if b_hh is not None:
                    np.add(hh, b_hh, hh)  # (h m_h) R_h + b_rec_h
                np.multiply(hh, r, hh)  # reset after the product
            else:
                np.multiply(r, h if m_h is None else np.multiply(h, m_h, hm), rh)  # r (h m_h)
                np.dot(rh, rk_h, hh)  # (r (h m_h)) R_h
            np.add(hh, x_h, hh)  # plus x_h
            act(hh, hh)  # candidate hh = act(...)
            np.subtract(h, hh, h_t)  # h_{t-1} - hh
            np.multiply(h_t, z, h_t)  # z (h_{t-1} - hh)
            np.add(h_t, hh, h_t)  # h_t = z h_{t-1} + (1 - z) hh
            np.copyto(h_t, h, where=next(drops))  # a masked step keeps h_{t-1}
            h = h_t
    return h


def gru_backward(
    grad_outputs: np.ndarray,
    inputs: np.ndarray,
    outputs: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray | None = None,
    *,
    activation: ActivationLike = "tanh",
    recurrent_activation: ActivationLike = "sigmoid",
    reset_after: bool = True,
    initial_state: np.ndarray | None = None,
    grad_final_state: np.ndarray | None = None,
    truncate: int | None = None,
    mask: np.ndarray | None = None,
    dropout_mask: np.ndarray | None = None,
    recurrent_dropout_mask: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Backpropagate through time in a GRU: the gradients of the loss ``L``.

    The gates of every step are recomputed from the outputs at once (no loop: every
    ``h_{t-1}`` is known). Going back in time with ``dh = dL/dh_t``, from
    ``h_t = z h_{t-1} + (1 - z) hh``: ``dz_z = dh (h_{t-1} - hh) σ'``,
    ``dz_h = dh (1 - z) act'``, the reset gate's ``dz_r`` through ``r``'s product, and
    ``dL/dh_{t-1} = dh z`` plus what flows back through ``R``. The weight gradients are
    matrix products after the loop.

    Parameters
    ----------
    grad_outputs : ndarray of shape (batch, timesteps, units) or (batch, units)
        ``dL/dh_t`` for every output, or for the last one (``return_sequences=False``).
    inputs : ndarray of shape (batch, timesteps, features) or (timesteps, features)
    outputs : ndarray of shape (batch, timesteps, units) or (timesteps, units)
        Every output of the forward pass (`gru_forward`, ``return_sequences=True``, with
        the same ``mask``): its ``h_t``, rebuilt from the outputs, ``mask`` and
        ``initial_state`` when there is a mask.
    kernel : ndarray of shape (features, 3 * units)
        As in `gru_forward`.
    recurrent_kernel : ndarray of shape (units, 3 * units)
        As in `gru_forward`.
    bias : ndarray of shape (2, 3 * units) or (3 * units,), or None
        As in `gru_forward`: the bias is needed to recompute the gates.
    activation : str or None
        As in the forward pass (``"tanh"``); ``"tanh"``, ``"sigmoid"``, ``"relu"`` or
        ``"linear"``.
    recurrent_activation : str or None
        As in the forward pass (``"sigmoid"``); the same four choices.
    reset_after : bool
        As in the forward pass (``True``).
    initial_state : ndarray of shape (batch, units) or (units,), optional
        The forward pass's ``h_0``; zeros by default.
    grad_final_state : ndarray of shape (batch, units) or (units,), optional
        ``dL/dh_T`` for the final state of ``return_state=True``. Without a mask it is
        the last output, so this adds to its gradient; with a mask the final state is
        the carried one (``h_0`` for a fully masked sequence, whose last output is 0).
    truncate : int, optional
        The gradient arriving at step ``t`` flows back through at most ``truncate``
        steps (see `simple_rnn_backward`); ``None``: all the way.
    mask, dropout_mask, recurrent_dropout_mask : ndarray, optional
        The forward pass's, held fixed (see `gru_forward`). A masked step passes
        ``dL/dh_t`` straight back to ``h_{t-1}`` and to nothing else; an output before
        the first unmasked step (a constant zero) passes nothing back.

    Returns
    -------
    grad_inputs : ndarray of shape (batch, timesteps, features) or (timesteps, features)
    grads : dict of str to ndarray
        ``"kernel"`` (features, 3 * units), ``"recurrent_kernel"`` (units, 3 * units),
        ``"bias"`` (2, 3 * units) with ``reset_after`` (input row, recurrent row), else
        (3 * units,); and ``"initial_state"``: ``dL/dh_0``.

    Raises
    ------
    ValueError
        If a shape does not fit, an activation's derivative is unknown, or ``truncate``
        is not a positive integer; or if the ``outputs`` are not those `gru_forward`
        gives with these arguments, when the gradients would be wrong (another
        ``bias``, ``activation``, ``recurrent_activation``, ``reset_after``,
        ``initial_state``, ``mask`` or dropout mask, other inputs or weights): each
        step's ``h_t = z h_{t-1} + (1 - z) hh``, computed again from the given
        ``h_{t-1}``, must be the given ``h_t`` within rounding; the message names the
        first step that differs, by how much, and the arguments to pass alike.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.functional import gru_backward, gru_forward
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((2, 5, 3))
    >>> kernel = rng.standard_normal((3, 12)) / 2
    >>> recurrent_kernel = rng.standard_normal((4, 12)) / 2
    >>> bias = rng.standard_normal((2, 12)) / 10
    >>> outputs = gru_forward(x, kernel, recurrent_kernel, bias)
    >>> r = rng.standard_normal(outputs.shape)      # the loss L = sum(outputs * r)
    >>> grad_x, grads = gru_backward(r, x, outputs, kernel, recurrent_kernel, bias)
    >>> grad_x.shape, grads["bias"].shape, grads["initial_state"].shape
    ((2, 5, 3), (2, 12), (2, 4))
    >>> def loss(rk):
    ...     return float(np.sum(gru_forward(x, kernel, rk, bias) * r))
    >>> step = np.zeros((4, 12))
    >>> step[2, 9] = 1e-6                           # the candidate's recurrent weight
    >>> numeric = (loss(recurrent_kernel + step) - loss(recurrent_kernel - step)) / 2e-6
    >>> bool(abs(numeric - grads["recurrent_kernel"][2, 9]) < 1e-8)
    True

    Outputs of a forward pass with other arguments are refused, their gradients would
    be wrong: here the bias left out.

    >>> gru_backward(r, x, outputs, kernel, recurrent_kernel)
    Traceback (most recent call last):
    ...
    ValueError: The `outputs` given to gru_backward do not match a forward pass with these ...
    """
    x, batched = _inputs(inputs)
    k, rk, units = _weights(x, kernel, recurrent_kernel, 3)
    b = _bias(bias, (2, 3 * units) if reset_after else (3 * units,), k)
    h = _sequence("outputs", outputs, x, units, batched)
    h0 = _one_state(initial_state, x, units, batched)
    g_seq, g_last = _grad_outputs(grad_outputs, x, units, batched)
    g_end = _state("grad_final_state", grad_final_state, x, units, batched)
    acts = _Acts.of(activation, recurrent_activation)
    window = _truncation(truncate)
    dtype = _dtype(x, k, rk, b, h, h0, g_seq, g_last, g_end)
    masks = _masks(x, units, 3, batched, mask, dropout_mask, recurrent_dropout_mask).cast(dtype)
    if masks.recurrent is not None:  # one per gate, so that each gate can take its own
        masks = masks._replace(recurrent=np.broadcast_to(masks.recurrent, (x.shape[0], 3, units)))
    batch, steps, features = x.shape
    k, rk = k.astype(dtype, copy=False), rk.astype(dtype, copy=False)
    states = _carried(h, masks.keep, h0, dtype)  # h_1 ... h_T, (batch, timesteps, units)
    drops = (masks.inputs, masks.recurrent)
    check = _consistency.Mismatch(
        "gru",
        h,
        masks.keep,
        lambda: _consistency.tolerances(x, states, h0, (k, rk, b), drops, dtype),
        dtype,
        batched,
    )
    g_seq, g_last = _arriving(g_seq, g_last, masks.keep)
    if g_end is not None:  # the final state's enters at the last step, as the last output's
        g_last = g_end if g_last is None else g_last + g_end
    arrive = _Arrivals(None if g_seq is None else g_seq.swapaxes(0, 1), g_last, window)
    b_in = None if b is None else (b[0] if reset_after else b)
    b_rec = None if b is None or not reset_after else b[1]
    fused = (  # the common case: sigmoid gates, reset_after, no mask, no truncation
        reset_after
        and not masks.steps
        and window is None
        and acts.z_act is None
        and activations.get(recurrent_activation) is _SIGMOID
    )
    if fused:  # the gates' pre-activations of z and r negated, exactly (see `_fused_steps`)
        sign = np.ones(3 * units, dtype)
        sign[: 2 * units] = -1
        k_in, rs = k * sign, rk * sign  # -K_zr, K_h and -R_zr, R_h
        b_in = None if b_in is None else b_in * sign
        b_rec = None if b_rec is None else b_rec * sign
        fused_weights = (rs, np.ascontiguousarray(rk.T), b_rec)
        if activations.get(activation) is _TANH and dtype == np.float64:
            acts = acts._replace(act=_tanh_by_exp)  # NumPy's float64 tanh is scalar code

    grad_k = np.zeros((features, 3 * units), dtype)
    grad_rk = np.zeros((units, 3 * units), dtype)
    grad_b = np.zeros((2, 3 * units) if reset_after else (3 * units,), dtype)
    grad_x = np.empty((batch, steps, features), dtype)
    dh = np.zeros((arrive.slots, batch, units), dtype)  # dL/dh_t, carried back chunk to chunk
    # back through time in chunks of n steps: no buffer spans the whole sequence
    n = _chunk_len(steps, batch, 3 * units)
    h_prev = np.empty((n, batch, units), dtype)
    xs = np.empty((n, batch, features), dtype)
    for lo in reversed(range(0, steps, n)):
        hi = min(lo + n, steps)
        hp, xc = h_prev[: hi - lo], xs[: hi - lo]
        hp[1:] = states[:, lo : hi - 1].swapaxes(0, 1)  # h_lo ... h_{hi-1}
        hp[0] = states[:, lo - 1] if lo else (0 if h0 is None else h0)  # the state before
        xc[...] = x[:, lo:hi].swapaxes(0, 1)  # x_t, time-major
        # the forward pass again, without its loop: the chunk's steps at once
        xw = _gate_dot(xc, k_in if fused else k, masks.inputs)  # x_t K (each gate's x_t m_g)
        if b_in is not None:
            xw += b_in  # + b_in
        walk = _Walk(arrive, dh, lo, steps, check)
        part = masks._replace(keep=None if masks.keep is None else masks.keep[:, lo:hi])
        if fused:
            dx, g_rk, g_b = _back_fused(xw, hp, fused_weights, acts, walk)
        elif reset_after:
            xw = xw.reshape(hi - lo, batch, 3, units)
            dx, g_rk, g_b = _back_reset_after(xw, hp, (rk, b_rec), acts, walk, part)
        else:
            xw = xw.reshape(hi - lo, batch, 3, units)
            dx, g_rk, g_b = _back_reset_before(xw, hp, rk, acts, walk, part)
        dx = dx.reshape(hi - lo, batch, 3 * units)
        grad_k += _gate_grad(xc, dx, masks.inputs)  # sum_t (x_t m)^T dz_t
        grad_rk += g_rk
        grad_b += g_b
        grad_x[:, lo:hi] = _gate_back(dx, k, masks.inputs).swapaxes(0, 1)  # (dz_t K^T) m

    check.check()  # the outputs differ from those the arguments give: the gradients too
    dh0 = dh.sum(axis=0)  # dL/dh_0
    grads = {
        "kernel": grad_k,
        "recurrent_kernel": grad_rk,
        "bias": grad_b,
        "initial_state": dh0 if batched else dh0[0],
    }
    return (grad_x if batched else grad_x[0]), grads


# elements in one chunk-long buffer of the backward pass, (steps, batch, 3 units): ~4 MB
_CHUNK_ELEMENTS = 1 << 20


def _chunk_len(steps: int, batch: int, width: int) -> int:
    """How many steps of ``batch`` rows of ``width`` values fit in ``_CHUNK_ELEMENTS``."""
    return max(1, min(steps, _CHUNK_ELEMENTS // max(1, batch * width)))


class _Walk(NamedTuple):
    """Where one chunk's walk back through time starts, and what it carries.

    ``arrive`` the output gradients, ``dh`` (slots, batch, units) ``dL/dh`` carried from
    the chunk after (updated in place to the chunk's first ``h_{t-1}``), ``start`` the
    chunk's first step, ``steps`` the sequence's length and ``check`` what compares the
    chunk's ``h_t`` computed again with the given outputs (see `check_states`).
    """

    arrive: _Arrivals
    dh: np.ndarray
    start: int
    steps: int
    check: _consistency.Mismatch

    def check_states(self, z: np.ndarray, hh: np.ndarray, h_prev: np.ndarray) -> None:
        """Compare ``h_t = z h_{t-1} + (1 - z) hh`` of the chunk's steps with the outputs."""
        rec = np.subtract(h_prev, hh)
        np.multiply(rec, z, rec)
        np.add(rec, hh, rec)  # hh + z (h_{t-1} - hh)
        self.check.compare(self.start, rec, scratch=True)

    def enter(self, t: int) -> None:
        """Add the output gradients of the chunk's step ``t`` to ``dh``."""
        self.arrive.enter(self.dh, self.start + t, self.steps)


def _back_fused(
    xw: np.ndarray,
    h_prev: np.ndarray,
    weights: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    acts: _Acts,
    walk: _Walk,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BPTT through a chunk of `_fused_steps`'s GRU: sigmoid gates, no mask, no truncation.

    ``xw`` (steps, batch, 3 units) is ``x_t K + b_in`` with the columns of ``z`` and
    ``r`` negated, and is overwritten; ``h_prev`` (steps, batch, units) every
    ``h_{t-1}``; ``weights`` the recurrent kernel with the same columns negated, the
    plain one transposed, and the recurrent bias negated alike (or None). Returns
    ``dL/d(x_t K)`` (steps, batch, 3 units) and the chunk's shares of ``dL/dR`` and
    ``dL/dbias`` (2, 3 units), as `_back_reset_after`.
    """
    (rs, rk_t, b_rec), (steps, batch, width) = weights, xw.shape
    u = width // 3
    m = np.dot(_flat(h_prev), rs).reshape(xw.shape)  # -h R_z, -h R_r, h R_h
    if b_rec is not None:
        m += b_rec  # + b_rec (negated for z and r)
    zr, hh, m_h = xw[..., : 2 * u], xw[..., 2 * u :], m[..., 2 * u :]
    np.add(zr, m[..., : 2 * u], zr)  # -a_z, -a_r
    with np.errstate(over="ignore"):  # exp(-a) may overflow to inf: then σ(a) = 0
        np.exp(zr, zr)
    np.add(zr, 1, zr)
    np.divide(1, zr, zr)  # z, r = σ(a) = 1 / (1 + exp(-a))
    z, r = xw[..., :u], xw[..., u : 2 * u]
    tmp = np.multiply(r, m_h)  # r (h R_h + b_rec_h)
    np.add(hh, tmp, hh)  # plus x_h
    with np.errstate(over="ignore"):  # as above, for tanh by exp
        acts.act(hh, hh)  # candidate hh = act(...)
    walk.check_states(z, hh, h_prev)  # the outputs given?

    # what each step's gradients get multiplied by, per unit of dL/dh_t
    rec = np.empty_like(xw)  # dL/d(h R + b_rec): dz_z, dz_r, dm_h
    c_z, c_r = rec[..., :u], rec[..., u : 2 * u]
    np.subtract(1, z, tmp)  # 1 - z
    np.subtract(h_prev, hh, c_z)  # h_{t-1} - hh
    np.multiply(c_z, z, c_z)
    np.multiply(c_z, tmp, c_z)  # dz_z = (h_{t-1} - hh) σ'(a_z), σ' = z (1 - z)
    c_h = np.multiply(tmp, acts.act_slope(hh, None))  # dz_h = (1 - z) act'
    np.subtract(1, r, c_r)
    np.multiply(c_r, r, c_r)  # σ'(a_r) = r (1 - r)
    np.multiply(c_r, m_h, c_r)
    np.multiply(c_r, c_h, c_r)  # dz_r = dz_h (h R_h + b_rec_h) σ'(a_r)
    np.multiply(c_h, r, rec[..., 2 * u :])  # dm_h = dz_h r

    dm = np.empty_like(xw)  # dL/d(h_{t-1} R + b_rec) of every step
    dz_h = np.empty_like(c_h)  # dL/d(x_h): the candidate's
    dh = walk.dh[0]  # one slot: no truncation
    back = np.empty_like(dh)  # what flows back through R
    dh3, rec3, dm3 = dh[:, None], rec.reshape(steps, batch, 3, u), dm.reshape(steps, batch, 3, u)
    for t in reversed(range(steps)):
        walk.enter(t)
        np.multiply(dh3, rec3[t], dm3[t])  # dz_z, dz_r, dm_h
        np.multiply(dh, c_h[t], dz_h[t])  # dz_h
        np.dot(dm[t], rk_t, back)  # (dz_z, dz_r, dm_h) R^T
        np.multiply(dh, z[t], dh)
        np.add(dh, back, dh)  # dL/dh_{t-1} = dh z + what came back through R
    rows = _flat(dm)
    grad_rk = _flat(h_prev).T @ rows  # sum_t h_{t-1}^T dm_t
    grad_rec = rows.sum(axis=0)  # dL/db_rec
    dm[..., 2 * u :] = dz_h  # now dz_z, dz_r, dz_h: dL/d(x_t K)
    return dm, grad_rk, np.stack([rows.sum(axis=0), grad_rec])


def _held(z: np.ndarray, keep: np.ndarray | None, *coefs: np.ndarray) -> np.ndarray:
    """Return the update gate for the walk back, 1 at masked steps; zero their ``coefs``.

    ``z`` (timesteps, batch, units), each of ``coefs`` (timesteps, batch, 3, units), and
    ``keep`` (batch, timesteps) the mask (None: nothing masked). With no ``dL/dz_t`` and
    ``z = 1``, a masked step passes ``dL/dh_t`` straight back: ``dL/dh_{t-1} = dh z``.
    """
    if keep is None:
        return z
    kept = keep.T[..., np.newaxis]  # (timesteps, batch, 1)
    for coef in coefs:
        coef *= kept[..., np.newaxis]  # no dL/dz_t at a masked step
    return np.where(kept, z, 1)


def _back_reset_after(
    xw: np.ndarray,
    h_prev: np.ndarray,
    weights: tuple[np.ndarray, np.ndarray | None],
    acts: _Acts,
    walk: _Walk,
    masks: _Masks,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BPTT through a chunk of a GRU with the reset gate after the product (Keras 3, cuDNN).

    ``xw`` (steps, batch, 3, units) is ``x_t K + b_in``, ``h_prev`` every ``h_{t-1}``,
    ``weights`` the recurrent kernel and bias, ``walk`` where the walk back starts and
    what it carries, ``masks`` the chunk's. Returns ``dL/d(x_t K)`` per gate (like
    ``xw``), the chunk's shares of ``dL/dR`` and ``dL/dbias`` (2, 3 units).
    """
    (rk, b_rec), (steps, batch, _, u) = weights, xw.shape
    m = _gate_dot(h_prev, rk, masks.recurrent)  # h_{t-1} R (each gate's h_{t-1} m_g)
    if b_rec is not None:
        m += b_rec  # + b_rec
    m = m.reshape(steps, batch, 3, u)
    zr = xw[:, :, :2] + m[:, :, :2]
    pre_zr = zr.copy() if acts.z_gate is not None else None  # gelu, silu: z is needed
    acts.gate_act(zr, zr)
    z, r = zr[:, :, 0], zr[:, :, 1]  # σ(...): each (timesteps, batch, units)
    cand = xw[:, :, 2] + r * m[:, :, 2]  # x_h + r (h_{t-1} R_h + b_rec_h)
    pre_h = cand.copy() if acts.z_act is not None else None
    acts.act(cand, cand)  # hh = act(...)
    walk.check_states(z, cand, h_prev)  # the outputs given?

    # what each step's gradients get multiplied by, for every step at once
    pz, pr = (None, None) if pre_zr is None else (pre_zr[:, :, 0], pre_zr[:, :, 1])
    coef = np.empty((steps, batch, 3, u), xw.dtype)
    coef[:, :, 0] = (h_prev - cand) * acts.gate_slope(z, pz)  # dz_z / dh
    coef[:, :, 2] = (1 - z) * acts.act_slope(cand, pre_h)  # dz_h / dh
    coef[:, :, 1] = coef[:, :, 2] * m[:, :, 2] * acts.gate_slope(r, pr)  # dz_r / dh
    rec = coef.copy()
    rec[:, :, 2] *= r  # through the recurrent product: dm_h = dz_h r
    z = _held(z, masks.keep, coef, rec)  # masked steps: no dz, and z = 1

    dh_all = _walk_reset_after(rec, z, _back_product(rk, masks.recurrent), walk)
    dx = dh_all[:, :, None] * coef  # dz_z, dz_r, dz_h for every step
    dm = (dh_all[:, :, None] * rec).reshape(steps, batch, 3 * u)
    grad_rk = _gate_grad(h_prev, dm, masks.recurrent)  # sum_t (h_{t-1} m)^T dm_t
    grad_b = np.stack([dx.reshape(-1, 3 * u).sum(axis=0), _flat(dm).sum(axis=0)])  # (2, 3u)
    return dx, grad_rk, grad_b


def _walk_reset_after(rec: np.ndarray, z: np.ndarray, back_product: Any, walk: _Walk) -> np.ndarray:
    """Walk back for `_back_reset_after`: per step, element-wise maths and one product.

    ``rec`` (steps, batch, 3, units) is ``dL/d(h_{t-1} R + b_rec)`` per unit of
    ``dL/dh_t``, ``z`` the update gate, ``back_product`` `_back_product`'s function.
    Returns ``dL/dh_t`` of every step of the chunk (steps, batch, units).
    """
    (steps, batch, _, u), dh = rec.shape, walk.dh
    back = np.empty_like(dh)  # what flows back through R
    dm = np.empty((dh.shape[0], batch, 3, u), rec.dtype)
    dh_all = np.empty((steps, batch, u), rec.dtype)  # dL/dh_t, every output together
    for t in reversed(range(steps)):
        walk.enter(t)
        dh.sum(axis=0, out=dh_all[t])
        np.multiply(dh[:, :, None], rec[t], dm)  # dz_z, dz_r, dm_h per output
        back_product(dm, back)  # (dz_z, dz_r, dm_h) R^T
        np.multiply(dh, z[t], dh)
        np.add(dh, back, dh)  # dL/dh_{t-1} = dh z + what came back through R
    return dh_all


def _back_reset_before(
    xw: np.ndarray,
    h_prev: np.ndarray,
    rk: np.ndarray,
    acts: _Acts,
    walk: _Walk,
    masks: _Masks,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BPTT through a chunk of a GRU with the reset gate before the product (Keras 2's).

    As `_back_reset_after`, with one input bias: ``dL/dbias`` is (3 units,). With a
    recurrent dropout the candidate's product is ``(r (h_{t-1} m_h)) R_h``.
    """
    steps, batch, _, u = xw.shape
    m = masks.recurrent  # None, or one per gate (batch, 3, units)
    m_zr = _gate_dot(h_prev, rk[:, : 2 * u], None if m is None else m[:, :2])  # h_{t-1} R_zr
    zr = xw[:, :, :2] + m_zr.reshape(steps, batch, 2, u)
    pre_zr = zr.copy() if acts.z_gate is not None else None  # gelu, silu: z is needed
    acts.gate_act(zr, zr)
    z, r = zr[:, :, 0], zr[:, :, 1]  # σ(...): each (timesteps, batch, units)
    hm = h_prev if m is None else h_prev * m[:, 2]  # h_{t-1} m_h
    rh = r * hm  # r h_{t-1}
    cand = xw[:, :, 2] + (_flat(rh) @ rk[:, 2 * u :]).reshape(steps, batch, u)
    pre_h = cand.copy() if acts.z_act is not None else None
    acts.act(cand, cand)  # hh = act(x_h + (r h_{t-1}) R_h)
    walk.check_states(z, cand, h_prev)  # the outputs given?

    # what each step's gradients get multiplied by, for every step at once
    pz, pr = (None, None) if pre_zr is None else (pre_zr[:, :, 0], pre_zr[:, :, 1])
    coef = np.empty((steps, batch, 3, u), xw.dtype)
    coef[:, :, 0] = (h_prev - cand) * acts.gate_slope(z, pz)  # dz_z / dh
    coef[:, :, 1] = hm * acts.gate_slope(r, pr)  # dz_r / d(r h)
    coef[:, :, 2] = (1 - z) * acts.act_slope(cand, pre_h)  # dz_h / dh
    z = _held(z, masks.keep, coef)  # masked steps: no dz, and z = 1

    back_zr = _back_product(rk[:, : 2 * u], None if m is None else m[:, :2])
    r_back = r if m is None else r * m[:, 2]  # d(r h m_h)/dh = r m_h
    dx = _walk_reset_before(coef, z, r_back, (back_zr, rk[:, 2 * u :]), walk)
    dx3 = dx.reshape(steps, batch, 3 * u)
    dx_rows = _flat(dx3)
    grad_rk = np.concatenate(
        [
            _gate_grad(h_prev, dx3[:, :, : 2 * u], None if m is None else m[:, :2]),  # dz_z, dz_r
            _flat(rh).T @ dx_rows[:, 2 * u :],  # sum_t (r h_{t-1})^T dz_h
        ],
        axis=1,
    )
    return dx, grad_rk, dx_rows.sum(axis=0)


def _walk_reset_before(
    coef: np.ndarray,
    z: np.ndarray,
    r: np.ndarray,
    products: tuple[Any, np.ndarray],
    walk: _Walk,
) -> np.ndarray:
    """Walk back for `_back_reset_before`: per step, element-wise maths and products.

    ``coef`` (steps, batch, 3, units) as computed there, ``z`` the update gate,
    ``r`` the reset gate (times ``m_h`` with a recurrent dropout), ``products`` the
    function ``(dz_z, dz_r) -> (dz_z, dz_r) R_zr^T`` and ``R_h``. Returns the chunk's
    ``dL/dz_t`` (steps, batch, 3, units).
    """
    (back_zr, rk_h), (steps, batch, _, u), dh = products, coef.shape, walk.dh
    back = np.empty_like(dh)  # what flows back through R
    drh = np.empty_like(dh)  # dL/d(r h_{t-1})
    dx = np.empty((steps, batch, 3, u), coef.dtype)  # dL/d(x_t K), per gate
    window = walk.arrive.window
    slots = None if window is None else np.empty((window, batch, 3, u), coef.dtype)
    rk_h_t = np.ascontiguousarray(rk_h.T)
    mul, dot = np.multiply, np.dot
    for t in reversed(range(steps)):
        walk.enter(t)
        d = dx[t : t + 1] if slots is None else slots
        mul(dh, coef[t, :, 2], d[:, :, 2])  # dz_h = dh (1 - z) act'
        dot(d[:, :, 2].reshape(-1, u), rk_h_t, _flat(drh))  # d(r h) = dz_h R_h^T
        mul(drh, coef[t, :, 1], d[:, :, 1])  # dz_r = d(r h) h_{t-1} σ'
        mul(dh, coef[t, :, 0], d[:, :, 0])  # dz_z
        back_zr(d[:, :, :2], back)  # (dz_z, dz_r) R^T
        mul(drh, r[t], drh)
        np.add(back, drh, back)  # + d(r h) r
        if slots is not None:
            d.sum(axis=0, out=dx[t])  # every output's dz_t together
        mul(dh, z[t], dh)
        np.add(dh, back, dh)  # dL/dh_{t-1} = dh z + what came back through R
    return dx
