"""Optimizers with Keras 3's names, defaults and update rules: `SGD`, `RMSprop`, `Adam`, `AdamW`.

An optimizer updates a list of weight arrays **in place** from their gradients::

    optimizer.apply(grads, weights)

It keeps one state per weight (momentum, moving averages...), created on the
first call, so it must always be given the same weights in the same order.
The arithmetic is done in each weight's dtype (float32 by default), in the
same order of operations as Keras, so a few steps give Keras's numbers.

Before the update, gradients can be clipped as in Keras: ``clipnorm`` rescales
each gradient whose L2 norm exceeds it, ``global_clipnorm`` rescales all of them
together when their joint norm exceeds it, ``clipvalue`` clips each element to
``[-clipvalue, clipvalue]`` (at most one of the three). Then, with ``weight_decay``
(every optimizer has it; `AdamW` is `Adam` with ``weight_decay=0.004``), each weight is
multiplied by ``1 - weight_decay * learning_rate``: Keras 3's decoupled decay.

``learning_rate`` may be a schedule of :mod:`rnn.optimizers.schedules`, as in Keras.

Examples
--------
>>> import numpy as np
>>> from rnn.optimizers import SGD
>>> w = np.array([1.0, 2.0], dtype=np.float32)
>>> SGD(learning_rate=0.1).apply([np.array([1.0, -1.0])], [w])
>>> w.dtype.name, [round(float(v), 4) for v in w]
('float32', [0.9, 2.1])
"""

from __future__ import annotations

import math
import numbers
import re
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rnn import _registry, config
from rnn._naming import auto_name
from rnn.optimizers import schedules
from rnn.optimizers.schedules import LearningRateSchedule

# ------------------------------------------------------------------- the base class

#: the default name of a model variable the optimizer was given without one (Keras's
#: name for a bare ``keras.Variable``)
_VARIABLE = "variable"


