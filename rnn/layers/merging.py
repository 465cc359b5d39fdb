"""Layers that merge several inputs into one: `Concatenate` and `Add`.

They take a list of arrays (or of KerasTensors, in a functional model), as in Keras,
and are how a model with several inputs joins them. Masks merge as in Keras: a step
is real when it is real in every input (an input without a mask is all real).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rnn.layers.layer import Layer, _standardize_shape, format_shape

__all__ = ["Add", "Concatenate", "add", "concatenate"]


class _Merge(Layer):
    """What merging layers share: a list of inputs, checked, and their masks joined."""

    supports_masking = True

    def _shapes(self, input_shape: Any) -> list[tuple[int | None, ...]]:
        if not isinstance(input_shape, list) or not input_shape:
            raise ValueError(
                f"A `{type(self).__name__}` layer should be called on a list of at least 1 "
                f"input. Received: input_shape={input_shape}"
            )
        return [_standardize_shape(s, "input_shape", batch_axis=True) for s in input_shape]

    def check_input_shape(self, shape: Any) -> None:
        """Check that the inputs' shapes can be merged (Keras's messages)."""
        self.compute_output_shape(shape)

    def convert_input(self, inputs: Any) -> Any:
        """Return the inputs as a list of arrays of the layer's dtype."""
        if not isinstance(inputs, (list, tuple)):
            self._shapes(np.shape(inputs))
        return [np.asarray(x, dtype=self.dtype) for x in inputs]

    def maybe_build(self, input_shape: Any) -> None:
        """Check the shapes; there is nothing to build."""
        self.check_input_shape(input_shape)
        if not self.built:
            self.build(input_shape)

    def build(self, input_shape: Any) -> None:
        """Record the shapes; a merging layer has no weights."""
        self._build_shape = input_shape
        self.built = True

    def __call__(self, inputs: Any, **kwargs: Any) -> Any:
        """Merge a list of arrays (or of KerasTensors)."""
        if not isinstance(inputs, (list, tuple)):
            self._shapes(getattr(inputs, "shape", np.shape(inputs)))
        return super().__call__(list(inputs), **kwargs)

    def forward_with_cache(self, x: Any) -> tuple[Any, Any]:
        """Return the merged output, and the inputs' shapes for the backward pass."""
        return self.call(x), [a.shape for a in x]

    @staticmethod
    def _joined(masks: list[Any]) -> np.ndarray:
        """Return the masks of the inputs AND-ed (a missing mask is all True)."""
        given = [np.asarray(m, dtype=bool) for m in masks if m is not None]
        return np.logical_and.reduce(given) if len(given) > 1 else given[0]

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        """Return where every input is real (a step is real when it is in all; None: no mask)."""
        if previous_mask is None or all(m is None for m in previous_mask):
            return None
        return self._joined(list(previous_mask))


