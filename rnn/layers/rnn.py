"""`RNN`, the base of the recurrent layers.

Configuration, weights, shapes, and the plumbing of ``return_sequences``,
``return_state``, ``go_backwards``, ``initial_state`` and ``stateful``, forward and
backward. The cells' maths lives in :mod:`rnn.functional`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rnn import activations, initializers
from rnn.layers.layer import Layer, Shape, positive_int


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
        stateful: bool = False,
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
        self.stateful = bool(stateful)
        #: with ``stateful``: the states the next call starts from, one (batch, units)
        #: array per state (``h``, and ``c`` for an LSTM); None until built
        self.states: list[np.ndarray] | None = None

    # ------------------------------------------------------------------ weights
    def bias_shape(self) -> tuple[int, ...]:
        """Shape of the bias vector."""
        return (self.gates * self.units,)

    def init_bias(self, shape: Sequence[int], rng: np.random.Generator | None = None) -> np.ndarray:
        """Draw the initial bias (the bias initializer; LSTM overrides for the forget gate)."""
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
        if self.stateful:
            if input_shape[0] is None:
                raise ValueError(
                    "When using `stateful=True` in a RNN, the batch size must be static. "
                    f"Found dynamic batch size: sequence.shape={tuple(input_shape)}"
                )
            shape = (int(input_shape[0]), self.units)
            self.states = [np.zeros(shape, self.dtype) for _ in range(self.state_count)]
        super().build(input_shape)

    def reset_states(self) -> None:
        """Set the states of a ``stateful`` layer back to zeros (before a new sequence).

        Examples
        --------
        >>> import numpy as np
        >>> from rnn.layers import SimpleRNN
        >>> layer = SimpleRNN(2, stateful=True, seed=0)
        >>> first = layer(np.ones((1, 3, 1)))       # the state carries on ...
        >>> bool(np.array_equal(layer(np.ones((1, 3, 1))), first))
        False
        >>> layer.reset_states()                    # ... until it is reset
        >>> bool(np.array_equal(layer(np.ones((1, 3, 1))), first))
        True
        """
        for state in self.states or []:
            state[...] = 0

    def reset_state(self) -> None:
        """Reset the states: the same as `reset_states` (Keras 3's name)."""
        self.reset_states()

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
    def _sequence(
        self, x: np.ndarray, initial: list[np.ndarray] | None
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Return (all hidden states, final states), starting from ``initial`` (or zeros)."""
        raise NotImplementedError

    def call(self, inputs: np.ndarray, initial_state: Any = None) -> Any:
        """Run the recurrence over ``inputs`` of shape (batch, timesteps, features).

        ``initial_state``: the state to start from, ``h_0`` (an LSTM: ``[h_0, c_0]``),
        each of shape (batch, units); by default zeros, or the carried states of a
        ``stateful`` layer.
        """
        return self.forward_with_cache(inputs, initial_state=initial_state)[0]

    def initial_states(self, x: np.ndarray, initial_state: Any) -> list[np.ndarray] | None:
        """Return the states a call on ``x`` starts from, checked (None: zeros).

        Raises
        ------
        ValueError
            If ``initial_state`` does not hold one (batch, units) array per state, or a
            stateful layer gets a batch of another size than it was built for.
        """
        batch, count = x.shape[0], self.state_count
        if self.stateful and self.states is not None and batch != self.states[0].shape[0]:
            raise ValueError(
                "If an RNN is stateful, the batch size of the input sequences must be the "
                "same as the batch size of the initial state. \n"
                f"- Expected batch size: {self.states[0].shape[0]}\n"
                f"- Received batch size: {batch}"
            )
        if initial_state is None:
            return [s.copy() for s in self.states] if self.stateful and self.states else None
        given = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        shapes = [np.shape(s) for s in given]
        if len(given) != count or any(shape != (batch, self.units) for shape in shapes):
            raise ValueError(
                f"Layer '{self.name}' expects `initial_state` to be {count} array(s) of "
                f"shape {(batch, self.units)} (batch, units), for inputs of shape "
                f"{x.shape}. Received: {count if len(given) == count else len(given)} "
                f"array(s) of shape(s) {shapes}"
            )
        return [np.asarray(s, dtype=self.dtype) for s in given]

    def forward_with_cache(self, x: np.ndarray, initial_state: Any = None) -> tuple[Any, Any]:
        """Return the output (with the final states for ``return_state``) and the cache.

        The cache is the inputs in the order the recurrence read them (reversed for
        ``go_backwards``), every state ``h_t`` and the initial states: what BPTT needs.
        A ``stateful`` layer keeps its final states for the next call.
        """
        initial = self.initial_states(x, initial_state)
        xs = x[:, ::-1] if self.go_backwards else x
        sequence, states = self._sequence(xs, initial)
        if self.stateful and self.states is not None:
            for kept, final in zip(self.states, states, strict=True):
                kept[...] = final
        main = np.asarray(sequence if self.return_sequences else sequence[:, -1], self.dtype)
        cache = (xs, sequence, initial, initial_state is not None)
        if self.return_state:  # a tuple (output, *states), as Keras 3 returns
            return (main, *(np.asarray(s, dtype=self.dtype) for s in states)), cache
        return main, cache

    # ------------------------------------------------------------------ gradients
    def backward_with_cache(self, grad_output: Any, cache: Any) -> tuple[Any, list[np.ndarray]]:
        """Backpropagation through time (see :mod:`rnn.functional`).

        With ``return_state``, ``grad_output`` may be the output's gradient alone, or
        a list ``[d output, d h_T(, d c_T)]`` in which any entry may be None.

        If the forward pass was given an ``initial_state``, the first value returned is
        the list ``[dL/d inputs, dL/dh_0(, dL/dc_0)]``: the gradient reaches every input
        of the call. The states a ``stateful`` layer carried over get none: that is
        truncated backpropagation through time at the batch's edge.
        """
        xs, sequence, initial, given = cache
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
        grad_x, grads = self._backward_cell(g, xs, sequence, states[1:], initial)
        if self.go_backwards:
            grad_x = np.ascontiguousarray(grad_x[:, ::-1])  # back to the inputs' order
        weights = [grads["kernel"], grads["recurrent_kernel"]]
        weights += [grads["bias"]] if self.use_bias else []
        if given:
            start = grads["initial_state"]
            starts = list(start) if isinstance(start, (list, tuple)) else [start]
            return [grad_x, *(np.asarray(s, self.dtype) for s in starts)], weights
        return grad_x, weights

    def _backward_cell(
        self,
        grad: np.ndarray,
        xs: np.ndarray,
        sequence: np.ndarray,
        more: list[Any],
        initial: list[np.ndarray] | None,
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Run the cell's functional backward; ``more``: gradients of extra states (c)."""
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
            "stateful": self.stateful,
            # not a Keras argument: only in the config when set
            **({"bptt_truncate": self.bptt_truncate} if self.bptt_truncate is not None else {}),
        }