def _is_number(value: Any) -> bool:
    """Whether ``value`` is a real number (a Python or NumPy int or float, not a bool)."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _check_setting(name: str, value: Any, expected: str, ok: Callable[[float], bool]) -> Any:
    """Return ``value`` if it is a number that ``ok`` accepts, else raise.

    The message says ``expected`` (e.g. ``"a float between [0, 1)"``) and the value
    received: ``TypeError`` for what is not a number, ``ValueError`` for a number
    out of range (NaN included: every comparison with it is false).
    """
    if not _is_number(value):
        raise TypeError(
            f"`{name}` must be {expected}. Received: {name}={value!r} "
            f"(of type {type(value).__name__})"
        )
    if not ok(float(value)):
        raise ValueError(f"`{name}` must be {expected}. Received: {name}={value!r}")
    return value


def _check_optional(name: str, value: Any, expected: str, ok: Callable[[float], bool]) -> Any:
    """`_check_setting` for an argument whose ``None`` means "not used"."""
    if value is None:
        return None
    return _check_setting(name, value, f"{expected} (or None)", ok)


def _check_flag(name: str, value: Any) -> Any:
    """Return ``value`` if it is a bool (or NumPy's, or the int 0 or 1), else ``TypeError``."""
    if isinstance(value, (bool, np.bool_)) or (
        isinstance(value, numbers.Integral) and value in (0, 1)
    ):
        return value
    raise TypeError(
        f"`{name}` must be a bool (True or False). Received: {name}={value!r} "
        f"(of type {type(value).__name__})"
    )


def _fraction(name: str, value: Any, one: bool = False) -> Any:
    """Check a decay rate or momentum: in ``[0, 1]`` with ``one``, else in ``[0, 1)``."""
    if one:
        return _check_setting(name, value, "a float between [0, 1]", lambda v: 0 <= v <= 1)
    return _check_setting(name, value, "a float between [0, 1)", lambda v: 0 <= v < 1)


def _epsilon(value: Any) -> Any:
    """Check ``epsilon``: a finite float > 0.

    With 0, a gradient entry that is 0 from the start (an unused embedding row, a
    masked step) gives 0 / 0 = NaN; a negative one divides by zero or takes the
    square root of a negative number.
    """
    return _check_setting(
        "epsilon", value, "a finite float > 0", lambda v: math.isfinite(v) and v > 0
    )


#: what a learning rate must be, in the messages
_RATE = "a finite float >= 0"


def _check_learning_rate(learning_rate: Any) -> Any:
    """Return a number as a float, a schedule or a callable as it is; else raise.

    A negative rate would train uphill and a NaN or infinite one make every weight
    NaN: both are refused (Keras accepts them).
    """
    if isinstance(learning_rate, LearningRateSchedule) or callable(learning_rate):
        return learning_rate
    if _is_number(learning_rate):
        rate = float(learning_rate)
        if not (math.isfinite(rate) and rate >= 0):
            raise ValueError(
                f"`learning_rate` must be {_RATE}: a negative rate trains uphill, a NaN "
                f"or infinite one makes every weight NaN. Received: "
                f"learning_rate={learning_rate!r}"
            )
        return rate
    raise ValueError(
        "Argument `learning_rate` should be float, or an instance of LearningRateSchedule, "
        "or a callable (that takes in the current iteration value and returns the "
        "corresponding learning rate value). "
        f"Received instead: learning_rate={learning_rate}"
    )


class Optimizer:
    """Base class: clipping, weight decay, one state per weight, and the step counter.

    Parameters
    ----------
    learning_rate : float, LearningRateSchedule or callable
        A number; a schedule of :mod:`rnn.optimizers.schedules`, read at each step;
        or a function without arguments that returns the rate (as in Keras).
    weight_decay : float, optional
        Keras 3's decoupled weight decay: before each update, every weight (unless
        excluded with `exclude_from_weight_decay`) is multiplied by
        ``1 - weight_decay * learning_rate``, after the gradients are clipped and
        before the optimizer's own rule runs; the gradients are not changed.
    clipnorm : float, optional
        Rescale each weight's gradient to at most this norm, as in Keras.
    clipvalue : float, optional
        Clip every entry of every gradient to ``[-clipvalue, clipvalue]``.
    global_clipnorm : float, optional
        Rescale all the gradients together to at most this joint norm. At most one of
        the three clipping arguments may be given.
    use_ema : bool
        Keras's moving average of the weights: only ``False`` (the default) is
        supported; ``True`` raises ``ValueError``. Accepted so that Keras's configs load.
    ema_momentum : float
        Kept in the config (used by Keras only with ``use_ema=True``).
    ema_overwrite_frequency : int, optional
        Kept in the config (used by Keras only with ``use_ema=True``).
    gradient_accumulation_steps : int, optional
        Only ``None`` (the default) is supported; another value raises ``ValueError``.
    loss_scale_factor : float, optional
        Accepted and kept in the config; it changes nothing here: Keras multiplies
        the loss by it and divides the gradients by it again, for mixed precision,
        which ``rnn`` does not use.
    name : str, optional
        Default: Keras's, the snake-case class name made unique in the session
        (``"adam"``, then ``"adam_1"``; ``"rm_sprop"`` for `RMSprop`).

    Attributes
    ----------
    iterations : int
        Number of updates applied so far.

    Raises
    ------
    ValueError
        For a ``learning_rate`` that is negative, NaN or infinite (Keras accepts them:
        a negative rate trains uphill, a NaN one makes every weight NaN), or not a
        number, schedule or callable (Keras's wording); a ``weight_decay`` that is
        negative, NaN or infinite; a ``clipnorm`` or ``global_clipnorm`` that is not
        finite and > 0, a ``clipvalue`` that is not > 0 (Keras ignores them
        silently); more than one of the three; ``use_ema=True`` or
        ``gradient_accumulation_steps``; an unknown keyword argument. Each message
        names the argument, what it must be and the value received.
    TypeError
        For ``weight_decay`` or a clipping argument that is not a number.

    Examples
    --------
    Keras 3's variables: the step counter, the learning rate, then the state
    of each weight (named after the weight; ``"variable"``, ``"variable_1"``... when
    `build` was given no names):

    >>> import numpy as np
    >>> from rnn.optimizers import Adam
    >>> optimizer = Adam(weight_decay=0.01)
    >>> optimizer.apply([np.ones((2, 3)), np.ones(3)], [np.ones((2, 3)), np.zeros(3)])
    >>> optimizer.variable_names
    ['iteration', 'learning_rate', 'variable_momentum', 'variable_velocity', \
'variable_1_momentum', 'variable_1_velocity']
    >>> [v.shape for v in optimizer.variables]
    [(), (), (2, 3), (2, 3), (3,), (3,)]
    """

    default_learning_rate = 0.001

    def __init__(
        self,
        learning_rate: Any = None,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if kwargs.pop("decay", None) is not None:
            warnings.warn(
                "Argument `decay` is no longer supported and will be ignored.", stacklevel=2
            )
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if gradient_accumulation_steps is not None and not gradient_accumulation_steps >= 2:
            raise ValueError(
                "`gradient_accumulation_steps` must be an integer >= 2. "
                f"Received: gradient_accumulation_steps={gradient_accumulation_steps}"
            )
        if use_ema or gradient_accumulation_steps is not None:
            raise ValueError(
                "rnn's optimizers support neither `use_ema=True` nor "
                "`gradient_accumulation_steps`; received "
                f"use_ema={use_ema}, gradient_accumulation_steps={gradient_accumulation_steps}."
            )
        positive = "a finite float > 0"
        _check_optional("clipnorm", clipnorm, positive, lambda v: 0 < v < math.inf)
        _check_optional("global_clipnorm", global_clipnorm, positive, lambda v: 0 < v < math.inf)
        _check_optional("clipvalue", clipvalue, "a float > 0", lambda v: v > 0)
        _check_optional(
            "weight_decay", weight_decay, "a finite float >= 0", lambda v: 0 <= v < math.inf
        )
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        self._learning_rate: Any = _check_learning_rate(
            self.default_learning_rate if learning_rate is None else learning_rate
        )
        self._learning_rate_dtype = np.dtype(config.floatx())
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.name = name or auto_name(type(self).__name__)
        self.iterations = 0
        self._built = False
        self._variables: list[np.ndarray] = []
        self._variable_names: list[str] = []
        self._slots: list[dict[str, np.ndarray]] = []
        self._exclude_ids: set[int] = set()
        self._exclude_pattern: re.Pattern[str] | None = None

    # ------------------------------------------------------------ learning rate
    @property
    def learning_rate(self) -> float:
        """The learning rate of the next update (a schedule is read at `iterations`).

        Settable, as in Keras, to a number, a schedule or a callable; but an optimizer
        built with a schedule raises Keras's ``TypeError`` when set to a number, and a
        negative, NaN or infinite number raises ``ValueError`` (as the constructor does).

        Examples
        --------
        >>> from rnn.optimizers import SGD
        >>> from rnn.optimizers.schedules import ExponentialDecay
        >>> optimizer = SGD(learning_rate=0.1)
        >>> optimizer.learning_rate = 0.05
        >>> optimizer.learning_rate
        0.05
        >>> scheduled = SGD(learning_rate=ExponentialDecay(0.1, 10, 0.5))
        >>> scheduled.learning_rate = 0.05
        Traceback (most recent call last):
        ...
        TypeError: This optimizer was created with a `LearningRateSchedule` object as its \
`learning_rate` constructor argument, hence its learning rate is not settable. If you need \
the learning rate to be settable, you should instantiate the optimizer with a float \
`learning_rate` argument.
        """
        rate = self._learning_rate
        if isinstance(rate, LearningRateSchedule):
            return float(rate(self.iterations))
        if callable(rate):
            return float(rate())
        return float(rate)

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if not (isinstance(value, LearningRateSchedule) or callable(value)) and isinstance(
            self._learning_rate, LearningRateSchedule
        ):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not "
                "settable. If you need the learning rate to be settable, you should "
                "instantiate the optimizer with a float `learning_rate` argument."
            )
        self._learning_rate = _check_learning_rate(value)

    def _checked_rate(self) -> float:
        """Return `learning_rate`, checked: a schedule or a callable may give any number.

        Raises
        ------
        ValueError
            If the rate of this step is negative, NaN or infinite.
        """
        rate = self.learning_rate
        if not (math.isfinite(rate) and rate >= 0):
            source = self._learning_rate
            kind = "schedule" if isinstance(source, LearningRateSchedule) else "callable"
            raise ValueError(
                f"The learning rate at step {self.iterations} is {rate!r}, from the {kind} "
                f"{getattr(source, '__name__', type(source).__name__)}: a learning rate must "
                f"be {_RATE} (a negative rate trains uphill, a NaN or infinite one makes "
                "every weight NaN)."
            )
        return rate

    # ------------------------------------------------------------------ state
    def slot_names(self) -> tuple[str, ...]:
        """Names of the per-weight state arrays (e.g. ``("momentum", "velocity")``)."""
        return tuple(name for group in self._slot_groups() for name in group)

    def _slot_groups(self) -> tuple[tuple[str, ...], ...]:
        """Return the state's names in Keras's order of creation.

        Each group is created for every weight in turn (e.g. Adam's
        ``("momentum", "velocity")``: both for the first weight, then both for the
        second...), one group after the other.
        """
        return ()

    def build(self, variables: Sequence[np.ndarray], names: Sequence[str] | None = None) -> None:
        """Create the zero-initialised state of each weight.

        Parameters
        ----------
        variables : list of numpy.ndarray
            The weights this optimizer will update, in order.
        names : list of str, optional
            Their Keras paths (``"sequential/dense/kernel"``): they name the state
            (``"sequential_dense_kernel_momentum"``) and are what
            ``exclude_from_weight_decay(var_names=...)`` matches, as in Keras. Default:
            ``"variable"``, ``"variable_1"``, ...: the names Keras gives variables
            created without one in a fresh session.
        """
        self._variables = list(variables)
        if names is None:
            names = [_VARIABLE if i == 0 else f"{_VARIABLE}_{i}" for i in range(len(variables))]
        elif len(names) != len(self._variables):
            raise ValueError(
                f"Got {len(names)} names for {len(self._variables)} variables: they must match."
            )
        self._variable_names = list(names)
        self._slots = [{n: np.zeros_like(v) for n in self.slot_names()} for v in variables]
        self._built = True

    @property
    def built(self) -> bool:
        """Whether the state exists (after `build` or the first :meth:`apply`)."""
        return self._built

    def _own_variables(self) -> list[tuple[str, np.ndarray]]:
        counter = [("iteration", np.array(self.iterations, dtype=np.int32))]
        if not callable(self._learning_rate):
            rate = np.array(self._learning_rate, dtype=self._learning_rate_dtype)
            counter.append(("learning_rate", rate))
        state = [
            (f"{path.replace('/', '_')}_{slot}", slots[slot])
            for group in self._slot_groups()
            for path, slots in zip(self._variable_names, self._slots, strict=True)
            for slot in group
        ]
        return counter + state

    @property
    def variables(self) -> list[np.ndarray]:
        """Keras 3's ``optimizer.variables``, in its order, shapes and dtypes.

        The step counter (``iteration``, int32, a copy), the learning rate (in the
        ``floatx`` of the optimizer's construction, a copy; absent when it is a
        schedule or a callable), then the state of the weights (the live arrays): for
        Adam the momentum and the velocity of each weight in turn, then the
        ``velocity_hat`` of each with ``amsgrad``; for RMSprop every velocity, then
        every momentum, then every average gradient; for SGD with momentum every
        momentum. `variable_names` names them.
        """
        return [array for _, array in self._own_variables()]

    @property
    def variable_names(self) -> list[str]:
        """The Keras name of each of `variables` (its path is ``f"{self.name}/{name}"``)."""
        return [name for name, _ in self._own_variables()]

    def _summary_params(self) -> tuple[int, int]:
        """Return what Keras 3's ``model.summary()`` counts as "Optimizer params".

        Returns ``(count, bytes)``: the number of entries of `variables` and their
        size in bytes (4 for the int32 counter, the itemsize of the rest). Keras prints
        the line, and adds both to the totals, only once the optimizer is `built`.
        """
        variables = self.variables
        return sum(v.size for v in variables), sum(v.nbytes for v in variables)

    # ------------------------------------------------------------ weight decay
    def exclude_from_weight_decay(
        self, var_list: Sequence[np.ndarray] | None = None, var_names: Sequence[str] | None = None
    ) -> None:
        """Leave some weights out of the weight decay, as Keras's method of this name.

        Parameters
        ----------
        var_list : list of numpy.ndarray, optional
            These arrays (the very objects) are not decayed.
        var_names : list of str, optional
            A weight whose name (the last part of the path given to `build`, e.g.
            ``"bias"``) contains one of these strings is not decayed.

        Examples
        --------
        >>> import numpy as np
        >>> from rnn.optimizers import SGD
        >>> kernel, bias = np.ones(2), np.ones(2)
        >>> optimizer = SGD(learning_rate=0.1, weight_decay=0.5)
        >>> optimizer.exclude_from_weight_decay(var_list=[bias])
        >>> optimizer.apply([np.zeros(2), np.zeros(2)], [kernel, bias])
        >>> kernel.tolist(), bias.tolist()
        ([0.95, 0.95], [1.0, 1.0])
        """
        self._exclude_ids = {id(v) for v in var_list or ()}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, index: int) -> bool:
        if id(self._variables[index]) in self._exclude_ids:
            return False
        name = self._variable_names[index].split("/")[-1]
        return self._exclude_pattern is None or self._exclude_pattern.search(name) is None

    # ------------------------------------------------------------------ clipping
    def clip_gradients(self, grads: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Apply ``clipnorm``, ``global_clipnorm`` or ``clipvalue`` (in this priority)."""
        grads = [np.asarray(g) for g in grads]
        if self.clipnorm and self.clipnorm > 0:
            out = []
            for g in grads:
                norm = np.sqrt(np.sum(np.square(g)))
                out.append(g * g.dtype.type(self.clipnorm) / np.maximum(norm, self.clipnorm))
            return out
        if self.global_clipnorm and self.global_clipnorm > 0:
            norm = np.sqrt(sum(np.sum(np.square(g), dtype=np.float64) for g in grads))
            scale = self.global_clipnorm * min(1.0 / norm, 1.0 / self.global_clipnorm)
            return [g * g.dtype.type(scale) for g in grads]
        if self.clipvalue and self.clipvalue > 0:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    # ------------------------------------------------------------------ updates
    def apply(self, grads: Sequence[np.ndarray], variables: Sequence[np.ndarray]) -> None:
        """Update ``variables`` in place from ``grads`` (same order and shapes).

        In Keras's order: clip the gradients, apply the weight decay (if any), then
        the optimizer's rule, with the learning rate of step `iterations`; then count
        the step. No gradients at all: nothing happens (as in Keras).

        Parameters
        ----------
        grads : list of numpy.ndarray
            One gradient per weight, shape of the weight.
        variables : list of numpy.ndarray
            The live weight arrays (e.g. ``model.weights``), changed in place.

        Raises
        ------
        ValueError
            If the lists differ in length, a shape differs, or the weights are
            not those of the first call; or if a schedule or callable learning rate
            gives a negative, NaN or infinite rate for this step.
        """
        variables = list(variables)
        if len(grads) != len(variables):
            raise ValueError(
                f"Got {len(grads)} gradients for {len(variables)} variables: they must match."
            )
        if not grads:
            return
        if not self.built:
            self.build(variables)
        elif len(variables) != len(self._variables) or any(
            a is not b for a, b in zip(variables, self._variables, strict=True)
        ):
            raise ValueError(
                f"Optimizer {self.name} was built for other variables: an optimizer "
                "updates the same weights, in the same order, at every step."
            )
        for g, v in zip(grads, variables, strict=True):
            if np.shape(g) != v.shape:
                raise ValueError(f"Gradient shape {np.shape(g)} does not match weight {v.shape}.")
        rate = self._checked_rate()
        grads = self.clip_gradients(grads)
        if self.weight_decay is not None:
            for i, v in enumerate(variables):
                if self._use_weight_decay(i):
                    f = v.dtype.type
                    v *= f(1) - f(self.weight_decay) * f(rate)
        for g, v, slots in zip(grads, variables, self._slots, strict=True):
            dtype = v.dtype.type
            self.update_step(g.astype(v.dtype, copy=False), v, dtype(rate), slots)
        self.iterations += 1

    def apply_gradients(self, grads_and_vars: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
        """Keras's other form: ``apply_gradients(zip(grads, weights))``."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def update_step(
        self, grad: np.ndarray, variable: np.ndarray, lr: Any, slots: dict[str, np.ndarray]
    ) -> None:
        """Update one weight in place; subclasses implement the rule."""
        raise NotImplementedError

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments with Keras 3's keys, in its order.

        A schedule is stored in Keras's serialized form
        (:func:`rnn.optimizers.schedules.serialize`), a callable rate as its current
        value. The learning rate is the float given (Keras shows it rounded to float32).
        """
        rate = self._learning_rate
        if isinstance(rate, LearningRateSchedule):
            rate = schedules.serialize(rate)
        elif callable(rate):
            rate = float(rate())
        return {
            "name": self.name,
            "learning_rate": rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> Optimizer:
        """Build an optimizer from `get_config`'s dict (Keras's too), without its state.

        Examples
        --------
        >>> from rnn.optimizers import AdamW
        >>> copy = AdamW.from_config(AdamW(learning_rate=0.01).get_config())
        >>> copy.learning_rate, copy.weight_decay
        (0.01, 0.004)
        """
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} learning_rate={self.learning_rate}>"


# ---------------------------------------------------------------- the update rules


class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum, as Keras 3's ``SGD``.

    Without momentum: ``w -= lr * g``. With momentum ``m`` (velocity ``v``,
    initially 0): ``v = m * v - lr * g``, then ``w += v``, or for Nesterov
    ``w += m * v - lr * g``.

    Parameters
    ----------
    learning_rate : float
        Default 0.01.
    momentum : float
        In ``[0, 1]``; default 0.
    nesterov : bool
        Default ``False``.
    **kwargs
        ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name``...
        (see `Optimizer`).

    Raises
    ------
    ValueError
        For a ``momentum`` outside ``[0, 1]`` (Keras's words, with the value received),
        and for the arguments `Optimizer` refuses.
    TypeError
        For a ``momentum`` that is not a number or a ``nesterov`` that is not a bool.

    Examples
    --------
    With momentum the second step goes further than the first:

    >>> import numpy as np
    >>> from rnn.optimizers import SGD
    >>> w = np.zeros(1)
    >>> optimizer = SGD(learning_rate=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     optimizer.apply([np.ones(1)], [w])
    >>> round(float(w[0]), 4), optimizer.variable_names
    (-0.29, ['iteration', 'learning_rate', 'variable_momentum'])
    """

    default_learning_rate = 0.01

    def __init__(
        self,
        learning_rate: float = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = _fraction("momentum", momentum, one=True)
        self.nesterov = _check_flag("nesterov", nesterov)

    def _slot_groups(self) -> tuple[tuple[str, ...], ...]:
        """Return a ``momentum`` per weight with momentum; plain SGD keeps no state."""
        return (("momentum",),) if self.momentum != 0 else ()

    def update_step(
        self, grad: np.ndarray, variable: np.ndarray, lr: Any, slots: dict[str, np.ndarray]
    ) -> None:
        """Apply ``w -= lr * g``, or the (Nesterov) momentum rule, to ``variable`` in place."""
        if self.momentum == 0:
            variable -= grad * lr
            return
        m = slots["momentum"]
        momentum = variable.dtype.type(self.momentum)
        m[...] = m * momentum - grad * lr
        if self.nesterov:
            variable += m * momentum - grad * lr
        else:
            variable += m

    def get_config(self) -> dict[str, Any]:
        """Return the base class's config with ``momentum`` and ``nesterov``."""
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class RMSprop(Optimizer):
    """Divide the gradient by a moving root mean square, as Keras 3's ``RMSprop``.

    ``v = rho * v + (1 - rho) * g**2`` (for ``centered``, also
    ``a = rho * a + (1 - rho) * g`` and ``v - a**2`` below), then
    ``step = lr * g / sqrt(v + epsilon)`` (epsilon **inside** the square root,
    as in Keras 3), then ``w -= step``, or with momentum ``m``:
    ``s = m * s + step`` and ``w -= s``.

    Parameters
    ----------
    learning_rate : float
        Default 0.001.
    rho : float
        Discount of the moving average; default 0.9.
    momentum : float
        Default 0.
    epsilon : float
        Default 1e-7.
    centered : bool
        Normalise by the estimated variance instead of the second moment.
    **kwargs
        ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name``...
        (see `Optimizer`).

    Raises
    ------
    ValueError
        For a ``rho`` outside ``[0, 1)`` (at 1 the average never moves from 0), a
        ``momentum`` outside ``[0, 1]``, an ``epsilon`` that is not finite and > 0 (0
        makes NaN where a gradient is 0; Keras accepts them all), and for the arguments
        `Optimizer` refuses.
    TypeError
        For one of them that is not a number, or a ``centered`` that is not a bool.

    Examples
    --------
    The first step is ``lr * g / sqrt(0.1 * g**2 + epsilon)``, about ``3.16 * lr``:

    >>> import numpy as np
    >>> from rnn.optimizers import RMSprop
    >>> w = np.zeros(2)
    >>> RMSprop(learning_rate=0.01).apply([np.array([1.0, -4.0])], [w])
    >>> w.round(4).tolist()
    [-0.0316, 0.0316]
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = _fraction("rho", rho)
        self.momentum = _fraction("momentum", momentum, one=True)
        self.epsilon = _epsilon(epsilon)
        self.centered = _check_flag("centered", centered)

    def _slot_groups(self) -> tuple[tuple[str, ...], ...]:
        """Every ``velocity``, then every ``momentum`` and ``average_gradient`` when used."""
        groups = [("velocity",)]
        if self.momentum > 0:
            groups.append(("momentum",))
        if self.centered:
            groups.append(("average_gradient",))
        return tuple(groups)

    def update_step(
        self, grad: np.ndarray, variable: np.ndarray, lr: Any, slots: dict[str, np.ndarray]
    ) -> None:
        """Apply RMSprop's rule (see the class) to ``variable`` in place."""
        f = variable.dtype.type
        rho, eps = f(self.rho), f(self.epsilon)
        velocity = slots["velocity"]
        velocity[...] = rho * velocity + f(1 - self.rho) * np.square(grad)
        if self.centered:
            average = slots["average_gradient"]
            average[...] = rho * average + f(1 - self.rho) * grad
            denominator = velocity - np.square(average) + eps
        else:
            denominator = velocity + eps
        increment = lr * grad / np.sqrt(denominator)
        if self.momentum > 0:
            m = slots["momentum"]
            m[...] = f(self.momentum) * m + increment
            variable -= m
        else:
            variable -= increment

    def get_config(self) -> dict[str, Any]:
        """Return the base class's config with ``rho``, ``momentum``, ``epsilon``, ``centered``."""
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }


