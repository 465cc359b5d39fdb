"""The simple (Elman) RNN: ``h_t = act(x_t K + h_{t-1} R + b)``, forward and backward."""

from __future__ import annotations

import functools
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
    _truncation,
    _weights,
)
from rnn.functional._steps import (
    ActivationLike,
    _Arrivals,
    _arriving,
    _batch_major,
    _carried,
    _chunk_steps,
    _chunks,
    _drops,
    _flat,
    _gate_back,
    _gate_dot,
    _gate_grad,
    _history,
    _outputs,
    _project,
    _project_dropped,
    _start,
    _tanh_of_scaled,
)

__all__ = ["simple_rnn_backward", "simple_rnn_forward"]


def simple_rnn_forward(
    inputs: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray | None = None,
    *,
    activation: ActivationLike = "tanh",
    initial_state: np.ndarray | None = None,
    return_sequences: bool = True,
    mask: np.ndarray | None = None,
    dropout_mask: np.ndarray | None = None,
    recurrent_dropout_mask: np.ndarray | None = None,
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
        ``h_0``; zeros by default. ``(units,)`` when the inputs are unbatched. A list of
        one such array (as Keras passes states) is taken too.
    return_sequences : bool
        Return every output (default) or only the last one.
    mask : ndarray of shape (batch, timesteps) or (timesteps,), optional
        Bool or 0/1: which steps count (Keras's masking). At a masked step the state is
        carried over unchanged, ``h_t = h_{t-1}``, and the output repeats the previous
        output, zeros before a sequence's first unmasked step (even with an
        ``initial_state``). For ``go_backwards``, reverse the inputs and the mask together.
    dropout_mask : ndarray of shape (batch, features) or (features,), optional
        Multiplies ``x_t`` at every step, before the input product: one mask per call,
        scaling by ``1 / (1 - rate)`` included. Cast to the dtype computed in.
    recurrent_dropout_mask : ndarray of shape (batch, units) or (units,), optional
        Multiplies ``h_{t-1}`` before the recurrent product at every step (the state
        carried on is not dropped): ``h_t = act(x_t K + (h_{t-1} m) R + b)``.

    Returns
    -------
    ndarray of shape (batch, timesteps, units) or (batch, units)
        The outputs: the states ``h_1 ... h_T`` (without a mask), or only the last;
        without the batch axis if the inputs had none. The dtype follows the module's
        rule (float32 stays float32).

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

    A mask: the first sequence padded after its 3 steps, the second before its 3 steps.
    Post-padding repeats the last output; pre-padding gives zeros, then the same outputs
    as the 3 steps alone:

    >>> mask = np.array([[1, 1, 1, 0, 0], [0, 0, 1, 1, 1]], bool)
    >>> out = simple_rnn_forward(x, kernel, recurrent_kernel, mask=mask)
    >>> bool(np.array_equal(out[0, 3:], out[0, [2, 2]])), out[1, :2].tolist()
    (True, [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    >>> alone = simple_rnn_forward(x[1, 2:], kernel, recurrent_kernel)
    >>> bool(np.allclose(out[1, 2:], alone))
    True
    >>> last = simple_rnn_forward(x, kernel, recurrent_kernel, mask=mask, return_sequences=False)
    >>> bool(np.array_equal(last, out[:, -1]))
    True
    """
    x, batched = _inputs(inputs)
    k, rk, units = _weights(x, kernel, recurrent_kernel, 1)
    b = _bias(bias, (units,), k)
    h0 = _one_state(initial_state, x, units, batched)
    act = activations.in_place(activation)
    dtype = _dtype(x, k, rk, b, h0)
    masks = _masks(x, units, 1, batched, mask, dropout_mask, recurrent_dropout_mask).cast(dtype)
    rk = np.ascontiguousarray(rk, dtype)  # a strided view would be copied at every step

    # tanh by exp: NumPy's float64 tanh is scalar code; its float32 one is faster
    by_exp = not masks.steps and activations.get(activation) is _TANH and dtype == np.float64
    by_exp = by_exp and units * x.shape[0] >= 4096  # where it pays for its three extra calls
    if by_exp:  # the loop computes -2 z_t, exactly: -2 (x_t K + b) + h_{t-1} (-2 R)
        k, rk, b = k * -2, rk * -2, None if b is None else b * -2
        act = _tanh_of_scaled
    # x_t K for every step at once; each state is then written over its own row
    if masks.inputs is None:
        seq = _project(x, k, b, dtype)
    else:
        seq = _project_dropped(x, k, b, dtype, masks.inputs)  # (x_t m) K + b
    h = _start(h0, x.shape[0], units, dtype)
    if masks.steps:  # a mask or a recurrent dropout: the loop below, with them
        _steps_masked(seq, h, rk, act, masks)
        return _outputs(seq, masks.keep, batched, return_sequences)
    hr = np.empty_like(h)  # h_{t-1} R, reused at every step
    dot, add = np.ndarray.dot, np.add  # the method skips __array_function__ dispatch
    with np.errstate(over="ignore"):  # tanh by exp: exp(-2 z) may overflow, giving -1
        for xs, hs in _chunks(seq, seq):
            h_rows = list(hs)
            x_rows = h_rows if xs is hs else list(xs)  # identical views skip overlap checks
            for x_t, h_t in zip(x_rows, h_rows, strict=True):
                dot(h, rk, hr)  # h_{t-1} R
                add(x_t, hr, h_t)  # x_t K + b + h_{t-1} R
                act(h_t, h_t)  # h_t = act(...)
                h = h_t
    return _outputs(seq, None, batched, return_sequences)


_TANH = activations.get("tanh")


def _steps_masked(seq: np.ndarray, h: np.ndarray, rk: np.ndarray, act: Any, masks: _Masks) -> None:
    """Run the forward loop with a mask and a recurrent dropout mask (either may be None).

    Each step's state is written over its row of ``seq`` (batch, timesteps, units),
    which holds ``x_t K + b``; ``h`` is ``h_0`` in the step layout (see `_start`). A
    masked step carries ``h_{t-1}`` over: ``seq`` then holds the carried states.
    """
    batch, steps, _ = seq.shape
    drops = _drops(masks.keep, batch, steps)  # per step: where the state is carried over
    m = None if masks.recurrent is None else masks.recurrent[:, 0].reshape(h.shape)
    hm, hr = np.empty_like(h), np.empty_like(h)
    t = 0
    for xs, hs in _chunks(seq, seq):
        for x_t, h_t in zip(list(xs), list(hs), strict=True):
            if m is None:
                np.dot(h, rk, hr)  # h_{t-1} R
            else:
                np.multiply(h, m, hm)  # h_{t-1} m: the recurrent dropout
                np.dot(hm, rk, hr)  # (h_{t-1} m) R
            np.add(x_t, hr, h_t)  # x_t K + b + h_{t-1} R
            act(h_t, h_t)  # h_t = act(...)
            np.copyto(h_t, h, where=drops[t])  # a masked step keeps h_{t-1}
            h, t = h_t, t + 1


def simple_rnn_backward(
    grad_outputs: np.ndarray,
    inputs: np.ndarray,
    outputs: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray | None = None,
    *,
    activation: ActivationLike = "tanh",
    initial_state: np.ndarray | None = None,
    truncate: int | None = None,
    mask: np.ndarray | None = None,
    dropout_mask: np.ndarray | None = None,
    recurrent_dropout_mask: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Backpropagate through time in a simple RNN: the gradients of the loss ``L``.

    Walking from the last step to the first, with ``dh_t = dL/dh_t``:
    ``dz_t = (dL/dh_t) act'(z_t)`` and ``dL/dh_{t-1} += dz_t R^T``. Only these two
    lines run per step; the weight gradients are then three matrix products over all
    steps at once: ``dL/dK = X^T dZ``, ``dL/dR = H_prev^T dZ``, ``dL/db = sum(dZ)``.

    The bias does not appear: ``act'(z_t)`` is read from ``h_t = act(z_t)`` itself.

    The arguments are those of `lstm_backward` and `gru_backward`, so that the three
    calls read alike.

    Parameters
    ----------
    grad_outputs : ndarray of shape (batch, timesteps, units) or (batch, units)
        ``dL/dh_t`` for every state (``return_sequences=True``), or for the last state
        only (``return_sequences=False``). Without the batch axis if the inputs have none.
    inputs : ndarray of shape (batch, timesteps, features) or (timesteps, features)
        The forward pass's inputs.
    outputs : ndarray of shape (batch, timesteps, units) or (timesteps, units)
        Every output of the forward pass (`simple_rnn_forward` with
        ``return_sequences=True``, its default, and the same ``mask``): its states,
        rebuilt from the outputs, ``mask`` and ``initial_state`` when there is a mask.
    kernel : ndarray of shape (features, units)
    recurrent_kernel : ndarray of shape (units, units)
    bias : ndarray of shape (units,) or None
        Accepted, and checked, like the other backward functions' ``bias``, but unused:
        given the outputs, a simple RNN's backward pass needs no bias (its gradient is
        returned all the same), and the check of the ``outputs`` accepts any.
    activation : str or None
        ``"tanh"`` (default) or any name of `rnn.activations` but ``"softmax"``, or
        ``None`` (linear): the derivatives backward knows. A custom callable raises
        ``ValueError``. ``"gelu"`` and ``"silu"`` need the ``bias`` the forward pass
        used, as their derivative is computed from the pre-activation.
    initial_state : ndarray of shape (batch, units) or (units,), optional
        The forward pass's ``h_0``; zeros by default.
    truncate : int, optional
        Truncated backpropagation through time: the gradient arriving at ``h_t`` flows
        back through at most ``truncate`` steps (into ``z_t ... z_{t-truncate+1}``, and
        ``h_{t-truncate}`` at the earliest). ``None`` (default): all the way to ``h_0``.
        Masked steps count as steps.
    mask, dropout_mask, recurrent_dropout_mask : ndarray, optional
        The forward pass's, held fixed (see `simple_rnn_forward`). A masked step passes
        ``dL/dh_t`` straight back to ``h_{t-1}`` and to nothing else; the gradient of an
        output before a sequence's first unmasked step (a constant zero) goes nowhere.
        ``dL/dx_t`` is multiplied by the dropout mask.

    Returns
    -------
    grad_inputs : ndarray of shape (batch, timesteps, features) or (timesteps, features)
        ``dL/dx_t``.
    grads : dict of str to ndarray
        ``"kernel"`` (features, units), ``"recurrent_kernel"`` (units, units),
        ``"bias"`` (units,) (the gradient a bias gets, whether the forward used one or
        not) and ``"initial_state"`` (batch, units) or (units,): ``dL/dh_0``.

    Raises
    ------
    ValueError
        If a shape does not fit, the activation's derivative is unknown, or
        ``truncate`` is not a positive integer; or if the ``outputs`` are not those
        `simple_rnn_forward` gives with these arguments, when the gradients would be
        wrong (another ``activation``, ``initial_state``, ``mask`` or dropout mask, other
        inputs or weights): each step is computed again from the given ``h_{t-1}``, for
        4 units spread over the layer (all of a layer of 8 or fewer), and must give the
        given ``h_t`` within rounding; the message names the first step that does not,
        by how much, and the arguments to pass alike. Any bias is accepted, as the
        gradients do not depend on it (but for ``gelu`` and ``silu``).

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.functional import simple_rnn_backward, simple_rnn_forward
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((2, 5, 3))
    >>> kernel, recurrent_kernel = rng.standard_normal((3, 4)) / 2, np.eye(4) / 2
    >>> states = simple_rnn_forward(x, kernel, recurrent_kernel)
    >>> r = rng.standard_normal(states.shape)       # the loss L = sum(states * r)
    >>> grad_x, grads = simple_rnn_backward(r, x, states, kernel, recurrent_kernel)
    >>> grad_x.shape, list(grads)
    ((2, 5, 3), ['kernel', 'recurrent_kernel', 'bias', 'initial_state'])
    >>> grads["recurrent_kernel"].shape, grads["initial_state"].shape
    ((4, 4), (2, 4))

    One entry against a central difference:

    >>> def loss(k):
    ...     return float(np.sum(simple_rnn_forward(x, k, recurrent_kernel) * r))
    >>> step = np.zeros_like(kernel)
    >>> step[1, 2] = 1e-6
    >>> numeric = (loss(kernel + step) - loss(kernel - step)) / 2e-6
    >>> bool(abs(numeric - grads["kernel"][1, 2]) < 1e-8)
    True

    Truncated to 5 steps over 5 timesteps, nothing is cut; to 2 steps, it is:

    >>> _, full = simple_rnn_backward(r, x, states, kernel, recurrent_kernel, truncate=5)
    >>> _, cut = simple_rnn_backward(r, x, states, kernel, recurrent_kernel, truncate=2)
    >>> bool(np.allclose(full["kernel"], grads["kernel"]))
    True
    >>> bool(np.allclose(cut["kernel"], grads["kernel"]))
    False

    A bias is accepted as the sixth argument, as `lstm_backward` and `gru_backward`
    take theirs, and changes nothing (but for ``gelu`` and ``silu``, whose derivative
    is computed from the pre-activation, which includes it):

    >>> _, same = simple_rnn_backward(r, x, states, kernel, recurrent_kernel, np.ones(4))
    >>> bool(np.array_equal(same["kernel"], grads["kernel"]))
    True

    Outputs of a forward pass with other arguments are refused, their gradients would
    be wrong:

    >>> simple_rnn_backward(r, x, states, kernel, recurrent_kernel, activation="relu")
    Traceback (most recent call last):
    ...
    ValueError: The `outputs` given to simple_rnn_backward do not match a forward pass ...
    """
    x, batched = _inputs(inputs)
    k, rk, units = _weights(x, kernel, recurrent_kernel, 1)
    b = _bias(bias, (units,), k)  # needed only by gelu and silu: act'(z_t) is read from h_t
    h = _sequence("outputs", outputs, x, units, batched)
    h0 = _one_state(initial_state, x, units, batched)
    g_seq, g_last = _grad_outputs(grad_outputs, x, units, batched)
    window = _truncation(truncate)
    dtype = _dtype(x, k, rk, h, h0, g_seq, g_last)
    masks = _masks(x, units, 1, batched, mask, dropout_mask, recurrent_dropout_mask).cast(dtype)
    _check_outputs(x, h, h0, (k, rk, b), activation, masks, dtype, batched)
    derivative: Any
    if activations.needs_input(activation):  # act'(z_t) from z_t, recomputed
        derivative = _input_slopes(activation, x, h, h0, (k, rk, b), masks, dtype)
    else:
        derivative = activations.derivative(activation)
    if masks.steps or masks.inputs is not None:
        weights = (k.astype(dtype, copy=False), rk.astype(dtype, copy=False))
        dx, grads = _backward_masked(x, h, h0, (g_seq, g_last), weights, derivative, window, masks)
        grads["initial_state"] = grads["initial_state"] if batched else grads["initial_state"][0]
        return _batch_major(dx, batched), grads
    batch, steps, features = x.shape
    k_t = k.T.astype(dtype, copy=False)
    rk_t = np.ascontiguousarray(rk.T, dtype)

    grads = {
        "kernel": np.zeros((features, units), dtype),
        "recurrent_kernel": np.zeros((units, units), dtype),
        "bias": np.zeros(units, dtype),
    }
    grad_x = np.empty((batch, steps, features), dtype)
    # dL/dh_t coming back from step t + 1: one row per output's slot when truncating
    carry = np.zeros((batch, units) if window is None else (window, batch, units), dtype)
    if g_last is not None and window is None:
        carry += g_last  # the last state's gradient enters at the last step

    # back through time in chunks of n steps, in small time-major buffers reused by all
    n = _chunk_steps(steps, batch, max(units, features) * (window or 1))
    chunk = _Chunk.empty(n, batch, units, features, dtype, g_seq is not None)
    for lo in reversed(range(0, steps, n)):
        hi = min(lo + n, steps)
        hs, dz, xs, g = chunk.load(lo, hi, x, h, h0, g_seq, derivative)
        if window is None:
            _through_time(dz, g, derivative is None, rk_t, carry)
        else:
            last = g_last if hi == steps else None
            _through_time_truncated(dz, g, last, derivative is None, rk_t, carry, lo)
        _add_weight_grads(grads, dz, hs, xs)  # this chunk's share, as matrix products
        np.dot(_flat(dz), k_t, _flat(xs))  # dL/dx_t = dz_t K^T, over the x rows
        grad_x[:, lo:hi] = xs.swapaxes(0, 1)

    dh0 = carry if window is None else carry.sum(axis=0)
    grads["initial_state"] = dh0 if batched else dh0[0]  # dL/dh_0
    return (grad_x if batched else grad_x[0]), grads


class _Chunk(NamedTuple):
    """Small time-major buffers for a chunk of ``n`` steps, reused by every chunk.

    ``h`` (n + 1, batch, units) holds the state before the chunk and its states, ``dz``
    (n, batch, units) first ``act'(z_t)`` then ``dL/dz_t``, ``x`` (n, batch, features)
    first the inputs then their gradients, and ``g`` (n, batch, units) the outputs'
    gradients (None when only the last state has one).
    """

    h: np.ndarray
    dz: np.ndarray
    x: np.ndarray
    g: np.ndarray | None

    @classmethod
    def empty(
        cls, n: int, batch: int, units: int, features: int, dtype: np.dtype, outputs: bool
    ) -> _Chunk:
        """Allocate the buffers; ``outputs``: whether every output has a gradient."""
        return cls(
            np.empty((n + 1, batch, units), dtype),
            np.empty((n, batch, units), dtype),
            np.empty((n, batch, features), dtype),
            np.empty((n, batch, units), dtype) if outputs else None,
        )

    def load(
        self,
        lo: int,
        hi: int,
        x: np.ndarray,
        h: np.ndarray,
        h0: np.ndarray | None,
        g_seq: np.ndarray | None,
        derivative: Any,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """Fill the buffers with steps ``lo`` to ``hi - 1``, time-major.

        Parameters
        ----------
        lo, hi : int
            The chunk's first step and one past its last.
        x : ndarray of shape (batch, timesteps, features)
            The inputs.
        h : ndarray of shape (batch, timesteps, units)
            Every state ``h_1 ... h_T``.
        h0 : ndarray of shape (batch, units) or None
            The initial state; zeros when None.
        g_seq : ndarray of shape (batch, timesteps, units) or None
            ``dL/dh_t`` from every output.
        derivative : callable, ndarray or None
            ``act'`` read from the outputs, writing into its second argument; None for
            linear; or every step's ``act'(z_t)`` (timesteps, batch, units), time-major.

        Returns
        -------
        hs : ndarray of shape (hi - lo + 1, batch, units)
            ``h_{lo-1}`` (``h_0`` for the first chunk) and the chunk's states.
        dz : ndarray of shape (hi - lo, batch, units)
            ``act'(z_t)`` (left as it is for linear), to become ``dL/dz_t``.
        xs : ndarray of shape (hi - lo, batch, features)
            The chunk's inputs.
        g : ndarray of shape (hi - lo, batch, units) or None
            The chunk's ``dL/dh_t`` from the outputs.
        """
        hs, dz, xs = self.h[: hi - lo + 1], self.dz[: hi - lo], self.x[: hi - lo]
        hs[1:] = h[:, lo:hi].swapaxes(0, 1)  # h_t for the chunk's steps
        hs[0] = h[:, lo - 1] if lo else (0 if h0 is None else h0)  # and the state before
        if isinstance(derivative, np.ndarray):
            dz[...] = derivative[lo:hi]  # act'(z_t), computed from z_t (gelu, silu)
        elif derivative is not None:
            derivative(hs[1:], dz)  # act'(z_t), read from h_t
        xs[...] = x[:, lo:hi].swapaxes(0, 1)  # x_t
        if self.g is None:
            return hs, dz, xs, None
        assert g_seq is not None  # a buffer for them exists only when they do
        g = self.g[: hi - lo]
        g[...] = g_seq[:, lo:hi].swapaxes(0, 1)  # dL/dh_t from the outputs
        return hs, dz, xs, g


def _add_weight_grads(
    grads: dict[str, np.ndarray], dz: np.ndarray, hs: np.ndarray, xs: np.ndarray
) -> None:
    """Add one chunk's share of the weight gradients to ``grads``, in place.

    Parameters
    ----------
    grads : dict of str to ndarray
        ``"kernel"`` (features, units), ``"recurrent_kernel"`` (units, units) and
        ``"bias"`` (units,), summed over the chunks so far.
    dz : ndarray of shape (steps, batch, units)
        The chunk's ``dL/dz_t``.
    hs : ndarray of shape (steps + 1, batch, units)
        The state before the chunk, and its states.
    xs : ndarray of shape (steps, batch, features)
        The chunk's inputs.
    """
    dz_rows = _flat(dz)
    grads["kernel"] += _flat(xs).T @ dz_rows  # dL/dK = sum_t x_t^T dz_t
    grads["recurrent_kernel"] += _flat(hs[:-1]).T @ dz_rows  # dL/dR = sum h_{t-1}^T dz_t
    grads["bias"] += dz_rows.sum(axis=0)  # dL/db = sum_t dz_t


def _through_time(
    dz: np.ndarray, g: np.ndarray | None, linear: bool, rk_t: np.ndarray, carry: np.ndarray
) -> None:
    """Full BPTT over one chunk of steps, from its last step to its first.

    ``dz`` (steps, batch, units) holds ``act'(z_t)`` (nothing if ``linear``) and receives
    ``dL/dz_t``; ``g`` holds ``dL/dh_t`` from the outputs (None: no output here);
    ``carry`` (batch, units) brings ``dL/dh_t`` from step ``t + 1`` and leaves with
    ``dL/dh`` of the state before the chunk. Rows are 1-D when the batch is 1.
    """
    steps, batch, units = dz.shape
    lead = () if batch == 1 else (batch,)  # one sequence: 1-D rows, the fastest products
    dz_rows = list(dz.reshape(steps, *lead, units))[::-1]
    g_rows = [None] * steps if g is None else list(g.reshape(steps, *lead, units))[::-1]
    dh = np.empty((*lead, units), dz.dtype)
    back = carry.reshape(dh.shape)
    dot, add, mul = np.ndarray.dot, np.add, np.multiply
    for dz_t, g_t in zip(dz_rows, g_rows, strict=True):
        if g_t is not None:
            add(back, g_t, dh)  # dL/dh_t = from output t + from step t + 1
        if linear:
            np.copyto(dz_t, back if g_t is None else dh)  # dL/dz_t = dL/dh_t
        else:
            mul(back if g_t is None else dh, dz_t, dz_t)  # dL/dz_t = dL/dh_t * act'(z_t)
        dot(dz_t, rk_t, back)  # dL/dh_{t-1} = dz_t R^T


def _through_time_truncated(
    dz: np.ndarray,
    g: np.ndarray | None,
    g_last: np.ndarray | None,
    linear: bool,
    rk_t: np.ndarray,
    carry: np.ndarray,
    start: int,
) -> None:
    """BPTT over one chunk where each output's gradient goes back ``window`` steps at most.

    Each output's gradient travels on its own, in one of ``window`` slots of ``carry``
    (window, batch, units): output ``t`` takes slot ``t % window`` from output
    ``t + window``, whose gradient has then gone back ``window`` steps and stops. All
    slots move back together, in one product. ``start`` is the chunk's first step.
    """
    window = carry.shape[0]
    slope = None if linear else dz.copy()
    dz_slots = np.empty_like(carry)
    for t in reversed(range(dz.shape[0])):
        slot = carry[(start + t) % window]
        slot[...] = 0 if g is None else g[t]  # output t starts; the slot's old one stops
        if g_last is not None and t == dz.shape[0] - 1:
            slot += g_last  # the last state's gradient
        if slope is None:
            dz_slots[...] = carry  # linear: dL/dz = dL/dh
        else:
            np.multiply(carry, slope[t], dz_slots)  # dL/dz_t, per output
        dz_slots.sum(axis=0, out=dz[t])  # dL/dz_t, all outputs together
        np.dot(_flat(dz_slots), rk_t, _flat(carry))  # dL/dh_{t-1} = dz_t R^T, per output


# how many units the check of the outputs recomputes at every step (all, up to 8)
_CHECKED_UNITS = 4


def _check_outputs(
    x: np.ndarray,
    outputs: np.ndarray,
    h0: np.ndarray | None,
    weights: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    activation: Any,
    masks: _Masks,
    dtype: np.dtype,
    batched: bool,
) -> None:
    """Raise if the outputs are not those of a forward pass with these arguments.

    At every step, ``h_t = act(x_t K + h_{t-1} R + b)`` is computed again from the given
    ``h_{t-1}`` for `_CHECKED_UNITS` units spread over the layer (all of a layer of 8
    or fewer): two products with that many columns, a small part of the backward's.
    Any bias is accepted, as the backward pass needs none (but for gelu and silu).
    Without one, the outputs are compared with the bias they imply (`implied_bias`, read
    per unit from its output farthest from the activation's bounds); only when they do
    not match with it (or the ``bias`` given) is a bias that would make them match
    looked for (see `bias_fits`).
    """
    k, rk, b = weights
    batch, steps, features = x.shape
    units = rk.shape[0]
    cols = _checked_units(units)
    states = _carried(outputs, masks.keep, h0, dtype)
    x_in = x if masks.inputs is None else x * masks.inputs[:, :1]
    # x_t K and h_t R as (n, rows) products: a few columns are faster so than as rows
    k_cols = np.ascontiguousarray(k[:, cols].T, dtype)
    z = np.dot(k_cols, x_in.reshape(-1, features).T).T.reshape(batch, steps, len(cols))
    z = z.astype(dtype, copy=False)  # (batch, T, n)
    rk_cols = rk[:, cols].astype(dtype, copy=False)
    h_in = states if masks.recurrent is None else states * masks.recurrent[:, :1]
    hr = np.dot(np.ascontiguousarray(rk_cols.T), h_in.reshape(-1, units).T).T
    hr = hr.reshape(batch, steps, len(cols))  # h_t R
    z[:, 1:] += hr[:, :-1]  # + h_{t-1} R
    if h0 is not None:
        h0_in = h0 if masks.recurrent is None else h0 * masks.recurrent[:, 0]
        z[:, 0] += np.dot(h0_in.astype(dtype, copy=False), rk_cols)
    drops = (masks.inputs, masks.recurrent)
    check = _consistency.Mismatch(
        "simple_rnn",
        outputs,
        masks.keep,
        lambda: _consistency.tolerances(x, states, h0, (k, rk, b), drops, dtype),
        dtype,
        batched,
    )
    fn = activations.get(activation)
    bias = None if b is None else b[cols].astype(dtype)
    if bias is None and not activations.needs_input(activation):  # the forward's bias?
        given = outputs[..., cols]
        rows = (
            (z.reshape(-1, len(cols)), given.reshape(-1, len(cols)))
            if masks.keep is None
            else (z[masks.keep], given[masks.keep])
        )
        implied = _consistency.implied_bias(fn, *rows)
        bias = None if implied is None else implied.astype(dtype)
    rec = np.asarray(fn(z if bias is None else z + bias), dtype)
    check.compare(0, rec, cols, scratch=rec is not z, batch_major=True)
    if check.first is None:
        return
    if not activations.needs_input(activation):  # any bias the forward pass had?
        if masks.keep is not None:  # a masked step repeats the output before: any bias
            held = _consistency.Mismatch(
                "simple_rnn", outputs, masks.keep, check.tol, dtype, batched
            )
            held.compare(0, outputs[..., cols].swapaxes(0, 1), cols)  # kept steps agree
            held.check()
        kept = np.ones(x.shape[:2], bool) if masks.keep is None else masks.keep
        tol = check.tol()
        if _consistency.bias_fits(fn, z[kept], outputs[..., cols][kept], tol[kept]):
            return
        if b is None and bias is not None:  # say what the outputs differ by without a bias
            check = _consistency.Mismatch(
                "simple_rnn", outputs, masks.keep, check.tol, dtype, batched
            )
            check.compare(0, np.asarray(fn(z), dtype), cols, batch_major=True)
        arguments = tuple(a for a in _consistency.ARGUMENTS["simple_rnn"] if a != "bias")
        check.arguments = arguments
        measured = "without a bias: " if b is None else "with the bias given: "
        raise ValueError(check.message(", whatever its bias", measured))
    check.check()


@functools.lru_cache(maxsize=64)
def _checked_units(units: int) -> np.ndarray:
    """Return all the units of a layer of 8 or fewer, else `_CHECKED_UNITS` spread over it."""
    if units <= 8:
        return np.arange(units)
    spread = np.linspace(0, units - 1, _CHECKED_UNITS).round().astype(np.intp)
    cols = np.unique(spread)
    cols.flags.writeable = False
    return cols


def _input_slopes(
    activation: Any,
    x: np.ndarray,
    outputs: np.ndarray,
    h0: np.ndarray | None,
    weights: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    masks: _Masks,
    dtype: np.dtype,
) -> np.ndarray:
    """Every step's ``act'(z_t)``, time-major, for an activation read from its input.

    ``z_t = (x_t m) K + (h_{t-1} m_r) R + b`` is computed again for all steps at once
    (``gelu`` and ``silu``: their output does not determine ``z_t``). ``x`` and
    ``outputs`` are batched, ``weights`` is ``(kernel, recurrent_kernel, bias)``. A
    masked step's value is never used.
    """
    k, rk, b = weights
    hs = _history(_carried(outputs, masks.keep, h0, dtype), h0, dtype)  # h_0 ... h_T
    xs = np.ascontiguousarray(x.swapaxes(0, 1), dtype)  # x_1 ... x_T, time-major
    z = _gate_dot(xs, k.astype(dtype, copy=False), masks.inputs)
    z += _gate_dot(hs[:-1], rk.astype(dtype, copy=False), masks.recurrent)
    if b is not None:
        z += b
    d = activations.input_derivative(activation)
    assert d is not None  # linear reads nothing from its input
    out = np.empty_like(z)
    d(z, out)
    return out


def _backward_masked(
    x: np.ndarray,
    outputs: np.ndarray,
    h0: np.ndarray | None,
    grad: tuple[np.ndarray | None, np.ndarray | None],
    weights: tuple[np.ndarray, np.ndarray],
    derivative: Any,
    window: int | None,
    masks: _Masks,
) -> tuple[np.ndarray, dict[str, Any]]:
    """BPTT with a mask or dropout masks: every step's product at once around one loop.

    ``derivative`` reads ``act'`` from the states, or is every step's ``act'(z_t)``
    (see `_input_slopes`), or None for linear.

    ``x`` (batch, timesteps, features) and ``outputs`` (batch, timesteps, units) are
    batched, ``grad`` is ``(dL/dh_t of every output, of the last)`` (either None),
    ``weights`` is ``(kernel, recurrent_kernel)``; they and ``masks`` are in the dtype
    computed in. Returns ``dL/dx_t`` time-major (timesteps, batch, features) and the
    gradients.
    """
    k, rk = weights
    dtype = k.dtype
    keep = np.ones(x.shape[:2], bool) if masks.keep is None else masks.keep
    hs = _history(_carried(outputs, masks.keep, h0, dtype), h0, dtype)  # h_0 ... h_T
    slope = np.ones_like(hs[1:])  # act'(z_t), 1 for linear
    if isinstance(derivative, np.ndarray):
        slope[...] = derivative  # computed from z_t (gelu, silu)
    elif derivative is not None:
        derivative(hs[1:], slope)  # read from h_t (a carried state where masked)
    slope *= keep.T[..., np.newaxis]  # a masked step computes nothing
    g_seq, g_last = _arriving(*grad, masks.keep)
    g = None if g_seq is None else g_seq.swapaxes(0, 1)
    dz, dh0 = _through_time_masked(slope, _Arrivals(g, g_last, window), rk, keep, masks)
    xs = np.ascontiguousarray(x.swapaxes(0, 1), dtype)  # x_1 ... x_T, time-major
    grads = {
        "kernel": _gate_grad(xs, dz, masks.inputs),  # sum_t (x_t m)^T dz_t
        "recurrent_kernel": _gate_grad(hs[:-1], dz, masks.recurrent),  # sum (h_{t-1} m)^T dz_t
        "bias": _flat(dz).sum(axis=0),  # sum_t dz_t
        "initial_state": dh0,  # dL/dh_0
    }
    return _gate_back(dz, k, masks.inputs), grads  # dL/dx_t = (dz_t K^T) m


def _through_time_masked(
    slope: np.ndarray, arrive: _Arrivals, rk: np.ndarray, keep: np.ndarray, masks: _Masks
) -> tuple[np.ndarray, np.ndarray]:
    """Walk back for `_backward_masked`: return ``dL/dz_t`` (timesteps, batch, units), ``dL/dh_0``.

    ``slope`` holds ``act'(z_t)``, zero at masked steps; ``keep`` (batch, timesteps) is
    the mask. Each output's gradient travels in its slot (see `_Arrivals`).
    """
    steps, batch, units = slope.shape
    dh = np.zeros((arrive.slots, batch, units), slope.dtype)  # dL/dh_t, per slot
    dz = np.empty_like(slope)
    carry = (~keep.T[..., np.newaxis]).astype(slope.dtype)  # 1 at masked steps, else 0
    for t in reversed(range(steps)):
        arrive.enter(dh, t, steps)
        dz_slots = dh * slope[t]  # dL/dz_t = dL/dh_t act'(z_t), per slot
        dz_slots.sum(axis=0, out=dz[t])  # every output's dz_t together
        dh *= carry[t]  # a masked step passes dL/dh_t straight back to h_{t-1}
        dh += _gate_back(dz_slots, rk, masks.recurrent)  # + (dz_t R^T) m
    return dz, dh.sum(axis=0)
