"""Weight and activity penalties, with Keras 3's names, defaults and configs.

A regularizer is a callable of one array that returns a penalty, a float, which training
adds to the loss. A layer takes them as ``kernel_regularizer``, ``recurrent_regularizer``,
``bias_regularizer`` (``embeddings_regularizer`` for `Embedding`), each penalising one
weight, and ``activity_regularizer``, penalising the layer's output: its penalty is
divided by the batch size (the output's first axis), as Keras 3 divides it.

``fit`` and ``train_on_batch`` add every penalty of the model's layers (``layer.losses``)
to the loss they minimise and report, and the penalty's gradient to the weights'
gradients, as Keras does. A penalty only counts for trainable weights.

Training in NumPy needs each penalty's gradient: the regularizers here have a
`Regularizer.gradient` method, not a Keras one; your own regularizer needs one too to be
trained with (a plain function has none and raises ``ValueError`` in training).

Examples
--------
>>> import numpy as np
>>> from rnn import regularizers
>>> w = np.array([[1.0, -2.0], [0.0, 3.0]])
>>> regularizers.L2(0.5)(w), round(regularizers.L1(0.1)(w), 6)
(7.0, 0.6)
>>> regularizers.get("l2").get_config()
{'l2': 0.01}
>>> regularizers.L2(0.5).gradient(w).tolist()
[[1.0, -2.0], [0.0, 3.0]]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from rnn import config
from rnn._registry import from_serialized, get_object, serialized

__all__ = [
    "L1",
    "L1L2",
    "L2",
    "Regularizer",
    "deserialize",
    "get",
    "l1",
    "l1_l2",
    "l2",
    "serialize",
]


def _factor(value: Any, name: str) -> float:
    """``value`` as a float if it is a non-negative finite number, else Keras's ValueError."""
    if not isinstance(value, (float, int)) or math.isinf(value) or math.isnan(value) or value < 0:
        raise ValueError(
            f"Invalid value for argument {name}: expected a non-negative float."
            f"Received: {name}={value}"
        )
    return float(value)


