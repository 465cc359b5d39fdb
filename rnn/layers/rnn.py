"""`RNN`: a cell run over time, and what a cell is.

A **cell** computes one step: from the inputs at time ``t`` and the states after step
``t - 1``, the output and the new states. `RNN` runs a cell over every step of a
sequence, as Keras 3's ``keras.layers.RNN`` does, and handles ``return_sequences``,
``return_state``, ``go_backwards``, masks, ``initial_state`` and ``stateful``, forward
and backward. `SimpleRNN`, `LSTM` and `GRU` are `RNN` with their own cell, computed by
the fast whole-sequence functions of :mod:`rnn.functional` instead of step by step.

The contract of a cell (a `Layer`):

- ``state_size``: the size of its state, an int, or a list of ints for several states
  (an LSTM cell: ``[units, units]`` for ``h`` and ``c``); ``output_size`` if the output
  is not the first state's size;
- ``build(input_shape)`` with ``input_shape = (batch, features)``: create the weights;
- ``call(inputs, states)``: one step forward, ``inputs`` of shape (batch, features) and
  ``states`` a list of (batch, size) arrays; returns ``(output, new_states)``. It may
  also take ``training``;
- ``backward_step(inputs, states, grad_output, grad_states)``: the same step backward,
  given the gradients of the loss with respect to its output and new states; returns
  ``(grad_inputs, grad_states, grad_weights)``, the gradients with respect to its inputs,
  its states and its weights (in the order of ``weights``). Needed to train.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np

from rnn import activations, constraints, initializers, regularizers
from rnn.layers._penalties import ActivityRegularization, weight_rules
from rnn.layers.dtypes import standardize_dtype
from rnn.layers.layer import (
    Layer,
    Shape,
    _check_flag,
    _keywords,
    _standardize_shape,
    deserialize_layer,
    positive_int,
)
from rnn.layers.regularization import check_rate, dropout_mask

__all__ = ["RNN", "StackedRNNCells"]


def _sizes(state_size: Any) -> list[int]:
    """Return a cell's ``state_size`` as a flat list of ints."""
    if isinstance(state_size, (list, tuple)):
        return [size for part in state_size for size in _sizes(part)]
    return [int(state_size)]


