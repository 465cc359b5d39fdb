"""The `Optimizer` base class: gradient clipping, one state per weight, the step counter.

`Optimizer.apply` checks the gradients against the weights, clips them, and calls the
subclass's ``update_step`` on each weight in place. The update rules (`SGD`,
`RMSprop`, `Adam`) and ``get`` are in :mod:`rnn.optimizers`, which re-exports
`Optimizer`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["Optimizer"]


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
        """Constructor arguments with Keras's names."""
        return {
            "name": self.name,
            "learning_rate": self.learning_rate,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
        }

    def __repr__(self) -> str:
        return f"<{type(self).__name__} learning_rate={self.learning_rate}>"
