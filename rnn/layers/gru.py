"""`GRU`, Keras-compatible: :func:`rnn.functional.gru_forward` as a layer.

The configuration and weights (in Keras's gate order), forward and backward; the shared
plumbing is in :mod:`rnn.layers.rnn`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnn import activations, functional
from rnn.layers.rnn import RNN, carried_state

__all__ = ["GRU"]


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
        self,
        grad: np.ndarray,
        xs: np.ndarray,
        sequence: np.ndarray,
        more: list[Any],
        initial: list[np.ndarray] | None,
        masks: dict[str, Any],
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
            initial_state=None if initial is None else initial[0],
            truncate=self.bptt_truncate,
            **masks,
        )

    def _sequence(
        self, x: np.ndarray, initial: list[np.ndarray] | None, masks: dict[str, Any]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        h0 = None if initial is None else initial[0]
        seq = np.asarray(
            functional.gru_forward(
                x,
                self.kernel,
                self.recurrent_kernel,
                self.bias,
                activation=self.activation,
                recurrent_activation=self.recurrent_activation,
                reset_after=self.reset_after,
                initial_state=h0,
                return_sequences=True,
                **masks,
            )
        )
        return seq, [carried_state(seq, masks["mask"], h0)]

    def get_config(self) -> dict[str, Any]:
        """SimpleRNN's keys plus ``recurrent_activation`` and ``reset_after``."""
        return {
            **super().get_config(),
            "recurrent_activation": activations.name_of(self.recurrent_activation),
            "reset_after": self.reset_after,
        }
