"""Metrics with Keras 3's names, averaged over an epoch the way Keras averages them.

A metric turns ``(y_true, y_pred)`` into one value per sample (per element for
the binary accuracy), and keeps a running **total** and **count** of them
across batches, so its :meth:`~Metric.result` is the mean over every sample
seen since the last :meth:`~Metric.reset_state`: a mean weighted by batch size,
as in Keras.

``"accuracy"`` is resolved from the shapes, as Keras 3 does (see :func:`get`).

Examples
--------
>>> import numpy as np
>>> from rnn import metrics
>>> mae = metrics.get("mae")
>>> mae.update_state(np.zeros((3, 1)), np.ones((3, 1)))  # 3 samples with error 1
>>> mae.update_state(np.zeros((1, 1)), np.full((1, 1), 5.0))  # 1 sample with error 5
>>> mae.name, mae.result()
('mae', 2.0)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rnn import _registry, config
from rnn._naming import auto_name
from rnn.losses import (
    align_targets,
    binary_crossentropy,
    categorical_crossentropy,
    check_one_hot,
    mean_absolute_error,
    mean_squared_error,
    sparse_categorical_crossentropy,
    sparse_labels,
)


def _pred(y_pred: Any) -> np.ndarray:
    p = np.asarray(y_pred)
    return p if p.dtype.kind == "f" else p.astype(np.float32)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """1.0 where ``(y_pred > threshold) == y_true``, element-wise (shape of ``y_pred``).

    Examples
    --------
    >>> from rnn.metrics import binary_accuracy
    >>> binary_accuracy([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]).ravel().tolist()
    [1.0, 1.0, 1.0, 0.0]
    """
    p = _pred(y_pred)
    return (align_targets(y_true, p) == (p > threshold)).astype(np.float64)


def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1.0 where the arg-max of one-hot ``y_true`` and of ``y_pred`` agree, per sample.

    Raises
    ------
    ValueError
        If ``y_true`` does not have ``y_pred``'s shape (Keras's words); integer labels
        are told to use ``sparse_categorical_accuracy``.

    Examples
    --------
    >>> from rnn.metrics import categorical_accuracy
    >>> categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]).tolist()
    [0.0, 1.0]
    """
    p = _pred(y_pred)
    t = np.asarray(y_true)
    check_one_hot(t, p, "sparse_categorical_accuracy")
    return (t.argmax(axis=-1) == p.argmax(axis=-1)).astype(np.float64)


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1.0 where the integer label equals the arg-max of ``y_pred``, per sample.

    Raises
    ------
    ValueError
        As :func:`rnn.losses.sparse_labels`: labels that are not numbers, a shape that
        does not fit (one-hot targets are told to use ``categorical_accuracy`` or
        ``y.argmax(-1)``), a NaN or fractional label, or one outside ``[0, classes)``.

    Examples
    --------
    >>> from rnn.metrics import sparse_categorical_accuracy
    >>> sparse_categorical_accuracy([2, 1], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]).tolist()
    [0.0, 1.0]
    """
    p = _pred(y_pred)
    labels = sparse_labels(y_true, p, "sparse_categorical_accuracy")
    return (labels == p.argmax(axis=-1)).astype(np.float64)


class Metric:
    """Running mean of per-sample values: ``total / count``.

    Parameters
    ----------
    name : str, optional
        The key in ``History.history`` and in the progress line.
    dtype : str, optional
        Keras's ``dtype`` (default ``floatx()``, float32): here it is the dtype of
        `variables` and of the config; the running total and count are kept in
        float64 whatever it is, so results do not depend on it.

    Examples
    --------
    Keras 3's state of a mean: ``total`` and ``count``:

    >>> from rnn.metrics import MeanSquaredError
    >>> metric = MeanSquaredError()
    >>> metric.update_state([[0.0], [1.0]], [[1.0], [1.0]])
    >>> metric.variable_names, [float(v) for v in metric.variables], metric.variables[0].dtype
    (['total', 'count'], [1.0, 2.0], dtype('float32'))
    >>> metric.get_config()
    {'name': 'mean_squared_error', 'dtype': 'float32'}
    """

    default_name = "metric"

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        self.name = name or self.default_name
        self.dtype = np.dtype(dtype or config.floatx()).name
        self.total = 0.0
        self.count = 0.0

    @property
    def variables(self) -> list[np.ndarray]:
        """Keras 3's variables: ``total`` and ``count``, 0-d arrays of `dtype` (copies)."""
        return [np.array(self.total, dtype=self.dtype), np.array(self.count, dtype=self.dtype)]

    @property
    def variable_names(self) -> list[str]:
        """The Keras names of `variables` (paths ``f"{name}/total"``, ``f"{name}/count"``)."""
        return ["total", "count"]

    def get_config(self) -> dict[str, Any]:
        """Return Keras 3's config: ``name`` and ``dtype`` (plus the subclass's options)."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        """Build a metric from `get_config`'s dict (or Keras's)."""
        return cls(**config)

    def values(self, y_true: Any, y_pred: Any) -> np.ndarray:
        """Per-sample values; subclasses implement this."""
        raise NotImplementedError

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the values of one batch to the running total.

        ``sample_weight`` (one weight per value, or per sample) weighs them; a mask of
        the output's steps (False at padding) leaves the padding out, as in Keras.
        """
        values = np.asarray(self.values(y_true, y_pred), dtype=np.float64)
        if sample_weight is None:
            self.total += float(values.sum())
            self.count += values.size
            return
        weight = np.asarray(sample_weight, dtype=np.float64)
        weight = np.broadcast_to(
            weight.reshape(weight.shape + (1,) * (values.ndim - weight.ndim)), values.shape
        )
        self.total += float((values * weight).sum())
        self.count += float(weight.sum())

    def result(self) -> float:
        """Return the mean of every value since the last reset (0.0 before any)."""
        return self.total / self.count if self.count else 0.0

    def reset_state(self) -> None:
        """Forget every batch (done at the start of each epoch)."""
        self.total = 0.0
        self.count = 0.0

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class Mean(Metric):
    """Weighted mean of numbers, e.g. the loss of each batch weighted by its size.

    Examples
    --------
    >>> from rnn.metrics import Mean
    >>> loss = Mean(name="loss")
    >>> loss.update_state(1.0, sample_weight=32)
    >>> loss.update_state(4.0, sample_weight=8)
    >>> loss.result()
    1.6
    """

    default_name = "mean"

    # Keras's Mean takes the values themselves, not targets and predictions
    def update_state(self, values: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        """Add ``values`` (a number or array), each weighted by ``sample_weight``."""
        values = np.asarray(values, dtype=np.float64)
        weight = np.broadcast_to(
            np.asarray(1.0 if sample_weight is None else sample_weight, np.float64), values.shape
        )
        self.total += float((values * weight).sum())
        self.count += float(weight.sum())


class MeanMetricWrapper(Metric):
    """A metric from a function ``fn(y_true, y_pred, **kwargs) -> per-sample values``.

    ``compile(metrics=[rnn.metrics.mean_squared_error])`` wraps the function in one,
    named after it, as Keras does.

    Parameters
    ----------
    fn : callable
    name : str, optional
        Default: Keras's, ``"mean_metric_wrapper"`` made unique in the session
        (``compile`` and `get` name it after the function instead).
    dtype : str, optional
        As for `Metric`.
    **kwargs
        Passed to ``fn``.

    Examples
    --------
    >>> from rnn import losses
    >>> from rnn.metrics import MeanMetricWrapper
    >>> metric = MeanMetricWrapper(losses.binary_crossentropy, from_logits=True)
    >>> metric.update_state([[1.0]], [[0.0]])
    >>> metric.name, round(metric.result(), 4)
    ('mean_metric_wrapper', 0.6931)
    """

    def __init__(
        self,
        fn: Callable[..., np.ndarray],
        name: str | None = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name or auto_name(type(self).__name__), dtype=dtype)
        self.fn = fn
        self.fn_kwargs = kwargs

    def values(self, y_true: Any, y_pred: Any) -> np.ndarray:
        """Return ``fn(y_true, y_pred, **kwargs)``: the per-sample values."""
        return self.fn(y_true, y_pred, **self.fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        """Return the name, the dtype, ``fn`` (its name) and the function's arguments."""
        return {**super().get_config(), "fn": getattr(self.fn, "__name__", None), **self.fn_kwargs}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        """Build the wrapper from `get_config`'s dict (``fn`` names a function here)."""
        config = dict(config)
        fn = config.pop("fn")
        if isinstance(fn, dict):
            fn = fn.get("config")
        if isinstance(fn, str):
            fn = _FUNCTIONS[fn]
        return cls(fn, **config)


class _FunctionMetric(MeanMetricWrapper):
    """A Keras metric class over one function: ``function`` and ``default_name``."""

    function: Callable[..., np.ndarray]
    default_name: str

    def __init__(self, name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(type(self).function, name=name or self.default_name, dtype=dtype, **kwargs)

    def get_config(self) -> dict[str, Any]:
        """Return Keras's config: ``name``, ``dtype`` and the options (no ``fn``)."""
        return {"name": self.name, "dtype": self.dtype, **self.fn_kwargs}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        """Build the metric from `get_config`'s dict (or Keras's)."""
        return cls(**config)


class MeanAbsoluteError(_FunctionMetric):
    """Keras's ``MeanAbsoluteError`` metric (``"mae"``)."""

    function = staticmethod(mean_absolute_error)
    default_name = "mean_absolute_error"


class MeanSquaredError(_FunctionMetric):
    """Keras's ``MeanSquaredError`` metric (``"mse"``)."""

    function = staticmethod(mean_squared_error)
    default_name = "mean_squared_error"


class BinaryAccuracy(_FunctionMetric):
    """Share of ``(y_pred > threshold) == y_true``, over every element.

    Parameters
    ----------
    name : str
    dtype : str, optional
    threshold : float
        Default 0.5.

    Examples
    --------
    >>> from rnn.metrics import BinaryAccuracy
    >>> metric = BinaryAccuracy(threshold=0.7)
    >>> metric.update_state([[1], [1], [0]], [[0.6], [0.8], [0.1]])
    >>> round(metric.result(), 4), metric.get_config()
    (0.6667, {'name': 'binary_accuracy', 'dtype': 'float32', 'threshold': 0.7})
    """

    function = staticmethod(binary_accuracy)
    default_name = "binary_accuracy"

    def __init__(self, name: str | None = None, dtype: Any = None, threshold: float = 0.5) -> None:
        super().__init__(name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(_FunctionMetric):
    """Share of samples whose predicted class is the one-hot target's.

    Raises
    ------
    ValueError
        From `update_state`, as `categorical_accuracy`.
    """

    function = staticmethod(categorical_accuracy)
    default_name = "categorical_accuracy"


class SparseCategoricalAccuracy(_FunctionMetric):
    """Share of samples whose predicted class is the integer label.

    Raises
    ------
    ValueError
        From `update_state`, as `sparse_categorical_accuracy`.
    """

    function = staticmethod(sparse_categorical_accuracy)
    default_name = "sparse_categorical_accuracy"


#: the functions Keras's ``keras.metrics`` has (the losses' are the same objects)
_FUNCTIONS: dict[str, Callable[..., np.ndarray]] = {
    fn.__name__: fn
    for fn in (
        binary_accuracy,
        categorical_accuracy,
        sparse_categorical_accuracy,
        mean_absolute_error,
        mean_squared_error,
        binary_crossentropy,
        categorical_crossentropy,
        sparse_categorical_crossentropy,
    )
}

_BY_NAME: dict[str, Callable[[], Metric]] = _registry.name_table(
    [
        (MeanAbsoluteError, ("mae", "MAE")),
        (MeanSquaredError, ("mse", "MSE")),
        (BinaryAccuracy, ()),
        (CategoricalAccuracy, ()),
        (SparseCategoricalAccuracy, ()),
    ]
)


def _loss_metric(name: str) -> Callable[[], Metric]:
    """Return a metric that averages the loss ``name`` (Keras's metric of that name)."""
    return lambda: MeanMetricWrapper(_FUNCTIONS[name], name)


for _loss in ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"):
    _BY_NAME[_loss] = _loss_metric(_loss)
_BY_NAME["bce"] = _BY_NAME["BCE"] = _loss_metric("binary_crossentropy")

_CLASSES: dict[str, type[Metric]] = {
    cls.__name__: cls
    for cls in (
        Mean,
        MeanMetricWrapper,
        MeanAbsoluteError,
        MeanSquaredError,
        BinaryAccuracy,
        CategoricalAccuracy,
        SparseCategoricalAccuracy,
    )
}


def _from_dict(identifier: dict[str, Any]) -> Metric:
    """Build a metric from Keras's serialized form (a class and its config, or a function)."""
    name, config = identifier.get("class_name"), identifier.get("config")
    if name == "function" and isinstance(config, str) and config in _FUNCTIONS:
        return MeanMetricWrapper(_FUNCTIONS[config], name=config)
    if isinstance(name, str) and name in _CLASSES and isinstance(config, dict):
        return _CLASSES[name].from_config(config)
    keras_only = _registry.keras_only(name, _CLASSES, "metric", shown=_CLASSES)
    raise keras_only or ValueError(f"Could not interpret metric identifier: {identifier}")


def accuracy_for(y_true_shape: tuple[int, ...], y_pred_shape: tuple[int, ...]) -> type[Metric]:
    """Pick the accuracy Keras 3 uses for ``"accuracy"``, from the target and output shapes.

    Binary if the output has one unit; sparse categorical if the targets have
    one axis fewer (or a last axis of 1 against several classes); otherwise
    categorical.

    Examples
    --------
    >>> from rnn.metrics import accuracy_for
    >>> shapes = [((8, 1), (8, 1)), ((8,), (8, 4)), ((8, 4), (8, 4))]
    >>> [accuracy_for(t, p).__name__ for t, p in shapes]
    ['BinaryAccuracy', 'SparseCategoricalAccuracy', 'CategoricalAccuracy']
    """
    if y_pred_shape[-1] == 1:
        return BinaryAccuracy
    if len(y_true_shape) < len(y_pred_shape) or y_true_shape[-1] == 1:
        return SparseCategoricalAccuracy
    return CategoricalAccuracy


def _is_accuracy(identifier: Any) -> bool:
    """Whether ``identifier`` is ``"accuracy"`` or ``"acc"`` (any case), resolved from shapes."""
    return isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc")


def get(identifier: Any, y_true: Any = None, y_pred: Any = None) -> Metric:
    """Return a fresh metric for a Keras name, named as given.

    Also what else Keras's ``metrics=[...]`` takes: a `Metric` (returned as it is) or
    class, a function (``rnn.metrics.binary_accuracy``, ``rnn.losses.mean_squared_error``,
    wrapped in a `MeanMetricWrapper` named after it, as Keras does), or Keras's
    serialized form ``{"class_name": ..., "config": {...}}``.

    ``"accuracy"`` (or ``"acc"``) needs ``y_true`` and ``y_pred`` (a batch, or
    just arrays of the right shapes) to choose among binary, categorical and
    sparse categorical accuracy (:func:`accuracy_for`).

    Raises
    ------
    ValueError
        For a Keras name that rnn does not implement (``"auc"``, ``"precision"``...),
        saying so and listing rnn's names; for another unknown name in Keras's wording,
        with the closest of rnn's names when one is close (``"Did you mean 'mae'?"``).

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import metrics
    >>> metrics.get("accuracy", np.array([0, 2]), np.ones((2, 3)))
    <SparseCategoricalAccuracy name=accuracy>
    >>> metrics.get("mean_absolute_error")
    <MeanAbsoluteError name=mean_absolute_error>
    >>> metrics.get(metrics.mean_squared_error)
    <MeanMetricWrapper name=mean_squared_error>
    >>> metrics.get("maee")
    Traceback (most recent call last):
    ...
    ValueError: Could not interpret metric identifier: maee. Did you mean 'mae'?
    >>> metrics.get("auc")
    Traceback (most recent call last):
    ...
    ValueError: 'auc' is a Keras metric that rnn does not implement; rnn has: 'acc', \
'accuracy', 'bce', 'binary_accuracy', 'binary_crossentropy', 'categorical_accuracy', \
'categorical_crossentropy', 'mae', 'mean_absolute_error', 'mean_squared_error', 'mse', \
'sparse_categorical_accuracy', 'sparse_categorical_crossentropy'.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        return _from_dict(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier, name=getattr(identifier, "__name__", None))
    if _is_accuracy(identifier):
        if y_true is None or y_pred is None:
            raise ValueError(f"Metric '{identifier}' needs targets and outputs to be resolved.")
        cls = accuracy_for(np.shape(y_true), np.shape(y_pred))
        return cls(name=identifier)
    if not (isinstance(identifier, str) and identifier in _BY_NAME):
        raise _registry.unknown_name(identifier, [*_BY_NAME, "accuracy", "acc"], "metric")
    metric = _BY_NAME[identifier]()
    metric.name = identifier
    return metric


def _check_ids(metrics: Sequence[str | Metric] | None) -> tuple[Any, ...]:
    """``compile``'s ``metrics`` as a tuple, each name checked now (as Keras does).

    Raises
    ------
    ValueError
        If ``metrics`` is not a list or tuple, or a name is unknown, in Keras's wording.
    """
    if metrics is not None and not isinstance(metrics, (list, tuple)):
        raise ValueError(
            "Expected `metrics` argument to be a list, tuple, or dict. "
            f"Received instead: metrics={metrics} of type {type(metrics)}"
        )
    checked = []
    for metric in metrics or ():
        if _is_accuracy(metric):  # "accuracy" waits for the data's shapes
            checked.append(metric)
            continue
        resolved = get(metric)
        # a function or a config becomes its metric now, so that it has a name
        checked.append(metric if isinstance(metric, str) else resolved)
    return tuple(checked)


def unique_names(names: Sequence[str], taken: Sequence[str] = ()) -> list[str]:
    """Return the log keys of metrics named ``names``: repeats get ``_1``, ``_2``... (Keras 3).

    ``metrics=["mae", "mae"]`` logs ``mae`` and ``mae_1``; two spellings of one metric
    (``"mae"`` and ``"mean_absolute_error"``) keep their own names, as in Keras. A key
    in ``taken`` (``"loss"``) is never reused, nor one made by a suffix.

    Examples
    --------
    >>> from rnn.metrics import unique_names
    >>> unique_names(["mae", "mae", "mean_absolute_error", "mae"])
    ['mae', 'mae_1', 'mean_absolute_error', 'mae_2']
    """
    used = set(taken)
    counters: dict[str, int] = {}
    unique = []
    for name in names:
        key = name
        while key in used:
            counters[name] = counters.get(name, 0) + 1
            key = f"{name}_{counters[name]}"
        used.add(key)
        unique.append(key)
    return unique


class MetricsTracker:
    """The running loss (weighted by batch size) and metrics of one epoch or evaluation.

    Parameters
    ----------
    metric_ids : list of str or Metric
        As given to ``compile``.
    y : numpy.ndarray
        A batch of targets, to resolve ``"accuracy"``.
    y_pred : numpy.ndarray
        The model's outputs for that batch.
    """

    def __init__(self, metric_ids: Sequence[Any], y: np.ndarray, y_pred: np.ndarray) -> None:
        self.loss = Mean(name="loss")
        self.metrics = [get(m, y, y_pred) for m in metric_ids]
        for metric in self.metrics:
            metric.reset_state()
        #: the metrics' keys in the logs (a repeated name gets ``_1``, ... as Keras)
        self.names = unique_names([m.name for m in self.metrics], taken=["loss"])

    def update(
        self, loss: float, y: np.ndarray, y_pred: np.ndarray, mask: np.ndarray | None = None
    ) -> None:
        """Add one batch: its ``loss``, weighted by its size, and its metrics.

        With a ``mask`` of the output's steps, the metrics leave the padding out.
        """
        self.loss.update_state(loss, sample_weight=len(y_pred))
        for metric in self.metrics:
            metric.update_state(y, y_pred, sample_weight=mask)

    def logs(self) -> dict[str, float]:
        """Keras 3's logs: the keys in sorted order."""
        results = {"loss": self.loss.result()}
        results.update({n: m.result() for n, m in zip(self.names, self.metrics, strict=True)})
        return {key: results[key] for key in sorted(results)}

    def ordered(self) -> list[float]:
        """``[loss, *metrics]`` in the order given to ``compile``."""
        return [self.loss.result(), *(m.result() for m in self.metrics)]


__all__ = [
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "Mean",
    "MeanAbsoluteError",
    "MeanMetricWrapper",
    "MeanSquaredError",
    "Metric",
    "MetricsTracker",
    "SparseCategoricalAccuracy",
    "accuracy_for",
    "binary_accuracy",
    "binary_crossentropy",
    "categorical_accuracy",
    "categorical_crossentropy",
    "get",
    "mean_absolute_error",
    "mean_squared_error",
    "sparse_categorical_accuracy",
    "sparse_categorical_crossentropy",
    "unique_names",
]
