"""The `Layer` base class: configuration, weights, shape checks, calling and gradients.

A layer follows the Keras contract:

* ``__init__`` validates and stores the configuration (no weights yet), and passes
  ``name=``, ``dtype=``, ``seed=``... on to `Layer`;
* ``build(input_shape)`` creates the weights with `add_weight`, in Keras's shapes and
  order;
* ``compute_output_shape(input_shape)`` gives the output's shape;
* ``call(inputs)`` computes the output from a NumPy array;
* ``get_config()`` returns the settings that ``from_config`` makes the layer again from;
* ``__call__`` checks the input, builds the layer on first use and calls it.

``call`` (and ``forward_with_cache``) may take keyword arguments of Keras's: ``mask``
(which steps of a sequence are real, shape ``(batch, timesteps)``), ``training``, or
``initial_state``. A layer receives those its ``call`` names. Masks flow as in Keras: a
layer that sets ``supports_masking`` passes the mask on (`compute_mask`), and one that
does not drops it, with a warning.

For training, a layer also fills in

* ``forward_with_cache(inputs)``: the output of ``call(inputs)``, and what the backward
  pass will need (the cache);
* ``backward_with_cache(grad_output, cache)``: the gradient with respect to the inputs,
  and a list of the weights' gradients, in the order of the weights.

`forward` and `backward` call them, keep the cache between the two and leave the
weights' gradients in ``grads``. The course's page *Writing your own layer* writes two
layers this way, and `rnn.testing.check_layer` checks a layer against the whole contract.

Layers compute in ``float32`` (Keras's default) or ``float64``: pass ``dtype=`` or set
the default with `set_floatx`.
"""

from __future__ import annotations

import copy
import inspect
import math
import warnings
from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np

from rnn import _graph, initializers
from rnn._naming import auto_name
from rnn.config import FLOAT_DTYPES, floatx, set_floatx
from rnn.layers.dtypes import standardize_dtype

Shape = tuple[int | None, ...]
_L = TypeVar("_L", bound="Layer")  # a layer's own class, for copies

__all__ = [
    "FLOAT_DTYPES",
    "Layer",
    "Shape",
    "floatx",
    "format_shape",
    "positive_int",
    "set_floatx",
    "standardize_dtype",
]

_NOTHING = object()  # no forward pass kept yet


def positive_int(value: Any, name: str, message: str | None = None) -> int:
    """Return ``value`` if it is a positive integer, else raise ``ValueError``.

    ``message`` is the error text (Keras words it differently per layer);
    by default the wording of Keras 3's recurrent layers.
    """
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value > 0
    if not ok:
        raise ValueError(
            message
            or f"Received an invalid value for argument `{name}`, "
            f"expected a positive integer, got {value}."
        )
    return int(value)


def shape_of(x: Any) -> Any:
    """Return the shape of an array, or the list of shapes of a list of arrays (merging layers)."""
    if isinstance(x, (list, tuple)):
        return [shape_of(item) for item in x]
    return tuple(np.shape(x))


def format_shape(shape: Sequence[int | None]) -> str:
    """Format a shape the way Python prints a tuple: ``(None, 10)``, ``(None,)``."""
    return str(tuple(shape))


