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
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from rnn import _graph, initializers
from rnn._data_adapter import as_array
from rnn._naming import auto_name
from rnn.config import FLOAT_DTYPES, _check_seed, floatx, set_floatx
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


def _is_int(value: Any) -> bool:
    """Whether ``value`` is an integer (a NumPy one too), and not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _received(value: Any) -> str:
    """``value``'s repr, with its type when it is not an integer: ``'4' (of type str)``."""
    return repr(value) if _is_int(value) else f"{value!r} (of type {type(value).__name__})"


def positive_int(value: Any, name: str, message: str | None = None) -> int:
    """Return ``value`` if it is a positive integer, else raise ``ValueError``.

    ``message`` is the error text (Keras words it differently per layer); by default
    the wording of Keras 3's recurrent layers, with the value's repr (and its type when
    it is not an integer): ``got '4' (of type str).``
    """
    if not (_is_int(value) and value > 0):
        raise ValueError(
            message
            or f"Received an invalid value for argument `{name}`, "
            f"expected a positive integer, got {_received(value)}."
        )
    return int(value)


def _received_layer(value: Any) -> str:
    """Show what came where a layer was expected, as Keras prints it; a hint for a class."""
    if isinstance(value, type) and issubclass(value, Layer):
        return f"the class {value.__name__} itself, not a layer: write {value.__name__}(...)"
    return str(value)


def _check_flag(value: Any, name: str) -> bool:
    """Return ``value`` as a bool if it is one (or the int 0 or 1), else raise ``ValueError``.

    Python would take any object for true or false (``return_sequences="no"`` is
    true): a flag must be a bool. The wording is Keras's for ``trainable``.
    """
    if isinstance(value, (bool, np.bool_)) or (_is_int(value) and value in (0, 1)):
        return bool(value)
    raise ValueError(
        f"Expected `{name}` to be a boolean (True or False). Received: {name}={_received(value)}"
    )


def _shape_error(value: Any, name: str, batch_axis: bool) -> ValueError:
    example = ""
    if _is_int(value):
        example = (
            f", such as {name}=(None, {value})" if batch_axis else f", such as {name}=({value},)"
        )
    return ValueError(
        f"Cannot convert {value!r} to a shape: `{name}` must be a tuple of dimensions "
        f"(ints, or None for an axis of any size){example}. "
        f"Received: {name}={_received(value)}"
    )


def _standardize_shape(value: Any, name: str = "shape", batch_axis: bool = False) -> Shape:
    """Return ``value`` as a shape, a tuple of non-negative ints and None, or raise.

    A list, a tuple or a 1-D array of ints is a shape; a bare int, a string or a
    dimension that is negative, a float or a bool is refused with a ``ValueError`` that
    names ``name`` and what came (Keras's wording: "Cannot convert ... to a shape").
    ``batch_axis`` says whether the shape starts with the batch axis (for the example
    the message gives).
    """
    one_axis = not isinstance(value, np.ndarray) or value.ndim == 1
    if not (isinstance(value, (list, tuple, np.ndarray)) and one_axis):
        raise _shape_error(value, name, batch_axis)
    dims = tuple(value)
    shown = tuple(int(dim) if _is_int(dim) else dim for dim in dims)  # no np.int64(5)
    for dim in dims:
        if dim is None:
            continue
        if not _is_int(dim):
            raise ValueError(
                f"Cannot convert {shown!r} to a shape. Found invalid dimension {dim!r} "
                f"of type {type(dim).__name__}: each dimension must be an int, or None for "
                f"an axis of any size. Received: {name}={shown!r}"
            )
        if dim < 0:
            raise ValueError(
                f"Cannot convert {shown!r} to a shape. Negative dimensions are not "
                f"allowed. Received: {name}={shown!r}"
            )
    return tuple(None if dim is None else int(dim) for dim in dims)


