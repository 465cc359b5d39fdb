"""Learning-rate schedules with Keras 3's names, arguments, formulas and configs.

A schedule is a function of the optimizer's step count (``optimizer.iterations``, the
number of updates done so far) that gives the learning rate of the next update. Pass
one as ``learning_rate=`` of any optimizer, as in Keras::

    schedule = ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96)
    model.compile(optimizer=rnn.optimizers.SGD(learning_rate=schedule), loss="mse")

``optimizer.learning_rate`` then reads the schedule at the current step; setting it
raises Keras's ``TypeError`` (build the optimizer with a float to set it later).

The values are computed in float64 here; Keras computes them in its ``floatx``
(float32 by default), so the two differ in the last float32 digit at most, and the
optimizer rounds the rate to the weights' dtype anyway.

Examples
--------
>>> from rnn.optimizers import schedules
>>> schedule = schedules.PiecewiseConstantDecay(boundaries=[2, 4], values=[1.0, 0.5, 0.1])
>>> [float(schedule(step)) for step in range(6)]
[1.0, 1.0, 1.0, 0.5, 0.5, 0.1]
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

__all__ = [
    "CosineDecay",
    "ExponentialDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "deserialize",
    "serialize",
]


class LearningRateSchedule:
    """Base class of the schedules: ``schedule(step)`` gives the learning rate at ``step``.

    Subclass it for your own schedule: implement ``__call__(self, step)`` and, to save
    it in a config, ``get_config``, as in Keras.

    Examples
    --------
    >>> from rnn.optimizers import SGD
    >>> from rnn.optimizers.schedules import LearningRateSchedule
    >>> class InverseTime(LearningRateSchedule):
    ...     def __init__(self, initial_learning_rate):
    ...         self.initial_learning_rate = initial_learning_rate
    ...     def __call__(self, step):
    ...         return self.initial_learning_rate / (step + 1)
    >>> optimizer = SGD(learning_rate=InverseTime(0.1))
    >>> optimizer.learning_rate, InverseTime(0.1)(4)
    (0.1, 0.02)
    """

    def __call__(self, step: Any) -> Any:
        """Return the learning rate at optimizer step ``step`` (0 for the first update)."""
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`."
        )

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments (subclasses implement it)."""
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' "
            "must override `get_config()` in order to be serializable."
        )

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        """Build a schedule from the dict of `get_config`."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={getattr(self, 'name', None)}>"


def _check_decay_steps(decay_steps: Any) -> None:
    if decay_steps <= 0:
        raise ValueError(f"Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps}")


def _check_decay_rate(decay_rate: Any) -> None:
    """Refuse a ``decay_rate`` that is not a finite number >= 0.

    A negative base to a fractional power has no real value (Python makes it complex).
    """
    message = (
        f"Argument `decay_rate` must be a finite float >= 0. Received: decay_rate={decay_rate!r}"
    )
    if not isinstance(decay_rate, numbers.Real) or isinstance(decay_rate, bool):
        raise TypeError(f"{message} (of type {type(decay_rate).__name__})")
    if not 0 <= float(decay_rate) < math.inf:
        raise ValueError(message)


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``, as Keras 3's.

    Parameters
    ----------
    initial_learning_rate : float
    decay_steps : int
        Must be positive.
    decay_rate : float
    staircase : bool
        Use the integer part of ``step / decay_steps``: the rate drops every
        ``decay_steps`` steps instead of at every step.
    name : str

    Raises
    ------
    ValueError
        If ``decay_steps <= 0``, in Keras's wording, or ``decay_rate`` is not a finite
        float >= 0 (a negative one gives no real rate between its steps); ``TypeError``
        if it is not a number.

    Examples
    --------
    >>> from rnn.optimizers.schedules import ExponentialDecay
    >>> schedule = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> [round(float(schedule(step)), 4) for step in (0, 5, 10, 20)]
    [0.1, 0.0707, 0.05, 0.025]
    >>> staircase = ExponentialDecay(0.1, 10, 0.5, staircase=True)
    >>> [float(staircase(step)) for step in (0, 9, 10, 25)]
    [0.1, 0.1, 0.05, 0.025]
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "ExponentialDecay",
    ) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_decay_steps(decay_steps)
        _check_decay_rate(decay_rate)

    def __call__(self, step: Any) -> float:
        """Return the decayed learning rate at ``step``."""
        p = float(step) / float(self.decay_steps)
        if self.staircase:
            p = math.floor(p)
        return float(self.initial_learning_rate) * float(self.decay_rate) ** p

    def get_config(self) -> dict[str, Any]:
        """Return Keras's keys: the constructor arguments."""
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """A constant rate on each interval between ``boundaries``, as Keras 3's.

    ``values[0]`` while ``step <= boundaries[0]``, ``values[1]`` while
    ``boundaries[0] < step <= boundaries[1]``, ..., ``values[-1]`` after the last boundary.

    Parameters
    ----------
    boundaries : list of int
        Increasing step counts.
    values : list of float
        One more than ``boundaries``.
    name : str

    Raises
    ------
    ValueError
        If ``len(values) != len(boundaries) + 1``, in Keras's wording.

    Examples
    --------
    >>> from rnn.optimizers.schedules import PiecewiseConstantDecay
    >>> schedule = PiecewiseConstantDecay([100, 110], [1.0, 0.5, 0.1])
    >>> [float(schedule(step)) for step in (0, 100, 101, 110, 111)]
    [1.0, 1.0, 0.5, 0.5, 0.1]
    """

    def __init__(
        self, boundaries: Sequence[Any], values: Sequence[Any], name: str = "PiecewiseConstant"
    ) -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step: Any) -> float:
        """Return the value of the interval ``step`` falls in."""
        for boundary, value in zip(self.boundaries, self.values, strict=False):
            if step <= boundary:
                return float(value)
        return float(self.values[-1])

    def get_config(self) -> dict[str, Any]:
        """Return Keras's keys: ``boundaries``, ``values``, ``name``."""
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """A cosine decay, after an optional linear warmup, as Keras 3's.

    Without ``warmup_target``: over ``decay_steps`` steps the rate goes from
    ``initial_learning_rate`` to ``initial_learning_rate * alpha`` along half a cosine,
    ``lr * ((1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps)) + alpha)``, then
    stays there. With ``warmup_target``: first a straight line from
    ``initial_learning_rate`` to ``warmup_target`` over ``warmup_steps`` steps, then
    the same decay from ``warmup_target`` over ``decay_steps`` steps.

    Parameters
    ----------
    initial_learning_rate : float
    decay_steps : int
        Length of the decay; must be positive.
    alpha : float
        The final rate, as a fraction of the rate the decay starts from.
    name : str
    warmup_target : float, optional
        The rate reached at the end of the warmup; ``None``: no warmup.
    warmup_steps : int
        Length of the warmup (used only with ``warmup_target``).

    Raises
    ------
    ValueError
        If ``decay_steps <= 0``, in Keras's wording.

    Examples
    --------
    >>> from rnn.optimizers.schedules import CosineDecay
    >>> schedule = CosineDecay(0.1, decay_steps=100, alpha=0.1)
    >>> [round(float(schedule(step)), 4) for step in (0, 50, 100, 200)]
    [0.1, 0.055, 0.01, 0.01]
    >>> warmup = CosineDecay(0.0, decay_steps=100, warmup_target=0.1, warmup_steps=10)
    >>> [round(float(warmup(step)), 4) for step in (0, 5, 10, 60, 110)]
    [0.0, 0.05, 0.1, 0.05, 0.0]
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps
        _check_decay_steps(decay_steps)

    def _decay(self, step: float, start: float) -> float:
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / float(self.decay_steps)))
        return start * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step: Any) -> float:
        """Return the warmup's or the decay's rate at ``step``."""
        initial = float(self.initial_learning_rate)
        if self.warmup_target is None:
            return self._decay(min(float(step), float(self.decay_steps)), initial)
        warmup_steps = float(self.warmup_steps)
        step = min(float(step), float(self.decay_steps) + warmup_steps)
        if step < warmup_steps:
            return (float(self.warmup_target) - initial) * (step / warmup_steps) + initial
        return self._decay(step - warmup_steps, float(self.warmup_target))

    def get_config(self) -> dict[str, Any]:
        """Return Keras's keys, in Keras's order."""
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


_BY_NAME: dict[str, type[LearningRateSchedule]] = {
    cls.__name__: cls for cls in (ExponentialDecay, PiecewiseConstantDecay, CosineDecay)
}


def serialize(schedule: LearningRateSchedule) -> dict[str, Any]:
    """Return Keras's serialized form of a schedule (what an optimizer's config holds).

    Examples
    --------
    >>> from rnn.optimizers.schedules import ExponentialDecay, deserialize, serialize
    >>> config = serialize(ExponentialDecay(0.1, 10, 0.5))
    >>> config["class_name"], config["config"]["decay_rate"]
    ('ExponentialDecay', 0.5)
    >>> deserialize(config)(10)
    0.05
    """
    return {
        "module": "keras.optimizers.schedules",
        "class_name": type(schedule).__name__,
        "config": schedule.get_config(),
        "registered_name": None,
    }


def deserialize(config: dict[str, Any]) -> LearningRateSchedule:
    """Build a schedule from Keras's serialized form (see `serialize`).

    Raises
    ------
    ValueError
        If the class is not one of this module's schedules.

    Examples
    --------
    >>> from rnn.optimizers.schedules import deserialize
    >>> config = {"class_name": "PiecewiseConstantDecay",
    ...           "config": {"boundaries": [1], "values": [0.1, 0.01]}}
    >>> [deserialize(config)(step) for step in (0, 1, 2)]
    [0.1, 0.1, 0.01]
    """
    name = config.get("class_name") if isinstance(config, dict) else None
    if name not in _BY_NAME:
        raise ValueError(f"Could not interpret learning rate schedule: {config}")
    return _BY_NAME[name].from_config(dict(config.get("config", {})))