class Layer:
    """Base class of all layers.

    Parameters
    ----------
    name : str, optional
        The layer's name; by default the snake-case class name made unique in
        the session (``dense``, ``dense_1``, ...).
    input_shape : tuple of int or None, optional
        Shape of one sample (no batch axis). Only meaningful on the first layer
        of a `Sequential`, which then builds itself right away.
    seed : int, optional
        Seed for this layer's weight initializers. Without it, the generator
        of :func:`rnn.set_random_seed` is used.
    dtype : str or numpy.dtype, optional
        The dtype of the weights, inputs and outputs: ``"float32"`` or ``"float64"``;
        by default `floatx` (float32 unless changed with `set_floatx`). Anything else
        raises ``ValueError``.
    trainable : bool
        Accepted for compatibility with Keras configs.

    Attributes
    ----------
    name : str
    built : bool
        Whether the weights exist.
    weights : list of numpy.ndarray
        The weight arrays themselves (not copies), in Keras order.
    grads : list of numpy.ndarray
        After `backward`: the gradients of the weights, aligned with ``weights``.
    """

    #: rank the input must have (``None``: any rank of at least ``min_ndim``)
    input_ndim: int | None = None
    min_ndim: int = 1
    #: whether the layer passes a mask on to the next one (Keras's ``supports_masking``)
    supports_masking: bool = False

    def __init__(
        self,
        *,
        name: str | None = None,
        input_shape: Sequence[int | None] | None = None,
        seed: int | None = None,
        trainable: bool = True,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        input_dim = kwargs.pop("input_dim", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        if kwargs:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}"
            )
        if input_shape is None and input_dim is not None:
            input_shape = (input_dim,)
        if input_shape is None and batch_input_shape is not None:
            input_shape = tuple(batch_input_shape)[1:]
        self.name: str = name if name is not None else auto_name(type(self).__name__)
        self.input_shape_arg: Shape | None = None if input_shape is None else tuple(input_shape)
        self.seed = seed
        self.trainable = trainable
        self.dtype = standardize_dtype(floatx() if dtype is None else dtype)
        self.built = False
        self._weights: dict[str, np.ndarray] = {}
        self._build_shape: Shape | None = None
        self._rng: np.random.Generator | None = None
        self._cache: Any = _NOTHING  # what backward needs, kept by forward
        self._grads: list[np.ndarray] | None = None

    # ------------------------------------------------------------------ weights
    def add_weight(self, name: str, shape: Sequence[int], initializer: Any) -> np.ndarray:
        """Create a weight of the layer's dtype, store it under ``name`` and return it."""
        init = initializers.get(initializer)
        value = np.asarray(init(tuple(shape), self._generator()))
        value = value.astype(self.dtype).reshape(tuple(shape))
        self._weights[name] = value
        return value

    def _generator(self) -> np.random.Generator:
        """Return the layer's own generator (made from ``seed`` on first use), or the session's."""
        if self._rng is None and self.seed is not None:
            self._rng = np.random.default_rng(self.seed)
        return self._rng or initializers.global_rng()

    @property
    def weights(self) -> list[np.ndarray]:
        """The weight arrays in Keras's ``get_weights`` order."""
        return list(self._weights.values())

    @property
    def weight_names(self) -> list[str]:
        """The names of the weights, e.g. ``['kernel', 'recurrent_kernel', 'bias']``."""
        return list(self._weights)

    @property
    def trainable_weights(self) -> list[np.ndarray]:
        """The weights training changes: all of them, or none if ``trainable`` is False."""
        return self.weights if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[np.ndarray]:
        """The weights training leaves alone: none, or all of them if not ``trainable``."""
        return [] if self.trainable else self.weights

    def set_dtype(self, dtype: Any) -> None:
        """Compute in ``dtype`` from now on, with the weights cast to it (in place).

        The weights' attributes (``kernel``...) follow. `rnn.gradcheck` checks a float64
        copy of a float32 layer this way.
        """
        self.dtype = standardize_dtype(dtype)
        for key, weight in list(self._weights.items()):
            cast = weight.astype(self.dtype)
            self._weights[key] = cast
            if getattr(self, key, None) is weight:
                setattr(self, key, cast)

    def unbuilt_copy(self: _L, name: str, **changes: Any) -> _L:
        """Return a copy of the layer's settings under another ``name``, without weights.

        ``changes`` set attributes of the copy (``go_backwards=True``...). No name is
        taken from the session's counters. `Bidirectional` makes its two directions so.
        """
        twin = copy.copy(self)
        twin.name = name
        for key, value in changes.items():
            setattr(twin, key, value)
        twin.built = False
        twin._weights = {}
        twin._build_shape = None
        twin._rng = None
        twin._cache = _NOTHING
        twin._grads = None
        twin.__dict__.pop("_inbound_nodes", None)  # the copy has not been called
        return twin

    def get_weights(self) -> list[np.ndarray]:
        """Return copies of the weights, in Keras order."""
        return [w.copy() for w in self.weights]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Overwrite the weights from a list of arrays (same order and shapes).

        Raises
        ------
        ValueError
            If the number of arrays or a shape does not match, in Keras's wording.
        """
        self._check_weight_list(weights, self.weights)
        for key, value in zip(list(self._weights), weights, strict=True):
            self._weights[key][...] = np.asarray(value, dtype=self.dtype)

    def _check_weight_list(self, weights: Sequence[Any], mine: list[np.ndarray]) -> None:
        if len(weights) != len(mine):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a weight "
                f"list of length {len(weights)}, but the layer was expecting "
                f"{len(mine)} weights."
            )
        for have, new in zip(mine, weights, strict=True):
            if have.shape != np.shape(new):
                raise ValueError(
                    f"Layer {self.name} weight shape {have.shape} is not compatible "
                    f"with provided weight shape {np.shape(new)}."
                )

    def count_params(self) -> int:
        """Return the number of scalars in the weights.

        Raises
        ------
        ValueError
            If the layer is not built yet (Keras's wording).
        """
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer "
                "isn't built. You can build it manually via: `layer.build(input_shape)`."
            )
        return int(sum(math.prod(w.shape) for w in self.weights))

    # ------------------------------------------------------------------ shapes
    def check_input_shape(self, shape: Sequence[int | None]) -> None:
        """Raise Keras's ``ValueError`` if ``shape`` (with batch axis) does not fit."""
        shape = tuple(shape)
        prefix = f'Input 0 of layer "{self.name}" is incompatible with the layer: '
        if self.input_ndim is not None and len(shape) != self.input_ndim:
            raise ValueError(
                f"{prefix}expected ndim={self.input_ndim}, found ndim={len(shape)}. "
                f"Full shape received: {format_shape(shape)}"
            )
        if len(shape) < self.min_ndim:
            raise ValueError(
                f"{prefix}expected min_ndim={self.min_ndim}, found ndim={len(shape)}. "
                f"Full shape received: {format_shape(shape)}"
            )
        expected = self.expected_last_dim()
        if expected is not None and shape[-1] is not None and shape[-1] != expected:
            raise ValueError(
                f"{prefix}expected axis -1 of input shape to have value {expected}, "
                f"but received input with shape {format_shape(shape)}"
            )

    def expected_last_dim(self) -> int | None:
        """Size the last input axis must have once built (``None``: anything)."""
        return None

    def build(self, input_shape: Sequence[int | None]) -> None:
        """Create the weights for inputs of ``input_shape`` (batch axis included)."""
        self._build_shape = tuple(input_shape)
        self.built = True

    def maybe_build(self, input_shape: Sequence[int | None]) -> None:
        """Check ``input_shape`` and build the layer if it is not built yet."""
        self.check_input_shape(input_shape)
        if not self.built:
            self.build(tuple(input_shape))

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Any:
        """Return the output shape for ``input_shape`` (batch axis included)."""
        return tuple(input_shape)

    @property
    def input_shape(self) -> Shape:
        """The shape (batch axis included) the layer was built for."""
        if self._build_shape is None:
            raise AttributeError(f"Layer {self.name} has no defined input shape yet.")
        return self._build_shape

    @property
    def output_shape(self) -> Any:
        """The output shape (batch axis included) for the shape the layer was built for."""
        return self.compute_output_shape(self.input_shape)

    # ------------------------------------------------------------------ calling
    def convert_input(self, inputs: Any) -> np.ndarray:
        """Turn ``inputs`` into the array ``call`` expects, of the layer's dtype."""
        return np.asarray(inputs, dtype=self.dtype)

    def __call__(self, inputs: Any, **kwargs: Any) -> Any:
        """Check, build if needed, and run the layer on a NumPy array.

        Keyword arguments (``mask``, ``training``, ``initial_state``...) go to `call` if it
        names them; ``mask`` and ``training`` may be given to any layer, as in Keras.

        Called on the KerasTensors of `Input` (the functional API), the layer computes
        nothing: it is built for their shapes and returns KerasTensors for its outputs,
        from which `rnn.Model(inputs, outputs)` makes a model.
        """
        if _graph.is_symbolic(inputs, kwargs):
            return _graph.call_symbolic(self, inputs, kwargs)
        x = self.convert_input(inputs)
        self.maybe_build(shape_of(x))
        return self.call(x, **self.call_arguments("call", kwargs))

    def call(self, inputs: np.ndarray) -> Any:
        """Compute the output; subclasses override this."""
        return inputs

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        """Return the mask of the output, for ``inputs`` whose mask is ``previous_mask``.

        Parameters
        ----------
        inputs : ndarray
            The layer's input.
        previous_mask : ndarray of shape (batch, timesteps) or None
            The input's mask: True where a step is real, False where it is padding.

        Returns
        -------
        ndarray or None
            ``previous_mask`` if the layer `supports_masking`, else None (Keras's rule).
        """
        return previous_mask if self.supports_masking else None

    def call_arguments(self, method: str, given: dict[str, Any]) -> dict[str, Any]:
        """Of the keyword arguments ``given`` to a call, those ``method`` takes.

        ``mask`` and ``training`` are dropped when ``method`` does not name them (a mask
        given to a layer that does not support masking is dropped with Keras's warning);
        any other unknown argument raises ``TypeError``.
        """
        names = _keywords(type(self), method)
        taken = {}
        for key, value in given.items():
            if key in names:
                taken[key] = value
            elif key == "mask":
                if value is not None and not self.supports_masking:
                    warnings.warn(
                        f"Layer '{self.name}' (of type {type(self).__name__}) was passed an "
                        "input with a mask attached to it. However, this layer does not "
                        "support masking and will therefore destroy the mask information. "
                        "Downstream layers will not see the mask.",
                        stacklevel=3,
                    )
            elif key != "training":
                raise TypeError(
                    f"{type(self).__name__}.{method}() got an unexpected keyword argument '{key}'"
                )
        return taken

    # ------------------------------------------------------------------ gradients
    def forward(self, inputs: Any, **kwargs: Any) -> Any:
        """Compute the output, as calling the layer does, and keep what `backward` needs.

        Builds the layer on first use. The values are exactly those of
        ``layer(inputs, **kwargs)``; the keyword arguments go to `forward_with_cache`
        as they go to `call`.
        """
        x = self.convert_input(inputs)
        self.maybe_build(shape_of(x))
        out, self._cache = self.forward_with_cache(
            x, **self.call_arguments("forward_with_cache", kwargs)
        )
        return out

    def backward(self, grad_output: Any) -> Any:
        """Backpropagate ``grad_output`` (dL/d output) through the last `forward`.

        Parameters
        ----------
        grad_output : ndarray (or list of them), shaped like the output of `forward`
            The gradient of the loss with respect to the layer's output.

        Returns
        -------
        ndarray or None
            The gradient with respect to the inputs of `forward` (None when the
            inputs are integer ids, as for `Embedding`).

        Notes
        -----
        Sets `grads`: the gradients of the weights, aligned with ``weights``
        (same order, shapes and dtype), replaced at every call.
        """
        if self._cache is _NOTHING:
            raise RuntimeError(
                f"Layer '{self.name}' has nothing to backpropagate: call "
                "`layer.forward(inputs)` before `layer.backward(grad_output)`."
            )
        grad_input, grads = self.backward_with_cache(grad_output, self._cache)
        self._grads = [
            np.asarray(g, dtype=w.dtype) for g, w in zip(grads, self.weights, strict=True)
        ]
        return grad_input

    @property
    def grads(self) -> list[np.ndarray]:
        """The weights' gradients from the last `backward`, aligned with ``weights``."""
        if self._grads is None:
            raise RuntimeError(
                f"Layer '{self.name}' has no gradients yet: call `layer.forward(inputs)`, "
                "then `layer.backward(grad_output)`."
            )
        return self._grads

    def forward_with_cache(self, x: np.ndarray) -> tuple[Any, Any]:
        """Return the output of ``call(x)`` and what `backward_with_cache` will need.

        Override this (and `backward_with_cache`) to make a layer trainable. ``x`` is
        already an array of the layer's dtype and the layer is built. The default keeps
        nothing, for layers without weights whose backward pass is the identity.
        """
        return self.call(x), None

    def backward_with_cache(self, grad_output: Any, cache: Any) -> tuple[Any, list[np.ndarray]]:
        """Return ``(dL/d inputs, [dL/d weight for each weight])`` for one forward pass.

        ``cache`` is what that pass's `forward_with_cache` returned beside the output, and
        ``grad_output`` is shaped like the output. The weights' gradients come in the
        order of ``weights``; the inputs' gradient is None for integer ids. The default
        is the identity, for layers without weights that do not change their input.
        """
        if type(self).call is not Layer.call:
            raise NotImplementedError(f"{type(self).__name__} has no backward pass.")
        return grad_output, []

    def grad_output_array(
        self, grad: Any, shape: Sequence[int], what: str = "output"
    ) -> np.ndarray:
        """``grad`` as an array of the layer's dtype, which must have ``shape``."""
        g = np.asarray(grad, dtype=self.dtype)
        if g.shape != tuple(shape):
            raise ValueError(
                f"Layer '{self.name}': the gradient of its {what} must have the {what}'s "
                f"shape {tuple(shape)}, got {g.shape}"
            )
        return g

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments (Keras names), enough to rebuild the layer."""
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """Create a layer from the output of :meth:`get_config` (rnn's or Keras 3's).

        Keras's form (a dtype policy, initializers with their module, arguments rnn does
        not have left at their defaults, such as ``quantization_config=None``) is read too.

        Raises
        ------
        TypeError
            If ``config`` is not a dict.
        ValueError
            For a Keras argument rnn does not have, set to something other than its
            default, or an argument the layer does not take.
        """
        from rnn.saving import _layer_config_from_keras

        return cls(**_layer_config_from_keras(cls, config))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


_KEYWORDS: dict[tuple[type, str], frozenset[str]] = {}


def _keywords(cls: type, method: str) -> frozenset[str]:
    """Return the keyword arguments a layer class's ``method`` names (after the inputs)."""
    if (cls, method) not in _KEYWORDS:
        parameters = list(inspect.signature(getattr(cls, method)).parameters.values())[2:]
        _KEYWORDS[cls, method] = frozenset(
            p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        )
    return _KEYWORDS[cls, method]