class Concatenate(_Merge):
    """Join a list of inputs along ``axis``, as ``keras.layers.Concatenate``.

    Parameters
    ----------
    axis : int
        The axis to join along (default the last: the features). Every other axis
        must match.
    **kwargs
        ``name``, ``dtype``... (see `Layer`).

    Raises
    ------
    TypeError
        If ``axis`` is not an integer.
    ValueError
        When called, if ``axis`` is out of range for the inputs' rank or the shapes
        differ elsewhere than along it (Keras's message).

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.layers import Concatenate
    >>> Concatenate()([np.ones((2, 3)), np.zeros((2, 4))]).shape
    (2, 7)
    """

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(
                f"`axis` must be an integer. Received: axis={axis!r} (of type "
                f"{type(axis).__name__})"
            )
        self.axis = int(axis)

    def compute_output_shape(self, input_shape: Any) -> tuple[int | None, ...]:
        """Return the shared shape, with the sizes along ``axis`` added up.

        Raises
        ------
        ValueError
            If the shapes differ elsewhere than along ``axis`` (Keras's message), or
            ``axis`` is out of range for the inputs' rank.
        """
        shapes = self._shapes(input_shape)
        rank = len(shapes[0])
        axis = self.axis % rank if -rank <= self.axis < rank else None
        bad = ValueError(
            "A `Concatenate` layer requires inputs with matching shapes except for the "
            f"concatenation axis. Received: input_shape={shapes}"
        )
        if any(len(s) != rank for s in shapes):
            raise bad
        if axis is None:
            raise ValueError(
                f"A `Concatenate` layer's axis={self.axis} is out of range for inputs of rank "
                f"{rank}: expected an axis in [{-rank}, {rank - 1}]. "
                f"Received: input_shape={shapes}"
            )
        out = list(shapes[0])
        for shape in shapes[1:]:
            for i, (a, b) in enumerate(zip(out, shape, strict=True)):
                if i != axis and a is not None and b is not None and a != b:
                    raise bad
        sizes = [s[axis] for s in shapes]
        out[axis] = None if None in sizes else sum(sizes)  # type: ignore[arg-type]
        return tuple(out)

    def call(self, inputs: Any) -> np.ndarray:
        """Join the arrays along ``axis``."""
        return np.concatenate(list(inputs), axis=self.axis)

    def backward_with_cache(self, grad_output: Any, cache: Any) -> tuple[Any, list[Any]]:
        """Each input's gradient is its slice of the output's gradient."""
        axis = self.axis % len(cache[0])
        bounds = np.cumsum([shape[axis] for shape in cache])[:-1]
        return list(np.split(np.asarray(grad_output), bounds, axis=axis)), []

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        """Masks joined: along the time axis they follow each other, else they AND."""
        if previous_mask is None or all(m is None for m in previous_mask):
            return None
        shapes = [np.shape(x) for x in inputs]
        if self.axis % len(shapes[0]) == 1:  # joined in time: the masks follow each other
            masks = [
                np.ones(s[:2], bool) if m is None else np.asarray(m, bool)
                for m, s in zip(previous_mask, shapes, strict=True)
            ]
            return np.concatenate(masks, axis=1)
        return self._joined(list(previous_mask))

    def get_config(self) -> dict[str, Any]:
        """``axis`` and the base settings."""
        return {**super().get_config(), "axis": self.axis}


class Add(_Merge):
    """Add a list of inputs of the same shape, as ``keras.layers.Add``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.layers import Add
    >>> Add()([np.ones((2, 3)), np.full((2, 3), 2.0)]).tolist()
    [[3.0, 3.0, 3.0], [3.0, 3.0, 3.0]]
    """

    def compute_output_shape(self, input_shape: Any) -> tuple[int | None, ...]:
        """Return the inputs' common shape.

        Raises
        ------
        ValueError
            If two shapes differ (Keras's message).
        """
        shapes = self._shapes(input_shape)
        out = list(shapes[0])
        for shape in shapes[1:]:
            if len(shape) != len(out) or any(
                a is not None and b is not None and a != b
                for a, b in zip(out[1:], shape[1:], strict=True)
            ):
                raise ValueError(
                    "Inputs have incompatible shapes. Received shapes "
                    f"{format_shape(out[1:])} and {format_shape(shape[1:])}"
                )
            out = [a if a is not None else b for a, b in zip(out, shape, strict=True)]
        return tuple(out)

    def call(self, inputs: Any) -> np.ndarray:
        """Return the sum of the arrays, added in order as Keras does."""
        total = inputs[0]
        for x in inputs[1:]:
            total = total + x
        return total

    def backward_with_cache(self, grad_output: Any, cache: Any) -> tuple[Any, list[Any]]:
        """Every input gets the output's gradient."""
        g = np.asarray(grad_output)
        return [g.copy() for _ in cache], []


def concatenate(inputs: Sequence[Any], axis: int = -1, **kwargs: Any) -> Any:
    """``Concatenate(axis=axis, **kwargs)(inputs)``, as ``keras.layers.concatenate``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def add(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """``Add(**kwargs)(inputs)``, as ``keras.layers.add``."""
    return Add(**kwargs)(inputs)
