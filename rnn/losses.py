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

from rnn import _registry

#: Keras's fuzz factor ``keras.config.epsilon()``.
EPSILON = 1e-7

# ------------------------------------------------- the base class and target checks
# (shared with rnn.metrics)

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


def _first(values: np.ndarray) -> Any:
    """Return the first entry of ``values`` as a Python object (``'a'``, not ``np.str_('a')``)."""
    first = values.flat[0]
    return first.item() if isinstance(first, np.generic) else first


def _looks_one_hot(t: np.ndarray) -> bool:
    """Whether ``t`` (numbers, last axis of several classes) is rows of one 1 and 0s."""
    if t.dtype.kind not in "biuf" or t.ndim == 0 or t.shape[-1] < 2 or not t.size:
        return False
    return bool(np.isin(t, (0, 1)).all() and (t.sum(axis=-1) == 1).all())


def _looks_like_labels(t: np.ndarray, y_pred: np.ndarray) -> bool:
    """Whether ``t`` has integer labels' shape for ``y_pred`` (no class axis) and whole numbers."""
    if y_pred.ndim == 0 or y_pred.shape[-1] < 2 or t.dtype.kind not in "biuf":
        return False
    if t.shape not in (y_pred.shape[:-1], (*y_pred.shape[:-1], 1)):
        return False
    return bool(np.isfinite(t).all() and (t == np.round(t)).all()) if t.dtype.kind == "f" else True


def check_one_hot(
    t: np.ndarray, y_pred: np.ndarray, sparse: str = "sparse_categorical_crossentropy"
) -> None:
    """Raise Keras's ``ValueError`` unless the one-hot targets ``t`` have ``y_pred``'s shape.

    Integer labels (one axis fewer, or a last axis of 1) get a hint: use ``sparse``
    (``"sparse_categorical_crossentropy"``, or the accuracy of that name). Targets that
    are not numbers (strings) are refused too.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.losses import check_one_hot
    >>> check_one_hot(np.array([0, 2]), np.ones((2, 3)))
    Traceback (most recent call last):
    ...
    ValueError: Arguments `target` and `output` must have the same shape. Received: \
target.shape=(2,), output.shape=(2, 3). `y_true` looks like integer labels (shape (2,)): \
use sparse_categorical_crossentropy, or one-hot encode them.
    """
    if t.dtype.kind not in "biufO":
        example = f" (e.g. {_first(t)!r})" if t.size else ""
        raise ValueError(
            f"Targets must be numbers (one-hot rows), got dtype {t.dtype}{example}: map "
            f"the labels to integers and use {sparse}, or one-hot encode them."
        )
    if t.shape == y_pred.shape:
        return
    message = (
        "Arguments `target` and `output` must have the same shape. "
        f"Received: target.shape={t.shape}, output.shape={y_pred.shape}"
    )
    if _looks_like_labels(t, y_pred):
        message += (
            f". `y_true` looks like integer labels (shape {t.shape}): use {sparse}, "
            "or one-hot encode them."
        )
    raise ValueError(message)