class Regularizer:
    """Base class of regularizers: a callable ``penalty = regularizer(x)``.

    Subclass it with ``__call__`` (the penalty, a float), `gradient` (its gradient with
    respect to ``x``, ``x``'s shape) and ``get_config``. The base class's penalty is 0.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.regularizers import Regularizer
    >>> class Sum(Regularizer):
    ...     def __call__(self, x):
    ...         return float(np.sum(x))
    ...     def gradient(self, x):
    ...         return np.ones_like(x)
    ...     def get_config(self):
    ...         return {}
    >>> Sum()(np.array([1.0, 2.0])), Sum().gradient(np.array([1.0, 2.0])).tolist()
    (3.0, [1.0, 1.0])
    """

    def __call__(self, x: np.ndarray) -> float:
        """Return the penalty of ``x``: 0.0 for the base class."""
        return 0.0

    def gradient(self, x: np.ndarray) -> np.ndarray:
        """Return the gradient of the penalty with respect to ``x`` (``x``'s shape).

        Not a Keras method: NumPy has no automatic differentiation, so training reads
        the penalty's gradient here.
        """
        return np.zeros_like(np.asarray(x))

    def get_config(self) -> dict[str, Any]:
        """Return the constructor's arguments (subclasses must override this).

        Raises
        ------
        NotImplementedError
            In Keras's wording, for a regularizer that does not override it.
        """
        raise NotImplementedError(f"{self} does not implement get_config()")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        """Make the regularizer again from `get_config`'s output."""
        return cls(**config)


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x ** 2)``.

    Parameters
    ----------
    l1 : float
        Non-negative; default 0.0 (Keras 3's).
    l2 : float
        Non-negative; default 0.0.

    Notes
    -----
    Keras 3's string ``"l1l2"`` (or ``"L1L2"``) gives ``L1L2()``: both factors 0, no
    penalty. Keras 3 does not know the string ``"l1_l2"``; ``rnn`` accepts it with the
    factors Keras documents for it and Keras 2 used, ``l1=0.01, l2=0.01``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.regularizers import L1L2
    >>> reg = L1L2(l1=0.1, l2=1.0)
    >>> round(reg(np.array([1.0, -2.0])), 6), reg.gradient(np.array([1.0, -2.0])).tolist()
    (5.3, [2.1, -4.1])
    >>> reg.get_config()
    {'l1': 0.1, 'l2': 1.0}
    """

    def __init__(self, l1: float | None = 0.0, l2: float | None = 0.0) -> None:
        self.l1 = _factor(0.0 if l1 is None else l1, "l1")
        self.l2 = _factor(0.0 if l2 is None else l2, "l2")

    def __call__(self, x: np.ndarray) -> float:
        """Return the penalty of ``x``."""
        x = np.asarray(x)
        penalty = 0.0
        if self.l1:
            penalty += self.l1 * float(np.sum(np.abs(x)))
        if self.l2:
            penalty += self.l2 * float(np.sum(np.square(x)))
        return penalty

    def gradient(self, x: np.ndarray) -> np.ndarray:
        """``l1 * sign(x) + 2 * l2 * x`` (the sign of 0 is 0)."""
        x = np.asarray(x)
        grad = np.zeros_like(x)
        if self.l1:
            grad = grad + self.l1 * np.sign(x)
        if self.l2:
            grad = grad + 2 * self.l2 * x
        return grad.astype(x.dtype, copy=False)

    def get_config(self) -> dict[str, Any]:
        """``{"l1": ..., "l2": ...}``."""
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """``l1 * sum(|x|)``: pushes weights to exactly zero.

    Parameters
    ----------
    l1 : float
        Non-negative; default 0.01. As Keras 3 stores it in the default dtype (`floatx`)
        of the moment, the factor is, in float32 (the default), the float32 nearest to it
        (``0.01`` is ``0.009999999776482582``), in the penalty and in the config.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.regularizers import L1
    >>> round(L1(0.5)(np.array([1.0, -2.0])), 6), L1(0.5).gradient(np.array([1.0, -2.0])).tolist()
    (1.5, [0.5, -0.5])
    >>> L1().get_config()
    {'l1': 0.009999999776482582}
    """

    def __init__(self, l1: float | None = 0.01) -> None:
        factor = _factor(0.01 if l1 is None else l1, "l1")
        self.l1 = float(np.asarray(factor, dtype=config.floatx()))

    def __call__(self, x: np.ndarray) -> float:
        """Return the penalty of ``x``."""
        return self.l1 * float(np.sum(np.abs(np.asarray(x))))

    def gradient(self, x: np.ndarray) -> np.ndarray:
        """``l1 * sign(x)`` (the sign of 0 is 0)."""
        x = np.asarray(x)
        return (self.l1 * np.sign(x)).astype(x.dtype, copy=False)

    def get_config(self) -> dict[str, Any]:
        """``{"l1": ...}``."""
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x ** 2)``: weight decay, pulls large weights in.

    Parameters
    ----------
    l2 : float
        Non-negative; default 0.01.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.regularizers import L2
    >>> L2(0.5)(np.array([1.0, -2.0])), L2(0.5).gradient(np.array([1.0, -2.0])).tolist()
    (2.5, [1.0, -2.0])
    """

    def __init__(self, l2: float | None = 0.01) -> None:
        self.l2 = _factor(0.01 if l2 is None else l2, "l2")

    def __call__(self, x: np.ndarray) -> float:
        """Return the penalty of ``x``."""
        return self.l2 * float(np.sum(np.square(np.asarray(x))))

    def gradient(self, x: np.ndarray) -> np.ndarray:
        """``2 * l2 * x``."""
        x = np.asarray(x)
        return (2 * self.l2 * x).astype(x.dtype, copy=False)

    def get_config(self) -> dict[str, Any]:
        """``{"l2": ...}``."""
        return {"l2": self.l2}


# Keras's lower-case names of the classes (keras.regularizers.l1 is L1)
l1 = L1
l2 = L2
l1_l2 = L1L2

_BY_NAME: dict[str, Callable[[], Regularizer]] = {
    "Regularizer": Regularizer,
    "regularizer": Regularizer,
    "L1": L1,
    "l1": L1,
    "L2": L2,
    "l2": L2,
    "L1L2": L1L2,
    "l1l2": L1L2,
    "l1_l2": lambda: L1L2(l1=0.01, l2=0.01),  # not Keras 3's: see L1L2
}
_CLASSES: dict[str, type[Regularizer]] = {"Regularizer": Regularizer, "L1": L1, "L2": L2}
_CLASSES["L1L2"] = L1L2


def serialize(regularizer: Any) -> dict[str, Any] | None:
    """Return Keras 3's serialized form of a regularizer, as layers' configs hold it.

    Examples
    --------
    >>> from rnn import regularizers
    >>> config = regularizers.serialize(regularizers.L2(0.1))
    >>> config["module"], config["class_name"], config["config"], config["registered_name"]
    ('keras.regularizers', 'L2', {'l2': 0.1}, None)
    """
    return None if regularizer is None else serialized(regularizer, "keras.regularizers")


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Any:
    """Make a regularizer from `serialize`'s output (or ``{"class_name", "config"}``).

    Raises
    ------
    ValueError
        For a class found neither in ``custom_objects`` nor here.

    Examples
    --------
    >>> from rnn import regularizers
    >>> regularizers.deserialize({"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.5}}).l2
    0.5
    """
    return from_serialized(config, _CLASSES, "regularizer", custom_objects)


def get(identifier: Any) -> Any:
    """Return a regularizer for a name, a config, a regularizer or a callable (None: None).

    Names are Keras 3's: ``"l1"`` (``L1()``, 0.01), ``"l2"`` (``L2()``, 0.01), ``"l1l2"``
    (``L1L2()``, no penalty), the class names, and ``"l1_l2"`` (0.01 each; see `L1L2`).

    Raises
    ------
    ValueError
        For anything else, in Keras's wording.

    Examples
    --------
    >>> from rnn import regularizers
    >>> type(regularizers.get("l1")).__name__, regularizers.get(None)
    ('L1', None)
    >>> regularizers.get("l3")
    Traceback (most recent call last):
    ...
    ValueError: Could not interpret regularizer identifier: l3
    """
    return get_object(identifier, _BY_NAME, Regularizer, "regularizer", _CLASSES)


def _gradient_of(regularizer: Any, x: np.ndarray, argument: str = "regularizer") -> np.ndarray:
    """Return ``regularizer``'s gradient at ``x``, for training.

    Raises
    ------
    ValueError
        For a regularizer without a ``gradient`` method (a plain function).
    """
    grad = getattr(regularizer, "gradient", None)
    if grad is None:
        raise ValueError(
            f"{argument}={regularizer!r} has no `gradient(x)` method: training in NumPy "
            "needs the gradient of each penalty. Use rnn.regularizers.L1, L2 or L1L2, or "
            "subclass rnn.regularizers.Regularizer with `__call__` and `gradient`."
        )
    return np.asarray(grad(x))
