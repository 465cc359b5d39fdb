"""Recurrent layers: `SimpleRNN`, `LSTM` and `GRU`, Keras-compatible.

The maths lives in :mod:`rnn.functional`; these classes hold the configuration
and the weights (in Keras's shapes and gate order) and handle
``return_sequences``, ``return_state`` and ``go_backwards``, forward and backward
(backpropagation through time, truncated to ``bptt_truncate`` steps if set).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rnn import activations, functional, initializers
from rnn.layers.base import Layer, Shape, positive_int


class RNN(Layer):
    """Shared machinery of the recurrent layers (not used directly).

    Subclasses set ``gates`` (1, 4 or 3) and implement `_sequence` and `_backward_cell`.
    """

    input_ndim = 3
    gates = 1

    def __init__(
        self,
        units: int,
        activation: str | activations.Activation | None = "tanh",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        bptt_truncate: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.units = positive_int(units, "units")
        self.bptt_truncate = (
            None if bptt_truncate is None else positive_int(bptt_truncate, "bptt_truncate")
        )
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)

    # ------------------------------------------------------------------ weights
    def bias_shape(self) -> tuple[int, ...]:
        """Shape of the bias vector."""
        return (self.gates * self.units,)

    def init_bias(self, shape: Sequence[int], rng: np.random.Generator | None = None) -> np.ndarray:
        """Initial bias (the bias initializer; LSTM overrides for the forget gate)."""
        return self.bias_initializer(shape, rng)

    def build(self, input_shape: Sequence[int | None]) -> None:
        """Create ``kernel``, ``recurrent_kernel`` and ``bias`` (``g`` gates wide)."""
        features = input_shape[-1]
        if features is None:
            raise ValueError(
                f"The last dimension of the inputs to {type(self).__name__} should be "
                "defined. Found None."
            )
        width = self.gates * self.units
        self.kernel = self.add_weight("kernel", (features, width), self.kernel_initializer)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", (self.units, width), self.recurrent_initializer
        )
        self.bias = (
            self.add_weight("bias", self.bias_shape(), self.init_bias) if self.use_bias else None
        )
        super().build(input_shape)

    def expected_last_dim(self) -> int | None:
        """Once built, the feature size is fixed by the kernel."""
        return self.kernel.shape[0] if self.built else None

    # ------------------------------------------------------------------ shapes
    @property
    def state_count(self) -> int:
        """How many state tensors ``return_state`` adds (LSTM: h and c)."""
        return 1

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Any:
        """``(batch, units)``, or ``(batch, timesteps, units)`` with ``return_sequences``.

        With ``return_state`` a list: the output shape, then one ``(batch, units)``
        per state.
        """
        batch, steps = input_shape[0], input_shape[1]
        out: Shape = (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return [out] + [(batch, self.units)] * self.state_count
        return out

    # ------------------------------------------------------------------ calling
    def _sequence(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """Return (all hidden states, final states) for time-major-ready input."""
        raise NotImplementedError

    def call(self, inputs: np.ndarray) -> Any:
        """Run the recurrence over ``inputs`` of shape (batch, timesteps, features)."""
        return self._forward_with_cache(inputs)[0]

    def _forward_with_cache(self, x: np.ndarray) -> tuple[Any, Any]:
        xs = x[:, ::-1] if self.go_backwards else x
        sequence, states = self._sequence(xs)
        out = sequence if self.return_sequences else sequence[:, -1]
        out = np.asarray(out, dtype=self.dtype)
        if self.return_state:  # a tuple (output, *states), as Keras 3 returns
            out = (out, *(np.asarray(s, dtype=self.dtype) for s in states))
        return out, (xs, sequence)

    # ------------------------------------------------------------------ gradients
    def _backward(self, grad_output: Any, cache: Any) -> tuple[np.ndarray, list[np.ndarray]]:
        """Backpropagation through time (see :mod:`rnn.functional`).

        With ``return_state``, ``grad_output`` may be the output's gradient alone, or
        a list ``[d output, d h_T(, d c_T)]`` in which any entry may be None.
        """
        xs, sequence = cache
        batch, _, units = sequence.shape
        shape = sequence.shape if self.return_sequences else (batch, units)
        parts = [grad_output]
        if self.return_state and isinstance(grad_output, (list, tuple)):
            parts = list(grad_output)
            if len(parts) > 1 + self.state_count:
                raise ValueError(
                    f"Layer '{self.name}' returns {1 + self.state_count} arrays, but "
                    f"{len(parts)} gradients were given."
                )
        parts += [None] * (1 + self.state_count - len(parts))
        g = np.zeros(shape, self.dtype) if parts[0] is None else parts[0]
        g = self.grad_output_array(g, shape)
        states = [
            None if p is None else self.grad_output_array(p, (batch, units), "final state")
            for p in parts[1:]
        ]
        if states and states[0] is not None:  # h_T is the last output: add its gradient
            g = g.copy()
            if self.return_sequences:
                g[:, -1] += states[0]
            else:
                g += states[0]
        grad_x, grads = self._backward_cell(g, xs, sequence, states[1:])
        if self.go_backwards:
            grad_x = np.ascontiguousarray(grad_x[:, ::-1])  # back to the inputs' order
        weights = [grads["kernel"], grads["recurrent_kernel"]]
        return grad_x, weights + ([grads["bias"]] if self.use_bias else [])

    def _backward_cell(
        self, grad: np.ndarray, xs: np.ndarray, sequence: np.ndarray, more: list[Any]
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """The functional backward of the cell; ``more``: gradients of extra states (c)."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """Keras's config keys shared by the recurrent layers."""
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.name_of(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.name_of(self.kernel_initializer),
            "recurrent_initializer": initializers.name_of(self.recurrent_initializer),
            "bias_initializer": initializers.name_of(self.bias_initializer),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            # not a Keras argument: only in the config when set
            **({"bptt_truncate": self.bptt_truncate} if self.bptt_truncate is not None else {}),
        }


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
    kernel_initializer, recurrent_initializer, bias_initializer : str or callable
        Defaults ``"glorot_uniform"``, ``"orthogonal"``, ``"zeros"``.
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
    activation, recurrent_activation : str, callable or None
        Defaults ``"tanh"`` and ``"sigmoid"``.
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