class Adam(Optimizer):
    """Adaptive moment estimation, as Keras 3's ``Adam``.

    At step ``t`` (from 1): ``m += (g - m) * (1 - beta_1)``,
    ``v += (g**2 - v) * (1 - beta_2)``, then with the bias correction folded
    into the learning rate, ``alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``,
    ``w -= m * alpha / (sqrt(v) + epsilon)`` (epsilon **outside** the square root
    and not bias-corrected, as in Keras). With ``amsgrad``, ``v`` is replaced by
    its running maximum.

    Parameters
    ----------
    learning_rate : float
        Default 0.001.
    beta_1 : float
        Decay of the first moment estimate (the mean of the gradients).
    beta_2 : float
        Decay of the second moment estimate (the mean of their squares).
    epsilon : float
        Default 1e-7.
    amsgrad : bool
        Default ``False``.
    **kwargs
        ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name``...
        (see `Optimizer`).

    Raises
    ------
    ValueError
        For a ``beta_1`` or ``beta_2`` outside ``[0, 1)`` (``beta_1=1`` divides by zero,
        ``beta_2=1`` never moves a weight), an ``epsilon`` that is not finite and > 0 (0
        makes NaN where a gradient is 0; Keras accepts them all), and for the arguments
        `Optimizer` refuses.
    TypeError
        For one of them that is not a number, or an ``amsgrad`` that is not a bool.

    Examples
    --------
    The first step moves each weight by about ``learning_rate`` against the
    sign of its gradient, whatever the gradient's size:

    >>> import numpy as np
    >>> from rnn.optimizers import Adam
    >>> w = np.zeros(3, dtype=np.float32)
    >>> Adam(learning_rate=0.1).apply([np.array([0.01, -5.0, 20.0])], [w])
    >>> [round(float(v), 4) for v in w]
    [-0.1, 0.1, -0.1]
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = _fraction("beta_1", beta_1)
        self.beta_2 = _fraction("beta_2", beta_2)
        self.epsilon = _epsilon(epsilon)
        self.amsgrad = _check_flag("amsgrad", amsgrad)

    def _slot_groups(self) -> tuple[tuple[str, ...], ...]:
        """``momentum`` and ``velocity`` of each weight, then each ``velocity_hat`` (amsgrad)."""
        pairs = ("momentum", "velocity")
        return (pairs, ("velocity_hat",)) if self.amsgrad else (pairs,)

    def update_step(
        self, grad: np.ndarray, variable: np.ndarray, lr: Any, slots: dict[str, np.ndarray]
    ) -> None:
        """Apply Adam's rule (see the class) to ``variable`` in place, as step ``iterations+1``."""
        f = variable.dtype.type
        step = f(self.iterations + 1)
        beta_1, beta_2 = f(self.beta_1), f(self.beta_2)
        alpha = lr * np.sqrt(f(1) - np.power(beta_2, step)) / (f(1) - np.power(beta_1, step))
        m, v = slots["momentum"], slots["velocity"]
        m += (grad - m) * f(1 - self.beta_1)
        v += (np.square(grad) - v) * f(1 - self.beta_2)
        if self.amsgrad:
            v_hat = slots["velocity_hat"]
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        variable -= m * alpha / (np.sqrt(v) + f(self.epsilon))

    def get_config(self) -> dict[str, Any]:
        """Return the base class's config with ``beta_1``, ``beta_2``, ``epsilon``, ``amsgrad``."""
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }


