"""`Dropout`: zero a random share of the inputs while training, and the masks it draws.

`dropout_mask` draws the masks of the recurrent layers' ``dropout`` and
``recurrent_dropout`` too: one mask per sequence, kept for every step (Gal and
Ghahramani, 2016).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rnn.layers.layer import Layer


def check_rate(value: Any, name: str, upper_inclusive: bool = True) -> float:
    """Return ``value`` as a float if it is a rate in [0, 1] (or [0, 1)), else raise.

    Raises
    ------
    ValueError
        For anything else than a number in the range, in Keras's wording.
    """
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )
    rate = float(value) if ok else float("nan")
    if not (0 <= rate <= 1 if upper_inclusive else 0 <= rate < 1):
        bound = "between 0 and 1" if upper_inclusive else "in [0, 1) (1 would drop everything)"
        shown = str(value) if ok else f"{value!r} (of type {type(value).__name__})"
        raise ValueError(
            f"Invalid value received for argument `{name}`. Expected a float value {bound}. "
            f"Received: {name}={shown}"
        )
    return rate


def _noise_shape(value: Any) -> tuple[int | None, ...]:
    """Return ``noise_shape`` as a tuple of positive ints and None, or raise (Keras's words)."""
    if not isinstance(value, (list, tuple)):
        raise ValueError(
            "Invalid value received for argument `noise_shape`. Expected an iterable of "
            "integers (e.g., a tuple or list). "
            f"Received: noise_shape={value!r} (of type {type(value).__name__})"
        )
    for index, item in enumerate(value):
        ok = item is None or (
            isinstance(item, (int, np.integer))
            and not isinstance(item, (bool, np.bool_))
            and item > 0
        )
        if not ok:
            raise ValueError(
                "Invalid value received for argument `noise_shape`. Expected all elements "
                "to be positive integers or None. Received element at index "
                f"{index}: {item!r} (type: {type(item).__name__})"
            )
    return tuple(None if item is None else int(item) for item in value)


def dropout_mask(
    shape: Sequence[int], rate: float, rng: np.random.Generator, dtype: Any
) -> np.ndarray:
    """Draw a dropout mask: 0 with probability ``rate``, else ``1 / (1 - rate)``.

    The scaling keeps every value's expectation: ``E[x * mask] = x``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.layers.regularization import dropout_mask
    >>> mask = dropout_mask((1000, 10), 0.2, np.random.default_rng(0), "float64")
    >>> sorted(set(mask.ravel().tolist()))
    [0.0, 1.25]
    >>> 0.18 < float((mask == 0).mean()) < 0.22
    True
    """
    if rate >= 1:
        return np.zeros(tuple(shape), dtype)
    keep = rng.random(tuple(shape)) >= rate
    return keep.astype(dtype) / np.asarray(1 - rate, dtype)


class Dropout(Layer):
    """Zero each input with probability ``rate`` while training, and scale the others.

    Kept inputs are multiplied by ``1 / (1 - rate)``, so that their expectation does not
    change; outside training (``evaluate``, ``predict``, calling the layer) the layer
    passes its inputs through. ``fit`` trains with it on.

    Parameters
    ----------
    rate : float
        The share of the inputs to zero, between 0 and 1.
    noise_shape : tuple of int or None, optional
        The shape of the mask, broadcast over the input: ``(batch, 1, features)`` drops
        the same features at every step of a sequence. ``None`` entries take the input's
        size. Default: the input's shape.
    seed : int, optional
        Seed of the layer's own generator; without it, the session's
        (:func:`rnn.set_random_seed`).
    **kwargs
        ``name``, ``input_shape``... see `Layer`.

    Raises
    ------
    ValueError
        If ``rate`` is not a number between 0 and 1, ``noise_shape`` is not a tuple of
        positive ints or None (Keras's messages), or ``seed`` is neither None nor a
        non-negative integer.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.layers import Dropout
    >>> layer = Dropout(0.5, seed=0)
    >>> x = np.ones((2, 4))
    >>> layer(x).tolist()                       # not training: the inputs themselves
    [[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]]
    >>> layer(x, training=True).tolist()        # training: zeros, and 1 / (1 - 0.5)
    [[2.0, 0.0, 0.0, 0.0], [2.0, 2.0, 2.0, 2.0]]
    """

    supports_masking = True

    def __init__(
        self,
        rate: float,
        noise_shape: Sequence[int | None] | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.rate = check_rate(rate, "rate")
        super().__init__(seed=seed, **kwargs)
        self.noise_shape = None if noise_shape is None else _noise_shape(noise_shape)

    def _mask(self, shape: tuple[int, ...]) -> np.ndarray:
        """Draw a fresh mask for inputs of ``shape`` (``noise_shape`` broadcast over it)."""
        drawn = shape
        if self.noise_shape is not None:
            if len(self.noise_shape) != len(shape):
                raise ValueError(
                    f"Dropout '{self.name}': noise_shape={self.noise_shape} must have one "
                    f"entry per axis of the inputs, of shape {shape}"
                )
            drawn = tuple(
                s if n is None else int(n) for n, s in zip(self.noise_shape, shape, strict=True)
            )
        return dropout_mask(drawn, self.rate, self._generator(), self.dtype)

    def call(self, inputs: np.ndarray, training: bool | None = None) -> np.ndarray:
        """Return the inputs, with dropout while ``training``."""
        return self.forward_with_cache(inputs, training=training)[0]

    def forward_with_cache(
        self, x: np.ndarray, training: bool | None = None
    ) -> tuple[np.ndarray, Any]:
        """Return the output and the cache: the mask used (None outside training)."""
        if not training or self.rate == 0:
            return x, None
        mask = self._mask(x.shape)
        return np.asarray(x * mask, dtype=self.dtype), mask

    def backward_with_cache(self, grad_output: Any, cache: Any) -> tuple[np.ndarray, list[Any]]:
        """Pass the gradient through the same mask: ``dL/dx = dL/dy * mask``."""
        g = np.asarray(grad_output, dtype=self.dtype)
        return (g if cache is None else np.asarray(g * cache, dtype=self.dtype)), []

    def get_config(self) -> dict[str, Any]:
        """Keras's config keys for Dropout."""
        return {
            **super().get_config(),
            "rate": self.rate,
            "noise_shape": self.noise_shape,
            "seed": self.seed,
        }
