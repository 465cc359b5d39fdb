"""`LSTMCell` and `LSTM`, Keras-compatible: :func:`rnn.functional.lstm_forward`.

The cell computes one step (weights in Keras's gate order ``i, f, c, o``); the layer is
an `RNN` of that cell that computes whole sequences at once. The shared plumbing is in
:mod:`rnn.layers.rnn`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rnn import activations, functional
from rnn.layers.layer import _check_flag
from rnn.layers.rnn import FromCell, FusedRNN, RecurrentCell, check_use_cudnn

__all__ = ["LSTM", "LSTMCell"]


class LSTMCell(RecurrentCell):
    """One step of `LSTM`, Keras gate order ``i, f, c, o``; two states, ``[h, c]``.

    Parameters
    ----------
    units : int
        Size of the hidden and cell states.
    activation : str, callable or None
        For the candidate (and the LSTM's output), default ``"tanh"``.
    recurrent_activation : str, callable or None
        For the gates, default ``"sigmoid"``.
    use_bias : bool
        Default ``True``.
    unit_forget_bias : bool
        Start the forget gate's bias at 1 (default ``True``), as `LSTM`.
    implementation : int
        Keras's choice between two ways of computing the gates (1 or 2, default 2;
        Keras makes it 1 with ``recurrent_dropout``). Stored as ``implementation``, not in
        the config; the numbers are the same either way, so it changes nothing here.
    **kwargs
        The initializers, regularizers, constraints, ``dropout``, ``recurrent_dropout``,
        ``name``, ``seed``... as for `SimpleRNNCell`.

    Raises
    ------
    ValueError
        If ``units`` is not a positive integer (the message shows the value's repr and
        type), a flag (``use_bias``, ``unit_forget_bias``) is not a bool, ``dropout`` or
        ``recurrent_dropout`` is not a number in [0, 1), or an activation or initializer is
        unknown; when built, if the input shape is not a shape of 2 axes whose last is
        known.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.layers import LSTMCell
    >>> cell = LSTMCell(4, seed=0)
    >>> output, [h, c] = cell(np.ones((2, 3)))      # one step from zero states
    >>> output.shape, c.shape, cell.state_size
    ((2, 4), (2, 4), [4, 4])
    """

    gates = 4

    def __init__(
        self,
        units: int,
        activation: str | activations.Activation | None = "tanh",
        recurrent_activation: str | activations.Activation | None = "sigmoid",
        use_bias: bool = True,
        unit_forget_bias: bool = True,
        implementation: int = 2,
        **kwargs: Any,
    ) -> None:
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.implementation = 1 if self.recurrent_dropout else implementation
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = _check_flag(unit_forget_bias, "unit_forget_bias")

    @property
    def state_size(self) -> Any:
        """``[units, units]``: the hidden state ``h`` and the cell state ``c``."""
        return [self.units, self.units]

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

    def forward_sequence(
        self, x: np.ndarray, initial: list[np.ndarray] | None, masks: dict[str, Any]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Every ``h_t`` over ``x``, and the final ``[h, c]``: `lstm_forward`."""
        outputs, h, c = functional.lstm_forward(
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
        return outputs, [h, c]

    def backward_sequence(
        self,
        grad: np.ndarray,
        x: np.ndarray,
        outputs: np.ndarray,
        initial: list[np.ndarray] | None,
        grad_more: list[Any],
        masks: dict[str, Any],
        truncate: int | None = None,
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """BPTT by `lstm_backward`; ``grad_more`` is ``[dL/dc_T]`` (or empty)."""
        grad_c = grad_more[0] if grad_more else None
        return functional.lstm_backward(
            grad,
            x,
            outputs,
            self.kernel,
            self.recurrent_kernel,
            self.bias,
            activation=self.activation,
            recurrent_activation=self.recurrent_activation,
            initial_state=initial,
            grad_final_state=None if grad_c is None else (None, grad_c),
            truncate=truncate,
            **masks,
        )

    def get_config(self) -> dict[str, Any]:
        """SimpleRNNCell's keys plus ``recurrent_activation`` and ``unit_forget_bias``."""
        return {
            **super().get_config(),
            "recurrent_activation": activations.name_of(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        }


class LSTM(FusedRNN):
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
    kernel_regularizer, recurrent_regularizer, bias_regularizer : str, Regularizer or None
        Penalties on the weights, added to the training loss (see :mod:`rnn.regularizers`).
    activity_regularizer : str, Regularizer or None
        Penalty on the output (on each output, with ``return_state``), divided by the
        batch size.
    kernel_constraint, recurrent_constraint, bias_constraint : str, Constraint or None
        Applied to the weights after each update (see :mod:`rnn.constraints`).
    use_cudnn : "auto", True or False
        Keras's choice of NVIDIA's cuDNN kernels; checked as Keras checks it, stored, not
        in the config, and changes nothing here (NumPy runs on the CPU).
    implementation : int
        Keras's two ways of computing the gates (1 or 2); stored on the cell, not in the
        config, and changes nothing here.
    unroll : bool
        Accepted for Keras code (in the config); changes nothing here (see `RNN`).
    **kwargs
        ``return_sequences``, ``return_state``, ``go_backwards``, ``bptt_truncate``,
        ``name``, ... as for `SimpleRNN`. With ``return_state`` the layer returns
        ``(output, h, c)``.

    Raises
    ------
    ValueError
        If ``units`` is not a positive integer (the message shows the value's repr and
        type), a flag (``use_bias``, ``unit_forget_bias``, ``return_sequences``...) is not a
        bool, ``dropout`` or ``recurrent_dropout`` is not a number in [0, 1), or an
        activation or initializer is unknown; when built, if the input shape is not a shape
        of 3 axes whose last is known.

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

    recurrent_activation = FromCell()
    unit_forget_bias = FromCell()

    def __init__(
        self,
        units: int,
        activation: str | activations.Activation | None = "tanh",
        recurrent_activation: str | activations.Activation | None = "sigmoid",
        use_bias: bool = True,
        unit_forget_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        use_cudnn: str | bool = "auto",
        implementation: int = 2,
        unroll: bool = False,
        **kwargs: Any,
    ) -> None:
        check_use_cudnn(use_cudnn)
        cell = LSTMCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            unit_forget_bias=unit_forget_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=kwargs.get("seed"),
            dtype=kwargs.get("dtype"),
            name="lstm_cell",
            implementation=implementation,
        )
        super().__init__(cell, activity_regularizer=activity_regularizer, unroll=unroll, **kwargs)
        #: Keras's choice of cuDNN; stored, not in the config, and changes nothing here
        self.use_cudnn = use_cudnn
