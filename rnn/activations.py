"""Activation functions, looked up by name the way Keras does.

Each activation is a plain function of one NumPy array. `get` turns a Keras-style
identifier (a name, ``None`` or a callable) into such a function.

The fast forward and backward passes need two more forms of each activation, and this
module keeps all three in one table, `KNOWN`: the function, the same computed in place
into a buffer (`in_place`), and its derivative read from its output (`derivative`,
``tanh' = 1 - tanh^2``), which is what backpropagation has at hand.

Two of them, ``gelu`` and ``silu`` (``swish``), rise again after a dip below zero: one
output comes from two inputs, so their derivative cannot be read from the output.
They keep it as a function of the input instead (`input_derivative`); `needs_input`
tells a backward pass that it must keep, or recompute, the pre-activation ``z``.

The names and defaults are Keras 3's (measured with Keras 3.15.1): ``leaky_relu``'s
``negative_slope`` is 0.2, ``gelu`` is exact (``approximate=False``), and
``hard_sigmoid`` is ``relu6(x + 3) / 6``, the definition of Keras 3 (Keras 2 used
``0.2 x + 0.5``).
"""

from __future__ import annotations

import math
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


# SELU's constants: Klambauer et al. (2017), as Keras writes them
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _float(x: np.ndarray) -> np.ndarray:
    """``x`` as an array of floats (float32 for integers, as `sigmoid` returns)."""
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(np.result_type(x, np.float32))


