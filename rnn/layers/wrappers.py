"""Wrappers of a layer: `Bidirectional` and `TimeDistributed`.

`Bidirectional` runs a recurrent layer forwards and backwards and merges the two;
`TimeDistributed` applies a layer to every timestep of a sequence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np

from rnn import regularizers
from rnn.layers._penalties import ActivityRegularization, weight_rules
from rnn.layers.layer import (
    Layer,
    Shape,
    _keywords,
    _received_layer,
    _standardize_shape,
    format_shape,
)
from rnn.layers.rnn import RNN

MERGE_MODES = ("sum", "mul", "ave", "concat", None)


class Bidirectional(ActivityRegularization, Layer):
    """Bidirectional wrapper for `SimpleRNN`, `LSTM` and `GRU`.

    Two copies of the wrapped layer are made, named as in Keras 3:
    ``forward_<name>`` reads the sequence left to right, ``backward_<name>``
    right to left (its ``go_backwards`` flipped). Their outputs are merged;
    with ``return_sequences`` the backward outputs are first put back in
    chronological order.

    Parameters
    ----------
    layer : SimpleRNN, LSTM or GRU
        The layer to wrap; ``return_sequences`` and ``return_state`` follow it.
    merge_mode : {"concat", "sum", "ave", "mul", None}
        How to combine the two outputs; ``None`` returns them as a list
        ``[forward, backward]``.
    backward_layer : SimpleRNN, LSTM or GRU, optional
        The layer that reads backwards, used as it is (not copied), instead of a copy of
        ``layer``. As Keras, its ``go_backwards`` must differ from ``layer``'s, and its
        ``return_sequences``, ``return_state`` and ``stateful`` must equal them; it may
        be another kind of layer or have another size.
    activity_regularizer : str, Regularizer or None
        Penalty on the merged output, divided by the batch size (see
        :mod:`rnn.regularizers`). The wrapped layer's own (an `LSTM`'s or a `GRU`'s)
        applies to each direction's output, as in Keras.
    **kwargs
        ``name``, ``input_shape``... see `Layer`.

    Raises
    ------
    ValueError
        If ``layer`` (or ``backward_layer``) is not a recurrent layer instance (a class
        gets a hint: write ``LSTM(...)``), ``merge_mode`` is unknown, or the two
        directions do not fit together (Keras's messages).

    Attributes
    ----------
    forward_layer : RNN
        The copy of the layer that reads the sequences forwards.
    backward_layer : RNN
        The copy that reads them backwards.
    weights : list of numpy.ndarray
        The forward layer's weights, then the backward layer's (Keras order).

    Examples
    --------
    >>> import numpy as np
    >>> import rnn
    >>> from rnn.layers import Bidirectional, LSTM
    >>> rnn.clear_session()
    >>> layer = Bidirectional(LSTM(4, return_sequences=True))
    >>> layer.name, layer.forward_layer.name, layer.backward_layer.name
    ('bidirectional', 'forward_lstm', 'backward_lstm')
    >>> layer(np.zeros((2, 5, 3))).shape, layer.count_params()
    ((2, 5, 8), 256)

    A backward layer of its own, here a GRU reading right to left:

    >>> from rnn.layers import GRU
    >>> layer = Bidirectional(LSTM(4), backward_layer=GRU(2, go_backwards=True))
    >>> layer(np.zeros((2, 5, 3))).shape, layer.backward_layer.name
    ((2, 6), 'gru')
    """

    def __init__(
        self,
        layer: RNN,
        merge_mode: str | None = "concat",
        backward_layer: RNN | None = None,
        activity_regularizer: Any = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(layer, RNN):
            raise ValueError(
                "Please initialize `Bidirectional` layer with a recurrent layer "
                f"(SimpleRNN, LSTM or GRU) instance. Received: {_received_layer(layer)}"
            )
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(
                "`backward_layer` need to be a `keras.layers.Layer` "
                f"instance. Received: {_received_layer(backward_layer)}"
            )
        if backward_layer is not None and not isinstance(backward_layer, RNN):
            raise ValueError(
                "`backward_layer` must be a recurrent layer (SimpleRNN, LSTM or GRU) "
                f"instance. Received: {_received_layer(backward_layer)}"
            )
        if merge_mode not in MERGE_MODES:
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one "
                'of {"sum", "mul", "ave", "concat", None}'
            )
        kwargs.setdefault("dtype", layer.dtype)
        super().__init__(**kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        seed = layer.seed
        # as Keras: with a mask, each direction's sequence output is zero at the padding
        zero = layer.return_sequences
        self.forward_layer = layer.unbuilt_copy(
            f"forward_{layer.name.removeprefix('forward_')}",
            go_backwards=layer.go_backwards,
            seed=seed,
            zero_output_for_mask=zero,
        )
        if backward_layer is None:
            self.backward_layer = layer.unbuilt_copy(
                f"backward_{layer.name.removeprefix('backward_')}",
                go_backwards=not layer.go_backwards,
                seed=None if seed is None else seed + 1,
                zero_output_for_mask=zero,
            )
        else:
            self.backward_layer = backward_layer
            self.backward_layer.zero_output_for_mask = backward_layer.return_sequences
        self._check_directions()
        self.forward_layer.dtype = self.dtype
        if not self.backward_layer.built:
            self.backward_layer.dtype = self.dtype
        self.layer = layer
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state

    def _check_directions(self) -> None:
        """Raise Keras's ValueError unless the two directions fit together."""
        fwd, bwd = self.forward_layer, self.backward_layer
        if fwd.go_backwards == bwd.go_backwards:
            raise ValueError(
                "Forward layer and backward layer should have different "
                "`go_backwards` value. Received: "
                f"forward_layer.go_backwards {fwd.go_backwards}, "
                f"backward_layer.go_backwards={bwd.go_backwards}"
            )
        for name in ("stateful", "return_sequences", "return_state"):
            forward_value, backward_value = getattr(fwd, name), getattr(bwd, name)
            if forward_value != backward_value:
                raise ValueError(
                    "Forward layer and backward layer are expected to have "
                    f'the same value for attribute "{name}", got '
                    f'"{forward_value}" for forward layer and '
                    f'"{backward_value}" for backward layer'
                )

    def _sublayers(self) -> list[Any]:
        return [self.forward_layer, self.backward_layer]

    def _weight_rules(self) -> list[tuple[Any, Any]]:
        return weight_rules(self.forward_layer) + weight_rules(self.backward_layer)

    @property
    def input_ndim(self) -> int:  # type: ignore[override]
        """Recurrent layers take 3-D input."""
        return 3

    def expected_last_dim(self) -> int | None:
        """Return the wrapped layer's feature size once built."""
        return self.forward_layer.expected_last_dim()

    def build(self, input_shape: Sequence[int | None]) -> None:
        """Build both directions."""
        self.forward_layer.build(input_shape)
        self.backward_layer.build(input_shape)
        super().build(input_shape)

    @property
    def weights(self) -> list[np.ndarray]:
        """Forward weights, then backward weights."""
        return self.forward_layer.weights + self.backward_layer.weights

    @property
    def weight_names(self) -> list[str]:
        """Weight names prefixed by the direction, e.g. ``forward_lstm/kernel``."""
        return [
            f"{sub.name}/{n}"
            for sub in (self.forward_layer, self.backward_layer)
            for n in sub.weight_names
        ]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Set forward then backward weights (Keras order)."""
        self._check_weight_list(weights, self.weights)
        n = len(self.forward_layer.weights)
        self.forward_layer.set_weights(weights[:n])
        self.backward_layer.set_weights(weights[n:])

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Any:
        """Return the wrapped layer's shape with the last axis doubled for ``"concat"``."""
        shapes = self.forward_layer.compute_output_shape(input_shape)
        back = self.backward_layer.compute_output_shape(input_shape)
        out: Shape = shapes[0] if self.return_state else shapes
        last: Any = (back[0] if self.return_state else back)[-1]
        states: list[Shape] = shapes[1:] if self.return_state else []
        back_states: list[Shape] = back[1:] if self.return_state else []
        if self.merge_mode == "concat":
            merged: Any = (*out[:-1], None if None in (out[-1], last) else out[-1] + last)
        elif self.merge_mode is None:
            merged = [out, back[0] if self.return_state else back]
        else:
            merged = out
        if not self.return_state:
            return merged
        head = merged if self.merge_mode is None else [merged]
        return head + states + back_states

    def _merge(self, y: np.ndarray, y_rev: np.ndarray) -> Any:
        if self.merge_mode == "concat":
            return np.concatenate([y, y_rev], axis=-1)
        if self.merge_mode == "sum":
            return y + y_rev
        if self.merge_mode == "ave":
            return (y + y_rev) / 2
        if self.merge_mode == "mul":
            return y * y_rev
        return [y, y_rev]

    supports_masking = True

    def call(
        self,
        inputs: np.ndarray,
        initial_state: Any = None,
        mask: Any = None,
        training: bool | None = None,
    ) -> Any:
        """Run both directions and merge their outputs.

        ``initial_state``: the forward direction's states, then the backward one's
        (``[h_fwd, h_bwd]``; for an LSTM ``[h_fwd, c_fwd, h_bwd, c_bwd]``). ``mask`` and
        ``training`` go to both directions.
        """
        return self.forward_with_cache(inputs, initial_state, mask, training)[0]

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        """Return the input's mask for sequence outputs (each of them), else None."""
        output_mask = previous_mask if self.return_sequences else None
        heads = [output_mask, output_mask] if self.merge_mode is None else [output_mask]
        if self.return_state:
            count = self.forward_layer.state_count + self.backward_layer.state_count
            return heads + [None] * count
        return heads if self.merge_mode is None else output_mask

    def _split_states(self, initial_state: Any) -> tuple[Any, Any]:
        """Split ``initial_state`` into the forward direction's states and the backward one's."""
        if initial_state is None:
            return None, None
        given = list(initial_state) if isinstance(initial_state, (list, tuple)) else []
        n, m = self.forward_layer.state_count, self.backward_layer.state_count
        if len(given) != n + m:
            raise ValueError(
                f"Layer '{self.name}' expects `initial_state` to be a list of {n + m} "
                f"arrays: {n} for the forward direction, then {m} for the backward one. "
                f"Received: {len(given) if given else type(initial_state).__name__}"
            )
        return given[:n], given[n:]

    def _combine(self, fwd: Any, bwd: Any) -> Any:
        """Merge the outputs of the two directions into the layer's output."""
        fwd_states: list[np.ndarray] = []
        bwd_states: list[np.ndarray] = []
        if self.return_state:
            fwd, *fwd_states = fwd
            bwd, *bwd_states = bwd
        if self.return_sequences:
            bwd = bwd[:, ::-1]
        merged = self._merge(fwd, bwd)
        if not self.return_state:
            return merged
        head = merged if self.merge_mode is None else [merged]
        return head + fwd_states + bwd_states

    def forward_with_cache(
        self,
        x: np.ndarray,
        initial_state: Any = None,
        mask: Any = None,
        training: bool | None = None,
    ) -> tuple[Any, Any]:
        """Run both directions and merge them; the cache is their two main outputs."""
        fwd_start, bwd_start = self._split_states(initial_state)
        given = {"mask": mask, "training": training}
        fwd = self.forward_layer.forward(x, initial_state=fwd_start, **given)
        bwd = self.backward_layer.forward(x, initial_state=bwd_start, **given)
        mains = (fwd[0], bwd[0]) if self.return_state else (fwd, bwd)
        return self._combine(fwd, bwd), (*mains, initial_state is not None)

    def backward_with_cache(self, grad_output: Any, cache: Any) -> tuple[Any, list[np.ndarray]]:
        """Split the gradient between the directions, backpropagate both, add them up.

        ``grad_output`` is shaped like the output: an array, or for ``merge_mode=None``
        the pair ``[d forward, d backward]``. With ``return_state``, the states'
        gradients may follow, in the output's order (any of them None), or be left out.
        After a forward pass given an ``initial_state``, the first value returned is
        ``[dL/d inputs, *dL/d initial states]``, in the order of ``initial_state``.
        """
        fwd, bwd, given = cache  # the directions' main outputs, each in its own time order
        heads = 2 if self.merge_mode is None else 1
        parts = list(grad_output) if isinstance(grad_output, (list, tuple)) else [grad_output]
        if self.merge_mode is None and len(parts) < 2:
            raise ValueError(
                f"Layer '{self.name}' (merge_mode=None) returns two outputs: pass their "
                "gradients as a list [d forward, d backward]."
            )
        n = self.forward_layer.state_count if self.return_state else 0
        m = self.backward_layer.state_count if self.return_state else 0
        if len(parts) > heads + n + m:
            raise ValueError(
                f"Layer '{self.name}' returns {heads + n + m} arrays, but {len(parts)} "
                "gradients were given."
            )
        parts += [None] * (heads + n + m - len(parts))
        bwd_aligned = bwd[:, ::-1] if self.return_sequences else bwd  # as merged
        if self.merge_mode is None:
            g_fwd, g_bwd = parts[0], parts[1]
        else:
            g = self.grad_output_array(parts[0], self._merged_shape(fwd, bwd))
            g_fwd, g_bwd = self._unmerge(g, fwd, bwd_aligned)
        if self.return_sequences and g_bwd is not None:
            g_bwd = np.asarray(g_bwd)[:, ::-1]  # back to the backward layer's time order
        states = parts[heads:]
        grad_x: Any = 0
        grad_starts: list[np.ndarray] = []
        for sub, g_main, g_states in (
            (self.forward_layer, g_fwd, states[:n]),
            (self.backward_layer, g_bwd, states[n:]),
        ):
            grad = sub.backward([g_main, *g_states] if g_states else g_main)
            if given:  # [dL/dx, *dL/d initial states] of this direction
                grad, *starts = grad
                grad_starts += starts
            grad_x = grad_x + grad
        weights = self.forward_layer.grads + self.backward_layer.grads
        return ([grad_x, *grad_starts] if given else grad_x), weights

    def _merged_shape(self, fwd: np.ndarray, bwd: np.ndarray) -> tuple[int, ...]:
        """Return the merged output's shape, given the two directions' outputs."""
        if self.merge_mode == "concat":  # a backward layer of its own may have another size
            return (*fwd.shape[:-1], fwd.shape[-1] + bwd.shape[-1])
        return fwd.shape

    def _unmerge(
        self, g: np.ndarray, fwd: np.ndarray, bwd: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Split the gradient of the merge into the gradients of the two merged outputs."""
        if self.merge_mode == "concat":
            units = fwd.shape[-1]
            return g[..., :units], g[..., units:]  # each half to its own direction
        if self.merge_mode == "sum":
            return g, g  # d(y + y')/dy = 1
        if self.merge_mode == "ave":
            return g / 2, g / 2  # d((y + y') / 2)/dy = 1/2
        return g * bwd, g * fwd  # mul: d(y y')/dy = y'

    def get_config(self) -> dict[str, Any]:
        """Return Keras's keys: ``merge_mode`` and the two directions' class and config.

        ``layer`` is the forward one; ``activity_regularizer`` only when set.
        """
        activity = self.activity_regularizer
        return {
            **super().get_config(),
            **(
                {}
                if activity is None
                else {"activity_regularizer": regularizers.serialize(activity)}
            ),
            "merge_mode": self.merge_mode,
            "layer": _layer_config(self.forward_layer),
            "backward_layer": _layer_config(self.backward_layer),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Bidirectional:
        """Rebuild from :meth:`get_config`, rnn's or Keras 3's (``backward_layer`` is optional)."""
        from rnn.saving import _layer_config_from_keras

        config = dict(_layer_config_from_keras(cls, config))
        layer = _layer_from_config(config.pop("layer"))
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = _layer_from_config(backward)
        return cls(cast(RNN, layer), **config)  # __init__ checks it is one


class TimeDistributed(ActivityRegularization, Layer):
    """Apply a layer to every timestep of a sequence, with the same weights.

    The input is ``(batch, timesteps, ...)``: the wrapped layer sees each step
    ``inputs[:, t]`` as a batch of its own. It is computed in one go: the batch and
    time axes are merged, ``(batch * timesteps, ...)``, the layer is called once,
    and its output is split back into ``(batch, timesteps, ...)``. The backward pass
    does the same, so the wrapped layer's weight gradients are summed over every
    step of every sequence.

    Parameters
    ----------
    layer : Layer
        The layer to apply at each step (the same instance, not a copy: its weights
        are the wrapper's). It is built for one step's shape, ``(batch, *rest)``.
    activity_regularizer : str, Regularizer or None
        Penalty on the wrapper's output, divided by the batch size. As in Keras, the
        wrapped layer's own activity regularizer is not applied (its weights' are).
    **kwargs
        ``name``, ``input_shape``, ``dtype``... see `Layer`. The wrapped layer
        computes in the wrapper's dtype (by default its own).

    Raises
    ------
    ValueError
        If ``layer`` is not a layer instance (a class gets a hint: write
        ``Dense(...)``); when built, if the input shape is not a shape of at least 3
        axes (Keras's message).

    Attributes
    ----------
    layer : Layer
        The wrapped layer.
    weights : list of numpy.ndarray
        The wrapped layer's weights, in its order.

    Notes
    -----
    As in Keras 3, masks pass through: the output's mask is the input's, and a mask
    goes on to the wrapped layer (each step's part of it, ``mask[:, t]``) only if the
    layer's ``call`` takes a ``mask`` argument (a recurrent layer, on 4-D input with a
    3-D mask). ``training`` goes on to a layer whose ``call`` takes it. The wrapped
    layer must return one array; a stateful recurrent layer is not supported (its
    state would need one row per sequence, not one per step).

    Examples
    --------
    >>> import numpy as np
    >>> import rnn
    >>> from rnn.layers import Dense, TimeDistributed
    >>> rnn.clear_session()
    >>> layer = TimeDistributed(Dense(2))
    >>> x = np.random.default_rng(0).standard_normal((3, 5, 4))
    >>> y = layer(x)
    >>> y.shape, layer.count_params(), layer.weight_names
    ((3, 5, 2), 10, ['dense/kernel', 'dense/bias'])
    >>> bool(np.allclose(y[:, 1], layer.layer(x[:, 1])))  # the Dense at step 1
    True
    """

    supports_masking = True

    def __init__(self, layer: Layer, activity_regularizer: Any = None, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `TimeDistributed` layer with a "
                f"`keras.layers.Layer` instance. Received: {_received_layer(layer)}"
            )
        kwargs.setdefault("dtype", layer.dtype)
        super().__init__(**kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        if layer.dtype != self.dtype:
            layer.set_dtype(self.dtype)
        self.layer = layer

    def _weight_rules(self) -> list[tuple[Any, Any]]:
        return weight_rules(self.layer)

    # ------------------------------------------------------------------ weights
    @property
    def weights(self) -> list[np.ndarray]:
        """The wrapped layer's weights."""
        return self.layer.weights

    @property
    def weight_names(self) -> list[str]:
        """The wrapped layer's weight names under its name, e.g. ``dense/kernel``."""
        return [f"{self.layer.name}/{n}" for n in self.layer.weight_names]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Set the wrapped layer's weights (its order)."""
        self._check_weight_list(weights, self.weights)
        self.layer.set_weights(weights)

    def set_dtype(self, dtype: Any) -> None:
        """Compute in ``dtype``, the wrapped layer too (its weights cast in place)."""
        super().set_dtype(dtype)
        self.layer.set_dtype(dtype)

    # ------------------------------------------------------------------ shapes
    def _step_shape(self, input_shape: Sequence[int | None]) -> Shape:
        """Return the shape of one step, ``(batch, *rest)``; the input must be 3-D or more."""
        shape = tuple(input_shape)
        if len(shape) < 3:
            raise ValueError(
                "`TimeDistributed` Layer should be passed an `input_shape` "
                f"with at least 3 dimensions, received: {format_shape(shape)}"
            )
        return (shape[0], *shape[2:])

    def check_input_shape(self, shape: Sequence[int | None]) -> None:
        """Check the input is at least 3-D, and each step fits the wrapped layer."""
        self.layer.check_input_shape(self._step_shape(shape))

    def build(self, input_shape: Sequence[int | None]) -> None:
        """Build the wrapped layer for one step, ``(batch, *rest)``, if it is not built.

        Raises
        ------
        ValueError
            If ``input_shape`` is not a shape of at least 3 axes (batch, timesteps, ...).
        """
        input_shape = _standardize_shape(input_shape, "input_shape", batch_axis=True)
        step = self._step_shape(input_shape)
        if not self.layer.built:
            self.layer.build(step)
        super().build(input_shape)

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        """Return ``(batch, timesteps, *step_output[1:])``."""
        shape = tuple(input_shape)
        out = self.layer.compute_output_shape(self._step_shape(shape))
        if isinstance(out, list):
            raise ValueError(
                f"`TimeDistributed` wraps layers with one output; layer '{self.layer.name}' "
                f"returns {len(out)}."
            )
        return (out[0], shape[1], *out[1:])

    # ------------------------------------------------------------------ calling
    def convert_input(self, inputs: Any) -> np.ndarray:
        """Convert as the wrapped layer does (integer ids for an `Embedding`)."""
        return self.layer.convert_input(inputs)

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        """Return the input's mask: the output has the input's timesteps (Keras's rule)."""
        return previous_mask

    def _step_arguments(
        self, method: str, x: np.ndarray, mask: Any, training: bool | None
    ) -> dict[str, Any]:
        """Return the ``mask`` (steps merged into the batch) and ``training`` for the layer.

        As Keras: each goes on only if the wrapped layer's ``call`` names it.
        """
        names = _keywords(type(self.layer), "call") & _keywords(type(self.layer), method)
        given: dict[str, Any] = {}
        if "mask" in names and mask is not None:
            m = self._checked_mask(x, mask)
            given["mask"] = m.reshape(m.shape[0] * m.shape[1], *m.shape[2:])
        if "training" in names:
            given["training"] = training
        return given

    def _checked_mask(self, x: np.ndarray, mask: Any) -> np.ndarray:
        """Return ``mask`` as an array whose first two axes are the input's (Keras's errors)."""
        m = np.asarray(mask)
        if m.ndim < 2:
            raise ValueError(
                "The `mask` passed to the `TimeDistributed` layer must be at least 2D "
                "(e.g., `(batch_size, timesteps)`), but it has "
                f"{m.ndim} dimension(s) with shape {m.shape}."
            )
        if m.shape[:2] != x.shape[:2]:
            raise ValueError(
                "The `mask` passed to the `TimeDistributed` layer has a shape "
                f"{m.shape} that is incompatible with the input shape {x.shape}. The "
                "first two dimensions of the mask (batch size and timesteps) must match "
                "the input's first two dimensions. Expected mask shape prefix: "
                f"({x.shape[0]}, {x.shape[1]})."
            )
        return m

    def call(
        self, inputs: np.ndarray, mask: Any = None, training: bool | None = None
    ) -> np.ndarray:
        """Apply the wrapped layer to every step; ``mask`` of shape (batch, timesteps, ...)."""
        if mask is not None:
            self._checked_mask(inputs, mask)
        batch, steps = inputs.shape[:2]
        given = self._step_arguments("call", inputs, mask, training)
        out = self.layer.call(inputs.reshape(batch * steps, *inputs.shape[2:]), **given)
        return np.reshape(out, (batch, steps, *np.shape(out)[1:]))

    def forward_with_cache(
        self, x: np.ndarray, mask: Any = None, training: bool | None = None
    ) -> tuple[np.ndarray, Any]:
        """Run the wrapped layer's forward pass on every step at once; keep its cache."""
        if mask is not None:
            self._checked_mask(x, mask)
        batch, steps = x.shape[:2]
        given = self._step_arguments("forward_with_cache", x, mask, training)
        out, cache = self.layer.forward_with_cache(x.reshape(batch * steps, *x.shape[2:]), **given)
        y = np.reshape(out, (batch, steps, *np.shape(out)[1:]))
        return y, (cache, y.shape)

    def backward_with_cache(self, grad_output: Any, cache: Any) -> tuple[Any, list[np.ndarray]]:
        """Backpropagate every step at once: the weights' gradients add up over the steps.

        Returns None for the inputs' gradient when the wrapped layer does (integer ids).
        """
        inner, shape = cache
        batch, steps = shape[:2]
        g = self.grad_output_array(grad_output, shape)
        grad_x, grads = self.layer.backward_with_cache(g.reshape(batch * steps, *shape[2:]), inner)
        if grad_x is not None:
            grad_x = np.reshape(grad_x, (batch, steps, *np.shape(grad_x)[1:]))
        return grad_x, list(grads)

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        """Return the wrapped layer's class and config under ``layer``."""
        activity = self.activity_regularizer
        return {
            **super().get_config(),
            **(
                {}
                if activity is None
                else {"activity_regularizer": regularizers.serialize(activity)}
            ),
            "layer": _layer_config(self.layer),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TimeDistributed:
        """Rebuild from :meth:`get_config`, rnn's or Keras 3's."""
        from rnn.saving import _layer_config_from_keras

        config = dict(_layer_config_from_keras(cls, config))
        return cls(_layer_from_config(config.pop("layer")), **config)


def _layer_config(layer: Layer) -> dict[str, Any]:
    """Return a wrapped layer's entry in its wrapper's config: its class name and config."""
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def _layer_from_config(entry: dict[str, Any]) -> Layer:
    """Make a wrapped layer again from its entry in the wrapper's config."""
    from rnn.layers.layer import deserialize_layer

    return deserialize_layer(entry)
