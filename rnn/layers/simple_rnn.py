"""`SimpleRNNCell` and `SimpleRNN`, Keras-compatible: :func:`rnn.functional.simple_rnn_forward`.

The cell computes one step, ``h_t = act(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)``;
the layer is an `RNN` of that cell that computes whole sequences at once. The shared
plumbing of ``return_sequences``, ``return_state``, masks and states is in
:mod:`rnn.layers.rnn`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnn import activations, functional
from rnn.layers.rnn import FusedRNN, RecurrentCell, carried_state

__all__ = ["SimpleRNN", "SimpleRNNCell"]


class SimpleRNNCell(RecurrentCell):
    """One step of `SimpleRNN`: ``h_t = act(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)``.

    Parameters
    ----------
    units : int
        Size of the state (positive).
    activation : str, callable or None
        Default ``"tanh"``; ``None`` means linear.
    use_bias : bool
        Default ``True``.
    kernel_initializer : str or callable
        How the kernel is drawn (``"glorot_uniform"``).
    recurrent_initializer : str or callable
        How the recurrent kernel is drawn (``"orthogonal"``).
    bias_initializer : str or callable
        How the bias is drawn (``"zeros"``).
    kernel_regularizer : str, Regularizer or None
        Penalty on the kernel, added to the training loss (see :mod:`rnn.regularizers`).
    recurrent_regularizer : str, Regularizer or None
        Penalty on the recurrent kernel.
    bias_regularizer : str, Regularizer or None
        Penalty on the bias.
    kernel_constraint : str, Constraint or None
        Applied to the kernel after each update (see :mod:`rnn.constraints`).
    recurrent_constraint : str, Constraint or None
        Applied to the recurrent kernel after each update.
    bias_constraint : str, Constraint or None
        Applied to the bias after each update.
    dropout : float
        Rate in [0, 1) of the inputs dropped while training (default 0).
    recurrent_dropout : float
        Rate in [0, 1) of the state dropped while training (default 0).
    **kwargs
        ``name``, ``seed``, ``dtype``... see `Layer`.

    Raises
    ------
    ValueError
        If ``units`` is not a positive integer (the message shows the value's repr and
        type), a flag (``use_bias``) is not a bool, ``dropout`` or ``recurrent_dropout`` is
        not a number in [0, 1), or an activation or initializer is unknown; when built, if
        the input shape is not a shape of 2 axes whose last is known.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.layers import RNN, SimpleRNNCell
    >>> cell = SimpleRNNCell(4, seed=0)
    >>> output, [h] = cell(np.ones((2, 3)), [np.zeros((2, 4))])   # one step
    >>> output.shape, bool(np.array_equal(output, h)), cell.state_size
    ((2, 4), True, 4)
    >>> RNN(cell, return_sequences=True)(np.ones((2, 5, 3))).shape   # every step
    (2, 5, 4)
    """

    def forward_sequence(
        self, x: np.ndarray, initial: list[np.ndarray] | None, masks: dict[str, Any]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Every ``h_t`` over ``x``, and the final ``[h]``: `simple_rnn_forward`."""
        h0 = None if initial is None else initial[0]
        outputs = functional.simple_rnn_forward(
            x,
            self.kernel,
            self.recurrent_kernel,
            self.bias,
            activation=self.activation,
            initial_state=h0,
            return_sequences=True,
            **masks,
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
        """BPTT by `simple_rnn_backward` (one state: ``grad_more`` is empty)."""
        return functional.simple_rnn_backward(
            grad,
            x,
            outputs,
            self.kernel,
            self.recurrent_kernel,
            self.bias,
            activation=self.activation,
            initial_state=None if initial is None else initial[0],
            truncate=truncate,
            **masks,
        )


class SimpleRNN(FusedRNN):
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
    kernel_regularizer : str, Regularizer or None
        Penalty on the kernel, added to the training loss (see :mod:`rnn.regularizers`).
    recurrent_regularizer : str, Regularizer or None
        Penalty on the recurrent kernel.
    bias_regularizer : str, Regularizer or None
        Penalty on the bias.
    kernel_constraint : str, Constraint or None
        Applied to the kernel after each update (see :mod:`rnn.constraints`).
    recurrent_constraint : str, Constraint or None
        Applied to the recurrent kernel after each update.
    bias_constraint : str, Constraint or None
        Applied to the bias after each update.
    activity_regularizer : str, Regularizer or None
        Accepted, and dropped as Keras 3 (3.15.1) drops it: `SimpleRNN` applies no
        activity penalty and its config says None (`LSTM` and `GRU` apply theirs). For
        a penalty on a SimpleRNN's output, use ``RNN(SimpleRNNCell(...),
        activity_regularizer=...)``.
    dropout : float
        Rate in [0, 1) of the inputs dropped while training: one mask per sequence,
        kept at every step (default 0).
    recurrent_dropout : float
        Rate in [0, 1) of the state dropped while training, the same way (default 0).
    stateful : bool
        Carry the final states into the next call (see `RNN`).
    unroll : bool
        Accepted for Keras code; changes nothing here (see `RNN`).
    zero_output_for_mask : bool
        Zeros, not the previous output, at masked steps (see `RNN`).
    **kwargs
        ``name``, ``input_shape``, ``seed``... see `Layer`.

    Raises
    ------
    ValueError
        If ``units`` is not a positive integer (the message shows the value's repr and
        type), a flag (``use_bias``, ``return_sequences``, ``return_state``...) is not a
        bool, ``dropout`` or ``recurrent_dropout`` is not a number in [0, 1), or an
        activation or initializer is unknown; when built, if the input shape is not a shape
        of 3 axes whose last is known.

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

    def __init__(
        self,
        units: int,
        activation: str | activations.Activation | None = "tanh",
        use_bias: bool = True,
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
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        bptt_truncate: int | None = None,
        **kwargs: Any,
    ) -> None:
        cell = SimpleRNNCell(
            units,
            activation=activation,
            use_bias=use_bias,
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
            name="simple_rnn_cell",
        )
        super().__init__(
            cell,
            bptt_truncate=bptt_truncate,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            zero_output_for_mask=zero_output_for_mask,
            **kwargs,
        )