class AdamW(Adam):
    """Adam with decoupled weight decay, as Keras 3's ``AdamW``: Adam with ``weight_decay=0.004``.

    Each update first multiplies every weight by ``1 - weight_decay * learning_rate``,
    then applies Adam's rule to it (see `Adam` and `Optimizer`).

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule
        Default 0.001.
    weight_decay : float
        Default 0.004.
    beta_1 : float
        As for `Adam`; default 0.9.
    beta_2 : float
        As for `Adam`; default 0.999.
    epsilon : float
        As for `Adam`; default 1e-7.
    amsgrad : bool
        As for `Adam`; default ``False``.
    **kwargs
        ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name``...
        (see `Optimizer`)...

    Raises
    ------
    ValueError
        As `Adam` and `Optimizer` (a negative ``weight_decay`` included).
    TypeError
        As `Adam`.

    Examples
    --------
    Without a gradient, only the decay moves the weights:

    >>> import numpy as np
    >>> from rnn.optimizers import AdamW
    >>> w = np.ones(2)
    >>> AdamW(learning_rate=0.1, weight_decay=0.5).apply([np.zeros(2)], [w])
    >>> w.tolist()
    [0.95, 0.95]
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        weight_decay: float | None = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            **kwargs,
        )


_BY_NAME: dict[str, type[Optimizer]] = {
    name: cls
    for cls in (SGD, RMSprop, Adam, AdamW)
    for name in (cls.__name__, cls.__name__.lower())
}


def get(identifier: str | dict[str, Any] | Optimizer) -> Optimizer:
    """Return an optimizer for a Keras name (``"sgd"``, ``"rmsprop"``, ``"adam"``, ``"adamw"``).

    Also Keras's serialized form, ``{"class_name": "Adam", "config": {...}}``
    (what a model's config and ``keras.optimizers.serialize`` hold).

    Raises
    ------
    ValueError
        For a Keras optimizer that rnn does not implement (``"nadam"``, ``"adagrad"``...;
        in Keras's table, any case), saying so and listing rnn's names; for anything else
        in Keras's wording, with the closest of rnn's names when one is close.

    Examples
    --------
    >>> from rnn import optimizers
    >>> optimizers.get("rmsprop"), optimizers.get("SGD").learning_rate
    (<RMSprop learning_rate=0.001>, 0.01)
    >>> optimizers.get({"class_name": "AdamW", "config": {"learning_rate": 0.5}})
    <AdamW learning_rate=0.5>
    >>> optimizers.get("adagrad")
    Traceback (most recent call last):
    ...
    ValueError: 'adagrad' is a Keras optimizer that rnn does not implement; rnn has: \
'adam', 'adamw', 'rmsprop', 'sgd'.
    >>> optimizers.get("adamm")
    Traceback (most recent call last):
    ...
    ValueError: Could not interpret optimizer identifier: adamm. Did you mean 'adam'?
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        name = identifier.get("class_name")
        if not isinstance(name, str) or name not in _BY_NAME:
            keras_only = _registry.keras_only(name, _BY_NAME, "optimizer")
            raise keras_only or ValueError(
                f"Could not interpret optimizer identifier: {identifier}"
            )
        return _BY_NAME[name].from_config(dict(identifier.get("config", {})))
    return _registry.lookup(identifier, _BY_NAME, "optimizer")()


__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "RMSprop", "get", "schedules"]
