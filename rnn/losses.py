"""Loss functions with Keras 3's names, formulas and reduction, and their gradients.

A loss compares targets ``y_true`` with predictions ``y_pred`` of shape
``(batch, ..., d)``. Like Keras, it first computes one value per sample (per
position, for sequences): the mean over the last axis for the element-wise
losses, the sum over classes for the cross-entropies. The reduction
``"sum_over_batch_size"`` (Keras's default) then averages those values.

Each loss also gives the gradient of that reduced value with respect to
``y_pred``, the ``grad_output`` that ``model.backward`` starts from.

Probabilities are clipped to ``[1e-7, 1 - 1e-7]`` (Keras's epsilon) before a
logarithm, in the dtype of ``y_pred``, exactly where Keras clips them; the
gradient is zero where the clipping is active, as under automatic
differentiation.

Examples
--------
>>> import numpy as np
>>> from rnn import losses
>>> loss = losses.get("mse")
>>> y_true = np.array([[0.0, 1.0], [1.0, 1.0]])
>>> y_pred = np.array([[0.5, 1.0], [1.0, 0.0]])
>>> float(loss(y_true, y_pred))
0.3125
>>> loss.gradient(y_true, y_pred).tolist()
[[0.25, 0.0], [0.0, -0.5]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnn import registry
from rnn.loss_base import Loss, align_targets, check_same_shape, sparse_labels

#: Keras's fuzz factor ``keras.config.epsilon()``.
EPSILON = 1e-7


class _Elementwise(Loss):
    """Mean over the last axis of an element-wise term."""

    def terms(self, t: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def values_and_grads(self, y_true: Any, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = align_targets(y_true, y_pred)
        terms, dterms = self.terms(t, y_pred)
        last = y_pred.shape[-1] if y_pred.ndim else 1
        return terms.mean(axis=-1, dtype=np.float64), dterms / last


class MeanSquaredError(_Elementwise):
    """``mean((y_true - y_pred) ** 2, axis=-1)``; Keras's ``"mse"``.

    Shapes: ``y_true`` and ``y_pred`` are ``(batch, ..., d)`` (a trailing axis of
    size 1 may be missing from one of them).
    """

    default_name = "mean_squared_error"

    def terms(self, t: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        diff = p.astype(np.float64) - t
        return diff**2, 2.0 * diff


class MeanAbsoluteError(_Elementwise):
    """``mean(abs(y_true - y_pred), axis=-1)``; Keras's ``"mae"``.

    The gradient at ``y_pred == y_true`` is 0, as in Keras.
    """

    default_name = "mean_absolute_error"

    def terms(self, t: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        diff = p.astype(np.float64) - t
        return np.abs(diff), np.sign(diff)


class _CrossentropyOptions(Loss):
    """The options of the binary and categorical cross-entropies."""

    def __init__(
        self, from_logits: bool = False, label_smoothing: float = 0.0, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing

    def smooth(self, t: np.ndarray, classes: int) -> np.ndarray:
        """Targets moved towards the uniform distribution: ``t * (1 - s) + s / classes``."""
        s = self.label_smoothing
        return t * (1.0 - s) + s / classes if s else t

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
        }


class BinaryCrossentropy(_CrossentropyOptions, _Elementwise):
    """Binary cross-entropy, averaged over the last axis; Keras's ``"binary_crossentropy"``.

    Parameters
    ----------
    from_logits : bool
        ``False`` (default): ``y_pred`` are probabilities (e.g. after a sigmoid),
        clipped to ``[1e-7, 1 - 1e-7]``. ``True``: ``y_pred`` are logits, and the
        stable formula ``max(x, 0) - x * t + log(1 + exp(-|x|))`` is used.
    label_smoothing : float
        Targets become ``t * (1 - s) + 0.5 * s``.

    Examples
    --------
    Keras's docstring example:

    >>> from rnn.losses import BinaryCrossentropy
    >>> loss = BinaryCrossentropy(reduction="none")
    >>> loss([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]).round(3).tolist()
    [0.916, 0.714]
    """

    default_name = "binary_crossentropy"

    def terms(self, t: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = self.smooth(t.astype(np.float64), classes=2)  # two classes: t and 1 - t
        if self.from_logits:
            x = p.astype(np.float64)
            terms = np.maximum(x, 0.0) - x * t + np.log1p(np.exp(-np.abs(x)))
            return terms, 0.5 * (1.0 + np.tanh(0.5 * x)) - t
        o = np.clip(p, EPSILON, 1.0 - EPSILON).astype(np.float64)
        terms = -(t * np.log(o) + (1.0 - t) * np.log(1.0 - o))
        inside = (p >= EPSILON) & (p <= 1.0 - EPSILON)
        return terms, np.where(inside, (1.0 - t) / (1.0 - o) - t / o, 0.0)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _crossentropy(t: np.ndarray, p: np.ndarray, from_logits: bool) -> tuple[np.ndarray, np.ndarray]:
    """``-sum(t * log q, axis=-1)`` with Keras's ``q``, and its derivative w.r.t. ``p``."""
    if from_logits:
        log_q = _log_softmax(p.astype(np.float64))
        values = -(t * log_q).sum(axis=-1)
        return values, np.exp(log_q) * t.sum(axis=-1, keepdims=True) - t
    # Keras rescales the probabilities to sum to 1, then clips them
    total = p.sum(axis=-1, keepdims=True)
    q = p / total
    o = np.clip(q, EPSILON, 1.0 - EPSILON).astype(np.float64)
    values = -(t * np.log(o)).sum(axis=-1)
    g = np.where((q >= EPSILON) & (q <= 1.0 - EPSILON), -t / o, 0.0)
    grads = (g - (g * q).sum(axis=-1, keepdims=True)) / total
    return values, grads