def _standardize_shapes(value: Any, name: str = "input_shape") -> Any:
    """Standardize a shape, or each of a list of shapes (a layer of several inputs)."""
    if isinstance(value, list) and value and all(isinstance(item, (list, tuple)) for item in value):
        return [_standardize_shape(item, name, batch_axis=True) for item in value]
    return _standardize_shape(value, name, batch_axis=True)


def _format_bytes(size: float) -> str:
    """``72.8 TiB``: a size in bytes with a binary unit, as NumPy words its MemoryError."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if size < 1024 or unit == "PiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} PiB"  # pragma: no cover


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

    Raises
    ------
    ValueError
        If ``name`` is not a string or holds a ``/``; ``input_shape`` (or
        ``batch_input_shape``) is not a shape, a tuple of ints or None (a bare int, a
        string, a negative, float or bool dimension: "Cannot convert ... to a shape",
        Keras's words); ``input_dim`` is not a positive integer; ``seed`` is neither
        None nor a non-negative integer; ``trainable`` is not a bool; ``dtype`` is not
        float32 or float64; or an unknown keyword argument is given.

    Attributes
    ----------
    name : str
    built : bool
        Whether the weights exist.
    weights : list of numpy.ndarray
        The weight arrays themselves (not copies), in Keras order. Assigning an array
        to a weight's attribute (``layer.kernel = array``) copies it into the weight,
        cast to the layer's dtype, so that training still updates the weight the layer
        reads; an array of another shape raises ``ValueError``.
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
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(
                "Argument `name` must be a string and cannot contain character `/`. "
                f"Received: name={name!r} (of type {type(name).__name__})"
            )
        if input_shape is not None:
            input_shape = _standardize_shape(input_shape, "input_shape")
        elif input_dim is not None:
            input_shape = (positive_int(input_dim, "input_dim"),)
        elif batch_input_shape is not None:
            batch_input_shape = _standardize_shape(
                batch_input_shape, "batch_input_shape", batch_axis=True
            )
            if not batch_input_shape:
                raise ValueError(
                    "`batch_input_shape` must start with the batch size (None for any). "
                    "Received: batch_input_shape=()"
                )
            input_shape = batch_input_shape[1:]
        self.name: str = name if name is not None else auto_name(type(self).__name__)
        self.input_shape_arg: Shape | None = input_shape
        self.seed = _check_seed(seed, allow_none=True)
        self.trainable = _check_flag(trainable, "trainable")
        self.dtype = standardize_dtype(floatx() if dtype is None else dtype)
        self.built = False
        self._weights: dict[str, np.ndarray] = {}
        self._build_shape: Shape | None = None
        self._rng: np.random.Generator | None = None
        self._cache: Any = _NOTHING  # what backward needs, kept by forward
        self._grads: list[np.ndarray] | None = None

    if not TYPE_CHECKING:  # (hidden from mypy, which would then allow any attribute)

        def __setattr__(self, name: str, value: Any) -> None:
            """Set an attribute; a weight's attribute (``layer.kernel = ...``) is written in place.

            Training updates the arrays of `weights` in place: an attribute pointed at a new
            array would be read by the layer but never trained. So an array assigned to a
            weight's name is copied into the weight, cast to the layer's dtype.

            Raises
            ------
            ValueError
                If the array assigned to a weight does not have the weight's shape.
            """
            weights = self.__dict__.get("_weights")
            if weights and name in weights and value is not weights[name]:
                target = weights[name]
                if getattr(self, name, None) is target:
                    new = None if value is None else np.asarray(value)
                    if new is None or new.shape != target.shape or new.dtype.kind not in "biuf":
                        raise ValueError(
                            f"Layer '{self.name}': `{name}` is a weight of shape {target.shape}; "
                            "assign an array of numbers of that shape (copied into the weight, "
                            f"as {self.dtype}), or use `set_weights`. Received: "
                            + (
                                "None"
                                if new is None
                                else f"an array of shape {new.shape} and dtype {new.dtype}"
                            )
                        )
                    target[...] = new.astype(self.dtype)
                    return
            super().__setattr__(name, value)

    # ------------------------------------------------------------------ weights
    def add_weight(self, name: str, shape: Sequence[int], initializer: Any) -> np.ndarray:
        """Create a weight of the layer's dtype, store it under ``name`` and return it.

        Raises
        ------
        ValueError
            If ``shape`` is not a shape (a tuple of non-negative ints).
        MemoryError
            If the weight does not fit in memory, with the size asked for.
        """
        init = initializers.get(initializer)
        dims = _standardize_shape(shape, "shape")
        try:
            value = np.asarray(init(dims, self._generator()))
            value = value.astype(self.dtype).reshape(dims)
        except MemoryError as error:
            size = _format_bytes(math.prod(d or 0 for d in dims) * np.dtype(self.dtype).itemsize)
            raise MemoryError(
                f"Layer '{self.name}' ({type(self).__name__}) needs {size} for its weight "
                f"'{name}' of shape {dims} in {self.dtype}: more memory than there is. "
                "Make the layer (or its input) smaller."
            ) from error
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

        The arrays are copied into the weights, cast to the layer's dtype (an integer
        array gives float weights, as in Keras).

        Raises
        ------
        TypeError
            If ``weights`` is not a list (or tuple) of arrays.
        ValueError
            If the layer is not built yet (it has no weights: call it on data or
            `build` it first), or if the number of arrays or a shape does not match,
            in Keras's wording.
        """
        self._check_weight_list(weights, self.weights)
        for key, value in zip(list(self._weights), weights, strict=True):
            self._weights[key][...] = np.asarray(value, dtype=self.dtype)

    def _check_weight_list(self, weights: Sequence[Any], mine: list[np.ndarray]) -> None:
        if isinstance(weights, np.ndarray) or not isinstance(weights, (list, tuple)):
            raise TypeError(
                f"`set_weights(weights)` on layer '{self.name}' expects a list of arrays, "
                f"one per weight, in the order of `get_weights()`. Received: "
                f"{type(weights).__name__}"
                + (f" of shape {weights.shape}" if isinstance(weights, np.ndarray) else "")
            )
        if not self.built and len(weights) != len(mine):
            model = hasattr(type(self), "layers")
            raise ValueError(
                f"You called `set_weights(weights)` on {'model' if model else 'layer'} "
                f"'{self.name}' with a weight list of length {len(weights)}, but it is not "
                "built yet: it has no weights to set. Build it first: call it on a batch "
                "of data, or call `build(input_shape)` with the batch axis, e.g. "
                "`build((None, 3))` for 3 features"
                + (", or start it with an `Input`." if model else ".")
            )
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
        """Create the weights for inputs of ``input_shape`` (batch axis included).

        Raises
        ------
        ValueError
            If ``input_shape`` is not a shape: a tuple of ints (or None), such as
            ``(None, 3)`` (a bare int, a string, a negative or float dimension...).
        """
        self._build_shape = _standardize_shapes(input_shape)
        self.built = True

    def _checked_shape(self, input_shape: Any) -> Shape:
        """``input_shape`` given to `build`, standardized and checked against the rank."""
        shape = _standardize_shape(input_shape, "input_shape", batch_axis=True)
        self.check_input_shape(shape)
        return shape

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
        """Turn ``inputs`` into the array ``call`` expects, of the layer's dtype.

        Raises
        ------
        ValueError
            For None, or sequences of different lengths (with how to pad them).
        TypeError
            For a dict or a generator.
        """
        if isinstance(inputs, np.ndarray):  # the common case, as fast as before
            return np.asarray(inputs, dtype=self.dtype)
        expected = f"a NumPy array for layer '{self.name}'"
        return as_array(inputs, "inputs", expected, dtype=self.dtype, scalar=True)

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
