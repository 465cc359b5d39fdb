"""Recurrent layers: `SimpleRNN`, `LSTM` and `GRU`, Keras-compatible.

The maths lives in :mod:`rnn.functional`; these classes hold the configuration
and the weights (in Keras's shapes and gate order) and handle
``return_sequences``, ``return_state`` and ``go_backwards``, forward and backward
(backpropagation through time, truncated to ``bptt_truncate`` steps if set). Their
shared base class, `RNN`, is in :mod:`rnn.layers.rnn_base`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rnn import activations, functional
from rnn.layers.rnn_base import RNN

__all__ = ["GRU", "LSTM", "RNN", "SimpleRNN"]


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

    def _sequence(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        seq = functional.simple_rnn_forward(
            x,
            self.kernel,
            self.recurrent_kernel,
            self.bias,
            activation=self.activation,
            return_sequences=True,
        )
        return seq, [seq[:, -1]]

    def _backward_cell(
        self, grad: np.ndarray, xs: np.ndarray, sequence: np.ndarray, more: list[Any]
    ) -> tuple[np.ndarray, dict[str, Any]]:
        return functional.simple_rnn_backward(
            grad,
            xs,
            sequence,
            self.kernel,
            self.recurrent_kernel,
            activation=self.activation,
            truncate=self.bptt_truncate,
        )


class LSTM(RNN):
    """Long short-term memory, Keras gate order ``i, f, c, o``.

    Parameters
    ----------
    units : int
        Size of the hidden and cell states.
    activation : str, callable or None
        Cell-candidate and output activation, default ``"tanh"``.
    recurrent_activation : str, callable or None
        Gate activation, default ``"sigmoid"``.
    unit_forget_bias : bool
        Start the forget-gate bias at 1 (Keras default ``True``).
    use_bias : bool
        As for `SimpleRNN`.
    **kwargs
        ``return_sequences``, ``return_state``, ``go_backwards``, ``bptt_truncate``,
        ``name``, ... as for `SimpleRNN`. With ``return_state`` the layer returns
        ``(output, h, c)``.

    Attributes
    ----------
    kernel : numpy.ndarray, shape (features, 4 * units)
    recurrent_kernel : numpy.ndarray, shape (units, 4 * units)
    bias : numpy.ndarray, shape (4 * units,)

    Examples
    --------
    >>> import numpy as np
    >>> import rnn
    >>> from rnn.layers import LSTM
    >>> rnn.clear_session()
    >>> layer = LSTM(4)
    >>> layer(np.zeros((2, 5, 3))).shape, layer.count_params()
    ((2, 4), 128)
    >>> layer.bias.reshape(4, 4).tolist()[1]  # forget gate starts at 1
    [1.0, 1.0, 1.0, 1.0]
    """

    gates = 4

    def __init__(
        self,
        units: int,
        activation: str | activations.Activation | None = "tanh",
        recurrent_activation: str | activations.Activation | None = "sigmoid",
        use_bias: bool = True,
        unit_forget_bias: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_count(self) -> int:
        """h and c."""
        return 2

    def init_bias(self, shape: Sequence[int], rng: np.random.Generator | None = None) -> np.ndarray:
        """The bias initializer, with ones for the forget gate if ``unit_forget_bias``."""
        if not self.unit_forget_bias:
            return self.bias_initializer(shape, rng)
        u = self.units
        return np.concatenate(
            [
                np.asarray(self.bias_initializer((u,), rng)),
                np.ones(u, dtype=np.float32),
                np.asarray(self.bias_initializer((2 * u,), rng)),
            ]
        )

    def _backward_cell(
        self, grad: np.ndarray, xs: np.ndarray, sequence: np.ndarray, more: list[Any]
    ) -> tuple[np.ndarray, dict[str, Any]]:
        return functional.lstm_backward(
            grad,
            xs,
            sequence,
            self.kernel,
            self.recurrent_kernel,
            self.bias,
            activation=self.activation,
            recurrent_activation=self.recurrent_activation,
            grad_final_state=None if not more or more[0] is None else (None, more[0]),
            truncate=self.bptt_truncate,
        )

    def _sequence(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        seq, h, c = functional.lstm_forward(
            x,
            self.kernel,
            self.recurrent_kernel,
            self.bias,
            activation=self.activation,
            recurrent_activation=self.recurrent_activation,
            return_sequences=True,
            return_state=True,
        )
        return seq, [h, c]

    def get_config(self) -> dict[str, Any]:
        """SimpleRNN's keys plus ``recurrent_activation`` and ``unit_forget_bias``."""
        return {
            **super().get_config(),
            "recurrent_activation": activations.name_of(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        }


class GRU(RNN):
    """Gated recurrent unit, Keras gate order ``z, r, h``.

    Parameters
    ----------
    units : int
        Size of the hidden state.
    activation : str, callable or None
        For the candidate state (``"tanh"``).
    recurrent_activation : str, callable or None
        For the gates (``"sigmoid"``).
    reset_after : bool
        Apply the reset gate after the recurrent matrix product (Keras 3 and
        cuDNN default ``True``), which needs two bias vectors: bias shape
        ``(2, 3 * units)``. With ``False`` the bias has shape ``(3 * units,)``.
    use_bias : bool
        As for `SimpleRNN`.
    **kwargs
        ``return_sequences``, ``return_state``, ``go_backwards``, ``bptt_truncate``,
        ``name``, ... as for `SimpleRNN`.

    Attributes
    ----------
    kernel : numpy.ndarray, shape (features, 3 * units)
    recurrent_kernel : numpy.ndarray, shape (units, 3 * units)
    bias : numpy.ndarray, shape (2, 3 * units) or (3 * units,)

    Examples
    --------
    >>> import numpy as np
    >>> import rnn
    >>> from rnn.layers import GRU
    >>> rnn.clear_session()
    >>> layer = GRU(4)
    >>> layer(np.zeros((2, 5, 3))).shape, layer.count_params(), layer.bias.shape
    ((2, 4), 108, (2, 12))
    >>> GRU(4, reset_after=False)(np.zeros((2, 5, 3))).shape
    (2, 4)
    """

    gates = 3

    def __init__(
        self,
        units: int,
        activation: str | activations.Activation | None = "tanh",
        recurrent_activation: str | activations.Activation | None = "sigmoid",
        use_bias: bool = True,
        reset_after: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)

    def bias_shape(self) -> tuple[int, ...]:
        """``(2, 3 * units)`` when ``reset_after``, else ``(3 * units,)``."""
        width = 3 * self.units
        return (2, width) if self.reset_after else (width,)

    def _backward_cell(
        self, grad: np.ndarray, xs: np.ndarray, sequence: np.ndarray, more: list[Any]
    ) -> tuple[np.ndarray, dict[str, Any]]:
        return functional.gru_backward(
            grad,
            xs,
            sequence,
            self.kernel,
            self.recurrent_kernel,
            self.bias,
            activation=self.activation,
            recurrent_activation=self.recurrent_activation,
            reset_after=self.reset_after,
            truncate=self.bptt_truncate,
        )

    def _sequence(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        seq = functional.gru_forward(
            x,
            self.kernel,
            self.recurrent_kernel,
            self.bias,
            activation=self.activation,
            recurrent_activation=self.recurrent_activation,
            reset_after=self.reset_after,
            return_sequences=True,
        )
        return seq, [seq[:, -1]]

    def get_config(self) -> dict[str, Any]:
        """SimpleRNN's keys plus ``recurrent_activation`` and ``reset_after``."""
        return {
            **super().get_config(),
            "recurrent_activation": activations.name_of(self.recurrent_activation),
            "reset_after": self.reset_after,
        }
