"""Training the Keras way: ``compile``, ``fit``, ``evaluate``, ``train_on_batch``.

`TrainingMixin` adds them to a model that has:

* ``model(x)``: the outputs, without caching anything;
* ``model.forward(x)``: the same outputs, keeping what ``backward`` needs;
* ``model.backward(grad_output)``: back-propagation, which fills ``model.grads``;
* ``model.weights`` and ``model.grads``: aligned lists of arrays; the optimizer
  updates the weights in place.

One training step is exactly the course's loop: forward pass, loss and its
gradient w.r.t. the outputs, backward pass, optimizer step. ``fit`` repeats it
over mini-batches (reshuffled each epoch with the generator of
:func:`rnn.set_random_seed`, so seeded runs repeat to the last digit), keeps
Keras's running means, and returns a `~rnn.callbacks.History`.

Examples
--------
The smallest model that trains, ``y = a * x + b``, written against that contract:

>>> import numpy as np
>>> import rnn
>>> from rnn.training import TrainingMixin
>>> class Line(TrainingMixin):
...     def __init__(self):
...         self.weights = [np.zeros((1, 1)), np.zeros(1)]  # kernel a, bias b
...     def __call__(self, x):
...         return x @ self.weights[0] + self.weights[1]
...     def forward(self, x):
...         self.x = x  # what backward needs
...         return self(x)
...     def backward(self, grad_output):
...         self.grads = [self.x.T @ grad_output, grad_output.sum(axis=0)]
...         return grad_output @ self.weights[0].T
>>> rnn.set_random_seed(0)
>>> x = np.linspace(-1, 1, 64).reshape(-1, 1)
>>> model = Line()
>>> model.compile(optimizer=rnn.optimizers.SGD(learning_rate=0.1), loss="mse", metrics=["mae"])
>>> history = model.fit(x, 3 * x - 1, batch_size=8, epochs=50)
>>> sorted(history.history), len(history.epoch)
(['loss', 'mae'], 50)
>>> round(float(model.weights[0][0, 0]), 2), round(float(model.weights[1][0]), 2)
(3.0, -1.0)
>>> round(model.evaluate(x, 3 * x - 1)[0], 6)
0.0
"""

from __future__ import annotations

import inspect
import math
import os
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rnn import _data_adapter, config
from rnn import losses as losses_module
from rnn import metrics as metrics_module
from rnn import optimizers as optimizers_module
from rnn._data_adapter import check_cardinality, check_finite, check_int, split_validation
from rnn.callbacks import (
    Callback,
    CallbackList,
    History,
    Progbar,
    ProgbarLogger,
    TerminateOnNaN,
    _as_callback_list,
    resolve_verbose,
)
from rnn.metrics import MetricsTracker

#: one training or test step: ``(x, y, sample_weight)`` to ``(loss, y_pred)``
Step = Callable[[np.ndarray, np.ndarray, "np.ndarray | None"], tuple[float, np.ndarray]]