class RNN(ActivityRegularization, Layer):
    """Run a cell over every step of a sequence (Keras 3's ``keras.layers.RNN``).

    Parameters
    ----------
    cell : Layer or list of Layers
        The step: a built-in cell (`SimpleRNNCell`, `LSTMCell`, `GRUCell`) or your own
        (see the contract in :mod:`rnn.layers.rnn`). A list of cells is stacked
        (`StackedRNNCells`): each step runs them in turn, each reading the output of
        the one before.
    return_sequences : bool
        Return every step's output, shape (batch, timesteps, output size), instead of
        the last one, shape (batch, output size).
    return_state : bool
        Also return the final states (as a tuple ``(output, *states)``; for stacked
        cells one list of states per cell, as Keras).
    go_backwards : bool
        Process the sequence in reverse (and return the outputs in that order).
    stateful : bool
        Start each call from the final states of the call before (``states``), for
        batches that continue each other; needs a fixed batch size.
    unroll : bool
        Accepted for Keras code: Keras unrolls the loop of a symbolic graph; here the
        loop is always a Python loop, so this changes nothing.
    zero_output_for_mask : bool
        With a mask, give zeros as the outputs of the masked steps instead of the
        previous output.
    activity_regularizer : str, Regularizer or None
        Penalty on the output (on each output, with ``return_state``), divided by the
        batch size, added to the training loss (see :mod:`rnn.regularizers`).
    **kwargs
        ``name``, ``input_shape``, ``seed``, ``dtype``... see `Layer`.

    Raises
    ------
    ValueError
        If ``cell`` is not a cell (a layer with ``call`` and ``state_size``) or a
        non-empty list of them, or a flag (``return_sequences``, ``return_state``,
        ``go_backwards``, ``stateful``, ``unroll``, ``zero_output_for_mask``) is not a
        bool; when built, if the input shape is not a shape of 3 axes whose last is
        known.

    Examples
    --------
    >>> import numpy as np
    >>> import rnn
    >>> from rnn.layers import RNN, SimpleRNN, SimpleRNNCell, LSTMCell
    >>> rnn.clear_session()
    >>> layer = RNN(SimpleRNNCell(4))
    >>> x = np.random.default_rng(0).standard_normal((2, 5, 3))
    >>> layer(x).shape, layer.count_params()
    ((2, 4), 32)

    It computes what `SimpleRNN` computes, one step at a time:

    >>> plain = SimpleRNN(4)
    >>> plain.build(x.shape)
    >>> plain.set_weights(layer.get_weights())
    >>> bool(np.allclose(layer(x), plain(x), atol=1e-6))
    True

    A list of cells is stacked; ``return_state`` gives each cell's states:

    >>> stacked = RNN([SimpleRNNCell(3), LSTMCell(2)], return_state=True)
    >>> out, [h1], [h2, c2] = stacked(x)
    >>> out.shape, h1.shape, c2.shape
    ((2, 2), (2, 3), (2, 2))
    """

    input_ndim = 3
    supports_masking = True
    #: not a Keras argument (`SimpleRNN`, `LSTM` and `GRU` take it): see `SimpleRNN`
    bptt_truncate: int | None = None
    #: whether the layer computes whole sequences with :mod:`rnn.functional` (the built-in
    #: layers) rather than step by step with its cell
    fused = False

    def __init__(
        self,
        cell: Any,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        activity_regularizer: Any = None,
        **kwargs: Any,
    ) -> None:
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(list(cell))
        check_cell(cell)
        super().__init__(**kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.cell = cell
        self.return_sequences = _check_flag(return_sequences, "return_sequences")
        self.return_state = _check_flag(return_state, "return_state")
        self.go_backwards = _check_flag(go_backwards, "go_backwards")
        self.stateful = _check_flag(stateful, "stateful")
        self.unroll = _check_flag(unroll, "unroll")
        self.zero_output_for_mask = _check_flag(zero_output_for_mask, "zero_output_for_mask")
        #: with ``stateful``: the states the next call starts from, one (batch, size)
        #: array per state (``h``, and ``c`` for an LSTM); None until built
        self.states: list[np.ndarray] | None = None

    # ------------------------------------------------------------------ the cell
    @property
    def state_sizes(self) -> list[int]:
        """The size of each state the cell carries, in order (stacked cells: all of them)."""
        return _sizes(self.cell.state_size)

    @property
    def state_count(self) -> int:
        """How many state arrays ``return_state`` adds (LSTM: h and c)."""
        return len(self.state_sizes)

    @property
    def output_size(self) -> int:
        """The size of the cell's output (by default its first state's)."""
        size = getattr(self.cell, "output_size", None)
        return int(size) if size is not None else self.state_sizes[0]

    # ------------------------------------------------------------------ weights
    def build(self, input_shape: Sequence[int | None]) -> None:
        """Build the cell for steps of shape (batch, features); the weights are the cell's.

        ``input_shape`` is (batch, timesteps, features).

        Raises
        ------
        ValueError
            If ``input_shape`` is not a shape of 3 axes whose last is known, or a
            ``stateful`` layer gets no fixed batch size.
        """
        input_shape = self._checked_shape(input_shape)
        features = input_shape[-1]
        if features is None:
            raise ValueError(
                f"The last dimension of the inputs to {type(self).__name__} should be "
                "defined. Found None."
            )
        if not self.cell.built:
            self.cell.dtype = self.dtype
            self.cell.build((input_shape[0], features))
        self._weights = self.cell._weights
        if self.stateful:
            if input_shape[0] is None:
                raise ValueError(
                    "When using `stateful=True` in a RNN, the batch size must be static. "
                    f"Found dynamic batch size: sequence.shape={tuple(input_shape)}"
                )
            batch = int(input_shape[0])
            self.states = [np.zeros((batch, size), self.dtype) for size in self.state_sizes]
        super().build(input_shape)

    @property
    def weight_names(self) -> list[str]:
        """The cell's weights under the cell's name, as Keras's paths: ``simple_rnn_cell/kernel``.

        (`SimpleRNN`, `LSTM` and `GRU` name them ``kernel``... as their own.)
        """
        if self.fused:
            return list(self._weights)
        return [f"{self.cell.name}/{name}" for name in self._weights]

    def set_dtype(self, dtype: Any) -> None:
        """Compute in ``dtype`` from now on: the cell's weights are cast to it."""
        self.dtype = standardize_dtype(dtype)
        self.cell.set_dtype(dtype)
        self._weights = self.cell._weights

    def _weight_rules(self) -> list[tuple[Any, Any]]:
        return weight_rules(self.cell)

    def unbuilt_copy(self, name: str, **changes: Any) -> Any:
        """Return a copy of the layer's settings, with a copy of its cell, without weights."""
        seed = changes.get("seed")
        holder = copy.copy(self)  # the copy gets its own cell before anything is changed
        holder.cell = self.cell.unbuilt_copy(
            self.cell.name, **({} if seed is None else {"seed": seed})
        )
        twin = Layer.unbuilt_copy(holder, name, **changes)
        twin.states = None
        twin._activity_losses, twin._activity_outputs = [], None  # nothing called yet
        return twin

    def expected_last_dim(self) -> int | None:
        """Once built, the feature size is fixed by the cell's weights."""
        return self._build_shape[-1] if self.built and self._build_shape else None

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

    def get_initial_state(self, batch_size: int) -> list[np.ndarray]:
        """Return the zero states a call starts from, one (batch_size, size) array per state."""
        return [np.zeros((batch_size, size), self.dtype) for size in self.state_sizes]

    # ------------------------------------------------------------------ shapes
    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Any:
        """Return ``(batch, size)``, or ``(batch, timesteps, size)`` with ``return_sequences``.

        With ``return_state`` a list: the output shape, then one ``(batch, size)``
        per state.
        """
        batch, steps, size = input_shape[0], input_shape[1], self.output_size
        out: Shape = (batch, steps, size) if self.return_sequences else (batch, size)
        if self.return_state:
            return [out] + [(batch, s) for s in self.state_sizes]
        return out

    # ------------------------------------------------------------------ calling
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
        initial_state : ndarray or list of ndarrays of shape (batch, size), optional
            The states to start from, ``h_0`` (an LSTM: ``[h_0, c_0]``); by default zeros,
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
        """Draw this call's dropout masks (see `RecurrentCell.dropout_masks`).

        A cell run step by step draws its own, at its first step; only the built-in
        layers, which run whole sequences, draw them here.
        """
        if self.fused:
            masks: dict[str, Any] = self.cell.dropout_masks(x, training)
            return masks
        return {"training": training}

    def initial_states(self, x: np.ndarray, initial_state: Any) -> list[np.ndarray] | None:
        """Return the states a call on ``x`` starts from, checked (None: zeros).

        Raises
        ------
        ValueError
            If ``initial_state`` does not hold one (batch, size) array per state, or a
            stateful layer gets a batch of another size than it was built for.
        """
        batch, sizes = x.shape[0], self.state_sizes
        if self.stateful and self.states is not None and batch != self.states[0].shape[0]:
            raise ValueError(
                "If an RNN is stateful, the batch size of the input sequences must be the "
                "same as the batch size of the initial state. \n"
                f"- Expected batch size: {self.states[0].shape[0]}\n"
                f"- Received batch size: {batch}"
            )
        if initial_state is None:
            return [s.copy() for s in self.states] if self.stateful and self.states else None
        given = flatten_states(initial_state)
        shapes = [np.shape(s) for s in given]
        expected = [(batch, size) for size in sizes]
        if shapes != expected:
            what = (
                f"{len(sizes)} array(s) of shape {expected[0]} (batch, units)"
                if len(set(sizes)) == 1
                else f"{len(sizes)} arrays of shapes {expected}"
            )
            raise ValueError(
                f"Layer '{self.name}' expects `initial_state` to be {what}, for inputs of "
                f"shape {x.shape}. Received: {len(given)} array(s) of shape(s) {shapes}"
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
            finals = [np.asarray(s, dtype=self.dtype) for s in states]
            nest = getattr(self.cell, "nest_states", None)
            return (main, *(finals if nest is None else nest(finals))), cache
        return main, cache

    def _sequence(
        self, x: np.ndarray, initial: list[np.ndarray] | None, masks: dict[str, Any]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Return (every output, final states), from ``initial`` (or zeros): the cell's loop.

        At a masked step the states are carried over and the output repeats the one
        before (zeros before the first real step), as in Keras. The built-in layers
        replace this loop with :mod:`rnn.functional`.
        """
        if self.fused:
            return self.cell.forward_sequence(x, initial, masks)
        batch, steps = x.shape[0], x.shape[1]
        states = initial or [np.zeros((batch, size), self.dtype) for size in self.state_sizes]
        for reset in ("reset_dropout_mask", "reset_recurrent_dropout_mask"):
            getattr(self.cell, reset, lambda: None)()
        takes_training = "training" in _keywords(type(self.cell), "call")
        extra = {"training": masks.get("training")} if takes_training else {}
        outputs = np.zeros((batch, steps, self.output_size), self.dtype)
        previous = np.zeros_like(outputs[:, 0])  # what a masked first step repeats
        history = []  # the states before each step, for backward_step
        for t in range(steps):
            history.append(states)
            out, new = self.cell.call(x[:, t], list(states), **extra)
            new = flatten_states(new)
            if masks["mask"] is not None:  # padding: keep the states and the output
                real = masks["mask"][:, t, None]
                out = np.where(real, out, previous)
                new = [np.where(real, n, s) for n, s in zip(new, states, strict=True)]
            outputs[:, t] = out
            previous, states = outputs[:, t], [np.asarray(s, self.dtype) for s in new]
        masks["history"] = history
        masks["cell_dropout"] = copy.copy(getattr(self.cell, "_dropout", None))
        return outputs, states

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
        batch = sequence.shape[0]
        shape = sequence.shape if self.return_sequences else (batch, sequence.shape[-1])
        parts = [grad_output]
        if self.return_state and isinstance(grad_output, (list, tuple)):
            parts = [grad_output[0], *flatten_states(list(grad_output[1:]), keep_none=True)]
            if len(parts) > 1 + self.state_count:
                raise ValueError(
                    f"Layer '{self.name}' returns {1 + self.state_count} arrays, but "
                    f"{len(parts)} gradients were given."
                )
        parts += [None] * (1 + self.state_count - len(parts))
        g = np.zeros(shape, self.dtype) if parts[0] is None else parts[0]
        g = self._zeroed(self.grad_output_array(g, shape), masks["mask"])
        states = [
            None if p is None else self.grad_output_array(p, (batch, size), "final state")
            for p, size in zip(parts[1:], self.state_sizes, strict=True)
        ]
        backward = self._fused_backward if self.fused else self._cell_backward
        grad_x, weights, starts = backward(g, xs, sequence, states, initial, masks)
        if self.go_backwards:
            grad_x = np.ascontiguousarray(grad_x[:, ::-1])  # back to the inputs' order
        if given:
            return [grad_x, *(np.asarray(s, self.dtype) for s in starts)], weights
        return grad_x, weights

    def _cell_backward(
        self,
        grad: np.ndarray,
        xs: np.ndarray,
        sequence: np.ndarray,
        grad_states: list[np.ndarray | None],
        initial: list[np.ndarray] | None,
        masks: dict[str, Any],
    ) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
        """BPTT through the cell's `backward_step`, over ``reversed(range(T))``.

        ``grad`` is dL/d output at every step, ``grad_states`` dL/d final states (None:
        zero). Returns dL/d inputs, dL/d weights (in ``weights`` order) and dL/d
        initial states.
        """
        step_back = getattr(self.cell, "backward_step", None)
        if step_back is None:
            raise NotImplementedError(
                f"{type(self.cell).__name__} has no `backward_step(inputs, states, "
                "grad_output, grad_states)`: it can run forward but cannot be trained."
            )
        batch, steps = xs.shape[0], xs.shape[1]
        zeros = [np.zeros((batch, size), self.dtype) for size in self.state_sizes]
        if not self.return_sequences:  # only the last step's output reaches the loss
            full = np.zeros(sequence.shape, self.dtype)
            full[:, -1] = grad
            grad = full
        history = masks["history"]
        if masks.get("cell_dropout") is not None:
            self.cell._dropout = masks["cell_dropout"]  # the masks this forward pass drew
        d_states = [z if d is None else d for d, z in zip(grad_states, zeros, strict=True)]
        d_carried = np.zeros_like(grad[:, 0])  # dL/d output repeated by a later masked step
        grad_x = np.zeros(xs.shape, self.dtype)
        grads = [np.zeros_like(w) for w in self.weights]
        for t in reversed(range(steps)):
            d_out = grad[:, t] + d_carried  # dL/d output_t, from the loss and from later
            d_new, d_carried, d_passed = d_states, np.zeros_like(d_out), zeros
            if masks["mask"] is not None:  # at padding the step's inputs reach nothing
                real = masks["mask"][:, t, None]
                d_carried = np.where(real, 0, d_out)  # output_t = output_{t-1}
                d_passed = [np.where(real, 0, d) for d in d_states]  # states pass through
                d_out = np.where(real, d_out, 0)
                d_new = [np.where(real, d, 0) for d in d_states]
            dx, d_prev, dw = step_back(xs[:, t], history[t], d_out, d_new)
            grad_x[:, t] = dx
            d_prev = flatten_states(d_prev)
            d_states = [np.asarray(a) + b for a, b in zip(d_prev, d_passed, strict=True)]
            for total, part in zip(grads, dw, strict=True):
                total += part
        return grad_x, grads, d_states

    def _fused_backward(
        self,
        grad: np.ndarray,
        xs: np.ndarray,
        sequence: np.ndarray,
        grad_states: list[np.ndarray | None],
        initial: list[np.ndarray] | None,
        masks: dict[str, Any],
    ) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
        """BPTT by the cell's function of :mod:`rnn.functional`, over the whole sequence."""
        steps = masks["mask"]
        batch = xs.shape[0]
        # h_T is the last output, unless a row has no real step (its output is 0, h_T is h_0)
        real = np.ones(batch, bool) if steps is None else steps.any(axis=1)
        if grad_states and grad_states[0] is not None:
            grad = grad.copy()
            last = grad[:, -1] if self.return_sequences else grad
            last[real] += grad_states[0][real]
        grad_x, grads = self.cell.backward_sequence(
            grad, xs, sequence, initial, grad_states[1:], masks, truncate=self.bptt_truncate
        )
        starts: list[np.ndarray] = []
        if initial is not None:
            start = grads["initial_state"]
            starts = list(start) if isinstance(start, (list, tuple)) else [start]
            if grad_states and grad_states[0] is not None and not real.all():
                starts[0][~real] += grad_states[0][~real]  # a row without a real step: h_T = h_0
        weights = [grads["kernel"], grads["recurrent_kernel"]]
        weights += [grads["bias"]] if self.cell.use_bias else []
        return grad_x, weights, starts

    def _zeroed(self, outputs: np.ndarray, steps: np.ndarray | None) -> np.ndarray:
        """With ``zero_output_for_mask``: the output (or its gradient) zero at padding.

        ``outputs`` is every step's, (batch, timesteps, units), or the last step's.
        """
        if not self.zero_output_for_mask or steps is None:
            return outputs
        kept = steps[..., None] if outputs.ndim == 3 else steps[:, -1, None]
        return np.where(kept, outputs, 0).astype(outputs.dtype)

    # ------------------------------------------------------------------ config
    def sequence_config(self) -> dict[str, Any]:
        """Return the config's keys about the sequence, shared by every recurrent layer."""
        return {
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
        }

    def get_config(self) -> dict[str, Any]:
        """Keras's keys: the sequence options and the cell as ``{class_name, config}``.

        ``activity_regularizer`` only when set, as Keras's.
        """
        activity = self.activity_regularizer
        return {
            **super().get_config(),
            **(
                {}
                if activity is None
                else {"activity_regularizer": regularizers.serialize(activity)}
            ),
            **self.sequence_config(),
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": {"class_name": type(self.cell).__name__, "config": self.cell.get_config()},
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, type] | None = None
    ) -> RNN:
        """Rebuild from :meth:`get_config`, rnn's or Keras 3's.

        Your own cell's class goes in ``custom_objects``.
        """
        from rnn.saving import _layer_config_from_keras

        config = dict(_layer_config_from_keras(cls, config))
        config["cell"] = deserialize_layer(config["cell"], custom_objects)
        return cls(**config)


class StackedRNNCells(Layer):
    """Cells run in turn at each step, each reading the output of the one before.

    ``RNN([cell_1, cell_2])`` wraps its list in this (Keras's name). The states are every
    cell's states in order; the output is the last cell's.

    Parameters
    ----------
    cells : list of Layers
        The cells, each following the contract of :mod:`rnn.layers.rnn`.
    **kwargs
        ``name``... see `Layer`.
    """

    def __init__(self, cells: Sequence[Any], **kwargs: Any) -> None:
        cells = list(cells)
        if not cells:
            raise ValueError("StackedRNNCells needs at least one cell. Received: cells=[]")
        for cell in cells:
            check_cell(cell)
        super().__init__(**kwargs)
        self.cells = cells

    @property
    def state_size(self) -> list[Any]:
        """Each cell's ``state_size``, in order."""
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self) -> int:
        """The last cell's output size."""
        last = self.cells[-1]
        size = getattr(last, "output_size", None)
        return int(size) if size is not None else _sizes(last.state_size)[0]

    def build(self, input_shape: Sequence[int | None]) -> None:
        """Build each cell for the output size of the one before; name the weights by cell."""
        shape = _standardize_shape(input_shape, "input_shape", batch_axis=True)
        for cell in self.cells:
            if not cell.built:
                cell.dtype = self.dtype
                cell.build(shape)
            size = getattr(cell, "output_size", None)
            shape = (shape[0], int(size) if size is not None else _sizes(cell.state_size)[0])
        self._collect_weights()
        super().build(input_shape)

    def _collect_weights(self) -> None:
        self._weights = {
            f"{cell.name}/{name}": weight
            for cell in self.cells
            for name, weight in cell._weights.items()
        }

    def _weight_rules(self) -> list[tuple[Any, Any]]:
        return [rule for cell in self.cells for rule in weight_rules(cell)]

    def set_dtype(self, dtype: Any) -> None:
        """Cast every cell's weights to ``dtype``."""
        self.dtype = standardize_dtype(dtype)
        for cell in self.cells:
            cell.set_dtype(dtype)
        self._collect_weights()

    def unbuilt_copy(self, name: str, **changes: Any) -> Any:
        """Return a copy with a copy of each cell, without weights."""
        twin = super().unbuilt_copy(name, **changes)
        twin.cells = [cell.unbuilt_copy(cell.name, **changes) for cell in self.cells]
        return twin

    def _split(self, states: Sequence[Any]) -> list[list[Any]]:
        """Cut a flat list of states into one list per cell."""
        parts, start = [], 0
        for cell in self.cells:
            n = len(_sizes(cell.state_size))
            parts.append(list(states[start : start + n]))
            start += n
        return parts

    def nest_states(self, states: Sequence[Any]) -> list[list[Any]]:
        """Return the final states as `RNN` returns them: one list per cell, as Keras."""
        return self._split(states)

    def reset_dropout_mask(self) -> None:
        """Forget each cell's dropout masks (a new sequence begins)."""
        for cell in self.cells:
            getattr(cell, "reset_dropout_mask", lambda: None)()

    @property
    def _dropout(self) -> list[Any]:
        return [copy.copy(getattr(cell, "_dropout", None)) for cell in self.cells]

    @_dropout.setter
    def _dropout(self, drawn: list[Any]) -> None:
        for cell, masks in zip(self.cells, drawn, strict=True):
            if masks is not None:
                cell._dropout = masks

    def call(  # type: ignore[override]
        self, inputs: np.ndarray, states: Sequence[np.ndarray], training: bool | None = None
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """One step of every cell in turn: the output of the last, every new state."""
        new_states: list[np.ndarray] = []
        for cell, own in zip(self.cells, self._split(flatten_states(states)), strict=True):
            extra = {"training": training} if "training" in _keywords(type(cell), "call") else {}
            inputs, new = cell.call(inputs, own, **extra)
            new_states += flatten_states(new)
        return inputs, new_states

    def backward_step(
        self,
        inputs: np.ndarray,
        states: Sequence[np.ndarray],
        grad_output: np.ndarray,
        grad_states: Sequence[np.ndarray],
    ) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
        """Run the step backward: the cells in reverse, each input's gradient to the cell below."""
        own = self._split(flatten_states(states))
        grads = self._split(flatten_states(grad_states))
        steps_in = [inputs]  # each cell's input at this step, recomputed
        for cell, s in zip(self.cells[:-1], own[:-1], strict=True):
            steps_in.append(np.asarray(cell.call(steps_in[-1], s)[0]))
        d_states: list[list[np.ndarray]] = [[] for _ in self.cells]
        d_weights: list[list[np.ndarray]] = [[] for _ in self.cells]
        d = grad_output
        for i in reversed(range(len(self.cells))):
            d, d_s, d_w = self.cells[i].backward_step(steps_in[i], own[i], d, grads[i])
            d_states[i], d_weights[i] = flatten_states(d_s), list(d_w)
        return d, [s for part in d_states for s in part], [w for part in d_weights for w in part]

    def get_config(self) -> dict[str, Any]:
        """``cells`` as a list of ``{class_name, config}``."""
        return {
            **super().get_config(),
            "cells": [
                {"class_name": type(cell).__name__, "config": cell.get_config()}
                for cell in self.cells
            ],
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, type] | None = None
    ) -> StackedRNNCells:
        """Rebuild from :meth:`get_config`, rnn's or Keras 3's."""
        from rnn.saving import _layer_config_from_keras

        config = dict(_layer_config_from_keras(cls, config))
        config["cells"] = [deserialize_layer(c, custom_objects) for c in config["cells"]]
        return cls(**config)


class RecurrentCell(Layer):
    """What the built-in cells share: their configuration, weights and dropout masks.

    Subclasses set ``gates`` and compute one step in `step` and `step_backward` with the
    functions of :mod:`rnn.functional` (a sequence of one step).
    """

    input_ndim = 2
    gates = 1

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
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        **kwargs: Any,
    ) -> None:
        self.units = positive_int(units, "units")
        super().__init__(**kwargs)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.activation = activations.get(activation)
        self.use_bias = _check_flag(use_bias, "use_bias")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.dropout = check_rate(dropout, "dropout", upper_inclusive=False)
        self.recurrent_dropout = check_rate(
            recurrent_dropout, "recurrent_dropout", upper_inclusive=False
        )
        #: the dropout masks of the current sequence (None until drawn)
        self._dropout: dict[str, Any] | None = None

    @property
    def state_size(self) -> Any:
        """``units``: one state, ``h``."""
        return self.units

    @property
    def output_size(self) -> int:
        """``units``."""
        return self.units

    def get_initial_state(self, batch_size: int) -> list[np.ndarray]:
        """Return zero states for a batch, one (batch_size, size) array per state (Keras's)."""
        return [np.zeros((batch_size, size), self.dtype) for size in _sizes(self.state_size)]

    # ------------------------------------------------------------------ weights
    def bias_shape(self) -> tuple[int, ...]:
        """Shape of the bias vector."""
        return (self.gates * self.units,)

    def init_bias(self, shape: Sequence[int], rng: np.random.Generator | None = None) -> np.ndarray:
        """Draw the initial bias (the bias initializer; LSTM overrides for the forget gate)."""
        return self.bias_initializer(shape, rng)

    def build(self, input_shape: Sequence[int | None]) -> None:
        """Create ``kernel``, ``recurrent_kernel`` and ``bias`` (``gates`` blocks wide).

        ``input_shape`` is the shape of one step, (batch, features).

        Raises
        ------
        ValueError
            If ``input_shape`` is not a shape of 2 axes whose last is known.
        MemoryError
            If the weights do not fit in memory, with the size asked for.
        """
        input_shape = self._checked_shape(input_shape)
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

    def _weight_rules(self) -> list[tuple[Any, Any]]:
        rules = [
            (self.kernel_regularizer, self.kernel_constraint),
            (self.recurrent_regularizer, self.recurrent_constraint),
        ]
        if self.use_bias:
            rules.append((self.bias_regularizer, self.bias_constraint))
        return rules

    # ------------------------------------------------------------------ dropout
    def dropout_masks(self, x: np.ndarray, training: bool | None) -> dict[str, Any]:
        """Draw the dropout masks of one sequence (None outside training or at rate 0).

        As Keras 3: with ``recurrent_dropout``, an LSTM or GRU draws one mask per gate
        for the inputs and one per gate for the state (shape (batch, gates, size));
        otherwise one input mask shared by the gates, shape (batch, features). ``x`` is
        the sequence, or one step of it.
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

    def reset_dropout_mask(self) -> None:
        """Forget the dropout masks: the next training step draws new ones (Keras's name)."""
        self._dropout = None

    def reset_recurrent_dropout_mask(self) -> None:
        """Reset the masks: the same as `reset_dropout_mask` (Keras keeps two)."""
        self._dropout = None

    # ------------------------------------------------------------------ one step
    def __call__(self, inputs: Any, states: Any = None, **kwargs: Any) -> Any:
        """Run one step: ``cell(inputs, states)`` gives ``(output, new_states)``.

        ``states`` defaults to zeros.
        """
        x = self.convert_input(inputs)
        self.maybe_build(x.shape)
        if states is None:
            states = [np.zeros((x.shape[0], size), self.dtype) for size in _sizes(self.state_size)]
        return self.call(x, flatten_states(states), **self.call_arguments("call", kwargs))

    def call(  # type: ignore[override]
        self, inputs: np.ndarray, states: Sequence[np.ndarray], training: bool | None = None
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """One step forward.

        Parameters
        ----------
        inputs : ndarray of shape (batch, features)
        states : list of ndarrays of shape (batch, units)
        training : bool, optional
            Apply the dropout masks (drawn at the first training step of a sequence and
            kept until `reset_dropout_mask`).

        Returns
        -------
        output : ndarray of shape (batch, units)
        new_states : list of ndarrays of shape (batch, units)
        """
        states = [np.asarray(s, self.dtype) for s in flatten_states(states)]
        masks = self._masks(inputs, training)
        outputs, new_states = self.forward_sequence(
            np.asarray(inputs, self.dtype)[:, None], states, masks
        )
        return outputs[:, -1], new_states

    def _masks(self, inputs: np.ndarray, training: bool | None) -> dict[str, Any]:
        if not training:
            return {}
        if self._dropout is None:
            self._dropout = self.dropout_masks(inputs, training)
        return dict(self._dropout)

    def backward_step(
        self,
        inputs: np.ndarray,
        states: Sequence[np.ndarray],
        grad_output: np.ndarray,
        grad_states: Sequence[np.ndarray],
    ) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
        """One step backward, with the dropout masks of the last training step.

        Returns
        -------
        grad_inputs : ndarray of shape (batch, features)
        grad_states : list of ndarrays of shape (batch, units)
            dL/d each state before the step.
        grad_weights : list of ndarrays
            dL/d kernel, recurrent_kernel (and bias), as ``weights``.
        """
        states = [np.asarray(s, self.dtype) for s in flatten_states(states)]
        grad_states = [np.asarray(g, self.dtype) for g in flatten_states(grad_states)]
        masks = dict(self._dropout) if self._dropout is not None else {}
        x = np.asarray(inputs, self.dtype)[:, None]
        outputs, _ = self.forward_sequence(x, states, masks)  # the step again
        # the output is h, the first state: their gradients add
        grad = (np.asarray(grad_output, self.dtype) + grad_states[0])[:, None]
        dx, grads = self.backward_sequence(grad, x, outputs, states, grad_states[1:], masks)
        start = grads["initial_state"]
        d_states = list(start) if isinstance(start, (list, tuple)) else [start]
        d_weights = [grads["kernel"], grads["recurrent_kernel"]]
        d_weights += [grads["bias"]] if self.use_bias else []
        return dx[:, 0], d_states, d_weights

    def forward_sequence(
        self, x: np.ndarray, initial: list[np.ndarray] | None, masks: dict[str, Any]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Run the cell over a whole sequence with its function of :mod:`rnn.functional`.

        Parameters
        ----------
        x : ndarray of shape (batch, timesteps, features)
        initial : list of ndarrays of shape (batch, units), or None for zeros
        masks : dict
            The functional's ``mask``, ``dropout_mask``, ``recurrent_dropout_mask``.

        Returns
        -------
        outputs : ndarray of shape (batch, timesteps, units)
        states : list of ndarrays of shape (batch, units)
            The final states (a row without a real step keeps its initial ones).
        """
        raise NotImplementedError

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
        """Backpropagate through time with the cell's function of :mod:`rnn.functional`.

        ``grad`` is dL/d outputs, every step's or the last one's; ``grad_more`` holds
        the gradients of the final states after ``h`` (an LSTM's ``c``), None for zero.
        Returns dL/dx and the functional's dict of gradients.
        """
        raise NotImplementedError

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        """Keras's keys of a cell's config."""
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.name_of(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.name_of(self.kernel_initializer),
            "recurrent_initializer": initializers.name_of(self.recurrent_initializer),
            "bias_initializer": initializers.name_of(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }


class FromCell:
    """An attribute of a built-in layer that lives on its cell, as in Keras 3.

    ``SimpleRNN(4).units`` reads ``layer.cell.units``; setting it sets the cell's.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, layer: Any, owner: type | None = None) -> Any:
        if layer is None:
            return self
        return getattr(layer.cell, self.name)

    def __set__(self, layer: Any, value: Any) -> None:
        setattr(layer.cell, self.name, value)


class FusedRNN(RNN):
    """`SimpleRNN`, `LSTM` and `GRU`: an `RNN` of their own cell, run by :mod:`rnn.functional`.

    The cell's settings and weights read as the layer's own (``layer.units``,
    ``layer.kernel``); the config is flat, as Keras's.
    """

    fused = True
    units = FromCell()
    activation = FromCell()
    use_bias = FromCell()
    kernel_initializer = FromCell()
    recurrent_initializer = FromCell()
    bias_initializer = FromCell()
    kernel_regularizer = FromCell()
    recurrent_regularizer = FromCell()
    bias_regularizer = FromCell()
    kernel_constraint = FromCell()
    recurrent_constraint = FromCell()
    bias_constraint = FromCell()
    dropout = FromCell()
    recurrent_dropout = FromCell()
    kernel = FromCell()
    recurrent_kernel = FromCell()
    bias = FromCell()

    def __init__(
        self,
        cell: RecurrentCell,
        bptt_truncate: int | None = None,
        **kwargs: Any,
    ) -> None:
        if bptt_truncate is not None:
            self.bptt_truncate = positive_int(bptt_truncate, "bptt_truncate")
        super().__init__(cell, **kwargs)

    @property
    def gates(self) -> int:
        """How many blocks the kernels hold side by side (LSTM 4, GRU 3)."""
        return int(self.cell.gates)

    def get_config(self) -> dict[str, Any]:
        """Keras's flat config: the cell's settings beside the sequence options."""
        cell = self.cell.get_config()
        for key in ("name", "trainable", "dtype", "seed"):
            cell.pop(key, None)
        config = {
            **Layer.get_config(self),
            **self.sequence_config(),
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
        }
        for key, value in cell.items():  # Keras's order: the activity's after the bias's
            config[key] = value
            if key == "bias_regularizer":
                config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        if self.bptt_truncate is not None:  # not a Keras argument: only when set
            config["bptt_truncate"] = self.bptt_truncate
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Any:
        """Create the layer from the output of :meth:`get_config`, rnn's or Keras 3's."""
        from rnn.saving import _layer_config_from_keras

        return cls(**_layer_config_from_keras(cls, config))


def check_use_cudnn(use_cudnn: Any) -> None:
    """Accept Keras's ``use_cudnn`` of LSTM and GRU ("auto", True, False), with its error.

    NumPy runs on the CPU: the value changes nothing here.
    """
    if use_cudnn not in ("auto", True, False):
        raise ValueError(
            "Invalid valid received for argument `use_cudnn`. "
            "Expected one of {'auto', True, False}. "
            f"Received: use_cudnn={use_cudnn}"
        )


def check_cell(cell: Any) -> None:
    """Raise Keras's ``ValueError`` if ``cell`` is not a cell."""
    if not callable(getattr(cell, "call", None)):
        raise ValueError(f"Argument `cell` should have a `call` method. Received: cell={cell}")
    if not hasattr(cell, "state_size"):
        raise ValueError(
            "The RNN cell should have a `state_size` attribute (single integer or list of "
            f"integers, one integer per RNN state). Received: cell={cell}"
        )
    if not isinstance(cell, Layer):
        raise ValueError(
            f"Argument `cell` should be a layer (a subclass of `rnn.layers.Layer`), which "
            f"gives it weights and a name. Received: cell={cell!r} of type "
            f"{type(cell).__name__}"
        )


def flatten_states(states: Any, keep_none: bool = False) -> list[Any]:
    """States given as an array, a list, or nested lists (one per cell), as a flat list."""
    if states is None:
        return [None] if keep_none else []
    if isinstance(states, (list, tuple)):
        return [s for part in states for s in flatten_states(part, keep_none)]
    return [states]


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