def deserialize_layer(item: Any, custom_objects: dict[str, type] | None = None) -> Layer:
    """Make a layer (or a cell) from ``{"class_name": ..., "config": ...}``.

    The class is looked up by name in ``custom_objects`` (your own, as in Keras), then in
    `rnn.layers`; a layer that holds others (an `RNN`'s cell) gets ``custom_objects`` too.

    Raises
    ------
    TypeError
        For a class found in neither, in Keras's wording.
    ValueError
        For an item that is not a dict with ``class_name`` and ``config``.
    """
    if isinstance(item, Layer):
        return item
    from rnn import layers
    from rnn.saving import _layer_from_keras

    if not (isinstance(item, dict) and "class_name" in item and "config" in item):
        raise ValueError(
            "The provided configuration is not a valid Keras configuration. Expected a "
            "dictionary containing a 'class_name' and a 'config' key. "
            f"Received: config={item!r}"
        )
    if "module" in item:  # Keras 3's serialized form
        item = _layer_from_keras(item, custom_objects, {})
    name = item["class_name"]
    cls = (custom_objects or {}).get(name) or getattr(layers, name, None)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise TypeError(
            f"Could not locate class '{name}'. Make sure custom classes are passed in "
            f"`custom_objects`. Full object config: {item}"
        )
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        return cls.from_config(item["config"], custom_objects=custom_objects)  # type: ignore[call-arg]
    return cls.from_config(item["config"])
