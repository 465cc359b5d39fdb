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

Activations are looked up in `rnn.activations`; their derivatives are read from their
outputs (``tanh' = 1 - h**2``), as in the fast functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from rnn import activations
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
    x_t: np.ndarray, h_prev: np.ndarray, params: Params, activation: ActivationLike = "tanh"
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
    a = x_t @ K + h_prev @ R + b  # pre-activation             (batch, units)
    return activations.get(activation)(a)  # h_t = act(a)       (batch, units)


def simple_rnn_forward(
    inputs: np.ndarray,
    params: Params,
    *,
    activation: ActivationLike = "tanh",
    initial_state: np.ndarray | None = None,
) -> np.ndarray:
    """Run a simple RNN over whole sequences, step by step: every state ``h_1 ... h_T``.

    Parameters
    ----------
    inputs : ndarray of shape (batch, timesteps, features)
    params : dict
        As in `simple_rnn_step`.
    activation : str, callable or None
        ``"tanh"`` by default.
    initial_state : ndarray of shape (batch, units), optional
        ``h_0``; zeros by default.

    Returns
    -------
    ndarray of shape (batch, timesteps, units)
        What `rnn.functional.simple_rnn_forward` returns.

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
    outputs = []
    for t in range(inputs.shape[1]):
        h = simple_rnn_step(inputs[:, t], h, params, activation)  # h_t  (batch, units)
        outputs.append(h)
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
) -> tuple[np.ndarray, Grads]:
    """Backpropagation through time in a simple RNN, one step at a time.

    Parameters
    ----------
    grad_outputs : ndarray of shape (batch, timesteps, units) or (batch, units)
        ``dL/dh_t`` for every output, or for the last one only.
    inputs : ndarray of shape (batch, timesteps, features)
    outputs : ndarray of shape (batch, timesteps, units)
        Every state of the forward pass.
    params : dict
        As in `simple_rnn_step`; the bias is not needed (``act'`` is read from ``h_t``).
    activation : str or None
        As in the forward pass; ``"tanh"``, ``"sigmoid"``, ``"relu"`` or ``"linear"``.
    initial_state : ndarray of shape (batch, units), optional
        The forward pass's ``h_0``; zeros by default.
    truncate : int, optional
        Each output's gradient flows back ``truncate`` steps at most; None: all the way.

    Returns
    -------
    grad_inputs : ndarray of shape (batch, timesteps, features)
    grads : dict
        ``kernel``, ``recurrent_kernel``, ``bias`` and ``initial_state`` (``dL/dh_0``),
        as `rnn.functional.simple_rnn_backward` returns them.

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
    grads = _zero_grads(params, bias_shape=(R.shape[1],))
    dx = np.zeros(inputs.shape)  # dL/dx_t                (batch, timesteps, features)

    def step_back(t: int, d_state: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        (dh,) = d_state  # dL/dh_t                                       (batch, units)
        h_prev = outputs[:, t - 1] if t else h0  # h_{t-1}               (batch, units)
        da = dh * slope(outputs[:, t])  # dL/da_t = dh act'(a_t)          (batch, units)
        grads["kernel"] += inputs[:, t].T @ da  # dL/dK += x_t^T da    (features, units)
        grads["recurrent_kernel"] += h_prev.T @ da  # dL/dR += h_{t-1}^T da (units, units)
        grads["bias"] += da.sum(axis=0)  # dL/db += sum da                        (units,)
        dx[:, t] += da @ K.T  # dL/dx_t = da K^T                      (batch, features)
        return (da @ R.T,)  # dL/dh_{t-1} = da R^T                       (batch, units)

    (grads["initial_state"],) = _through_time(step_back, _incoming(grad_outputs, outputs), truncate)
    return dx, grads


# ----------------------------------------------------------------------------- LSTM


def lstm_step(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    params: Params,
    activation: ActivationLike = "tanh",
    recurrent_activation: ActivationLike = "sigmoid",
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
    a = x_t @ K + h_prev @ R + b  # pre-activations of the gates      (batch, 4 * units)
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
    outputs, cells = [], []
    for t in range(inputs.shape[1]):
        h, c, _ = lstm_step(inputs[:, t], h, c, params, activation, recurrent_activation)
        outputs.append(h)  # h_t                                       (batch, units)
        cells.append(c)  # c_t                                         (batch, units)
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

    Returns
    -------
    grad_inputs : ndarray of shape (batch, timesteps, features)
    grads : dict
        ``kernel``, ``recurrent_kernel``, ``bias`` and ``initial_state``, the pair
        ``(dL/dh_0, dL/dc_0)``, as `rnn.functional.lstm_backward` returns them.

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
    steps = inputs.shape[1]

    # the forward pass again from the given outputs: each step's gates and cells
    gates, cells = [], [c0]  # cells[t] is c_{t-1} for step t (0-based)
    for t in range(steps):
        h_prev = outputs[:, t - 1] if t else h0  # h_{t-1}               (batch, units)
        _, c, step_gates = lstm_step(
            inputs[:, t], h_prev, cells[t], params, activation, recurrent_activation
        )
        gates.append(step_gates)
        cells.append(c)

    grads = _zero_grads(params, bias_shape=(R.shape[1],))
    dx = np.zeros(inputs.shape)  # dL/dx_t                (batch, timesteps, features)

    def step_back(t: int, d_state: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        dh, dc = d_state  # dL/dh_t, dL/dc_t (from later steps)           (batch, units)
        i, f, g, o = (gates[t][n] for n in "ifgo")  # each                (batch, units)
        h_prev = outputs[:, t - 1] if t else h0  # h_{t-1}               (batch, units)
        c_prev, tc = cells[t], act(cells[t + 1])  # c_{t-1}, act(c_t)   (batch, units)
        dc = dc + dh * o * act_slope(tc)  # dL/dc_t += dh o act'(c_t)   (batch, units)
        da_i = dc * g * sigma_slope(i)  # dL/da_i = dc g σ'              (batch, units)
        da_f = dc * c_prev * sigma_slope(f)  # dL/da_f = dc c_{t-1} σ'   (batch, units)
        da_c = dc * i * act_slope(g)  # dL/da_c = dc i act'              (batch, units)
        da_o = dh * tc * sigma_slope(o)  # dL/da_o = dh act(c_t) σ'      (batch, units)
        da = np.concatenate([da_i, da_f, da_c, da_o], axis=1)  # (batch, 4 * units)
        grads["kernel"] += inputs[:, t].T @ da  # dL/dK += x_t^T da (features, 4 * units)
        grads["recurrent_kernel"] += h_prev.T @ da  # dL/dR += h_{t-1}^T da (units, 4u)
        grads["bias"] += da.sum(axis=0)  # dL/db += sum da                    (4 * units,)
        dx[:, t] += da @ K.T  # dL/dx_t = da K^T                      (batch, features)
        return da @ R.T, dc * f  # dL/dh_{t-1} = da R^T, dL/dc_{t-1} = dc f  (batch, units)

    incoming = _incoming(grad_outputs, outputs, final=grad_final_state, pair=True)
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
    x_z, x_r, x_h = np.split(x_t @ K + b_in, 3, axis=1)  # x_t K + b_in, each (batch, units)
    R_z, R_r, R_h = np.split(R, 3, axis=1)  # each                        (units, units)
    b_z, b_r, b_h = np.split(b_rec, 3)  # each                                 (units,)
    z = sigma(x_z + h_prev @ R_z + b_z)  # update gate                  (batch, units)
    r = sigma(x_r + h_prev @ R_r + b_r)  # reset gate                   (batch, units)
    if reset_after:
        m_h = h_prev @ R_h + b_h  # the candidate's recurrent part       (batch, units)
        hh = act(x_h + r * m_h)  # candidate, reset after the product   (batch, units)
    else:
        hh = act(x_h + (r * h_prev) @ R_h)  # candidate, reset before    (batch, units)
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
) -> np.ndarray:
    """Run a Keras GRU over whole sequences, step by step: every state ``h_1 ... h_T``.

    Parameters
    ----------
    inputs, initial_state
        As in `simple_rnn_forward`.
    params : dict
        As in `gru_step`.
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
    outputs = []
    for t in range(inputs.shape[1]):
        h, _ = gru_step(
            inputs[:, t], h, params, activation, recurrent_activation, reset_after
        )  # h_t                                                          (batch, units)
        outputs.append(h)
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
    truncate: int | None = None,
) -> tuple[np.ndarray, Grads]:
    """Backpropagation through time in a Keras GRU, one step at a time.

    Parameters
    ----------
    grad_outputs, inputs, outputs, initial_state, truncate
        As in `simple_rnn_backward`.
    params : dict
        As in `gru_step` (the bias is needed: the gates are recomputed).
    activation, recurrent_activation : str or None
        As in `lstm_backward`.
    reset_after : bool
        As in the forward pass (``True``).

    Returns
    -------
    grad_inputs : ndarray of shape (batch, timesteps, features)
    grads : dict
        ``kernel``, ``recurrent_kernel``, ``bias`` ((2, 3 * units) with ``reset_after``,
        else (3 * units,)) and ``initial_state``, as `rnn.functional.gru_backward` returns.

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
    u2 = 2 * R.shape[0]  # the columns of z and r: R[:, :u2] is R_zr, R[:, u2:] is R_h
    act_slope = _slope(activation, "activation")
    sigma_slope = _slope(recurrent_activation, "recurrent_activation")
    h0 = _initial(initial_state, inputs, params)
    bias_shape = (2, R.shape[1]) if reset_after else (R.shape[1],)
    grads = _zero_grads(params, bias_shape)
    dx = np.zeros(inputs.shape)  # dL/dx_t                (batch, timesteps, features)

    def step_back(t: int, d_state: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        (dh,) = d_state  # dL/dh_t                                       (batch, units)
        h_prev = outputs[:, t - 1] if t else h0  # h_{t-1}               (batch, units)
        _, gates = gru_step(
            inputs[:, t], h_prev, params, activation, recurrent_activation, reset_after
        )  # the forward step again: z, r, hh (and m_h)
        z, r, hh = gates["z"], gates["r"], gates["hh"]  # each          (batch, units)
        da_h = dh * (1 - z) * act_slope(hh)  # dL/d(candidate's input)  (batch, units)
        da_z = dh * (h_prev - hh) * sigma_slope(z)  # dL/da_z            (batch, units)
        if reset_after:
            da_r = da_h * gates["m_h"] * sigma_slope(r)  # dL/da_r = da_h m_h σ'  (batch, u)
            da = np.concatenate([da_z, da_r, da_h], axis=1)  # dL/d(x_t K)  (batch, 3u)
            dm = np.concatenate([da_z, da_r, da_h * r], axis=1)  # dL/d(h R + b_rec) (b, 3u)
            grads["recurrent_kernel"] += h_prev.T @ dm  # dL/dR += h_{t-1}^T dm (u, 3u)
            grads["bias"] += np.stack([da.sum(axis=0), dm.sum(axis=0)])  # (2, 3 * units)
            dh_prev = dh * z + dm @ R.T  # dL/dh_{t-1}                   (batch, units)
        else:
            d_rh = da_h @ R[:, u2:].T  # dL/d(r h_{t-1}) = da_h R_h^T       (batch, units)
            da_r = d_rh * h_prev * sigma_slope(r)  # dL/da_r              (batch, units)
            da = np.concatenate([da_z, da_r, da_h], axis=1)  # dL/d(x_t K)  (batch, 3u)
            grads["recurrent_kernel"][:, :u2] += h_prev.T @ da[:, :u2]  # dL/dR_zr (u, 2u)
            grads["recurrent_kernel"][:, u2:] += (r * h_prev).T @ da_h  # dL/dR_h  (u, u)
            grads["bias"] += da.sum(axis=0)  # dL/db += sum da               (3 * units,)
            dh_prev = dh * z + da[:, :u2] @ R[:, :u2].T + d_rh * r  # dL/dh_{t-1} (b, u)
        grads["kernel"] += inputs[:, t].T @ da  # dL/dK += x_t^T da (features, 3 * units)
        dx[:, t] += da @ K.T  # dL/dx_t = da K^T                      (batch, features)
        return (dh_prev,)

    (grads["initial_state"],) = _through_time(step_back, _incoming(grad_outputs, outputs), truncate)
    return dx, grads


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
) -> list[tuple[np.ndarray, ...]]:
    """Return the gradient arriving at each step from outside.

    That is ``(dL/dh_t,)`` or, for an LSTM (``pair``), ``(dL/dh_t, dL/dc_t)``; ``final``
    adds ``(dL/dh_T, dL/dc_T)``.
    """
    batch, steps, units = outputs.shape
    if grad_outputs.ndim == 2:  # only the last output's gradient (return_sequences=False)
        last, grad_outputs = grad_outputs, np.zeros(outputs.shape)
        grad_outputs[:, -1] = last
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
    """``h_0``: the given state, or zeros of shape (batch, units)."""
    units = params["recurrent_kernel"].shape[0]
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
