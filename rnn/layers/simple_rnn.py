"""`SimpleRNN`, Keras-compatible: :func:`rnn.functional.simple_rnn_forward` as a layer.

The configuration and weights, forward and backward; the shared plumbing of
``return_sequences``, ``return_state`` and ``go_backwards`` is in :mod:`rnn.layers.rnn`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnn import functional
from rnn.layers.rnn import RNN, carried_state

__all__ = ["SimpleRNN"]


class SimpleRNN(RNN):
    """Fully connected RNN: ``h_t = act(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)``.

    Parameters
    ----------
    units : int
        Size of the hidden state (positive).
    activation : str, callable or None
        Default ``"tanh"``; ``None`` means linear.
    use_bias : bool
        Default ``True``.
    return_sequences : bool
        Return every step's output, shape (batch, timesteps, units), instead of
        the last one, shape (batch, units).
    return_state : bool
        Also return the final state.
    go_backwards : bool
        Process the sequence in reverse (and return the outputs in that order).
    bptt_truncate : int, optional
        Not a Keras argument: in `backward`, each output's gradient flows back through
        at most this many steps (truncated backpropagation through time). ``None``
        (default): all the way to the first step.
    kernel_initializer : str or callable
        How the kernel is drawn (``"glorot_uniform"``).
    recurrent_initializer : str or callable
        How the recurrent kernel is drawn (``"orthogonal"``).
    bias_initializer : str or callable
        How the bias is drawn (``"zeros"``).
    **kwargs
        ``name``, ``input_shape``, ``seed``... see `Layer`.

    Attributes
    ----------
    kernel : numpy.ndarray, shape (features, units)
    recurrent_kernel : numpy.ndarray, shape (units, units)
    bias : numpy.ndarray, shape (units,)

    Examples
    --------
    >>> import numpy as np
    >>> import rnn
    >>> from rnn.layers import SimpleRNN
    >>> rnn.clear_session()
    >>> layer = SimpleRNN(10, return_sequences=True)
    >>> layer(np.zeros((2, 3, 1))).shape
    (2, 3, 10)
    >>> layer.name, layer.count_params(), [w.shape for w in layer.weights]
    ('simple_rnn', 120, [(1, 10), (10, 10), (10,)])

    Training needs gradients: `forward` keeps what `backward` needs, and `backward`
    returns the gradient with respect to the inputs and fills ``grads``. With
    ``return_state``, `backward` takes the output's gradient alone or the list
    ``[d output, d h_T]`` (LSTM: ``[d output, d h_T, d c_T]``), with None for any part.

    >>> y = layer.forward(np.ones((2, 3, 1)))
    >>> grad_x = layer.backward(np.ones_like(y))     # dL/dy for L = sum(y)
    >>> grad_x.shape, [g.shape for g in layer.grads]
    ((2, 3, 1), [(1, 10), (10, 10), (10,)])
    """

    gates = 1

    def _sequence(
        self, x: np.ndarray, initial: list[np.ndarray] | None, masks: dict[str, Any]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        h0 = None if initial is None else initial[0]
        seq = functional.simple_rnn_forward(
            x,
            self.kernel,
            self.recurrent_kernel,
            self.bias,
            activation=self.activation,
            initial_state=h0,
            return_sequences=True,
            **masks,
        )
        return seq, [carried_state(seq, masks["mask"], h0)]

    def _backward_cell(
        self,
        grad: np.ndarray,
        xs: np.ndarray,
        sequence: np.ndarray,
        more: list[Any],
        initial: list[np.ndarray] | None,
        masks: dict[str, Any],
    ) -> tuple[np.ndarray, dict[str, Any]]:
        return functional.simple_rnn_backward(
            grad,
            xs,
            sequence,
            self.kernel,
            self.recurrent_kernel,
            self.bias,
            activation=self.activation,
            initial_state=None if initial is None else initial[0],
            truncate=self.bptt_truncate,
            **masks,
        )