class CategoricalCrossentropy(_CrossentropyOptions):
    """Cross-entropy with one-hot targets; Keras's ``"categorical_crossentropy"``.

    Shapes: ``y_true`` and ``y_pred`` are ``(batch, ..., classes)``.

    Parameters
    ----------
    from_logits : bool
        ``False`` (default): ``y_pred`` are probabilities (e.g. after a softmax),
        rescaled to sum to 1 and clipped to ``[1e-7, 1 - 1e-7]`` as in Keras.
        ``True``: ``y_pred`` are logits and a log-softmax is applied.
    label_smoothing : float
        Targets become ``t * (1 - s) + s / classes``.

    Examples
    --------
    Keras's docstring example:

    >>> from rnn.losses import CategoricalCrossentropy
    >>> loss = CategoricalCrossentropy(reduction="none")
    >>> loss([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]).round(4).tolist()
    [0.0513, 2.3026]
    """

    default_name = "categorical_crossentropy"

    def values_and_grads(self, y_true: Any, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = np.asarray(y_true, dtype=np.float64)
        check_same_shape(t, y_pred)
        t = self.smooth(t, classes=y_pred.shape[-1])
        return _crossentropy(t, y_pred, self.from_logits)


class SparseCategoricalCrossentropy(Loss):
    """Cross-entropy with integer class labels; Keras's ``"sparse_categorical_crossentropy"``.

    Shapes: ``y_true`` is ``(batch, ...)`` (or ``(batch, ..., 1)``) of class
    indices; ``y_pred`` is ``(batch, ..., classes)``.

    Parameters
    ----------
    from_logits : bool
        As for `CategoricalCrossentropy`.

    Examples
    --------
    Keras's docstring example:

    >>> from rnn.losses import SparseCategoricalCrossentropy
    >>> loss = SparseCategoricalCrossentropy()
    >>> round(loss([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]), 3)
    1.177
    >>> loss([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    Traceback (most recent call last):
    ...
    ValueError: Arguments `target` and `output` must have the same shape up until the last \
dimension: target.shape=(2, 3), output.shape=(2, 3)
    """

    default_name = "sparse_categorical_crossentropy"

    def __init__(self, from_logits: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.from_logits = from_logits

    def values_and_grads(self, y_true: Any, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        labels = sparse_labels(y_true, y_pred)
        t = np.eye(y_pred.shape[-1], dtype=np.float64)[labels]
        return _crossentropy(t, y_pred, self.from_logits)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "from_logits": self.from_logits}


_ALIASES: dict[str, type[Loss]] = registry.name_table(
    [
        (MeanSquaredError, ("mse", "MSE")),
        (MeanAbsoluteError, ("mae", "MAE")),
        (BinaryCrossentropy, ()),
        (CategoricalCrossentropy, ()),
        (SparseCategoricalCrossentropy, ()),
    ]
)


def get(identifier: str | Loss) -> Loss:
    """Return a loss object for a Keras name (``"mse"``, ``"binary_crossentropy"``...).

    Raises
    ------
    ValueError
        For anything else, in Keras's wording.

    Examples
    --------
    >>> from rnn import losses
    >>> losses.get("mae"), losses.get("SparseCategoricalCrossentropy").name
    (<MeanAbsoluteError name=mean_absolute_error>, 'sparse_categorical_crossentropy')
    >>> losses.get("msee")
    Traceback (most recent call last):
    ...
    ValueError: Could not interpret loss identifier: msee
    """
    if isinstance(identifier, Loss):
        return identifier
    return registry.lookup(identifier, _ALIASES, "loss")()


__all__ = [
    "EPSILON",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "Loss",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "SparseCategoricalCrossentropy",
    "align_targets",
    "get",
    "sparse_labels",
]
