"""Weight constraints, with Keras 3's names, defaults and configs.

A constraint is a callable that takes a weight and returns it projected back into an
allowed set: non-negative, or with each unit's incoming weights of bounded norm. A layer
takes them as ``kernel_constraint``, ``recurrent_constraint``, ``bias_constraint``
(``embeddings_constraint`` for `Embedding`); training applies each one to its weight
right after every optimizer update, as Keras's optimizers do. Only weights the optimizer
updates (trainable ones) are constrained.

The norms are computed over ``axis`` (0: the incoming weights of each unit of a
``(inputs, units)`` kernel), with Keras's ``epsilon`` 1e-7 in the denominator.

Examples
--------
>>> import numpy as np
>>> from rnn import constraints
>>> w = np.array([[3.0, -1.0], [4.0, 0.0]])
>>> constraints.MaxNorm(2.0)(w).round(4).tolist()  # column norms 5 and 1: the first is cut to 2
[[1.2, -1.0], [1.6, 0.0]]
>>> constraints.get("non_neg")(w).tolist()
[[3.0, 0.0], [4.0, 0.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rnn._arguments import check_number
from rnn._registry import from_serialized, get_object, serialized

__all__ = [
    "Constraint",
    "MaxNorm",
    "MinMaxNorm",
    "NonNeg",
    "UnitNorm",
    "deserialize",
    "get",
    "max_norm",
    "min_max_norm",
    "non_neg",
    "serialize",
    "unit_norm",
]

#: Keras's fuzz factor, ``keras.config.epsilon()``, added to every norm
EPSILON = 1e-7

Axis = int | Sequence[int]


def _norms(w: np.ndarray, axis: Axis) -> np.ndarray:
    ax = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    return np.sqrt(np.sum(np.square(w), axis=ax, keepdims=True))


class Constraint:
    """Base class of constraints: a callable ``w -> projected w``; the base returns ``w``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.constraints import Constraint
    >>> class Clip(Constraint):
    ...     def __call__(self, w):
    ...         return np.clip(w, -1, 1)
    >>> Clip()(np.array([-3.0, 0.5])).tolist(), Clip().get_config()
    ([-1.0, 0.5], {})
    """

    def __call__(self, w: np.ndarray) -> np.ndarray:
        """Return ``w`` unchanged."""
        return w

    def get_config(self) -> dict[str, Any]:
        """Return the constructor's arguments: none for the base class."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constraint:
        """Make the constraint again from `get_config`'s output."""
        return cls(**config)