def sparse_labels(
    y_true: Any, y_pred: np.ndarray, name: str = "sparse_categorical_crossentropy"
) -> np.ndarray:
    """Integer class labels of shape ``y_pred.shape[:-1]``, checked as Keras does.

    A trailing axis of size 1 is dropped: labels ``(batch, 1)`` fit ``(batch, classes)``.
    Whole numbers in a float array (``1.0``) are labels too, as in Keras.

    Parameters
    ----------
    y_true : array_like
        The labels.
    y_pred : numpy.ndarray, shape (batch, ..., classes)
    name : str
        What wants the labels, for the messages: ``"sparse_categorical_crossentropy"``
        or ``"sparse_categorical_accuracy"``.

    Raises
    ------
    ValueError
        If the labels are not numbers (strings: map them to integers first); if the
        shapes do not fit (in Keras's wording, saying what was expected, and for
        one-hot targets to use the categorical loss or ``y.argmax(-1)``); if a label is
        NaN, infinite or fractional (Keras truncates it silently); or if it is outside
        ``[0, classes)`` (in Keras's wording).

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.losses import sparse_labels
    >>> sparse_labels([[2.0], [0.0]], np.ones((2, 3))).tolist()
    [2, 0]
    >>> sparse_labels(np.eye(3)[[2, 0]], np.ones((2, 3)))
    Traceback (most recent call last):
    ...
    ValueError: Arguments `target` and `output` must have the same shape up until the last \
dimension: target.shape=(2, 3), output.shape=(2, 3). sparse_categorical_crossentropy expects \
integer class labels of shape (2,), but `y_true` looks one-hot (shape (2, 3), rows of one 1): \
use categorical_crossentropy, or pass y.argmax(-1).
    >>> sparse_labels([0, 1.5], np.ones((2, 3)))
    Traceback (most recent call last):
    ...
    ValueError: Received a label value of 1.5 which is not an integer: \
sparse_categorical_crossentropy expects integer class labels in [0, 3).
    """
    t = np.asarray(y_true)
    classes = y_pred.shape[-1]
    if t.dtype.kind == "O":  # e.g. a list mixing numbers and None or strings
        try:
            t = t.astype(np.float64)
        except (TypeError, ValueError):
            pass
    if t.dtype.kind not in "biuf":
        example = f" (e.g. {_first(t)!r})" if t.size else ""
        raise ValueError(
            f"{name} expects integer class indices as labels, in [0, {classes}); got "
            f"dtype {t.dtype}{example}: map the labels to integers first."
        )
    if t.ndim == y_pred.ndim and t.ndim and t.shape[-1] == 1:
        t = t[..., 0]
    if t.shape != y_pred.shape[:-1]:
        message = (
            "Arguments `target` and `output` must have the same shape up until the last "
            f"dimension: target.shape={t.shape}, output.shape={y_pred.shape}. {name} "
            f"expects integer class labels of shape {y_pred.shape[:-1]}"
        )
        if t.ndim == y_pred.ndim and _looks_one_hot(t):
            other = name.replace("sparse_", "", 1)
            message += (
                f", but `y_true` looks one-hot (shape {t.shape}, rows of one 1): use "
                f"{other}, or pass y.argmax(-1)."
            )
        else:
            message += f" (or {(*y_pred.shape[:-1], 1)})."
        raise ValueError(message)
    if t.dtype.kind == "f":
        fractional = t[~np.isfinite(t) | (t != np.round(t))]
        if fractional.size:
            value = float(fractional.flat[0])
            raise ValueError(
                f"Received a label value of {value!r} which is not an integer: {name} "
                f"expects integer class labels in [0, {classes})."
            )
    bad = t[(t < 0) | (t >= classes)]
    if bad.size:
        raise ValueError(
            f"Received a label value of {int(bad.flat[0])} which is outside the valid range "
            f"of [0, {classes})."
        )
    return t.astype(np.int64)


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
    dtype : str, optional
        Accepted as Keras accepts it (the dtype of Keras's loss computations). It
        changes nothing here: values are computed from the predictions in their own
        dtype, summed in float64, and the gradient has the predictions' dtype.
    """

    default_name = "loss"

    def __init__(
        self,
        name: str | None = None,
        reduction: str | None = "sum_over_batch_size",
        dtype: Any = None,
    ):
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"Invalid value for argument `reduction`. Expected one of {_REDUCTIONS}. "
                f"Received: reduction={reduction}"
            )
        self.name = name or self.default_name
        self.reduction = reduction
        self.dtype = dtype

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
        """Return the per-sample values, shape ``y_pred.shape[:-1]`` (no reduction)."""
        return self.values_and_grads(y_true, _float_array(y_pred))[0]

    def _weights(self, values: np.ndarray, sample_weight: Any, mask: Any) -> np.ndarray | None:
        """Each value's weight: ``sample_weight`` times the mask's, as Keras 3 weighs them.

        For the mean (``sum_over_batch_size``) a kept value weighs ``total / kept``, so
        the mean is over the kept values alone (and 0 if none is kept).
        """
        weights = None
        if mask is not None:
            kept = np.asarray(mask, dtype=bool)
            if kept.shape != values.shape:
                raise ValueError(
                    f"The mask has shape {kept.shape}, but the loss has one value per step "
                    f"of shape {values.shape}: the mask must have that shape."
                )
            count = int(kept.sum())
            share = (
                values.size / count if count and self.reduction == "sum_over_batch_size" else 1.0
            )
            weights = np.where(kept, share if count else 0.0, 0.0)
        if sample_weight is not None:
            given = np.asarray(sample_weight, dtype=np.float64)
            given = given.reshape(given.shape + (1,) * (values.ndim - given.ndim))
            try:
                given = np.broadcast_to(given, values.shape)
            except ValueError:
                raise ValueError(
                    f"`sample_weight` of shape {np.shape(sample_weight)} does not fit the "
                    f"loss's values of shape {values.shape}."
                ) from None
            weights = given if weights is None else weights * given
        return weights

    def _scale(self, values: np.ndarray) -> float:
        return 1.0 / max(values.size, 1) if self.reduction == "sum_over_batch_size" else 1.0

    def __call__(
        self, y_true: Any, y_pred: Any, sample_weight: Any = None, mask: Any = None
    ) -> Any:
        """Return the reduced loss: a float (an array for ``reduction="none"``).

        ``sample_weight`` weighs each value (shape ``(batch,)`` or the values' shape);
        ``mask`` (the values' shape, True where a step is real) leaves padding out, as
        Keras does with the mask of a model's output.
        """
        values = self.call(y_true, y_pred)
        weights = self._weights(values, sample_weight, mask)
        if weights is not None:
            values = values * weights
        if self.reduction in ("none", None):
            return values
        return float(np.sum(values, dtype=np.float64) * self._scale(values))

    def value_and_gradient(
        self, y_true: Any, y_pred: Any, sample_weight: Any = None, mask: Any = None
    ) -> tuple[float, np.ndarray]:
        """Return the reduced loss and its gradient w.r.t. ``y_pred`` (same shape and dtype).

        ``sample_weight`` and ``mask`` as in `__call__`: a masked step's gradient is zero.

        Examples
        --------
        >>> import numpy as np
        >>> from rnn.losses import MeanAbsoluteError
        >>> value, grad = MeanAbsoluteError().value_and_gradient(np.ones(2), np.zeros((2, 1)))
        >>> value, grad.tolist()
        (1.0, [[-0.5], [-0.5]])
        >>> value, grad = MeanAbsoluteError().value_and_gradient(
        ...     np.ones((1, 2, 1)), np.zeros((1, 2, 1)), mask=np.array([[True, False]]))
        >>> value, grad.tolist()
        (1.0, [[[-1.0], [0.0]]])
        """
        if self.reduction in ("none", None):
            raise ValueError("A loss with reduction='none' has no single value to differentiate.")
        p = _float_array(y_pred)
        values, grads = self.values_and_grads(y_true, p)
        scale = self._scale(values)
        weights = self._weights(values, sample_weight, mask)
        if weights is not None:
            values = values * weights
            grads = np.where(weights[..., None] != 0, grads * weights[..., None], 0.0)
        value = float(np.sum(values, dtype=np.float64) * scale)
        return value, (grads * scale).astype(p.dtype, copy=False)

    def gradient(self, y_true: Any, y_pred: Any) -> np.ndarray:
        """Return the gradient of the reduced loss w.r.t. ``y_pred``, shape ``y_pred.shape``."""
        return self.value_and_gradient(y_true, y_pred)[1]

    def get_config(self) -> dict[str, Any]:
        """Name and reduction (plus the subclass's options): Keras 3's keys, in its order."""
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        """Build a loss from `get_config`'s dict (or Keras's).

        Examples
        --------
        >>> from rnn.losses import BinaryCrossentropy
        >>> config = BinaryCrossentropy(from_logits=True, axis=-1).get_config()
        >>> config
        {'name': 'binary_crossentropy', 'reduction': 'sum_over_batch_size', \
'from_logits': True, 'label_smoothing': 0.0, 'axis': -1}
        >>> BinaryCrossentropy.from_config(config).from_logits
        True
        """
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


# ------------------------------------------------------------------- the losses


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
        """Return ``(p - t) ** 2`` and its derivative ``2 (p - t)``, element by element."""
        diff = p.astype(np.float64) - t
        return diff**2, 2.0 * diff


class MeanAbsoluteError(_Elementwise):
    """``mean(abs(y_true - y_pred), axis=-1)``; Keras's ``"mae"``.

    The gradient at ``y_pred == y_true`` is 0, as in Keras.
    """

    default_name = "mean_absolute_error"

    def terms(self, t: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``abs(p - t)`` and its derivative ``sign(p - t)``, element by element."""
        diff = p.astype(np.float64) - t
        return np.abs(diff), np.sign(diff)


def _move_axis(y_pred: np.ndarray, axis: int) -> int | None:
    """Return the class axis of ``y_pred`` as an index (None if it is the last)."""
    if y_pred.ndim == 0:
        return None
    if not -y_pred.ndim <= axis < y_pred.ndim:
        raise ValueError(
            f"Argument `axis` is out of range for predictions of shape {y_pred.shape}. "
            f"Received: axis={axis}"
        )
    index = axis % y_pred.ndim
    return None if index == y_pred.ndim - 1 else index


class _AxisLoss(Loss):
    """A loss over the values along one axis (``axis``, the last by default)."""

    axis: int = -1

    def _values_and_grads_last(
        self, y_true: Any, y_pred: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _move_targets(self) -> bool:
        """Whether the targets have the class axis too (not for integer labels)."""
        return True

    def values_and_grads(self, y_true: Any, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-sample values and their derivatives, over ``axis`` (see the class)."""
        index = _move_axis(y_pred, self.axis)
        if index is None:
            return self._values_and_grads_last(y_true, y_pred)
        t = np.moveaxis(np.asarray(y_true), index, -1) if self._move_targets() else y_true
        values, grads = self._values_and_grads_last(t, np.moveaxis(y_pred, index, -1))
        return values, np.moveaxis(grads, -1, index)


class _CrossentropyOptions(_AxisLoss):
    """The options of the binary and categorical cross-entropies."""

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def smooth(self, t: np.ndarray, classes: int) -> np.ndarray:
        """Targets moved towards the uniform distribution: ``t * (1 - s) + s / classes``."""
        s = self.label_smoothing
        return t * (1.0 - s) + s / classes if s else t

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
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
    axis : int
        The axis the values are averaged over (Keras's ``axis``; default the last).
    **kwargs
        ``reduction``, ``name``, ``dtype`` (see `Loss`).

    Raises
    ------
    ValueError
        For a target outside ``[0, 1]`` (labels -1 and 1, or class indices 0..k-1:
        the loss would have no minimum), or targets whose shape does not fit.

    Examples
    --------
    Keras's docstring example:

    >>> from rnn.losses import BinaryCrossentropy
    >>> loss = BinaryCrossentropy(reduction="none")
    >>> loss([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]).round(3).tolist()
    [0.916, 0.714]
    """

    default_name = "binary_crossentropy"

    def _values_and_grads_last(
        self, y_true: Any, y_pred: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        return _Elementwise.values_and_grads(self, y_true, y_pred)

    def terms(self, t: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the cross-entropy of each target and prediction, and its derivative in ``p``.

        Raises
        ------
        ValueError
            For a target outside ``[0, 1]``: its loss has no minimum (Keras's torch
            backend refuses it too; its TensorFlow backend trains on it silently).
        """
        outside = t[(t < 0) | (t > 1)]
        if outside.size:
            raise ValueError(
                f"Received a target value of {float(outside.flat[0])!r} which is outside the "
                "valid range of [0, 1]: binary_crossentropy expects targets between 0 and 1 "
                "(the probability of the positive class). Map the labels to 0 and 1, or for "
                "more than two classes use sparse_categorical_crossentropy."
            )
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
    axis : int
        The class axis, summed over (Keras's ``axis``; default the last).
    **kwargs
        ``reduction``, ``name``, ``dtype`` (see `Loss`).

    Raises
    ------
    ValueError
        If ``y_true`` does not have ``y_pred``'s shape (Keras's words); integer labels
        (shape ``(batch,)`` or ``(batch, 1)``) are told to use
        ``sparse_categorical_crossentropy``; targets that are not numbers too.

    Examples
    --------
    Keras's docstring example:

    >>> from rnn.losses import CategoricalCrossentropy
    >>> loss = CategoricalCrossentropy(reduction="none")
    >>> loss([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]).round(4).tolist()
    [0.0513, 2.3026]
    """

    default_name = "categorical_crossentropy"

    def _values_and_grads_last(
        self, y_true: Any, y_pred: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return each sample's cross-entropy and its derivative w.r.t. ``y_pred``."""
        t = np.asarray(y_true)
        check_one_hot(t, y_pred)
        t = self.smooth(t.astype(np.float64), classes=y_pred.shape[-1])
        return _crossentropy(t, y_pred, self.from_logits)


class SparseCategoricalCrossentropy(_AxisLoss):
    """Cross-entropy with integer class labels; Keras's ``"sparse_categorical_crossentropy"``.

    Shapes: ``y_true`` is ``(batch, ...)`` (or ``(batch, ..., 1)``) of class
    indices; ``y_pred`` is ``(batch, ..., classes)``.

    Parameters
    ----------
    from_logits : bool
        As for `CategoricalCrossentropy`.
    ignore_class : int, optional
        A label to leave out, e.g. the label of padding: its values and gradients
        are 0, and the mean is over the other labels only (as in Keras).
    axis : int
        The class axis of ``y_pred`` (Keras's ``axis``; default the last). Not in
        the config, as in Keras.
    **kwargs
        ``reduction``, ``name``, ``dtype`` (see `Loss`).

    Raises
    ------
    ValueError
        For labels that are not numbers (strings: map them to integers first), a
        shape that does not fit (one-hot targets are told to use
        ``categorical_crossentropy`` or ``y.argmax(-1)``), a label that is NaN,
        infinite or fractional (Keras truncates it), or one outside ``[0, classes)``
        (Keras's words). See `sparse_labels`.

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
dimension: target.shape=(2, 3), output.shape=(2, 3). sparse_categorical_crossentropy expects \
integer class labels of shape (2,), but `y_true` looks one-hot (shape (2, 3), rows of one 1): \
use categorical_crossentropy, or pass y.argmax(-1).
    """

    default_name = "sparse_categorical_crossentropy"

    def __init__(
        self,
        from_logits: bool = False,
        ignore_class: int | None = None,
        axis: int = -1,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis
        self._kept: np.ndarray | None = None  # where the last labels were not ignored

    def _move_targets(self) -> bool:
        return False

    def _values_and_grads_last(
        self, y_true: Any, y_pred: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return each sample's cross-entropy and its derivative w.r.t. ``y_pred``.

        The labels are taken as one-hot targets; an ignored label gives 0 and 0.
        """
        t = np.asarray(y_true)
        self._kept = None
        if self.ignore_class is not None:
            if t.ndim == y_pred.ndim and t.ndim and t.shape[-1] == 1:
                t = t[..., 0]
            kept = t != self.ignore_class
            t = np.where(kept, t, 0)
        labels = sparse_labels(t, y_pred)
        one_hot = np.eye(y_pred.shape[-1], dtype=np.float64)[labels]
        values, grads = _crossentropy(one_hot, y_pred, self.from_logits)
        if self.ignore_class is not None:
            self._kept = kept
            values, grads = values * kept, grads * kept[..., None]
        return values, grads

    def _weights(self, values: np.ndarray, sample_weight: Any, mask: Any) -> np.ndarray | None:
        """As `Loss`'s, with the ignored labels masked out too."""
        kept = self._kept
        if kept is not None and kept.shape == values.shape:
            mask = kept if mask is None else np.logical_and(mask, kept)
        return super()._weights(values, sample_weight, mask)

    def get_config(self) -> dict[str, Any]:
        """Return the name, the reduction, ``from_logits`` and ``ignore_class`` (as Keras)."""
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
        }


# ------------------------------------------------------------ the losses as functions


def mean_squared_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """Keras's ``mean_squared_error``: ``mean((y_true - y_pred) ** 2, axis=-1)``, per sample.

    Also `rnn.metrics.mean_squared_error` (the same function, as in Keras). Usable as
    ``compile(loss=...)`` and in ``metrics=[...]``; the losses' classes give the gradient.

    Parameters
    ----------
    y_true : array_like, shape (batch, ..., d)
        A trailing axis of size 1 may be missing.
    y_pred : array_like, shape (batch, ..., d)

    Returns
    -------
    numpy.ndarray, shape (batch, ...)
        One value per sample (float64).

    Examples
    --------
    >>> from rnn.losses import mean_squared_error
    >>> mean_squared_error([[0.0, 1.0], [1.0, 1.0]], [[0.5, 1.0], [1.0, 0.0]]).tolist()
    [0.125, 0.5]
    """
    return MeanSquaredError(reduction=None).call(y_true, y_pred)


def mean_absolute_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """Keras's ``mean_absolute_error``: ``mean(abs(y_true - y_pred), axis=-1)``, per sample.

    Parameters
    ----------
    y_true : array_like, shape (batch, ..., d)
    y_pred : array_like, shape (batch, ..., d)

    Returns
    -------
    numpy.ndarray, shape (batch, ...)

    Examples
    --------
    >>> from rnn.losses import mean_absolute_error
    >>> mean_absolute_error([[0.0, 1.0], [1.0, 1.0]], [[0.5, 1.0], [1.0, 0.0]]).tolist()
    [0.25, 0.5]
    """
    return MeanAbsoluteError(reduction=None).call(y_true, y_pred)


def binary_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    """Keras's ``binary_crossentropy``: the mean over ``axis`` of the element-wise values.

    Parameters
    ----------
    y_true : array_like, shape of y_pred
        Targets in ``[0, 1]``.
    y_pred : array_like, shape (batch, ..., d)
        Probabilities, or logits with ``from_logits=True``.
    from_logits : bool
        ``y_pred`` are logits (default: probabilities), as for `BinaryCrossentropy`.
    label_smoothing : float
        As for `BinaryCrossentropy`.
    axis : int
        The axis averaged over; default the last.

    Returns
    -------
    numpy.ndarray
        ``y_pred``'s shape without ``axis``.

    Raises
    ------
    ValueError
        For a target outside ``[0, 1]`` (labels -1 and 1, or class indices 0..k-1:
        the loss would have no minimum), or targets whose shape does not fit.

    Examples
    --------
    >>> from rnn.losses import binary_crossentropy
    >>> binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]).round(3).tolist()
    [0.916, 0.714]
    """
    loss = BinaryCrossentropy(from_logits, label_smoothing, axis, reduction=None)
    return loss.call(y_true, y_pred)


def categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    """Keras's ``categorical_crossentropy``: ``-sum(y_true * log(p), axis)`` per sample.

    Parameters
    ----------
    y_true : array_like, shape of y_pred
        One-hot targets.
    y_pred : array_like, shape (batch, ..., classes)
        Probabilities, or logits with ``from_logits=True``.
    from_logits : bool
        ``y_pred`` are logits (default: probabilities), as for `CategoricalCrossentropy`.
    label_smoothing : float
        As for `CategoricalCrossentropy`.
    axis : int
        The class axis, summed over; default the last.

    Returns
    -------
    numpy.ndarray
        ``y_pred``'s shape without ``axis``.

    Raises
    ------
    ValueError
        If ``y_true`` does not have ``y_pred``'s shape (Keras's words); integer labels
        (shape ``(batch,)`` or ``(batch, 1)``) are told to use
        ``sparse_categorical_crossentropy``; targets that are not numbers too.

    Examples
    --------
    >>> from rnn.losses import categorical_crossentropy
    >>> y_true, y_pred = [[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
    >>> categorical_crossentropy(y_true, y_pred).round(4).tolist()
    [0.0513, 2.3026]
    """
    loss = CategoricalCrossentropy(from_logits, label_smoothing, axis, reduction=None)
    return loss.call(y_true, y_pred)


def sparse_categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    ignore_class: int | None = None,
    axis: int = -1,
) -> np.ndarray:
    """Keras's ``sparse_categorical_crossentropy``: the cross-entropy of integer labels.

    Parameters
    ----------
    y_true : array_like, shape (batch, ...)
        Class indices.
    y_pred : array_like, shape (batch, ..., classes)
    from_logits : bool
        ``y_pred`` are logits (default: probabilities).
    ignore_class : int, optional
        A label whose value is 0 (see `SparseCategoricalCrossentropy`).
    axis : int
        The class axis of ``y_pred``; default the last.

    Returns
    -------
    numpy.ndarray, shape of y_true

    Raises
    ------
    ValueError
        For labels that are not numbers (strings: map them to integers first), a
        shape that does not fit (one-hot targets are told to use
        ``categorical_crossentropy`` or ``y.argmax(-1)``), a label that is NaN,
        infinite or fractional (Keras truncates it), or one outside ``[0, classes)``
        (Keras's words). See `sparse_labels`.

    Examples
    --------
    >>> from rnn.losses import sparse_categorical_crossentropy
    >>> y_pred = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
    >>> sparse_categorical_crossentropy([1, 2], y_pred).round(4).tolist()
    [0.0513, 2.3026]
    >>> sparse_categorical_crossentropy([1, 2], y_pred, ignore_class=2).round(4).tolist()
    [0.0513, 0.0]
    """
    loss = SparseCategoricalCrossentropy(from_logits, ignore_class, axis, reduction=None)
    return loss.call(y_true, y_pred)


#: each loss function and the class that computes it (and its gradient)
_FUNCTIONS: dict[Any, type[Loss]] = {
    mean_squared_error: MeanSquaredError,
    mean_absolute_error: MeanAbsoluteError,
    binary_crossentropy: BinaryCrossentropy,
    categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
}


class LossFunctionWrapper(Loss):
    """A loss object from a function ``fn(y_true, y_pred, **kwargs)``, as Keras's.

    ``compile(loss=rnn.losses.mean_squared_error)`` wraps the function in one (as
    Keras does), named after it. For the functions of this module the gradient is
    known; a function of your own gives values (``evaluate`` works) but no gradient,
    so training with it raises ``NotImplementedError``: ``rnn`` has no automatic
    differentiation.

    Parameters
    ----------
    fn : callable
        Per-sample values from ``(y_true, y_pred)``.
    reduction : str
        As for `Loss`.
    name : str, optional
        Default: the function's name.
    dtype : str, optional
        As for `Loss`.
    **kwargs
        Passed to ``fn`` (e.g. ``from_logits=True``).

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import losses
    >>> loss = losses.get(losses.mean_squared_error)
    >>> loss
    <LossFunctionWrapper name=mean_squared_error>
    >>> value, grad = loss.value_and_gradient(np.zeros((2, 1)), np.ones((2, 1)))
    >>> value, grad.tolist()
    (1.0, [[1.0], [1.0]])
    """

    def __init__(
        self,
        fn: Any,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction)
        self.dtype = dtype
        self.fn = fn
        self.fn_kwargs = kwargs
        cls = _FUNCTIONS.get(fn)
        self._inner = None if cls is None else cls(reduction=reduction, **kwargs)

    def call(self, y_true: Any, y_pred: Any) -> np.ndarray:
        """Return ``fn(y_true, y_pred, **kwargs)``: the per-sample values."""
        if self._inner is not None:
            return self._inner.call(y_true, y_pred)
        return np.asarray(self.fn(y_true, y_pred, **self.fn_kwargs))

    def values_and_grads(self, y_true: Any, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the values and their gradient (for this module's functions only)."""
        if self._inner is None:
            raise NotImplementedError(
                f"rnn cannot differentiate the loss function {self.name!r}: it has no "
                "automatic differentiation. Train with one of rnn.losses' functions or "
                "classes (or a Loss subclass that implements values_and_grads)."
            )
        return self._inner.values_and_grads(y_true, y_pred)

    def _weights(self, values: np.ndarray, sample_weight: Any, mask: Any) -> np.ndarray | None:
        if self._inner is not None:
            return self._inner._weights(values, sample_weight, mask)
        return super()._weights(values, sample_weight, mask)

    def get_config(self) -> dict[str, Any]:
        """Return the name, the reduction, ``fn`` (its name) and the function's arguments."""
        return {**super().get_config(), "fn": getattr(self.fn, "__name__", None), **self.fn_kwargs}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        """Build the wrapper from `get_config`'s dict (``fn`` names a function of this module)."""
        config = dict(config)
        fn = config.pop("fn")
        if isinstance(fn, dict):
            fn = fn.get("config")
        if isinstance(fn, str):
            fn = _FUNCTIONS_BY_NAME[fn]
        return cls(fn, **config)


_FUNCTIONS_BY_NAME: dict[str, Any] = {fn.__name__: fn for fn in _FUNCTIONS}

_ALIASES: dict[str, type[Loss]] = _registry.name_table(
    [
        (MeanSquaredError, ("mse", "MSE")),
        (MeanAbsoluteError, ("mae", "MAE")),
        (BinaryCrossentropy, ("bce", "BCE")),
        (CategoricalCrossentropy, ()),
        (SparseCategoricalCrossentropy, ()),
    ]
)

_CLASSES: dict[str, type[Loss]] = {
    cls.__name__: cls for cls in (*_FUNCTIONS.values(), LossFunctionWrapper)
}


def _from_dict(identifier: dict[str, Any]) -> Loss:
    """Build a loss from Keras's serialized form (a class and its config, or a function)."""
    name, config = identifier.get("class_name"), identifier.get("config")
    if name == "function" and isinstance(config, str) and config in _FUNCTIONS_BY_NAME:
        return LossFunctionWrapper(_FUNCTIONS_BY_NAME[config])
    if isinstance(name, str) and name in _CLASSES and isinstance(config, dict):
        return _CLASSES[name].from_config(config)
    keras_only = _registry.keras_only(name, _CLASSES, "loss", shown=_CLASSES)
    raise keras_only or ValueError(f"Could not interpret loss identifier: {identifier}")


def get(identifier: Any) -> Loss:
    """Return a loss object for what Keras's ``compile(loss=...)`` accepts.

    A Keras name (``"mse"``, ``"bce"``, ``"binary_crossentropy"``,
    ``"MeanSquaredError"``...), a `Loss` (returned as it is) or class, a function of
    this module (wrapped in a `LossFunctionWrapper`, as Keras's ``compile`` does), or
    Keras's serialized form (``{"class_name": "MeanSquaredError", "config": {...}}``).

    Raises
    ------
    ValueError
        For a Keras name that rnn does not implement (``"huber"``, ``"kld"``...), saying
        so and listing rnn's names; for anything else in Keras's wording, with the
        closest of rnn's names when one is close (``"Did you mean 'mse'?"``).

    Examples
    --------
    >>> from rnn import losses
    >>> losses.get("mae"), losses.get("SparseCategoricalCrossentropy").name
    (<MeanAbsoluteError name=mean_absolute_error>, 'sparse_categorical_crossentropy')
    >>> losses.get(losses.binary_crossentropy).name
    'binary_crossentropy'
    >>> losses.get({"class_name": "MeanSquaredError", "config": {"name": "mse"}})
    <MeanSquaredError name=mse>
    >>> losses.get("msee")
    Traceback (most recent call last):
    ...
    ValueError: Could not interpret loss identifier: msee. Did you mean 'mse'?
    >>> losses.get("huber")
    Traceback (most recent call last):
    ...
    ValueError: 'huber' is a Keras loss that rnn does not implement; rnn has: 'bce', \
'binary_crossentropy', 'categorical_crossentropy', 'mae', 'mean_absolute_error', \
'mean_squared_error', 'mse', 'sparse_categorical_crossentropy'.
    """
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, dict):
        return _from_dict(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    return _registry.lookup(identifier, _ALIASES, "loss")()


__all__ = [
    "EPSILON",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "Loss",
    "LossFunctionWrapper",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "SparseCategoricalCrossentropy",
    "align_targets",
    "binary_crossentropy",
    "categorical_crossentropy",
    "check_one_hot",
    "get",
    "mean_absolute_error",
    "mean_squared_error",
    "sparse_categorical_crossentropy",
    "sparse_labels",
]
