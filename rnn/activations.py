"""Activation functions, looked up by name the way Keras does.

Each activation is a plain function of one NumPy array. `get` turns a Keras-style
identifier (a name, ``None`` or a callable) into such a function.

The fast forward and backward passes need two more forms of each activation, and this
module keeps all three in one table, `KNOWN`: the function, the same computed in place
into a buffer (`in_place`), and its derivative read from its output (`derivative`,
``tanh' = 1 - tanh^2``), which is what backpropagation has at hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

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
    """Return ``x`` unchanged: what Keras calls ``"linear"`` (and uses for ``activation=None``)."""
    return x


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis."""
    z = np.exp(x - x.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


# An activation applied in place: ``fn(x, out)`` writes ``act(x)`` into ``out``.
InPlace = Callable[[np.ndarray, np.ndarray], Any]
# A derivative read from the output: ``fn(y, out)`` writes ``act'(z)`` for ``y = act(z)``.
Derivative = Callable[[np.ndarray, np.ndarray], Any]


def _sigmoid_into(x: np.ndarray, out: np.ndarray) -> None:
    """``out = sigmoid(x)`` computed as ``(1 + tanh(x / 2)) / 2``, which never overflows."""
    np.multiply(x, 0.5, out)
    np.tanh(out, out)
    np.multiply(out, 0.5, out)
    np.add(out, 0.5, out)


def _relu_into(x: np.ndarray, out: np.ndarray) -> None:
    np.maximum(x, 0, out=out)


def _linear_into(x: np.ndarray, out: np.ndarray) -> None:
    if out is not x:
        np.copyto(out, x)


def _tanh_slope(y: np.ndarray, out: np.ndarray) -> None:
    np.multiply(y, y, out)
    np.subtract(1, out, out)  # tanh' = 1 - tanh^2


def _sigmoid_slope(y: np.ndarray, out: np.ndarray) -> None:
    np.subtract(1, y, out)
    np.multiply(out, y, out)  # sigmoid' = sigmoid (1 - sigmoid)


def _relu_slope(y: np.ndarray, out: np.ndarray) -> None:
    np.greater(y, 0, out=out)  # 1 where the unit is active, else 0


class Known(NamedTuple):
    """An activation in the three forms the package computes it in."""

    function: Activation  # act(x), a new array
    into: InPlace | None  # act(x) written into a buffer (None: through `function`)
    slope: Derivative | None  # act'(z) from y = act(z) (None: not in backward passes)


KNOWN: dict[str, Known] = {
    "tanh": Known(tanh, np.tanh, _tanh_slope),
    "relu": Known(relu, _relu_into, _relu_slope),
    "sigmoid": Known(sigmoid, _sigmoid_into, _sigmoid_slope),
    "linear": Known(linear, _linear_into, None),  # act' = 1: nothing to multiply
    "softmax": Known(softmax, None, None),
}

_BY_NAME: dict[str, Activation] = {name: known.function for name, known in KNOWN.items()}

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


def _known(fn: Activation) -> Known | None:
    return next((known for known in KNOWN.values() if known.function is fn), None)


def in_place(identifier: str | Activation | None) -> InPlace:
    """Return the activation as ``fn(x, out)``, which writes ``act(x)`` into ``out``.

    A ufunc where possible (``np.tanh``), so that no Python wrapper runs at every step
    of a loop; a callable of your own is called and its result copied.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import activations
    >>> out = np.empty(2)
    >>> activations.in_place("relu")(np.array([-1.0, 2.0]), out)
    >>> out.tolist()
    [0.0, 2.0]
    """
    fn = get(identifier)
    known = _known(fn)
    if known is not None and known.into is not None:
        return known.into
    return lambda x, out: np.copyto(out, fn(x), casting="same_kind")


def derivative(
    identifier: str | Activation | None, argument: str = "activation"
) -> Derivative | None:
    """``act'`` as ``fn(y, out)``, read from the output ``y = act(z)``; None for linear.

    The backward passes know the derivatives of ``tanh``, ``sigmoid``, ``relu`` and
    ``linear`` (whose derivative is 1: None, so that nothing is multiplied).

    Raises
    ------
    ValueError
        For any other activation, naming the ``argument`` it came from.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import activations
    >>> y = np.tanh(np.array([0.0, 1.0]))
    >>> activations.slope(activations.derivative("tanh"), y).round(4).tolist()
    [1.0, 0.42]
    >>> activations.derivative("softmax")
    Traceback (most recent call last):
    ...
    ValueError: the backward pass knows the derivatives of ...; activation='softmax' is not ...
    """
    fn = get(identifier)
    if fn is linear:
        return None
    known = _known(fn)
    if known is not None and known.slope is not None:
        return known.slope
    raise ValueError(
        f"the backward pass knows the derivatives of 'tanh', 'sigmoid', 'relu' and "
        f"'linear' (None) only; {argument}={name_of(fn)!r} is not supported "
        "in backward"
    )


def slope(d: Derivative | None, y: np.ndarray) -> np.ndarray | float:
    """Return ``act'(z)`` as a new array, read from the output ``y = act(z)``.

    It is 1.0 for linear, whose `derivative` is None.
    """
    if d is None:
        return 1.0
    out = np.empty_like(y)
    d(y, out)
    return out
