"""The `Loss` base class (per-sample values, Keras's reduction, the gradient) and the
checks of targets against predictions, shared by :mod:`rnn.losses` and :mod:`rnn.metrics`.

The losses themselves, and ``get``, are in :mod:`rnn.losses`, which re-exports
everything here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Loss", "align_targets", "check_same_shape", "sparse_labels"]

_REDUCTIONS = ("sum_over_batch_size", "sum", "none", None)


def _float_array(x: Any) -> np.ndarray:
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(np.float32)


def check_same_shape(t: np.ndarray, y_pred: np.ndarray) -> None:
    """Raise Keras's ``ValueError`` unless the targets ``t`` have ``y_pred``'s shape."""
    if t.shape != y_pred.shape:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. "
            f"Received: target.shape={t.shape}, output.shape={y_pred.shape}"
        )


def align_targets(y_true: Any, y_pred: np.ndarray) -> np.ndarray:
    """Return ``y_true`` as a float array of ``y_pred``'s shape, as Keras aligns them.

    Keras squeezes or expands a trailing axis of size 1 when the ranks differ by
    one, so targets of shape ``(batch,)`` fit predictions of shape ``(batch, 1)``.

    Raises
    ------
    ValueError
        If the shapes still differ, in the wording of Keras's backends.
    """
    t = np.asarray(y_true, dtype=y_pred.dtype)
    rank_gap = t.ndim - y_pred.ndim
    if abs(rank_gap) == 1 and t.size == y_pred.size:
        longer = t.shape if rank_gap == 1 else y_pred.shape
        if longer[-1] == 1:
            t = t.reshape(y_pred.shape)
    check_same_shape(t, y_pred)
    return t


def sparse_labels(y_true: Any, y_pred: np.ndarray) -> np.ndarray:
    """Integer class labels of shape ``y_pred.shape[:-1]``, checked as Keras does.

    A trailing axis of size 1 is dropped: labels ``(batch, 1)`` fit ``(batch, classes)``.

    Raises
    ------
    ValueError
        If the shapes do not fit (e.g. one-hot targets, in Keras's wording) or a
        label is not a class index.
    """
    t = np.asarray(y_true)
    if t.ndim == y_pred.ndim and t.ndim and t.shape[-1] == 1:
        t = t[..., 0]
    if t.shape != y_pred.shape[:-1]:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape up until the last "
            f"dimension: target.shape={t.shape}, output.shape={y_pred.shape}"
        )
    labels = t.astype(np.int64)
    classes = y_pred.shape[-1]
    bad = labels[(labels < 0) | (labels >= classes)]
    if bad.size:
        raise ValueError(
            f"Received a label value of {bad.flat[0]} which is outside the valid range "
            f"of [0, {classes})."
        )
    return labels


class Loss:
    """Base class: per-sample values, their reduction, and the gradient.

    Subclasses implement :meth:`values_and_grads`.

    Parameters
    ----------
    name : str, optional
        Keras's default name, e.g. ``"mean_squared_error"``.
    reduction : {"sum_over_batch_size", "sum", "none"}
        How the per-sample values become one number: their mean (Keras's
        default), their sum, or no reduction (then there is no gradient).
    """

    default_name = "loss"

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size"):
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"Invalid value for argument `reduction`. Expected one of {_REDUCTIONS}. "
                f"Received: reduction={reduction}"
            )
        self.name = name or self.default_name
        self.reduction = reduction

    def values_and_grads(self, y_true: Any, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-sample values, and the derivative of each one w.r.t. ``y_pred``.

        Returns
        -------
        values : numpy.ndarray, shape y_pred.shape[:-1]
        grads : numpy.ndarray, shape y_pred.shape
            ``grads[..., j]`` is the derivative of ``values[...]`` with respect
            to ``y_pred[..., j]`` (each prediction feeds one value only).
        """
        raise NotImplementedError

    def call(self, y_true: Any, y_pred: Any) -> np.ndarray:
        """The per-sample values, shape ``y_pred.shape[:-1]`` (no reduction)."""
        return self.values_and_grads(y_true, _float_array(y_pred))[0]

    def _scale(self, values: np.ndarray) -> float:
        return 1.0 / max(values.size, 1) if self.reduction == "sum_over_batch_size" else 1.0

    def __call__(self, y_true: Any, y_pred: Any) -> Any:
        """The reduced loss: a float (an array for ``reduction="none"``)."""
        values = self.call(y_true, y_pred)
        if self.reduction in ("none", None):
            return values
        return float(np.sum(values, dtype=np.float64) * self._scale(values))

    def value_and_gradient(self, y_true: Any, y_pred: Any) -> tuple[float, np.ndarray]:
        """The reduced loss and its gradient w.r.t. ``y_pred`` (same shape and dtype).

        Examples
        --------
        >>> import numpy as np
        >>> from rnn.losses import MeanAbsoluteError
        >>> value, grad = MeanAbsoluteError().value_and_gradient(np.ones(2), np.zeros((2, 1)))
        >>> value, grad.tolist()
        (1.0, [[-0.5], [-0.5]])
        """
        if self.reduction in ("none", None):
            raise ValueError("A loss with reduction='none' has no single value to differentiate.")
        p = _float_array(y_pred)
        values, grads = self.values_and_grads(y_true, p)
        scale = self._scale(values)
        value = float(np.sum(values, dtype=np.float64) * scale)
        return value, (grads * scale).astype(p.dtype, copy=False)

    def gradient(self, y_true: Any, y_pred: Any) -> np.ndarray:
        """The gradient of the reduced loss w.r.t. ``y_pred``, shape ``y_pred.shape``."""
        return self.value_and_gradient(y_true, y_pred)[1]

    def get_config(self) -> dict[str, Any]:
        """Name and reduction (plus the subclass's options)."""
        return {"name": self.name, "reduction": self.reduction}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"