class TrainingMixin:
    """Keras's training API for a model with ``forward``, ``backward``, ``weights``, ``grads``.

    Mixed into :class:`rnn.models.Sequential`. See the module docstring for the
    contract and an example.

    Attributes
    ----------
    optimizer : rnn.optimizers.Optimizer or None
    loss : rnn.losses.Loss or None
    compiled : bool
    history : rnn.callbacks.History
        The record of the last ``fit``.
    stop_training : bool
        A callback may set it to end ``fit`` after the current batch (as Keras 3).
    """

    optimizer: optimizers_module.Optimizer | None = None
    loss: losses_module.Loss | None = None
    compiled: bool = False
    stop_training: bool = False
    _metric_ids: tuple[Any, ...] = ()

    # ------------------------------------------------------------------ compile
    def compile(
        self,
        optimizer: str | optimizers_module.Optimizer = "rmsprop",
        loss: str | losses_module.Loss | None = None,
        metrics: Sequence[str | metrics_module.Metric] | None = None,
    ) -> None:
        """Choose the optimizer, the loss and the metrics, with Keras's names.

        Parameters
        ----------
        optimizer : str or Optimizer
            ``"rmsprop"`` (default, as Keras), ``"adam"``, ``"sgd"`` or an object.
        loss : str or Loss
            E.g. ``"mse"``, ``"binary_crossentropy"``, ``"sparse_categorical_crossentropy"``.
        metrics : list of str or Metric, optional
            E.g. ``["mae"]`` or ``["accuracy"]`` (binary, categorical or sparse
            categorical accuracy, chosen from the shapes as in Keras 3).

        Raises
        ------
        ValueError
            For a name Keras would not recognise, in Keras's wording.
        """
        metric_ids = metrics_module._check_ids(metrics)
        self.optimizer = optimizers_module.get(optimizer)
        self.loss = None if loss is None else losses_module.get(loss)
        self._metric_ids = metric_ids
        self.compiled = True

    def _require_loss(self) -> losses_module.Loss:
        if not self.compiled:
            raise ValueError("You must call `compile()` before using the model.")
        if self.loss is None:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        return self.loss

    @property
    def metrics_names(self) -> list[str]:
        """``["loss", *metric names]``, the order of ``evaluate``'s list."""
        names = [m if isinstance(m, str) else m.name for m in self._metric_ids]
        return ["loss", *metrics_module.unique_names(names, taken=["loss"])]

    # ------------------------------------------------------------------ steps
    def _trainable(self) -> list[bool]:
        weights = self.weights  # type: ignore[attr-defined]
        if not getattr(self, "trainable", True):
            return [False] * len(weights)
        layers = getattr(self, "layers", None)
        if layers is not None:
            mask = [bool(layer.trainable) for layer in layers for _ in layer.weights]
            if len(mask) == len(weights):
                return mask
        return [True] * len(weights)

    def _train_step(
        self, x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        """Forward, loss, backward, update; return the loss and the outputs before the update.

        ``sample_weight`` weighs each sample's (or step's) loss, as Keras 3: the batch's
        loss is ``sum(w * loss) / count``, the count of values (masked steps left out).
        As Keras, the loss includes the layers' penalties (``losses``: activity and weight
        regularizers), their gradients join the weights', and the weights' constraints
        apply after the update.
        """
        from rnn.layers import _penalties

        loss = self._require_loss()
        forward = self.forward  # type: ignore[attr-defined]
        y_pred = forward(x, training=True) if _names(forward, "training") else forward(x)
        value, grad_output = loss.value_and_gradient(
            y, y_pred, sample_weight=sample_weight, mask=self._output_mask()
        )
        self.backward(grad_output)  # type: ignore[attr-defined]
        weights, trainable = self.weights, self._trainable()  # type: ignore[attr-defined]
        grads = list(self.grads)  # type: ignore[attr-defined]
        penalty, penalty_grads, constrained = _penalties.training_terms(self, weights, trainable)
        if penalty:
            value = value + penalty
        for i, g in penalty_grads.items():
            grads[i] = grads[i] + np.asarray(g, dtype=grads[i].dtype)
        pairs = [(g, w) for g, w, t in zip(grads, weights, trainable, strict=True) if t]
        assert self.optimizer is not None
        self.optimizer.apply([g for g, _ in pairs], [w for _, w in pairs])
        for i, constraint in constrained:
            weights[i][...] = constraint(weights[i])
        return value, y_pred

    def _test_step(
        self, x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        loss = self._require_loss()
        call = self.__call__  # type: ignore[operator]
        y_pred = call(x, training=False) if _names(call, "training") else call(x)
        value = loss(y, y_pred, sample_weight=sample_weight, mask=self._output_mask())
        # as Keras, the layers' penalties count in evaluate and val_loss too
        penalties = getattr(self, "losses", None)
        return (value + sum(penalties) if penalties else value), y_pred

    def _output_mask(self) -> np.ndarray | None:
        """Return the mask of the last outputs (a model without masking has none)."""
        return getattr(self, "output_mask", None)

    def _tracker(self, y: Any, y_pred: Any) -> MetricsTracker:
        """Return the running loss and metrics of an epoch, for this batch's shapes."""
        return MetricsTracker(self._metric_ids, y, y_pred)

    def _batch_results(self, tracker: MetricsTracker, return_dict: bool) -> Any:
        if return_dict:
            return tracker.logs()
        values = tracker.ordered()
        return values[0] if len(values) == 1 else values

    def _input_expectation(self) -> tuple[str | None, int | None]:
        """Return what ``x`` should be, in words, and its number of axes (None: unknown)."""
        return None, None

    def _check_xy(
        self, x: Any, y: Any, sample_weight: Any, names: tuple[str, str, str] | None = None
    ) -> _data_adapter.Arrays:
        """`check_xy` with what the model expects of ``x``."""
        expected, ndim = self._input_expectation()
        names = names or ("x", "y", "sample_weight")
        return _data_adapter.check_xy(
            x, y, sample_weight, names=names, expected=expected, ndim=ndim
        )

    def _on_batch(
        self, step: Any, x: Any, y: Any, sample_weight: Any, return_dict: bool, effect: str
    ) -> Any:
        self._require_loss()
        x, y, sample_weight = self._check_xy(x, y, sample_weight)
        check_finite(effect, x=x, y=y, sample_weight=sample_weight)
        value, y_pred = step(x, y, sample_weight)
        tracker = self._tracker(y, y_pred)
        tracker.update(value, y, y_pred, self._output_mask())
        return self._batch_results(tracker, return_dict)

    def train_on_batch(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        class_weight: dict[int, float] | None = None,
        return_dict: bool = False,
    ) -> Any:
        """One optimizer step on one batch; return its loss (and metrics), as Keras.

        The values are those of the outputs *before* the update.

        Parameters
        ----------
        x : numpy.ndarray, shape (batch, ...)
        y : numpy.ndarray, shape (batch, ...)
        sample_weight : numpy.ndarray, shape (batch,) or (batch, timesteps), optional
            Weights of the samples' losses (or of each step's), as in `fit`.
        class_weight : dict of int to float, optional
            A weight per class, as in `fit`.
        return_dict : bool

        Returns
        -------
        float, list of float or dict
            The loss, or ``[loss, *metrics]``, or a dict with ``return_dict``.

        Raises
        ------
        ValueError
            As `fit`: for data that is not one rectangular array, lengths that differ, or
            NaN or infinite values in ``x``, ``y`` or ``sample_weight``.
        TypeError
            For a dict or a generator given as ``x`` to a model that takes one array.
        """
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError(
                    "Arguments `sample_weight` and `class_weight` cannot be specified at the "
                    f"same time. Received: sample_weight={sample_weight}, "
                    f"class_weight={class_weight}"
                )
            sample_weight = _data_adapter.class_weight_to_sample_weight(y, class_weight)
        return self._on_batch(self._train_step, x, y, sample_weight, return_dict, _TRAIN_EFFECT)

    def test_on_batch(
        self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False
    ) -> Any:
        """Loss (and metrics) on one batch, without training; as `train_on_batch`.

        Raises
        ------
        ValueError
            As `evaluate`, for bad data (NaN or infinite values included).
        TypeError
            As `evaluate`.
        """
        return self._on_batch(self._test_step, x, y, sample_weight, return_dict, _TEST_EFFECT)

    # ------------------------------------------------------------------ loops
    def _run_batches(
        self,
        step_fn: Step,
        data: _data_adapter.Arrays,
        batch_size: int,
        order: np.ndarray | None = None,
        before: Callable[[int], Any] | None = None,
        after: Callable[[int, dict[str, float]], Any] | None = None,
        stop: Callable[[], bool] | None = None,
        watch: Callable[[int, float], Any] | None = None,
    ) -> MetricsTracker:
        """Run ``step_fn`` on each mini-batch (see `batches`); return the running metrics.

        ``data`` is ``(x, y, sample_weight)``. ``before(step)`` and ``after(step, logs)``
        are called around each step, ``watch(step, loss)`` after it with the batch's
        loss; the loop ends early once ``stop()`` is true (checked after every batch).
        """
        x, y, sample_weight = data
        tracker: MetricsTracker | None = None
        for step, batch in enumerate(_data_adapter.batches(len(x), batch_size, order)):
            xb, yb = x[batch], y[batch]
            wb = None if sample_weight is None else sample_weight[batch]
            if before is not None:
                before(step)
            value, y_pred = step_fn(xb, yb, wb)
            if watch is not None:
                watch(step, value)
            tracker = tracker or self._tracker(yb, y_pred)
            tracker.update(value, yb, y_pred, self._output_mask())
            if after is not None:
                after(step, tracker.logs())
            if stop is not None and stop():
                break
        if tracker is None:
            raise ValueError("Expected input data to be non-empty.")
        return tracker

    def _evaluate_arrays(
        self,
        data: _data_adapter.Arrays,
        batch_size: int,
        verbose: int = 0,
        hooks: CallbackList | None = None,
    ) -> MetricsTracker:
        """Evaluate ``data`` (``x, y, sample_weight``), calling the ``on_test_*`` hooks."""
        bar = Progbar(math.ceil(len(data[0]) / batch_size), verbose=verbose) if verbose else None

        def after(step: int, logs: dict[str, float]) -> None:
            if hooks is not None:
                hooks.on_test_batch_end(step, logs)
            if bar is not None:
                bar.update(step + 1, logs)

        before = None if hooks is None else hooks.on_test_batch_begin
        if hooks is not None:
            hooks.on_test_begin()
        tracker = self._run_batches(self._test_step, data, batch_size, None, before, after)
        if hooks is not None:
            hooks.on_test_end(tracker.logs())
        return tracker

    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: Any = "auto",
        sample_weight: Any = None,
        callbacks: Sequence[Callback] | None = None,
        return_dict: bool = False,
    ) -> Any:
        """Return the loss (and metrics) on ``(x, y)``, in batches of ``batch_size`` (default 32).

        Parameters
        ----------
        x : numpy.ndarray, shape (samples, ...)
        y : numpy.ndarray, shape (samples, ...)
            Targets, in the form the loss expects.
        batch_size : int, optional
        verbose : "auto", 0, 1 or 2
            See :mod:`rnn.callbacks`; ``"auto"`` is silent unless stdout is a terminal.
        sample_weight : numpy.ndarray, shape (samples,) or (samples, timesteps), optional
            Weights of the samples' losses, as in `fit` (the metrics are not weighted).
        callbacks : list of Callback, optional
            Their ``on_test_*`` hooks are called.
        return_dict : bool
            Return ``{"loss": ..., metric: ...}`` instead.

        Returns
        -------
        float or list of float
            The loss, or ``[loss, *metrics]`` in ``compile``'s order (as Keras).

        Raises
        ------
        ValueError
            Before ``compile`` or without a loss; when ``x``, ``y`` or ``sample_weight``
            is missing, a single value, holds sequences of different lengths (pad them:
            `rnn.utils.pad_sequences`), has not the model's number of axes, or holds NaN
            or infinite values (named, with their count and the first one's index); when
            their lengths differ; for a ``batch_size`` that is not a positive integer.
        TypeError
            For a dict or a generator given as ``x`` to a model that takes one array, or
            a ``callbacks`` entry that is not a callback.
        """
        self._require_loss()
        data = self._check_xy(x, y, sample_weight)
        batch_size = _data_adapter.check_batch_size(batch_size)
        verbose = resolve_verbose(verbose)
        check_finite(_TEST_EFFECT, x=data[0], y=data[1], sample_weight=data[2])
        hooks = CallbackList(
            _as_callback_list(callbacks),
            model=self,
            params={"verbose": verbose, "epochs": 1, "steps": math.ceil(len(data[0]) / batch_size)},
        )
        tracker = self._evaluate_arrays(data, batch_size, verbose, hooks)
        return self._batch_results(tracker, return_dict)

    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: Any = "auto",
        callbacks: Sequence[Callback] | None = None,
        validation_split: float = 0.0,
        validation_data: tuple[Any, ...] | None = None,
        shuffle: bool = True,
        class_weight: dict[int, float] | None = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        validation_batch_size: int | None = None,
    ) -> History:
        """Train on ``(x, y)`` for ``epochs`` passes in mini-batches, as Keras's ``fit``.

        Parameters
        ----------
        x : numpy.ndarray, shape (samples, ...)
            Inputs, e.g. ``(samples, timesteps, features)`` for a recurrent model.
        y : numpy.ndarray, shape (samples, ...)
            Targets, in the form the loss expects.
        batch_size : int, optional
            Samples per update; default 32. The last batch may be smaller.
        epochs : int
            Index of the last epoch (with ``initial_epoch``, epochs run from
            ``initial_epoch`` to ``epochs - 1``).
        verbose : "auto", 0, 1 or 2
            1: a progress bar, 2: one line per epoch, 0: nothing; ``"auto"``: 1
            in a terminal, else 0. See :mod:`rnn.callbacks`.
        callbacks : list of Callback, optional
            E.g. `~rnn.callbacks.EarlyStopping`; called before `~rnn.callbacks.History`
            and the progress bar, as in Keras.
        validation_split : float
            Fraction of the samples held out for validation: the *last* ones,
            taken before shuffling (as Keras), with their sample weights. Ignored if
            ``validation_data`` is given.
        validation_data : tuple (x_val, y_val) or (x_val, y_val, sample_weight_val), optional
        shuffle : bool
            Reshuffle the training samples before each epoch.
        class_weight : dict of int to float, optional
            A weight for the loss of each class, e.g. ``{0: 1.0, 1: 3.0}`` (classes not
            named weigh 1). The class of a sample is its integer label, or the
            position of the largest value of a one-hot (or probability) target; it
            becomes the sample's weight, as in Keras 3. Not for targets with more than
            one class per sample (a sequence of labels): use ``sample_weight``.
        sample_weight : numpy.ndarray, shape (samples,) or (samples, timesteps), optional
            A weight per sample (or per step of a sequence output). Each batch's loss
            is ``sum(weight * loss) / count``, where ``count`` is the number of values
            (not the sum of the weights), as in Keras 3. The metrics given to
            ``compile`` are not weighted (in Keras they are ``metrics``, not
            ``weighted_metrics``); with a mask, both leave the padding out.
        initial_epoch : int
            Epoch to start from (to resume a run).
        validation_batch_size : int, optional
            Default: ``batch_size``.

        Returns
        -------
        History
            ``history.history``: ``loss``, the metrics and, with validation,
            ``val_loss`` and ``val_``-metrics, one value per epoch (the mean over
            the epoch's batches, weighted by their size; the validation values
            after the epoch's last update).

        Raises
        ------
        ValueError
            Before ``compile``, without a loss, when ``x``, ``y`` and ``sample_weight``
            differ in length, when the split leaves no sample on one side, or with both
            ``class_weight`` and ``sample_weight``; in Keras's wording. When ``x``, ``y``
            or ``sample_weight`` (or ``validation_data``'s) is missing, a single value,
            holds sequences of different lengths (pad them: `rnn.utils.pad_sequences`),
            or has not the model's number of axes. When one holds NaN or infinite values
            (named, with their count and the first one's index): one NaN makes the loss
            NaN and, after one update, every weight. Keras accepts them; rnn does too
            only with a `~rnn.callbacks.TerminateOnNaN` callback, which then stops
            training at the first NaN loss, as in Keras. For ``batch_size``,
            ``validation_batch_size`` or ``epochs`` that is not a positive integer (or
            ``initial_epoch`` a non-negative one), ``epochs <= initial_epoch`` (nothing
            to train), or ``validation_split`` outside ``[0, 1)``.
        TypeError
            For a dict or a generator given as ``x`` to a model that takes one array;
            ``epochs`` or ``initial_epoch`` that is not an integer (``2.0`` neither, as
            in Keras), ``shuffle`` not a bool, ``validation_split`` not a number; a
            callback class instead of an instance, or something that is not a callback,
            in ``callbacks``; ``class_weight`` that is not a dict of integer classes to
            finite weights.

        Warns
        -----
        RuntimeWarning
            Once per ``fit``, when a batch's loss becomes NaN or infinite (training
            diverged, e.g. a learning rate too large), unless a
            `~rnn.callbacks.TerminateOnNaN` callback stops it.

        Examples
        --------
        A simple RNN learns to add up 4 numbers (``verbose=0``: no progress output;
        in a terminal the default shows Keras's progress bar):

        >>> import numpy as np
        >>> import rnn
        >>> from rnn.layers import Dense, Input, SimpleRNN
        >>> from rnn.models import Sequential
        >>> rnn.set_random_seed(0)
        >>> x = np.random.default_rng(0).uniform(-1, 1, (200, 4, 1))  # (samples, timesteps, 1)
        >>> y = x.sum(axis=1)                                          # (samples, 1)
        >>> model = Sequential([Input(shape=(4, 1)), SimpleRNN(8), Dense(1)])
        >>> model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        >>> history = model.fit(x, y, epochs=20, validation_split=0.2, verbose=0)
        >>> list(history.history), history.epoch[-1]
        (['loss', 'mae', 'val_loss', 'val_mae'], 19)
        >>> loss = history.history["loss"]
        >>> bool(loss[-1] < loss[0] / 2)
        True
        >>> loss, mae = model.evaluate(x, y, verbose=0)

        Weights: here the samples with a positive sum count three times as much.

        >>> weights = np.where(y[:, 0] > 0, 3.0, 1.0)                 # (samples,)
        >>> history = model.fit(x, y, sample_weight=weights, epochs=2, verbose=0)
        >>> loss, mae = model.evaluate(x, y, sample_weight=weights, verbose=0)
        """
        self._require_loss()
        x, y, sample_weight = self._check_xy(x, y, sample_weight)
        batch_size = _data_adapter.check_batch_size(batch_size)
        val_batch_size = _data_adapter.check_batch_size(
            validation_batch_size, "validation_batch_size", default=batch_size
        )
        initial_epoch = check_int(initial_epoch, "initial_epoch", 0)
        epochs = check_int(epochs, "epochs", 1)
        if epochs <= initial_epoch:
            raise ValueError(
                f"`epochs` must be greater than `initial_epoch`: fit trains the epochs from "
                f"`initial_epoch` to `epochs - 1`, none here. Received: epochs={epochs}, "
                f"initial_epoch={initial_epoch}. To train {epochs} more epochs, pass "
                f"epochs={initial_epoch + epochs}."
            )
        shuffle = _data_adapter.check_shuffle(shuffle)
        callbacks = _as_callback_list(callbacks)
        terminates = any(isinstance(c, TerminateOnNaN) for c in callbacks)
        if not terminates:  # with TerminateOnNaN, NaN data stops training as in Keras
            check_finite(_TRAIN_EFFECT, x=x, y=y, sample_weight=sample_weight)
        val: _data_adapter.Arrays | None
        if validation_data is not None:
            val = _data_adapter.check_validation_data(validation_data)
            kinds = ("x", "y", "sample_weight")
            named = {
                f"validation_data[{i}]__{k}": a
                for i, (k, a) in enumerate(zip(kinds, val, strict=True))
            }
            check_finite(_VAL_EFFECT, **named)
        else:
            (x, y, sample_weight), val = split_validation((x, y, sample_weight), validation_split)
        if len(x) == 0:
            raise ValueError("Expected input data to be non-empty.")
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
            sample_weight = _data_adapter.class_weight_to_sample_weight(y, class_weight)

        verbose = resolve_verbose(verbose)
        steps = math.ceil(len(x) / batch_size)
        history = History()
        progbar: list[Callback] = [ProgbarLogger(verbose)] if verbose else []
        hooks = CallbackList(
            [*callbacks, history, *progbar],
            model=self,
            params={"verbose": verbose, "epochs": epochs, "steps": steps},
        )
        self.history = history
        self.stop_training = False
        hooks.on_train_begin()
        logs: dict[str, float] = {}
        diverged: list[bool] = [terminates]  # warn once per fit, not with TerminateOnNaN
        for epoch in range(initial_epoch, epochs):
            hooks.on_epoch_begin(epoch)
            order = config.global_rng().permutation(len(x)) if shuffle else None

            def watch(step: int, loss: float, epoch: int = epoch) -> None:
                if not diverged[0] and not math.isfinite(loss):
                    diverged[0] = True
                    self._warn_diverged(loss, epoch, epochs, step, steps)

            logs = self._run_batches(
                self._train_step,
                (x, y, sample_weight),
                batch_size,
                order,
                hooks.on_train_batch_begin,
                hooks.on_train_batch_end,
                lambda: self.stop_training,
                watch,
            ).logs()
            if val is not None:
                val_logs = self._evaluate_arrays(val, val_batch_size, 0, hooks).logs()
                logs.update({f"val_{key}": value for key, value in val_logs.items()})
            hooks.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        hooks.on_train_end(logs)
        return history

    def _warn_diverged(self, loss: float, epoch: int, epochs: int, step: int, steps: int) -> None:
        """Warn that the loss of a batch became NaN or infinite (once per `fit`)."""
        weights = getattr(self, "weights", [])
        ruined = any(not np.isfinite(w).all() for w in weights)
        state = "are no longer finite" if ruined else "may be ruined by the next update"
        warnings.warn(
            f"The loss became {loss} at epoch {epoch + 1}/{epochs}, batch {step + 1}/{steps}: "
            f"training diverged, and the weights {state}. Lower the learning rate (or clip "
            "the gradients, e.g. clipnorm=1.0), or add callbacks.TerminateOnNaN() to stop "
            "at the first such batch.",
            RuntimeWarning,
            stacklevel=_outside_rnn(),
        )


__all__ = ["TrainingMixin", "check_cardinality"]

#: what NaN or infinite data would do, in the errors of `check_finite`
_TRAIN_EFFECT = "training on it makes the loss NaN and, after one update, every weight"
_TEST_EFFECT = "the loss would be NaN"
_VAL_EFFECT = "val_loss would be NaN"


def _outside_rnn() -> int:
    """Return the ``stacklevel`` that points a warning at the first caller outside rnn."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame, level = inspect.currentframe(), 0
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def _names(method: Callable[..., Any], argument: str) -> bool:
    """Whether ``method`` takes the keyword ``argument`` (a model's ``training``)."""
    return argument in inspect.signature(method).parameters
