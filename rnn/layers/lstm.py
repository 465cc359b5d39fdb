"""`LSTM`, Keras-compatible: :func:`rnn.functional.lstm_forward` as a layer.

The configuration and weights (in Keras's gate order), forward and backward; the shared
plumbing is in :mod:`rnn.layers.rnn`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rnn import activations, functional
from rnn.layers.rnn import RNN

__all__ = ["LSTM"]


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
        """Return 2: an LSTM carries two states, ``h`` and ``c``."""
        return 2

    def init_bias(self, shape: Sequence[int], rng: np.random.Generator | None = None) -> np.ndarray:
        """Draw the initial bias, with ones for the forget gate if ``unit_forget_bias``."""
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
        self,
        grad: np.ndarray,
        xs: np.ndarray,
        sequence: np.ndarray,
        more: list[Any],
        initial: list[np.ndarray] | None,
        masks: dict[str, Any],
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
            initial_state=initial,
            grad_final_state=None if not more or more[0] is None else (None, more[0]),
            truncate=self.bptt_truncate,
            **masks,
        )

    def _sequence(
        self, x: np.ndarray, initial: list[np.ndarray] | None, masks: dict[str, Any]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        seq, h, c = functional.lstm_forward(
            x,
            self.kernel,
            self.recurrent_kernel,
            self.bias,
            activation=self.activation,
            recurrent_activation=self.recurrent_activation,
            initial_state=initial,
            return_sequences=True,
            return_state=True,
            **masks,
        )
        return seq, [h, c]

    def get_config(self) -> dict[str, Any]:
        """SimpleRNN's keys plus ``recurrent_activation`` and ``unit_forget_bias``."""
        return {
            **super().get_config(),
            "recurrent_activation": activations.name_of(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        }