def elu(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Exponential linear unit: ``x`` where ``x > 0``, else ``alpha (exp(x) - 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import activations
    >>> activations.elu(np.array([-100.0, -1.0, 0.0, 2.0])).round(4).tolist()
    [-1.0, -0.6321, 0.0, 2.0]
    """
    x = _float(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def selu(x: np.ndarray) -> np.ndarray:
    """Scaled ELU: ``scale * elu(x, alpha)`` with Keras's constants (``scale`` ~ 1.0507).

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import activations
    >>> activations.selu(np.array([-100.0, 0.0, 1.0])).round(4).tolist()
    [-1.7581, 0.0, 1.0507]
    """
    return _SELU_SCALE * elu(x, _SELU_ALPHA)


_erf = np.vectorize(math.erf, otypes=[np.float64])


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    """``P(N(0, 1) <= x)``, from the error function, in float64."""
    return 0.5 * (1.0 + _erf(np.asarray(x, np.float64) / math.sqrt(2.0)))


def gelu(x: np.ndarray, approximate: bool = False) -> np.ndarray:
    """Gaussian error linear unit ``x P(N(0, 1) <= x)``; Keras 3's default is exact.

    With ``approximate=True``, ``0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import activations
    >>> activations.gelu(np.array([-3.0, 0.0, 1.0])).round(4).tolist()
    [-0.004, 0.0, 0.8413]
    >>> activations.gelu(np.array([1.0]), approximate=True).round(4).tolist()
    [0.8412]
    """
    x = _float(x)
    if approximate:
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
        return 0.5 * x * (1 + np.tanh(inner))
    return (x * _normal_cdf(x)).astype(x.dtype)


def softplus(x: np.ndarray) -> np.ndarray:
    """``log(1 + exp(x))``, computed without overflow.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import activations
    >>> activations.softplus(np.array([-100.0, 0.0, 100.0])).round(4).tolist()
    [0.0, 0.6931, 100.0]
    """
    x = _float(x)
    return np.logaddexp(x, 0).astype(x.dtype)


def silu(x: np.ndarray) -> np.ndarray:
    """Sigmoid linear unit ``x sigmoid(x)``, also called ``swish``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import activations
    >>> activations.silu(np.array([-1.0, 0.0, 2.0])).round(4).tolist()
    [-0.2689, 0.0, 1.7616]
    >>> activations.get("swish") is activations.silu
    True
    """
    x = _float(x)
    return x * sigmoid(x)


swish = silu


def leaky_relu(x: np.ndarray, negative_slope: float = 0.2) -> np.ndarray:
    """``x`` where ``x > 0``, else ``negative_slope x`` (Keras 3's default slope: 0.2).

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import activations
    >>> activations.leaky_relu(np.array([-2.0, 0.0, 3.0])).round(4).tolist()
    [-0.4, 0.0, 3.0]
    """
    x = _float(x)
    return np.where(x > 0, x, negative_slope * x)


def relu6(x: np.ndarray) -> np.ndarray:
    """``min(max(x, 0), 6)``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import activations
    >>> activations.relu6(np.array([-1.0, 3.0, 9.0])).tolist()
    [0.0, 3.0, 6.0]
    """
    return np.clip(_float(x), 0, 6)


def softsign(x: np.ndarray) -> np.ndarray:
    """``x / (1 + |x|)``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import activations
    >>> activations.softsign(np.array([-3.0, 0.0, 1.0])).tolist()
    [-0.75, 0.0, 0.5]
    """
    x = _float(x)
    return x / (1 + np.abs(x))


def exponential(x: np.ndarray) -> np.ndarray:
    """``exp(x)``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import activations
    >>> activations.exponential(np.array([0.0, 1.0])).round(4).tolist()
    [1.0, 2.7183]
    """
    return np.exp(_float(x))


def hard_sigmoid(x: np.ndarray) -> np.ndarray:
    """Keras 3's piecewise-linear sigmoid ``relu6(x + 3) / 6``: 0 below -3, 1 above 3.

    (Keras 2's was ``clip(0.2 x + 0.5, 0, 1)``; Keras 3 changed it to this one.)

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import activations
    >>> activations.hard_sigmoid(np.array([-4.0, 0.0, 1.5, 4.0])).tolist()
    [0.0, 0.5, 0.75, 1.0]
    """
    x = _float(x)
    return np.clip(x + 3, 0, 6) / 6


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


def _elu_slope(y: np.ndarray, out: np.ndarray) -> None:
    active = y > 0
    np.add(y, 1.0, out)  # elu' = exp(z) = y + 1 where z <= 0 (alpha = 1)
    np.copyto(out, 1, where=active)


def _selu_slope(y: np.ndarray, out: np.ndarray) -> None:
    active = y > 0
    np.add(y, _SELU_SCALE * _SELU_ALPHA, out)  # scale alpha exp(z) = y + scale alpha
    np.copyto(out, _SELU_SCALE, where=active)


def _softplus_slope(y: np.ndarray, out: np.ndarray) -> None:
    np.negative(y, out)
    np.expm1(out, out)
    np.negative(out, out)  # softplus' = sigmoid(z) = 1 - exp(-y)


def _leaky_relu_slope(y: np.ndarray, out: np.ndarray) -> None:
    active = y > 0  # the sign of y is the sign of z
    np.copyto(out, 0.2)
    np.copyto(out, 1, where=active)


def _relu6_slope(y: np.ndarray, out: np.ndarray) -> None:
    np.copyto(out, (y > 0) & (y < 6))  # 1 between the two flat parts


def _softsign_slope(y: np.ndarray, out: np.ndarray) -> None:
    np.abs(y, out)
    np.subtract(1, out, out)
    np.square(out, out)  # softsign' = 1 / (1 + |z|)^2 = (1 - |y|)^2


def _exponential_slope(y: np.ndarray, out: np.ndarray) -> None:
    if out is not y:
        np.copyto(out, y)  # exp' = exp


def _hard_sigmoid_slope(y: np.ndarray, out: np.ndarray) -> None:
    np.copyto(out, (y > 0) & (y < 1))
    np.multiply(out, 1 / 6, out)  # 1/6 on the slope, 0 on the flat parts


def _gelu_input_slope(z: np.ndarray, out: np.ndarray) -> None:
    zd = np.asarray(z, np.float64)
    density = np.exp(-0.5 * zd * zd) / math.sqrt(2 * math.pi)
    np.copyto(out, _normal_cdf(zd) + zd * density, casting="same_kind")  # Phi + z phi


def _silu_input_slope(z: np.ndarray, out: np.ndarray) -> None:
    s = sigmoid(z)
    np.copyto(out, s * (1 + z * (1 - s)), casting="same_kind")  # s + z s (1 - s)


class Known(NamedTuple):
    """An activation in the forms the package computes it in.

    ``slope`` reads the derivative from the output; an activation whose output does
    not determine its input (``gelu``, ``silu``) has ``input_slope`` instead, which
    reads it from the input ``z``.
    """

    function: Activation  # act(x), a new array
    into: InPlace | None  # act(x) written into a buffer (None: through `function`)
    slope: Derivative | None  # act'(z) from y = act(z) (None: not from the output)
    input_slope: Derivative | None = None  # act'(z) from z, where y is not enough


KNOWN: dict[str, Known] = {
    "tanh": Known(tanh, np.tanh, _tanh_slope),
    "relu": Known(relu, _relu_into, _relu_slope),
    "sigmoid": Known(sigmoid, _sigmoid_into, _sigmoid_slope),
    "linear": Known(linear, _linear_into, None),  # act' = 1: nothing to multiply
    "softmax": Known(softmax, None, None),
    "elu": Known(elu, None, _elu_slope),
    "selu": Known(selu, None, _selu_slope),
    "gelu": Known(gelu, None, None, _gelu_input_slope),
    "softplus": Known(softplus, None, _softplus_slope),
    "silu": Known(silu, None, None, _silu_input_slope),
    "leaky_relu": Known(leaky_relu, None, _leaky_relu_slope),
    "relu6": Known(relu6, None, _relu6_slope),
    "softsign": Known(softsign, None, _softsign_slope),
    "exponential": Known(exponential, None, _exponential_slope),
    "hard_sigmoid": Known(hard_sigmoid, None, _hard_sigmoid_slope),
}

# Keras's names; "swish" is "silu" (Keras 3 serializes both as "silu")
_BY_NAME: dict[str, Activation] = {
    **{name: known.function for name, known in KNOWN.items()},
    "swish": silu,
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
        For a Keras activation that rnn does not implement (``"mish"``, ``"celu"``...),
        saying so and listing rnn's names; for another unknown name in Keras's wording,
        with rnn's names and the closest of them when one is close.

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
    ValueError: Could not interpret activation function identifier: 'tahn' (known names: ...). \
Did you mean 'tanh'?
    >>> activations.get("mish")
    Traceback (most recent call last):
    ...
    ValueError: 'mish' is a Keras activation that rnn does not implement; rnn has: 'elu', ...
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        try:
            return _BY_NAME[identifier]
        except KeyError:
            keras_only = _registry.keras_only(identifier, NAMES, "activation function")
            if keras_only is not None:
                raise keras_only from None
            raise ValueError(
                f"Could not interpret activation function identifier: {identifier!r} "
                f"(known names: {', '.join(NAMES)}){_registry.did_you_mean(identifier, NAMES)}"
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

    The backward passes know the derivatives of every activation in `KNOWN` but
    ``softmax`` (which `rnn.layers.core.activation_backward` handles over its axis);
    ``linear``'s is 1: None, so that nothing is multiplied. ``gelu`` and ``silu`` have
    theirs from the input, not the output: see `needs_input` and `input_derivative`.

    Raises
    ------
    ValueError
        For any other activation, naming the ``argument`` it came from, and for
        ``gelu`` and ``silu``, saying that their derivative needs the input.

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
    if known is not None and known.input_slope is not None:
        raise ValueError(
            f"the derivative of {argument}={name_of(fn)!r} is not a function of its "
            "output: read it from the input with activations.input_derivative"
        )
    raise ValueError(
        "the backward pass knows the derivatives of 'tanh', 'sigmoid', 'relu' and "
        "'linear' (None), and of every other name of rnn.activations but 'softmax', "
        f"only; {argument}={name_of(fn)!r} is not supported in backward"
    )


def needs_input(identifier: str | Activation | None) -> bool:
    """Whether the derivative of an activation must be read from its input ``z``.

    True for ``gelu`` and ``silu`` (``swish``): each of their outputs below zero comes
    from two inputs. A backward pass keeps (or recomputes) ``z`` for them and uses
    `input_derivative`; for every other activation, `derivative` reads the output.

    Examples
    --------
    >>> from rnn import activations
    >>> activations.needs_input("gelu"), activations.needs_input("tanh")
    (True, False)
    """
    known = _known(get(identifier))
    return known is not None and known.input_slope is not None


def input_derivative(
    identifier: str | Activation | None, argument: str = "activation"
) -> Derivative | None:
    """``act'`` as ``fn(z, out)``, computed from the input ``z``; None for linear.

    Every activation `derivative` knows has one: ``gelu``'s and ``silu``'s directly,
    the others' by computing ``y = act(z)`` first.

    Raises
    ------
    ValueError
        As `derivative`, for an activation whose derivative is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import activations
    >>> z = np.array([-1.0, 0.0, 1.0])
    >>> activations.slope(activations.input_derivative("silu"), z).round(4).tolist()
    [0.0723, 0.5, 0.9277]
    >>> activations.slope(activations.input_derivative("tanh"), z).round(4).tolist()
    [0.42, 1.0, 0.42]
    """
    fn = get(identifier)
    known = _known(fn)
    if known is not None and known.input_slope is not None:
        return known.input_slope
    from_output = derivative(fn, argument)
    if from_output is None:
        return None
    return lambda z, out: from_output(np.asarray(fn(z), dtype=out.dtype), out)


def slope(d: Derivative | None, y: np.ndarray) -> np.ndarray | float:
    """Return ``act'(z)`` as a new array, read by ``d`` from ``y``.

    ``y`` is the output ``y = act(z)`` for a `derivative`, the input ``z`` for an
    `input_derivative`. It is 1.0 for linear, whose derivative is None.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import activations
    >>> y = activations.elu(np.array([-1.0, 2.0]))
    >>> activations.slope(activations.derivative("elu"), y).round(4).tolist()
    [0.3679, 1.0]
    >>> activations.slope(activations.derivative(None), y)
    1.0
    """
    if d is None:
        return 1.0
    out = np.empty_like(y)
    d(y, out)
    return out
