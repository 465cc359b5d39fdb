"""Readable reference cells: SimpleRNN, LSTM and GRU, one line per equation.

The fast functions of `rnn.functional` are written for speed: every step's input
product at once, buffers reused in place, gates reordered, truncation in slots. This
module computes **the same numbers** (tested equal to them in float64) the way a
textbook does, in the style of Karpathy's min-char-rnn: one step at a time, one line
per equation, the shape of each line's result in its comment. Read it to see what the
fast functions compute; call the fast ones to compute it.

It has the fast functions' names, in its own namespace (``reference.lstm_backward``
is the readable `rnn.functional.lstm_backward`), plus one step of each cell:

- ``simple_rnn_step``, ``lstm_step``, ``gru_step``: one step forward;
- ``simple_rnn_forward``, ``lstm_forward``, ``gru_forward``: a whole sequence;
- ``simple_rnn_backward``, ``lstm_backward``, ``gru_backward``: backpropagation
  through time, over ``reversed(range(T))``, with the same ``truncate`` as the fast ones.

Conventions, all Keras's:

- inputs are batched, (batch, timesteps, features);
- the weights come in one dict ``params`` keyed by Keras's weight names ``kernel``,
  ``recurrent_kernel`` and (optionally) ``bias``, the names of the fast functions'
  arguments too: ``reference.lstm_forward(x, params)`` equals
  ``rnn.functional.lstm_forward(x, **params)``;
- the backward functions return ``(grad_inputs, grads)``, ``grads`` keyed like
  ``params`` plus ``initial_state``, as the fast ones do;
- Keras's layout: the gates side by side in the kernels' columns, LSTM ``i, f, c, o``,
  GRU ``z, r, h``; ``σ`` is the recurrent activation (sigmoid by default).

Masks, as the fast functions take them (``mask``, ``dropout_mask``,
``recurrent_dropout_mask``, keyword arguments of the forward and backward functions):
a masked step keeps the state and repeats the previous output (zeros before the first
unmasked step), and passes ``dL/dh_t`` straight back; a dropout mask multiplies ``x_t``
or ``h_{t-1}`` before a product, one mask for every gate or one per gate.

Activations are looked up in `rnn.activations`; their derivatives are read from their
outputs (``tanh' = 1 - h**2``), as in the fast functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from rnn import activations
from rnn.functional import _consistency
from rnn.functional._steps import ActivationLike

__all__ = [
    "gru_backward",
    "gru_forward",
    "gru_step",
    "lstm_backward",
    "lstm_forward",
    "lstm_step",
    "simple_rnn_backward",
    "simple_rnn_forward",
    "simple_rnn_step",
]

Params = dict[str, np.ndarray]
Grads = dict[str, Any]


# ------------------------------------------------------------------------ SimpleRNN


def simple_rnn_step(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    params: Params,
    activation: ActivationLike = "tanh",
    *,
    dropout_mask: np.ndarray | None = None,
    recurrent_dropout_mask: np.ndarray | None = None,
) -> np.ndarray:
    """One step of a simple RNN: ``h_t = act(x_t K + h_{t-1} R + b)``.

    Parameters
    ----------
    x_t : ndarray of shape (batch, features)
        The inputs of this step.
    h_prev : ndarray of shape (batch, units)
        The previous state ``h_{t-1}``.
    params : dict
        ``kernel`` (features, units), ``recurrent_kernel`` (units, units) and
        optionally ``bias`` (units,).
    activation : str, callable or None
        ``"tanh"`` by default.
    dropout_mask : ndarray of shape (batch, features), optional
        Multiplies ``x_t`` before its product.
    recurrent_dropout_mask : ndarray of shape (batch, units), optional
        Multiplies ``h_{t-1}`` before its product.

    Returns
    -------
    ndarray of shape (batch, units)
        The new state ``h_t``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.functional import reference
    >>> params = {"kernel": np.ones((2, 3)), "recurrent_kernel": np.eye(3)}
    >>> reference.simple_rnn_step(np.ones((1, 2)), np.zeros((1, 3)), params, "relu")
    array([[2., 2., 2.]])
    """
    K, R, b = params["kernel"], params["recurrent_kernel"], _bias(params)
    xK = _dot(x_t, K, dropout_mask)  # (x_t m) K, m the dropout mask  (batch, units)
    hR = _dot(h_prev, R, recurrent_dropout_mask)  # (h_{t-1} m) R       (batch, units)
    a = xK + hR + b  # pre-activation                                  (batch, units)
    return activations.get(activation)(a)  # h_t = act(a)       (batch, units)


def simple_rnn_forward(
    inputs: np.ndarray,
    params: Params,
    *,
    activation: ActivationLike = "tanh",
    initial_state: np.ndarray | None = None,
    mask: np.ndarray | None = None,
    dropout_mask: np.ndarray | None = None,
    recurrent_dropout_mask: np.ndarray | None = None,
) -> np.ndarray:
    """Run a simple RNN over whole sequences, step by step: every output ``y_1 ... y_T``.

    Parameters
    ----------
    inputs : ndarray of shape (batch, timesteps, features)
    params : dict
        As in `simple_rnn_step`.
    activation : str, callable or None
        ``"tanh"`` by default.
    initial_state : ndarray of shape (batch, units), optional
        ``h_0``; zeros by default.
    mask : ndarray of shape (batch, timesteps), optional
        Which steps count: a masked step keeps ``h_{t-1}`` and repeats the previous
        output ``y_{t-1}`` (``y_0`` is zeros, whatever ``h_0``).
    dropout_mask, recurrent_dropout_mask : ndarray, optional
        As in `simple_rnn_step`, the same at every step.

    Returns
    -------
    ndarray of shape (batch, timesteps, units)
        What `rnn.functional.simple_rnn_forward` returns: the states without a mask.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.functional import reference, simple_rnn_forward
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((2, 5, 3))
    >>> params = {"kernel": rng.standard_normal((3, 4)), "recurrent_kernel": np.eye(4) / 2,
    ...           "bias": np.zeros(4)}
    >>> h = reference.simple_rnn_forward(x, params)
    >>> h.shape, bool(np.allclose(h, simple_rnn_forward(x, **params), rtol=0, atol=1e-12))
    ((2, 5, 4), True)
    """
    h = _initial(initial_state, inputs, params)  # h_0                       (batch, units)
    y = np.zeros_like(h)  # the output before the first step                (batch, units)
    drop: dict[str, Any] = {
        "dropout_mask": dropout_mask,
        "recurrent_dropout_mask": recurrent_dropout_mask,
    }
    outputs = []
    for t in range(inputs.shape[1]):
        h_new = simple_rnn_step(inputs[:, t], h, params, activation, **drop)  # (batch, units)
        keep = _keep(mask, inputs, t)  # does step t count?                  (batch, 1)
        h = np.where(keep, h_new, h)  # h_t: a masked step keeps h_{t-1}     (batch, units)
        y = np.where(keep, h_new, y)  # y_t: or repeats the last output      (batch, units)
        outputs.append(y)
    return np.stack(outputs, axis=1)  # (batch, timesteps, units)


def simple_rnn_backward(
    grad_outputs: np.ndarray,
    inputs: np.ndarray,
    outputs: np.ndarray,
    params: Params,
    *,
    activation: ActivationLike = "tanh",
    initial_state: np.ndarray | None = None,
    truncate: int | None = None,
    mask: np.ndarray | None = None,
    dropout_mask: np.ndarray | None = None,
    recurrent_dropout_mask: np.ndarray | None = None,
) -> tuple[np.ndarray, Grads]:
    """Backpropagation through time in a simple RNN, one step at a time.

    Parameters
    ----------
    grad_outputs : ndarray of shape (batch, timesteps, units) or (batch, units)
        ``dL/dh_t`` for every output, or for the last one only.
    inputs : ndarray of shape (batch, timesteps, features)
    outputs : ndarray of shape (batch, timesteps, units)
        Every output of the forward pass (with the same ``mask``).
    params : dict
        As in `simple_rnn_step`; the bias is not needed (``act'`` is read from ``h_t``).
    activation : str or None
        As in the forward pass; ``"tanh"``, ``"sigmoid"``, ``"relu"`` or ``"linear"``.
    initial_state : ndarray of shape (batch, units), optional
        The forward pass's ``h_0``; zeros by default.
    truncate : int, optional
        Each output's gradient flows back ``truncate`` steps at most; None: all the way.
    mask, dropout_mask, recurrent_dropout_mask : ndarray, optional
        As in the forward pass: a masked step passes ``dL/dh_t`` straight back.

    Returns
    -------
    grad_inputs : ndarray of shape (batch, timesteps, features)
    grads : dict
        ``kernel``, ``recurrent_kernel``, ``bias`` and ``initial_state`` (``dL/dh_0``),
        as `rnn.functional.simple_rnn_backward` returns them.

    Raises
    ------
    ValueError
        If the ``outputs`` are not those `simple_rnn_forward` gives with these
        arguments (each step's ``h_t`` computed again from the given ``h_{t-1}`` must be
        the given one within rounding), naming the first step that differs and by how
        much. Any bias is accepted, as the gradients do not depend on it.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.functional import reference, simple_rnn_backward
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((2, 5, 3))
    >>> params = {"kernel": rng.standard_normal((3, 4)), "recurrent_kernel": np.eye(4) / 2}
    >>> h = reference.simple_rnn_forward(x, params)
    >>> g = rng.standard_normal(h.shape)                 # dL/dh_t for L = sum(h * g)
    >>> dx, grads = reference.simple_rnn_backward(g, x, h, params, truncate=2)
    >>> fast_dx, fast = simple_rnn_backward(g, x, h, **params, truncate=2)
    >>> sorted(grads), bool(np.allclose(grads["kernel"], fast["kernel"], atol=1e-12))
    (['bias', 'initial_state', 'kernel', 'recurrent_kernel'], True)
    """
    K, R = params["kernel"], params["recurrent_kernel"]
    slope = _slope(activation, "activation")
    h0 = _initial(initial_state, inputs, params)
    states = _carried(outputs, mask, h0)  # h_t: the outputs, or h_0 before the first step
    drop: dict[str, Any] = {
        "dropout_mask": dropout_mask,
        "recurrent_dropout_mask": recurrent_dropout_mask,
    }

    # the forward pass again, each step from the given h_{t-1}: are these its outputs?
    no_bias = {"kernel": K, "recurrent_kernel": R}
    a = np.stack(  # x_t K + h_{t-1} R, the pre-activations without the bias  (b, T, u)
        [
            simple_rnn_step(inputs[:, t], states[:, t - 1] if t else h0, no_bias, None, **drop)
            for t in range(inputs.shape[1])
        ],
        axis=1,
    )
    again = activations.get(activation)(a + _bias(params))  # h_t        (b, T, u)
    free = None if activations.needs_input(activation) else (activation, a)  # any bias
    _check_outputs("simple_rnn", again, inputs, outputs, h0, params, mask, drop, free)

    grads = _zero_grads(params, bias_shape=(R.shape[1],))
    dx = np.zeros(inputs.shape)  # dL/dx_t                (batch, timesteps, features)

    def step_back(t: int, d_state: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        (dh,) = d_state  # dL/dh_t                                       (batch, units)
        keep = _keep(mask, inputs, t)  # does step t count?                  (batch, 1)
        h_prev = states[:, t - 1] if t else h0  # h_{t-1}                (batch, units)
        da = dh * keep * slope(states[:, t])  # dL/da_t = dh act'(a_t), 0 if masked (b, u)
        dx_t, dK = _dot_grads(inputs[:, t], K, dropout_mask, da)  # of (x_t m) K
        dh_R, dR = _dot_grads(h_prev, R, recurrent_dropout_mask, da)  # of (h_{t-1} m) R
        grads["kernel"] += dK  # dL/dK += (x_t m)^T da                  (features, units)
        grads["recurrent_kernel"] += dR  # dL/dR += (h_{t-1} m)^T da       (units, units)
        grads["bias"] += da.sum(axis=0)  # dL/db += sum da                        (units,)
        dx[:, t] += dx_t  # dL/dx_t = (da K^T) m                      (batch, features)
        return (np.where(keep, dh_R, dh),)  # dL/dh_{t-1}: (da R^T) m, or dh if masked

    incoming = _incoming(grad_outputs, outputs, mask=mask)
    (grads["initial_state"],) = _through_time(step_back, incoming, truncate)
    return dx, grads


# ----------------------------------------------------------------------------- LSTM


def lstm_step(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    params: Params,
    activation: ActivationLike = "tanh",
    recurrent_activation: ActivationLike = "sigmoid",
    *,
    dropout_mask: np.ndarray | None = None,
    recurrent_dropout_mask: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """One step of a Keras LSTM (gate order ``i, f, c, o``).

    Parameters
    ----------
    x_t : ndarray of shape (batch, features)
    h_prev, c_prev : ndarray of shape (batch, units)
        The previous state ``h_{t-1}`` and cell ``c_{t-1}``.
    params : dict
        ``kernel`` (features, 4 * units), ``recurrent_kernel`` (units, 4 * units) and
        optionally ``bias`` (4 * units,).
    activation, recurrent_activation : str, callable or None
        ``act`` (``"tanh"``) and ``σ`` (``"sigmoid"``).
    dropout_mask, recurrent_dropout_mask : ndarray, optional
        Multiply ``x_t`` and ``h_{t-1}`` before their products: (batch, n) for every
        gate, or (batch, 4, n) one per gate.

    Returns
    -------
    h, c : ndarray of shape (batch, units)
        The new state and cell.
    gates : dict of ndarray of shape (batch, units)
        ``i``, ``f``, ``g`` (the candidate ``act(a_c)``) and ``o``, for the backward pass.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.functional import reference
    >>> params = {"kernel": np.zeros((2, 12)), "recurrent_kernel": np.zeros((3, 12))}
    >>> h, c, gates = reference.lstm_step(np.ones((1, 2)), np.zeros((1, 3)),
    ...                                   np.ones((1, 3)), params)
    >>> c.tolist(), sorted(gates)                      # all gates 1/2: c = c_prev / 2
    ([[0.5, 0.5, 0.5]], ['f', 'g', 'i', 'o'])
    """
    act, sigma = activations.get(activation), activations.get(recurrent_activation)
    K, R, b = params["kernel"], params["recurrent_kernel"], _bias(params)
    xK = _dot(x_t, K, dropout_mask)  # (x_t m_g) K_g, per gate        (batch, 4 * units)
    hR = _dot(h_prev, R, recurrent_dropout_mask)  # (h_{t-1} m_g) R_g  (batch, 4 * units)
    a = xK + hR + b  # pre-activations of the gates                    (batch, 4 * units)
    a_i, a_f, a_c, a_o = np.split(a, 4, axis=1)  # each                (batch, units)
    i = sigma(a_i)  # input gate                                       (batch, units)
    f = sigma(a_f)  # forget gate                                      (batch, units)
    g = act(a_c)  # candidate cell                                     (batch, units)
    o = sigma(a_o)  # output gate                                      (batch, units)
    c = f * c_prev + i * g  # c_t = f c_{t-1} + i g                    (batch, units)
    h = o * act(c)  # h_t = o act(c_t)                                 (batch, units)
    return h, c, {"i": i, "f": f, "g": g, "o": o}


def lstm_forward(
    inputs: np.ndarray,
    params: Params,
    *,
    activation: ActivationLike = "tanh",
    recurrent_activation: ActivationLike = "sigmoid",
    initial_state: tuple[np.ndarray, np.ndarray] | None = None,
    mask: np.ndarray | None = None,
    dropout_mask: np.ndarray | None = None,
    recurrent_dropout_mask: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Run a Keras LSTM over whole sequences, step by step: every ``h_t`` and ``c_t``.

    Parameters
    ----------
    inputs : ndarray of shape (batch, timesteps, features)
    params : dict
        As in `lstm_step`.
    activation, recurrent_activation : str, callable or None
        ``"tanh"`` and ``"sigmoid"`` by default.
    initial_state : pair of ndarrays of shape (batch, units), optional
        ``(h_0, c_0)``; zeros by default.
    mask : ndarray of shape (batch, timesteps), optional
        A masked step keeps ``h`` and ``c`` and repeats the previous output (zeros first).
    dropout_mask, recurrent_dropout_mask : ndarray, optional
        As in `lstm_step`, the same at every step.

    Returns
    -------
    outputs, cells : ndarray of shape (batch, timesteps, units)
        ``h_1 ... h_T`` (what `rnn.functional.lstm_forward` returns) and ``c_1 ... c_T``
        (its final cell state is ``cells[:, -1]``).

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.functional import lstm_forward, reference
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((2, 5, 3))
    >>> params = {"kernel": rng.standard_normal((3, 16)) / 2,
    ...           "recurrent_kernel": rng.standard_normal((4, 16)) / 2}
    >>> h, c = reference.lstm_forward(x, params)
    >>> _, h_last, c_last = lstm_forward(x, **params, return_state=True)
    >>> bool(np.allclose(h[:, -1], h_last, atol=1e-12)), bool(np.allclose(c[:, -1], c_last))
    (True, True)
    """
    h, c = _initial_pair(initial_state, inputs, params)  # h_0, c_0      (batch, units)
    y = np.zeros_like(h)  # the output before the first step            (batch, units)
    acts = (activation, recurrent_activation)
    drop: dict[str, Any] = {
        "dropout_mask": dropout_mask,
        "recurrent_dropout_mask": recurrent_dropout_mask,
    }
    outputs, cells = [], []
    for t in range(inputs.shape[1]):
        h_new, c_new, _ = lstm_step(inputs[:, t], h, c, params, *acts, **drop)
        keep = _keep(mask, inputs, t)  # does step t count?              (batch, 1)
        h = np.where(keep, h_new, h)  # h_t: a masked step keeps h_{t-1} (batch, units)
        c = np.where(keep, c_new, c)  # c_t: and c_{t-1}                (batch, units)
        y = np.where(keep, h_new, y)  # y_t: or repeats the last output  (batch, units)
        outputs.append(y)
        cells.append(c)
    return np.stack(outputs, axis=1), np.stack(cells, axis=1)  # (batch, timesteps, units)


def lstm_backward(
    grad_outputs: np.ndarray,
    inputs: np.ndarray,
    outputs: np.ndarray,
    params: Params,
    *,
    activation: ActivationLike = "tanh",
    recurrent_activation: ActivationLike = "sigmoid",
    initial_state: tuple[np.ndarray, np.ndarray] | None = None,
    grad_final_state: tuple[np.ndarray | None, np.ndarray | None] | None = None,
    truncate: int | None = None,
    mask: np.ndarray | None = None,
    dropout_mask: np.ndarray | None = None,
    recurrent_dropout_mask: np.ndarray | None = None,
) -> tuple[np.ndarray, Grads]:
    """Backpropagation through time in a Keras LSTM, one step at a time.

    Parameters
    ----------
    grad_outputs, inputs, outputs, truncate
        As in `simple_rnn_backward`.
    params : dict
        As in `lstm_step` (the bias is needed: the gates are recomputed).
    activation, recurrent_activation : str or None
        As in the forward pass; ``"tanh"``, ``"sigmoid"``, ``"relu"`` or ``"linear"``.
    initial_state : pair of ndarrays of shape (batch, units), optional
        The forward pass's ``(h_0, c_0)``; zeros by default.
    grad_final_state : pair of ndarrays of shape (batch, units) or None, optional
        ``(dL/dh_T, dL/dc_T)``; either may be None.
    mask, dropout_mask, recurrent_dropout_mask : ndarray, optional
        As in the forward pass: a masked step passes ``dL/dh_t``, ``dL/dc_t`` straight back.

    Returns
    -------
    grad_inputs : ndarray of shape (batch, timesteps, features)
    grads : dict
        ``kernel``, ``recurrent_kernel``, ``bias`` and ``initial_state``, the pair
        ``(dL/dh_0, dL/dc_0)``, as `rnn.functional.lstm_backward` returns them.

    Raises
    ------
    ValueError
        If the ``outputs`` are not those `lstm_forward` gives with these arguments (each
        step's ``h_t`` computed again from the given ``h_{t-1}`` must be the given one
        within rounding), naming the first step that differs and by how much.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.functional import lstm_backward, reference
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((2, 5, 3))
    >>> params = {"kernel": rng.standard_normal((3, 16)) / 2,
    ...           "recurrent_kernel": rng.standard_normal((4, 16)) / 2,
    ...           "bias": np.zeros(16)}
    >>> h, _ = reference.lstm_forward(x, params)
    >>> g = rng.standard_normal(h.shape)
    >>> dx, grads = reference.lstm_backward(g, x, h, params)
    >>> fast_dx, fast = lstm_backward(g, x, h, **params)
    >>> bool(np.allclose(dx, fast_dx, rtol=0, atol=1e-12))
    True
    """
    K, R = params["kernel"], params["recurrent_kernel"]
    act = activations.get(activation)
    act_slope = _slope(activation, "activation")
    sigma_slope = _slope(recurrent_activation, "recurrent_activation")
    h0, c0 = _initial_pair(initial_state, inputs, params)
    states = _carried(outputs, mask, h0)  # h_t: the outputs, or h_0 before the first step
    steps = inputs.shape[1]
    acts = (activation, recurrent_activation)
    drop: dict[str, Any] = {
        "dropout_mask": dropout_mask,
        "recurrent_dropout_mask": recurrent_dropout_mask,
    }

    # the forward pass again from the given outputs: each step's gates and cells
    gates, cells, again = [], [c0], []  # cells[t] is c_{t-1} for step t (0-based)
    for t in range(steps):
        h_prev = states[:, t - 1] if t else h0  # h_{t-1}                (batch, units)
        h, c, step_gates = lstm_step(inputs[:, t], h_prev, cells[t], params, *acts, **drop)
        gates.append(step_gates)
        cells.append(np.where(_keep(mask, inputs, t), c, cells[t]))  # c_t, kept if masked
        again.append(h)  # h_t again: it must be the given output      (batch, units)
    _check_outputs("lstm", np.stack(again, axis=1), inputs, outputs, h0, params, mask, drop)

    grads = _zero_grads(params, bias_shape=(R.shape[1],))
    dx = np.zeros(inputs.shape)  # dL/dx_t                (batch, timesteps, features)

    def step_back(t: int, d_state: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        dh_in, dc_in = d_state  # dL/dh_t, dL/dc_t (from later steps)     (batch, units)
        keep = _keep(mask, inputs, t)  # does step t count?              (batch, 1)
        dh, dc = dh_in * keep, dc_in * keep  # a masked step computes nothing   (b, u)
        i, f, g, o = (gates[t][n] for n in "ifgo")  # each                (batch, units)
        h_prev = states[:, t - 1] if t else h0  # h_{t-1}                (batch, units)
        c_prev, tc = cells[t], act(cells[t + 1])  # c_{t-1}, act(c_t)   (batch, units)
        dc = dc + dh * o * act_slope(tc)  # dL/dc_t += dh o act'(c_t)   (batch, units)
        da_i = dc * g * sigma_slope(i)  # dL/da_i = dc g σ'              (batch, units)
        da_f = dc * c_prev * sigma_slope(f)  # dL/da_f = dc c_{t-1} σ'   (batch, units)
        da_c = dc * i * act_slope(g)  # dL/da_c = dc i act'              (batch, units)
        da_o = dh * tc * sigma_slope(o)  # dL/da_o = dh act(c_t) σ'      (batch, units)
        da = np.concatenate([da_i, da_f, da_c, da_o], axis=1)  # (batch, 4 * units)
        dx_t, dK = _dot_grads(inputs[:, t], K, dropout_mask, da)  # of (x_t m_g) K_g
        dh_R, dR = _dot_grads(h_prev, R, recurrent_dropout_mask, da)  # of (h_{t-1} m_g) R_g
        grads["kernel"] += dK  # dL/dK += (x_t m)^T da               (features, 4 * units)
        grads["recurrent_kernel"] += dR  # dL/dR += (h_{t-1} m)^T da    (units, 4 * units)
        grads["bias"] += da.sum(axis=0)  # dL/db += sum da                    (4 * units,)
        dx[:, t] += dx_t  # dL/dx_t = sum_g (da_g K_g^T) m_g          (batch, features)
        # dL/dh_{t-1} = sum_g (da_g R_g^T) m_g, dL/dc_{t-1} = dc f; both passed on if masked
        return np.where(keep, dh_R, dh_in), np.where(keep, dc * f, dc_in)

    incoming = _incoming(grad_outputs, outputs, final=grad_final_state, pair=True, mask=mask)
    grads["initial_state"] = _through_time(step_back, incoming, truncate)
    return dx, grads


# ------------------------------------------------------------------------------ GRU


def gru_step(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    params: Params,
    activation: ActivationLike = "tanh",
    recurrent_activation: ActivationLike = "sigmoid",
    reset_after: bool = True,
    *,
    dropout_mask: np.ndarray | None = None,
    recurrent_dropout_mask: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """One step of a Keras GRU (gate order ``z, r, h``).

    ``h_t = z h_{t-1} + (1 - z) hh``, with the candidate ``hh = act(x_h + r m_h)`` where
    ``m_h = h_{t-1} R_h + b_rec_h`` when ``reset_after`` (Keras 3's default), or
    ``hh = act(x_h + (r h_{t-1}) R_h)`` otherwise.

    Parameters
    ----------
    x_t : ndarray of shape (batch, features)
    h_prev : ndarray of shape (batch, units)
    params : dict
        ``kernel`` (features, 3 * units), ``recurrent_kernel`` (units, 3 * units) and
        optionally ``bias``: (2, 3 * units) with ``reset_after`` (input row, recurrent
        row), else (3 * units,).
    activation, recurrent_activation : str, callable or None
        ``act`` (``"tanh"``) and ``σ`` (``"sigmoid"``).
    reset_after : bool
        Apply the reset gate after the recurrent product (default) or before it.
    dropout_mask, recurrent_dropout_mask : ndarray, optional
        Multiply ``x_t`` and ``h_{t-1}`` before their products: (batch, n) for every
        gate, or (batch, 3, n) one per gate.

    Returns
    -------
    h : ndarray of shape (batch, units)
    gates : dict of ndarray of shape (batch, units)
        ``z``, ``r``, ``hh`` and ``m_h`` (with ``reset_after``), for the backward pass.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.functional import reference
    >>> params = {"kernel": np.zeros((2, 9)), "recurrent_kernel": np.zeros((3, 9))}
    >>> h, gates = reference.gru_step(np.ones((1, 2)), np.ones((1, 3)), params)
    >>> h.tolist(), sorted(gates)              # z = 1/2, hh = 0: h = h_prev / 2
    ([[0.5, 0.5, 0.5]], ['hh', 'm_h', 'r', 'z'])
    """
    act, sigma = activations.get(activation), activations.get(recurrent_activation)
    K, R = params["kernel"], params["recurrent_kernel"]
    b_in, b_rec = _gru_biases(params, reset_after)  # each             (3 * units,)
    xK = _dot(x_t, K, dropout_mask)  # (x_t m_g) K_g, per gate        (batch, 3 * units)
    x_z, x_r, x_h = np.split(xK + b_in, 3, axis=1)  # x_t K + b_in, each (batch, units)
    R_z, R_r, R_h = np.split(R, 3, axis=1)  # each                        (units, units)
    b_z, b_r, b_h = np.split(b_rec, 3)  # each                                 (units,)
    h_z, h_r, h_h = _per_gate(h_prev, recurrent_dropout_mask, 3)  # h_{t-1} m_g (batch, u)
    z = sigma(x_z + h_z @ R_z + b_z)  # update gate                     (batch, units)
    r = sigma(x_r + h_r @ R_r + b_r)  # reset gate                      (batch, units)
    if reset_after:
        m_h = h_h @ R_h + b_h  # the candidate's recurrent part          (batch, units)
        hh = act(x_h + r * m_h)  # candidate, reset after the product   (batch, units)
    else:
        hh = act(x_h + (r * h_h) @ R_h)  # candidate, reset before       (batch, units)
    h = z * h_prev + (1 - z) * hh  # h_t                                (batch, units)
    gates = {"z": z, "r": r, "hh": hh}
    if reset_after:
        gates["m_h"] = m_h  # the reset gate's derivative needs it
    return h, gates


def gru_forward(
    inputs: np.ndarray,
    params: Params,
    *,
    activation: ActivationLike = "tanh",
    recurrent_activation: ActivationLike = "sigmoid",
    reset_after: bool = True,
    initial_state: np.ndarray | None = None,
    mask: np.ndarray | None = None,
    dropout_mask: np.ndarray | None = None,
    recurrent_dropout_mask: np.ndarray | None = None,
) -> np.ndarray:
    """Run a Keras GRU over whole sequences, step by step: every state ``h_1 ... h_T``.

    Parameters
    ----------
    inputs, initial_state, mask
        As in `simple_rnn_forward`.
    params : dict
        As in `gru_step`.
    dropout_mask, recurrent_dropout_mask : ndarray, optional
        As in `gru_step`, the same at every step.
    activation, recurrent_activation : str, callable or None
        ``"tanh"`` and ``"sigmoid"`` by default.
    reset_after : bool
        As in `gru_step` (``True``).

    Returns
    -------
    ndarray of shape (batch, timesteps, units)
        What `rnn.functional.gru_forward` returns.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.functional import gru_forward, reference
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((2, 5, 3))
    >>> params = {"kernel": rng.standard_normal((3, 12)) / 2,
    ...           "recurrent_kernel": rng.standard_normal((4, 12)) / 2,
    ...           "bias": rng.standard_normal(12) / 10}
    >>> h = reference.gru_forward(x, params, reset_after=False)
    >>> bool(np.allclose(h, gru_forward(x, **params, reset_after=False), rtol=0, atol=1e-12))
    True
    """
    h = _initial(initial_state, inputs, params)  # h_0                       (batch, units)
    y = np.zeros_like(h)  # the output before the first step                (batch, units)
    acts = (activation, recurrent_activation)
    drop: dict[str, Any] = {
        "dropout_mask": dropout_mask,
        "recurrent_dropout_mask": recurrent_dropout_mask,
    }
    outputs = []
    for t in range(inputs.shape[1]):
        h_new, _ = gru_step(inputs[:, t], h, params, *acts, reset_after, **drop)  # (b, u)
        keep = _keep(mask, inputs, t)  # does step t count?                  (batch, 1)
        h = np.where(keep, h_new, h)  # h_t: a masked step keeps h_{t-1}     (batch, units)
        y = np.where(keep, h_new, y)  # y_t: or repeats the last output      (batch, units)
        outputs.append(y)
    return np.stack(outputs, axis=1)  # (batch, timesteps, units)


def gru_backward(
    grad_outputs: np.ndarray,
    inputs: np.ndarray,
    outputs: np.ndarray,
    params: Params,
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
) -> tuple[np.ndarray, Grads]:
    """Backpropagation through time in a Keras GRU, one step at a time.

    Parameters
    ----------
    grad_outputs, inputs, outputs, initial_state, truncate, mask
        As in `simple_rnn_backward`.
    params : dict
        As in `gru_step` (the bias is needed: the gates are recomputed).
    dropout_mask, recurrent_dropout_mask : ndarray, optional
        As in `gru_step`.
    activation, recurrent_activation : str or None
        As in `lstm_backward`.
    reset_after : bool
        As in the forward pass (``True``).
    grad_final_state : ndarray of shape (batch, units), optional
        ``dL/dh_T`` for the final (carried) state.

    Returns
    -------
    grad_inputs : ndarray of shape (batch, timesteps, features)
    grads : dict
        ``kernel``, ``recurrent_kernel``, ``bias`` ((2, 3 * units) with ``reset_after``,
        else (3 * units,)) and ``initial_state``, as `rnn.functional.gru_backward` returns.

    Raises
    ------
    ValueError
        If the ``outputs`` are not those `gru_forward` gives with these arguments (each
        step's ``h_t`` computed again from the given ``h_{t-1}`` must be the given one
        within rounding), naming the first step that differs and by how much.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.functional import gru_backward, reference
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((2, 5, 3))
    >>> params = {"kernel": rng.standard_normal((3, 12)) / 2,
    ...           "recurrent_kernel": rng.standard_normal((4, 12)) / 2,
    ...           "bias": rng.standard_normal((2, 12)) / 10}
    >>> h = reference.gru_forward(x, params)
    >>> g = rng.standard_normal(h.shape)
    >>> _, grads = reference.gru_backward(g, x, h, params, truncate=3)
    >>> _, fast = gru_backward(g, x, h, **params, truncate=3)
    >>> grads["bias"].shape, bool(np.allclose(grads["bias"], fast["bias"], rtol=0, atol=1e-12))
    ((2, 12), True)
    """
    K, R = params["kernel"], params["recurrent_kernel"]
    act_slope = _slope(activation, "activation")
    sigma_slope = _slope(recurrent_activation, "recurrent_activation")
    h0 = _initial(initial_state, inputs, params)
    states = _carried(outputs, mask, h0)  # h_t: the outputs, or h_0 before the first step
    bias_shape = (2, R.shape[1]) if reset_after else (R.shape[1],)
    grads = _zero_grads(params, bias_shape)
    dx = np.zeros(inputs.shape)  # dL/dx_t                (batch, timesteps, features)
    acts = (activation, recurrent_activation)
    drop: dict[str, Any] = {
        "dropout_mask": dropout_mask,
        "recurrent_dropout_mask": recurrent_dropout_mask,
    }
    rd = recurrent_dropout_mask

    # the forward pass again, each step from the given h_{t-1}: are these its outputs?
    again = np.stack(  # h_t again                                    (batch, timesteps, u)
        [
            gru_step(
                inputs[:, t], states[:, t - 1] if t else h0, params, *acts, reset_after, **drop
            )[0]
            for t in range(inputs.shape[1])
        ],
        axis=1,
    )
    _check_outputs("gru", again, inputs, outputs, h0, params, mask, drop)

    def step_back(t: int, d_state: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        (dh_in,) = d_state  # dL/dh_t                                    (batch, units)
        keep = _keep(mask, inputs, t)  # does step t count?                  (batch, 1)
        dh = dh_in * keep  # a masked step computes nothing                (batch, units)
        h_prev = states[:, t - 1] if t else h0  # h_{t-1}                (batch, units)
        _, gates = gru_step(inputs[:, t], h_prev, params, *acts, reset_after, **drop)  # again
        z, hh = gates["z"], gates["hh"]  # each                         (batch, units)
        da_h = dh * (1 - z) * act_slope(hh)  # dL/d(candidate's input)  (batch, units)
        da_z = dh * (h_prev - hh) * sigma_slope(z)  # dL/da_z            (batch, units)
        through = _gru_reset_after if reset_after else _gru_reset_before
        da, dh_R = through((da_z, da_h), gates, h_prev, R, rd, grads, sigma_slope)
        dh_prev = dh * z + dh_R  # dL/dh_{t-1}: through z, and through R (batch, units)
        dx_t, dK = _dot_grads(inputs[:, t], K, dropout_mask, da)  # of (x_t m_g) K_g
        grads["kernel"] += dK  # dL/dK += (x_t m)^T da              (features, 3 * units)
        dx[:, t] += dx_t  # dL/dx_t = sum_g (da_g K_g^T) m_g          (batch, features)
        return (np.where(keep, dh_prev, dh_in),)  # a masked step passes dL/dh_t on

    incoming = _incoming(grad_outputs, outputs, mask=mask)
    if grad_final_state is not None:  # the final state h_T's gradient
        incoming[-1] = (incoming[-1][0] + grad_final_state,)
    (grads["initial_state"],) = _through_time(step_back, incoming, truncate)
    return dx, grads


def _gru_reset_after(
    da_zh: tuple[np.ndarray, np.ndarray],
    gates: dict[str, np.ndarray],
    h_prev: np.ndarray,
    R: np.ndarray,
    rd: np.ndarray | None,
    grads: Grads,
    sigma_slope: Callable[[np.ndarray], Any],
) -> tuple[np.ndarray, np.ndarray]:
    """Back through a GRU step's reset gate and recurrent product, reset after it.

    Given ``dL/da_z`` and ``dL/da_h`` (batch, units), add to ``grads``'s recurrent
    kernel and bias; return ``dL/d(x_t K)`` (batch, 3 units) and what reaches ``h_{t-1}``
    through ``R`` (batch, units). ``rd`` is the recurrent dropout mask, or None.
    """
    (da_z, da_h), r = da_zh, gates["r"]
    da_r = da_h * gates["m_h"] * sigma_slope(r)  # dL/da_r = da_h m_h σ'     (batch, units)
    da = np.concatenate([da_z, da_r, da_h], axis=1)  # dL/d(x_t K)       (batch, 3 * units)
    dm = np.concatenate([da_z, da_r, da_h * r], axis=1)  # dL/d(h R + b_rec)  (batch, 3u)
    dh_R, dR = _dot_grads(h_prev, R, rd, dm)  # of (h_{t-1} m_g) R_g
    grads["recurrent_kernel"] += dR  # dL/dR += (h_{t-1} m)^T dm        (units, 3 * units)
    grads["bias"] += np.stack([da.sum(axis=0), dm.sum(axis=0)])  # dL/db      (2, 3 * units)
    return da, dh_R


def _gru_reset_before(
    da_zh: tuple[np.ndarray, np.ndarray],
    gates: dict[str, np.ndarray],
    h_prev: np.ndarray,
    R: np.ndarray,
    rd: np.ndarray | None,
    grads: Grads,
    sigma_slope: Callable[[np.ndarray], Any],
) -> tuple[np.ndarray, np.ndarray]:
    """Back through a GRU step's reset gate and recurrent products, reset before them.

    As `_gru_reset_after`; the candidate's product is ``(r (h_{t-1} m_h)) R_h``.
    """
    (da_z, da_h), r, u2 = da_zh, gates["r"], 2 * R.shape[0]
    _, _, m_h = _per_gate(np.ones_like(h_prev), rd, 3)  # the candidate's mask  (batch, u)
    rd_zr = rd if rd is None or rd.ndim == 2 else rd[:, :2]  # the masks of z and r
    d_rh = da_h @ R[:, u2:].T  # dL/d(r h_{t-1} m_h) = da_h R_h^T              (batch, units)
    da_r = d_rh * h_prev * m_h * sigma_slope(r)  # dL/da_r                   (batch, units)
    da = np.concatenate([da_z, da_r, da_h], axis=1)  # dL/d(x_t K)       (batch, 3 * units)
    dh_R, dR_zr = _dot_grads(h_prev, R[:, :u2], rd_zr, da[:, :u2])  # of (h m_g) R_zr
    grads["recurrent_kernel"][:, :u2] += dR_zr  # dL/dR_zr                (units, 2 * units)
    grads["recurrent_kernel"][:, u2:] += (r * h_prev * m_h).T @ da_h  # dL/dR_h (units, u)
    grads["bias"] += da.sum(axis=0)  # dL/db += sum da                         (3 * units,)
    return da, dh_R + d_rh * r * m_h  # through R_zr, and through r h m_h  (batch, units)


# ------------------------------------------------------------------ what all share


def _through_time(
    step_back: Callable[[int, tuple[np.ndarray, ...]], tuple[np.ndarray, ...]],
    incoming: list[tuple[np.ndarray, ...]],
    truncate: int | None,
) -> tuple[np.ndarray, ...]:
    """Walk back through time; the one place where truncation is handled.

    ``incoming[t]`` is the gradient arriving at step t's state from outside (the output
    ``h_t``, and for the last step the final states); ``step_back(t, d)`` takes
    ``dL/d state_t``, adds step t's share to the gradients, and returns
    ``dL/d state_{t-1}``. Returns ``dL/d state_0``, the initial state's gradient.
    """
    steps = len(incoming)
    if truncate is None:  # full BPTT: one walk, every output's gradient together
        d = tuple(np.zeros_like(part) for part in incoming[-1])
        for t in reversed(range(steps)):
            d = tuple(a + b for a, b in zip(d, incoming[t], strict=True))  # dL/d state_t
            d = step_back(t, d)  # dL/d state_{t-1}
        return d
    # truncated: each output's gradient walks back on its own, `truncate` steps at most
    d0 = tuple(np.zeros_like(part) for part in incoming[-1])
    for s in range(steps):
        d = incoming[s]
        for t in reversed(range(max(0, s + 1 - truncate), s + 1)):
            d = step_back(t, d)
        if s + 1 <= truncate:  # this output's walk reached the initial state
            d0 = tuple(a + b for a, b in zip(d0, d, strict=True))
    return d0


def _incoming(
    grad_outputs: np.ndarray,
    outputs: np.ndarray,
    final: Any = None,
    pair: bool = False,
    mask: np.ndarray | None = None,
) -> list[tuple[np.ndarray, ...]]:
    """Return the gradient arriving at each step from outside.

    That is ``(dL/dh_t,)`` or, for an LSTM (``pair``), ``(dL/dh_t, dL/dc_t)``; ``final``
    adds ``(dL/dh_T, dL/dc_T)``. With a ``mask``, an output before a sequence's first
    unmasked step is a constant zero: its gradient goes nowhere.
    """
    batch, steps, units = outputs.shape
    if grad_outputs.ndim == 2:  # only the last output's gradient (return_sequences=False)
        last, grad_outputs = grad_outputs, np.zeros(outputs.shape)
        grad_outputs[:, -1] = last
    if mask is not None:
        grad_outputs = grad_outputs * _started(mask)[..., np.newaxis]  # 0 before the first
    zeros = np.zeros((batch, units))
    incoming: list[tuple[np.ndarray, ...]] = [
        (grad_outputs[:, t], zeros) if pair else (grad_outputs[:, t],) for t in range(steps)
    ]
    if final is not None:
        dh_end, dc_end = (zeros if part is None else part for part in final)
        incoming[-1] = (incoming[-1][0] + dh_end, dc_end)
    return incoming


def _slope(activation: ActivationLike, argument: str) -> Callable[[np.ndarray], Any]:
    """``act'(a)`` as a function of the output ``y = act(a)`` (`rnn.activations`)."""
    derivative = activations.derivative(activation, argument)
    return lambda y: activations.slope(derivative, y)


def _bias(params: Params) -> Any:
    """Return the bias, or 0 when ``params`` has none."""
    bias = params.get("bias")
    return 0.0 if bias is None else bias


def _gru_biases(params: Params, reset_after: bool) -> tuple[np.ndarray, np.ndarray]:
    """Return a GRU's input and recurrent biases, each (3 * units,) (zeros when absent)."""
    width = params["recurrent_kernel"].shape[1]
    bias = params.get("bias")
    if bias is None:
        return np.zeros(width), np.zeros(width)
    return (bias[0], bias[1]) if reset_after else (bias, np.zeros(width))


def _initial(state: np.ndarray | None, inputs: np.ndarray, params: Params) -> np.ndarray:
    """``h_0``: the given state (alone, or a list of one, as Keras passes it), or zeros."""
    units = params["recurrent_kernel"].shape[0]
    if isinstance(state, (list, tuple)) and len(state) == 1:
        state = state[0]
    return np.zeros((inputs.shape[0], units)) if state is None else np.asarray(state)


def _initial_pair(
    state: tuple[np.ndarray, np.ndarray] | None, inputs: np.ndarray, params: Params
) -> tuple[np.ndarray, np.ndarray]:
    """``(h_0, c_0)``: the given pair, or zeros."""
    if state is None:
        return _initial(None, inputs, params), _initial(None, inputs, params)
    return np.asarray(state[0]), np.asarray(state[1])


def _zero_grads(params: Params, bias_shape: tuple[int, ...]) -> Grads:
    """Zero gradients keyed like the weights; the bias's even when ``params`` has none."""
    return {
        "kernel": np.zeros(params["kernel"].shape),
        "recurrent_kernel": np.zeros(params["recurrent_kernel"].shape),
        "bias": np.zeros(bias_shape),
    }


def _check_outputs(
    name: str,
    again: np.ndarray,
    inputs: np.ndarray,
    outputs: np.ndarray,
    h0: np.ndarray,
    params: Params,
    mask: np.ndarray | None,
    drop: dict[str, Any],
    free: tuple[ActivationLike, np.ndarray] | None = None,
) -> None:
    """Raise ``ValueError`` if the outputs are not those of a forward pass with these arguments.

    ``again[:, t]`` (batch, timesteps, units) is ``h_t`` computed again from the given
    ``h_{t-1}``: where step ``t`` counts it must be the given output, where it is masked
    the output repeats the one before. The tolerance allows for rounding only (see
    `rnn.functional._consistency`). ``free`` is ``(activation, x_t K + h_{t-1} R)`` when
    any bias is accepted (the simple RNN's backward pass needs none).
    """
    K, R, b = params["kernel"], params["recurrent_kernel"], params.get("bias")
    keep = None if mask is None else np.asarray(mask, bool)
    states = _carried(outputs, mask, h0)
    dtype = np.result_type(inputs, outputs, K, R)
    dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
    drops = (drop["dropout_mask"], drop["recurrent_dropout_mask"])
    arguments = tuple(a for a in _consistency.ARGUMENTS[name] if a != "bias")
    tol = _consistency.tolerances(inputs, states, h0, (K, R, b), drops, dtype)
    check = _consistency.Mismatch(
        name, outputs, keep, lambda: tol, dtype, True, arguments, "reference."
    )
    check.compare(0, again.swapaxes(0, 1))  # every step, time-major
    if check.first is not None and free is not None:  # any bias the forward pass had?
        if keep is not None:  # a masked step repeats the output before, whatever the bias
            held = _consistency.Mismatch(
                name, outputs, keep, lambda: tol, dtype, True, arguments, "reference."
            )
            held.compare(0, outputs.swapaxes(0, 1))  # the kept steps agree with themselves
            held.check()
        kept = np.ones(outputs.shape[:2], bool) if keep is None else keep
        act = activations.get(free[0])
        if _consistency.bias_fits(act, free[1][kept], outputs[kept], tol[kept]):
            return
        measured = "without a bias: " if b is None else "with the bias given: "
        raise ValueError(check.message(", whatever its bias", measured))
    check.check()


# ------------------------------------------------------------------ masks


def _keep(mask: np.ndarray | None, inputs: np.ndarray, t: int) -> np.ndarray:
    """Return (batch, 1): True where step ``t`` counts (all, without a mask)."""
    if mask is None:
        return np.ones((inputs.shape[0], 1), bool)
    return np.asarray(mask, bool)[:, t, np.newaxis]


def _started(mask: np.ndarray) -> np.ndarray:
    """Return (batch, timesteps): True from each sequence's first unmasked step on."""
    return np.logical_or.accumulate(np.asarray(mask, bool), axis=1)


def _carried(outputs: np.ndarray, mask: np.ndarray | None, h0: np.ndarray) -> np.ndarray:
    """Return the states from the outputs: ``h_0`` before a sequence's first unmasked step."""
    if mask is None:
        return outputs
    return np.where(_started(mask)[..., np.newaxis], outputs, h0[:, np.newaxis])


def _per_gate(v: np.ndarray, mask: np.ndarray | None, gates: int) -> list[np.ndarray]:
    """Return ``v`` times each gate's dropout mask: ``gates`` arrays like ``v``.

    ``mask`` is (batch, n), the same for every gate, or (batch, gates, n); None: no mask.
    """
    if mask is None:
        return [v * 1.0] * gates
    if mask.ndim == 2:
        return [v * mask] * gates
    return [v * mask[:, g] for g in range(gates)]


def _dot(v: np.ndarray, W: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """Return ``v W`` with each gate's block of columns ``W_g`` met by ``v m_g``."""
    if mask is None:
        return v @ W
    gates = 1 if mask.ndim == 2 else mask.shape[1]
    blocks = np.split(W, gates, axis=1)  # W_g, each (n, units)
    products = [vg @ Wg for vg, Wg in zip(_per_gate(v, mask, gates), blocks, strict=True)]
    return np.concatenate(products, axis=1)  # (v m_g) W_g, side by side


def _dot_grads(
    v: np.ndarray, W: np.ndarray, mask: np.ndarray | None, da: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``dL/dv`` and ``dL/dW`` of `_dot`, given ``da = dL/d(v W)``."""
    if mask is None:
        return da @ W.T, v.T @ da
    gates = 1 if mask.ndim == 2 else mask.shape[1]
    ms = _per_gate(np.ones_like(v), mask, gates)  # m_g, each like v
    das = np.split(da, gates, axis=1)  # da_g, each (batch, units)
    blocks = list(zip(np.split(W, gates, axis=1), das, ms, strict=True))
    dv = sum((da_g @ W_g.T) * m_g for W_g, da_g, m_g in blocks)  # sum_g (da_g W_g^T) m_g
    dW = np.concatenate([(v * m_g).T @ da_g for _, da_g, m_g in blocks], axis=1)  # (v m_g)^T da_g
    return np.asarray(dv), dW