class MaxNorm(Constraint):
    """Scale each unit's incoming weights down to a norm of at most ``max_value``.

    ``w * clip(n, 0, max_value) / (epsilon + n)`` with ``n`` the norms over ``axis``.

    Parameters
    ----------
    max_value : float
        Default 2.
    axis : int or tuple of int
        Default 0: the columns of a ``(inputs, units)`` kernel.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.constraints import MaxNorm
    >>> w = MaxNorm(1.0)(np.array([[3.0], [4.0]]))
    >>> w.round(6).tolist(), MaxNorm().get_config()
    ([[0.6], [0.8]], {'max_value': 2, 'axis': 0})
    """

    def __init__(self, max_value: float = 2, axis: Axis = 0) -> None:
        self.max_value = check_number("max_value", max_value, minimum=0)
        self.axis = axis

    def __call__(self, w: np.ndarray) -> np.ndarray:
        """Return ``w`` with its norms over ``axis`` cut to ``max_value``."""
        w = np.asarray(w)
        norms = _norms(w, self.axis)
        desired = np.clip(norms, 0, self.max_value)
        return (w * (desired / (EPSILON + norms))).astype(w.dtype, copy=False)

    def get_config(self) -> dict[str, Any]:
        """``{"max_value": ..., "axis": ...}``."""
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Set the negative weights to zero.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.constraints import NonNeg
    >>> NonNeg()(np.array([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """

    def __call__(self, w: np.ndarray) -> np.ndarray:
        """Return ``max(w, 0)``."""
        return np.maximum(np.asarray(w), 0)


class UnitNorm(Constraint):
    """Scale each unit's incoming weights to a norm of 1: ``w / (epsilon + n)``.

    Parameters
    ----------
    axis : int or tuple of int
        Default 0.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.constraints import UnitNorm
    >>> UnitNorm()(np.array([[3.0], [4.0]])).round(6).tolist()
    [[0.6], [0.8]]
    """

    def __init__(self, axis: Axis = 0) -> None:
        self.axis = axis

    def __call__(self, w: np.ndarray) -> np.ndarray:
        """Return ``w`` divided by its norms over ``axis``."""
        w = np.asarray(w)
        return (w / (EPSILON + _norms(w, self.axis))).astype(w.dtype, copy=False)

    def get_config(self) -> dict[str, Any]:
        """``{"axis": ...}``."""
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Move each unit's incoming weights' norm into ``[min_value, max_value]``.

    The norm becomes ``rate * clip(n, min_value, max_value) + (1 - rate) * n``: with
    ``rate=1`` (default) exactly into the interval, with less part of the way.

    Parameters
    ----------
    min_value : float
        Default 0.0.
    max_value : float
        Default 1.0.
    rate : float
        Default 1.0.
    axis : int or tuple of int
        Default 0.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.constraints import MinMaxNorm
    >>> MinMaxNorm(min_value=1.0, max_value=2.0)(np.array([[0.3], [0.4]])).round(6).tolist()
    [[0.6], [0.8]]
    """

    def __init__(
        self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: Axis = 0
    ) -> None:
        self.min_value = check_number("min_value", min_value, minimum=0)
        self.max_value = check_number("max_value", max_value, minimum=0)
        self.rate = check_number("rate", rate, minimum=0)
        if min_value > max_value or rate > 1:
            raise ValueError(
                "MinMaxNorm needs 0 <= min_value <= max_value and a rate in [0, 1]. "
                f"Received: min_value={min_value}, max_value={max_value}, rate={rate}"
            )
        self.axis = axis

    def __call__(self, w: np.ndarray) -> np.ndarray:
        """Return ``w`` rescaled so that its norms move into the interval."""
        w = np.asarray(w)
        norms = _norms(w, self.axis)
        desired = (
            self.rate * np.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        )
        return (w * (desired / (EPSILON + norms))).astype(w.dtype, copy=False)

    def get_config(self) -> dict[str, Any]:
        """``min_value``, ``max_value``, ``rate`` and ``axis``."""
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


# Keras's lower-case names of the classes (keras.constraints.max_norm is MaxNorm)
max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm

_CLASSES: dict[str, type[Constraint]] = {
    "Constraint": Constraint,
    "MaxNorm": MaxNorm,
    "MinMaxNorm": MinMaxNorm,
    "NonNeg": NonNeg,
    "UnitNorm": UnitNorm,
}
_BY_NAME: dict[str, type[Constraint]] = {
    **_CLASSES,
    "constraint": Constraint,
    "max_norm": MaxNorm,
    "min_max_norm": MinMaxNorm,
    "non_neg": NonNeg,
    "unit_norm": UnitNorm,
}


def serialize(constraint: Any) -> dict[str, Any] | None:
    """Return Keras 3's serialized form of a constraint, as layers' configs hold it.

    Examples
    --------
    >>> from rnn import constraints
    >>> constraints.serialize(constraints.NonNeg())
    {'module': 'keras.constraints', 'class_name': 'NonNeg', 'config': {}, 'registered_name': None}
    """
    return None if constraint is None else serialized(constraint, "keras.constraints")


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Any:
    """Make a constraint from `serialize`'s output (or ``{"class_name", "config"}``).

    Raises
    ------
    ValueError
        For a class found neither in ``custom_objects`` nor here.

    Examples
    --------
    >>> from rnn import constraints
    >>> constraints.deserialize({"class_name": "MaxNorm", "config": {"max_value": 3}}).max_value
    3
    """
    return from_serialized(config, _CLASSES, "constraint", custom_objects)


def get(identifier: Any) -> Any:
    """Return a constraint for a name, a config, a constraint or a callable (None: None).

    Names are Keras 3's: ``"max_norm"``, ``"non_neg"``, ``"unit_norm"``,
    ``"min_max_norm"`` and the class names, each with its defaults.

    Raises
    ------
    ValueError
        For anything else, in Keras's wording.

    Examples
    --------
    >>> from rnn import constraints
    >>> constraints.get("max_norm").get_config()
    {'max_value': 2, 'axis': 0}
    >>> constraints.get("positive")
    Traceback (most recent call last):
    ...
    ValueError: Could not interpret constraint identifier: positive
    """
    return get_object(identifier, _BY_NAME, Constraint, "constraint", _CLASSES)
