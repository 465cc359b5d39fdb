"""`GRUCell` and `GRU`, Keras-compatible: :func:`rnn.functional.gru_forward`.

The cell computes one step (weights in Keras's gate order ``z, r, h``); the layer is an
`RNN` of that cell that computes whole sequences at once. The shared plumbing is in
:mod:`rnn.layers.rnn`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnn import activations, functional
from rnn.layers.layer import _check_flag
from rnn.layers.rnn import FromCell, FusedRNN, RecurrentCell, carried_state, check_use_cudnn

__all__ = ["GRU", "GRUCell"]


class GRUCell(RecurrentCell):
    """One step of `GRU`, Keras gate order ``z, r, h``.

    Parameters
    ----------
    units : int
        Size of the state.
    activation : str, callable or None
        For the candidate (and the LSTM's output), default ``"tanh"``.
    recurrent_activation : str, callable or None
        For the gates, default ``"sigmoid"``.
    use_bias : bool
        Default ``True``.
    reset_after : bool
        Apply the reset gate after the recurrent product (default ``True``), as `GRU`.
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
        type), a flag (``use_bias``, ``reset_after``) is not a bool, ``dropout`` or
        ``recurrent_dropout`` is not a number in [0, 1), or an activation or initializer is
        unknown; when built, if the input shape is not a shape of 2 axes whose last is
        known.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.layers import GRUCell
    >>> cell = GRUCell(4, seed=0)
    >>> output, [h] = cell(np.ones((2, 3)))         # one step from a zero state
    >>> output.shape, cell.bias.shape
    ((2, 4), (2, 12))
    """

    gates = 3

    def __init__(
        self,
        units: int,
        activation: str | activations.Activation | None = "tanh",
        recurrent_activation: str | activations.Activation | None = "sigmoid",
        use_bias: bool = True,
        reset_after: bool = True,
        implementation: int = 2,
        **kwargs: Any,
    ) -> None:
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.implementation = 1 if self.recurrent_dropout else implementation
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = _check_flag(reset_after, "reset_after")

    def bias_shape(self) -> tuple[int, ...]:
        """``(2, 3 * units)`` when ``reset_after``, else ``(3 * units,)``."""
        width = 3 * self.units
        return (2, width) if self.reset_after else (width,)

    def forward_sequence(
        self, x: np.ndarray, initial: list[np.ndarray] | None, masks: dict[str, Any]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Every ``h_t`` over ``x``, and the final ``[h]``: `gru_forward`."""
        h0 = None if initial is None else initial[0]
        outputs = np.asarray(
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
        return outputs, [carried_state(outputs, masks.get("mask"), h0)]

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
        """BPTT by `gru_backward` (one state: ``grad_more`` is empty)."""
        return functional.gru_backward(
            grad,
            x,
            outputs,
            self.kernel,
            self.recurrent_kernel,
            self.bias,
            activation=self.activation,
            recurrent_activation=self.recurrent_activation,
            reset_after=self.reset_after,
            initial_state=None if initial is None else initial[0],
            truncate=truncate,
            **masks,
        )

    def get_config(self) -> dict[str, Any]:
        """SimpleRNNCell's keys plus ``recurrent_activation`` and ``reset_after``."""
        return {
            **super().get_config(),
            "recurrent_activation": activations.name_of(self.recurrent_activation),
            "reset_after": self.reset_after,
        }


class GRU(FusedRNN):
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
        ``name``, ... as for `SimpleRNN`.

    Raises
    ------
    ValueError
        If ``units`` is not a positive integer (the message shows the value's repr and
        type), a flag (``use_bias``, ``reset_after``, ``return_sequences``...) is not a
        bool, ``dropout`` or ``recurrent_dropout`` is not a number in [0, 1), or an
        activation or initializer is unknown; when built, if the input shape is not a shape
        of 3 axes whose last is known.

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

    recurrent_activation = FromCell()
    reset_after = FromCell()

    def __init__(
        self,
        units: int,
        activation: str | activations.Activation | None = "tanh",
        recurrent_activation: str | activations.Activation | None = "sigmoid",
        use_bias: bool = True,
        reset_after: bool = True,
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
        cell = GRUCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            reset_after=reset_after,
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
            name="gru_cell",
            implementation=implementation,
        )
        super().__init__(cell, activity_regularizer=activity_regularizer, unroll=unroll, **kwargs)
        #: Keras's choice of cuDNN; stored, not in the config, and changes nothing here
        self.use_cudnn = use_cudnn
