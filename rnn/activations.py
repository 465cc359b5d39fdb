"""Activation functions, looked up by name the way Keras does.

Each activation is a plain function of one NumPy array. `get` turns a Keras-style
identifier (a name, ``None`` or a callable) into such a function.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnn import _registry

Activation = Callable[[np.ndarray], np.ndarray]


def tanh(x: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent, squashing every value into ``(-1, 1)``."""
    return np.tanh(x)


def relu(x: np.ndarray) -> np.ndarray:
    """Rectified linear unit: ``max(x, 0)``."""
    return np.maximum(x, 0)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic sigmoid ``1 / (1 + exp(-x))``, computed without overflow."""
    # exp of a non-positive number never overflows, so split on the sign
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(np.result_type(x, np.float32))


def linear(x: np.ndarray) -> np.ndarray:
    """The identity: what Keras calls ``"linear"`` (and uses for ``activation=None``)."""
    return x


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis."""
    z = np.exp(x - x.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


_BY_NAME: dict[str, Activation] = {
    "tanh": tanh,
    "relu": relu,
    "sigmoid": sigmoid,
    "linear": linear,
    "softmax": softmax,
}

NAMES: tuple[str, ...] = tuple(sorted(_BY_NAME))


def get(identifier: str | Activation | None) -> Activation:
    """Return the activation function for a Keras-style identifier.

    Parameters
    ----------
    identifier : str, callable or None
        A name such as ``"tanh"``, ``None`` (meaning ``"linear"``), or a callable
        that maps an array to an array of the same shape.

    Returns
    -------
    callable
        The activation function.

    Raises
    ------
    ValueError
        If the name is unknown, in Keras's wording.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import activations
    >>> activations.get("relu")(np.array([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    >>> activations.get(None) is activations.linear
    True
    >>> activations.get("tahn")
    Traceback (most recent call last):
    ...
    ValueError: Could not interpret activation function identifier: 'tahn' (known names: ...)
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        try:
            return _BY_NAME[identifier]
        except KeyError:
            raise ValueError(
                f"Could not interpret activation function identifier: {identifier!r} "
                f"(known names: {', '.join(NAMES)})"
            ) from None
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret activation function identifier: {identifier!r} "
        f"(expected a name, None or a callable, got {type(identifier).__name__})"
    )


def name_of(activation: Activation) -> str:
    """Return the Keras name of a known activation, or the callable's ``__name__``."""
    return _registry.name_of(activation, _BY_NAME)
