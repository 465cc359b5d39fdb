"""Optimizers with Keras 3's names, defaults and update rules: `SGD`, `RMSprop`, `Adam`.

An optimizer updates a list of weight arrays **in place** from their gradients::

    optimizer.apply(grads, weights)

It keeps one state per weight (momentum, moving averages...), created on the
first call, so it must always be given the same weights in the same order.
The arithmetic is done in each weight's dtype (float32 by default), in the
same order of operations as Keras, so a few steps give Keras's numbers.

Before the update, gradients can be clipped as in Keras: ``clipnorm`` rescales
each gradient whose L2 norm exceeds it, ``global_clipnorm`` rescales all of them
together when their joint norm exceeds it, ``clipvalue`` clips each element to
``[-clipvalue, clipvalue]`` (at most one of the three).

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

from collections.abc import Sequence
from typing import Any

import numpy as np

from rnn import _registry

# ------------------------------------------------------------------- the base class


class Optimizer:
    """Base class: clipping, one state per weight, and the step counter.

    Parameters
    ----------
    learning_rate : float
    clipnorm : float, optional
        Rescale each weight's gradient to at most this norm, as in Keras.
    clipvalue : float, optional
        Clip every entry of every gradient to ``[-clipvalue, clipvalue]``.
    global_clipnorm : float, optional
        Rescale all the gradients together to at most this joint norm. At most one of
        the three clipping arguments may be given.
    name : str, optional
        Default: the snake-case class name (``"adam"``).

    Attributes
    ----------
    iterations : int
        Number of updates applied so far.
    """

    default_learning_rate = 0.001

    def __init__(
        self,
        learning_rate: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str | None = None,
    ) -> None:
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        self.learning_rate = float(
            self.default_learning_rate if learning_rate is None else learning_rate
        )
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.name = name or type(self).__name__.lower()
        self.iterations = 0
        self._variables: list[np.ndarray] = []
        self._slots: list[dict[str, np.ndarray]] = []

    # ------------------------------------------------------------------ state
    def slot_names(self) -> tuple[str, ...]:
        """Names of the per-weight state arrays (e.g. ``("momentum", "velocity")``)."""
        return ()

    def build(self, variables: Sequence[np.ndarray]) -> None:
        """Create the zero-initialised state of each weight."""
        self._variables = list(variables)
        self._slots = [{n: np.zeros_like(v) for n in self.slot_names()} for v in variables]

    @property
    def built(self) -> bool:
        """Whether the state exists (after the first :meth:`apply`)."""
        return bool(self._variables)

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
            not those of the first call.
        """
        variables = list(variables)
        if len(grads) != len(variables):
            raise ValueError(
                f"Got {len(grads)} gradients for {len(variables)} variables: they must match."
            )
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
        for g, v, slots in zip(self.clip_gradients(grads), variables, self._slots, strict=True):
            dtype = v.dtype.type
            self.update_step(g.astype(v.dtype, copy=False), v, dtype(self.learning_rate), slots)
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

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments with Keras's names."""
        return {
            "name": self.name,
            "learning_rate": self.learning_rate,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
        }

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
        ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name``.
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
        if not 0 <= momentum <= 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = momentum
        self.nesterov = nesterov

    def slot_names(self) -> tuple[str, ...]:
        """Return ``("momentum",)`` when there is momentum; plain SGD keeps no state."""
        return ("momentum",) if self.momentum != 0 else ()

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
        ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name``.
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
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def slot_names(self) -> tuple[str, ...]:
        """Return ``"velocity"``, and ``"momentum"`` and ``"average_gradient"`` when used."""
        names = ["velocity"]
        if self.momentum > 0:
            names.append("momentum")
        if self.centered:
            names.append("average_gradient")
        return tuple(names)

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
        ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name``.

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
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    def slot_names(self) -> tuple[str, ...]:
        """Return ``("momentum", "velocity")``, and ``"velocity_hat"`` with ``amsgrad``."""
        return (
            ("momentum", "velocity", "velocity_hat") if self.amsgrad else ("momentum", "velocity")
        )

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


_BY_NAME: dict[str, type[Optimizer]] = {
    name: cls for cls in (SGD, RMSprop, Adam) for name in (cls.__name__, cls.__name__.lower())
}


def get(identifier: str | Optimizer) -> Optimizer:
    """Return an optimizer for ``"sgd"``, ``"rmsprop"`` or ``"adam"`` (Keras's defaults).

    Raises
    ------
    ValueError
        For anything else, in Keras's wording.

    Examples
    --------
    >>> from rnn import optimizers
    >>> optimizers.get("rmsprop"), optimizers.get("SGD").learning_rate
    (<RMSprop learning_rate=0.001>, 0.01)
    >>> optimizers.get("adamw")
    Traceback (most recent call last):
    ...
    ValueError: Could not interpret optimizer identifier: adamw
    """
    if isinstance(identifier, Optimizer):
        return identifier
    return _registry.lookup(identifier, _BY_NAME, "optimizer")()


__all__ = ["SGD", "Adam", "Optimizer", "RMSprop", "get"]
