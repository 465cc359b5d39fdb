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
from rnn.layers.regularization import check_rate, dropout_mask


class RNN(Layer):
    """Shared machinery of the recurrent layers (not used directly).

    Subclasses set ``gates`` (1, 4 or 3) and implement `_sequence` and `_backward_cell`.
    The recurrent layers skip the steps a mask marks as padding (Keras's rule: the state
    is carried over and the output repeats the previous one), and with ``dropout`` or
    ``recurrent_dropout`` draw one mask per call while training, kept for every step.
    """

    input_ndim = 3
    gates = 1
    supports_masking = True

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
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        zero_output_for_mask: bool = False,
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
        self.dropout = check_rate(dropout, "dropout", upper_inclusive=False)
        self.recurrent_dropout = check_rate(
            recurrent_dropout, "recurrent_dropout", upper_inclusive=False
        )
        self.zero_output_for_mask = bool(zero_output_for_mask)
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
        self, x: np.ndarray, initial: list[np.ndarray] | None, masks: dict[str, Any]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Return (every output, final states), from ``initial`` (or zeros).

        ``masks`` are the functional cell's keyword arguments ``mask``, ``dropout_mask``
        and ``recurrent_dropout_mask`` (each None when unused).
        """
        raise NotImplementedError

    def call(
        self,
        inputs: np.ndarray,
        initial_state: Any = None,
        mask: Any = None,
        training: bool | None = None,
    ) -> Any:
        """Run the recurrence over ``inputs`` of shape (batch, timesteps, features).

        Parameters
        ----------
        inputs : ndarray of shape (batch, timesteps, features)
        initial_state : ndarray or list of ndarrays of shape (batch, units), optional
            The state to start from, ``h_0`` (an LSTM: ``[h_0, c_0]``); by default zeros,
            or the carried states of a ``stateful`` layer.
        mask : ndarray of shape (batch, timesteps), optional
            True at the real steps, False at the padding, which the layer skips.
        training : bool, optional
            Whether ``dropout`` and ``recurrent_dropout`` apply (``fit`` sets it).
        """
        return self.forward_with_cache(
            inputs, initial_state=initial_state, mask=mask, training=training
        )[0]

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        """Return the input's mask for a sequence output, else None (a list with states)."""
        output_mask = previous_mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * self.state_count
        return output_mask

    def step_mask(self, x: np.ndarray, mask: Any) -> np.ndarray | None:
        """Return ``mask`` as booleans of shape (batch, timesteps), checked (None: no mask).

        Raises
        ------
        ValueError
            If the mask does not have one entry per step of the inputs.
        """
        if mask is None:
            return None
        steps = np.asarray(mask)
        if steps.shape != x.shape[:2]:
            raise ValueError(
                f"Layer '{self.name}' expects a mask of shape (batch, timesteps) = "
                f"{x.shape[:2]} for inputs of shape {x.shape}, got a mask of shape "
                f"{steps.shape}"
            )
        return steps.astype(bool)

    def dropout_masks(self, x: np.ndarray, training: bool | None) -> dict[str, Any]:
        """Draw this call's dropout masks (None outside training or at rate 0).

        As Keras 3: with ``recurrent_dropout``, an LSTM or GRU draws one mask per gate
        for the inputs and one per gate for the state (shape (batch, gates, size));
        otherwise one input mask shared by the gates, shape (batch, features).
        """
        drawn: dict[str, Any] = {"dropout_mask": None, "recurrent_dropout_mask": None}
        if not training:
            return drawn
        rng = self._generator()
        per_gate = self.gates > 1 and self.recurrent_dropout > 0
        batch, features = x.shape[0], x.shape[-1]
        if self.dropout > 0:
            shape = (batch, self.gates, features) if per_gate else (batch, features)
            drawn["dropout_mask"] = dropout_mask(shape, self.dropout, rng, self.dtype)
        if self.recurrent_dropout > 0:
            shape = (batch, self.gates, self.units) if per_gate else (batch, self.units)
            drawn["recurrent_dropout_mask"] = dropout_mask(
                shape, self.recurrent_dropout, rng, self.dtype
            )
        return drawn

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

    def forward_with_cache(
        self,
        x: np.ndarray,
        initial_state: Any = None,
        mask: Any = None,
        training: bool | None = None,
    ) -> tuple[Any, Any]:
        """Return the output (with the final states for ``return_state``) and the cache.

        The cache is the inputs in the order the recurrence read them (reversed for
        ``go_backwards``, the mask with them), every output, the initial states and the
        masks of the call: what BPTT needs. A ``stateful`` layer keeps its final states
        for the next call.
        """
        initial = self.initial_states(x, initial_state)
        steps = self.step_mask(x, mask)
        masks = self.dropout_masks(x, training)
        xs = x[:, ::-1] if self.go_backwards else x
        masks["mask"] = None if steps is None else (steps[:, ::-1] if self.go_backwards else steps)
        sequence, states = self._sequence(xs, initial, masks)
        if self.stateful and self.states is not None:
            for kept, final in zip(self.states, states, strict=True):
                kept[...] = final
        main = np.asarray(
            self._zeroed(sequence if self.return_sequences else sequence[:, -1], masks["mask"]),
            self.dtype,
        )
        cache = (xs, sequence, initial, initial_state is not None, masks)
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
        xs, sequence, initial, given, masks = cache
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
        steps = masks["mask"]
        g = self._zeroed(g, steps)
        # h_T is the last output, unless a row has no real step (its output is 0, h_T is h_0)
        real = np.ones(batch, bool) if steps is None else steps.any(axis=1)
        if states and states[0] is not None:
            g = g.copy()
            last = g[:, -1] if self.return_sequences else g
            last[real] += states[0][real]
        grad_x, grads = self._backward_cell(g, xs, sequence, states[1:], initial, masks)
        if given and states and states[0] is not None and not real.all():
            start = grads["initial_state"]
            first = start[0] if isinstance(start, (list, tuple)) else start
            first[~real] += states[0][~real]  # a row without a real step: h_T = h_0
        if self.go_backwards:
            grad_x = np.ascontiguousarray(grad_x[:, ::-1])  # back to the inputs' order
        weights = [grads["kernel"], grads["recurrent_kernel"]]
        weights += [grads["bias"]] if self.use_bias else []
        if given:
            start = grads["initial_state"]
            starts = list(start) if isinstance(start, (list, tuple)) else [start]
            return [grad_x, *(np.asarray(s, self.dtype) for s in starts)], weights
        return grad_x, weights

    def _zeroed(self, outputs: np.ndarray, steps: np.ndarray | None) -> np.ndarray:
        """With ``zero_output_for_mask``: the output (or its gradient) zero at padding.

        ``outputs`` is every step's, (batch, timesteps, units), or the last step's.
        """
        if not self.zero_output_for_mask or steps is None:
            return outputs
        kept = steps[..., None] if outputs.ndim == 3 else steps[:, -1, None]
        return np.where(kept, outputs, 0).astype(outputs.dtype)

    def _backward_cell(
        self,
        grad: np.ndarray,
        xs: np.ndarray,
        sequence: np.ndarray,
        more: list[Any],
        initial: list[np.ndarray] | None,
        masks: dict[str, Any],
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
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            # not a Keras argument: only in the config when set
            **({"bptt_truncate": self.bptt_truncate} if self.bptt_truncate is not None else {}),
        }


def carried_state(
    outputs: np.ndarray, steps: np.ndarray | None, initial: np.ndarray | None
) -> np.ndarray:
    """Return the state carried out of a masked sequence, from its outputs.

    The last output is the state of the last real step; a row without one carries its
    initial state (zeros by default) through, while its outputs are zero.
    """
    last = outputs[:, -1]
    if steps is None:
        return last
    real = np.asarray(steps.any(axis=1))
    if real.all():
        return last
    start = np.zeros_like(last) if initial is None else initial
    return np.where(real[:, None], last, start)
