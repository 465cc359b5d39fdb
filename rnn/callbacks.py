"""What ``fit`` reports: `History`, the Keras-style progress bar, and `Callback` hooks.

The progress output imitates Keras 3. With ``verbose=1`` in a terminal, a bar
is redrawn in place during each epoch and ends as::

    Epoch 1/10
    32/32 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.1234 - mae: 0.2345 - val_loss: ...

With ``verbose=2``, one line per epoch without the bar::

    Epoch 1/10
    32/32 - 0s - 2ms/step - loss: 0.1234 - mae: 0.2345 - val_loss: ...

Everything on those lines is deterministic except the two timings (``0s``,
``2ms/step``). When stdout is not a terminal, ``verbose=1`` prints only the
finished bar of each epoch, without colours; and ``verbose="auto"`` means
``1`` in a terminal and ``0`` (silent) otherwise, so doctests, notebooks run by
the site build and logs stay deterministic. (Keras prints in both cases.)

Besides `History` and the progress bar, Keras 3's callbacks that act on training:
`EarlyStopping`, `ModelCheckpoint`, `ReduceLROnPlateau`, `TerminateOnNaN` and
`LambdaCallback`, with Keras's arguments, decisions and printed messages (recorded
from Keras 3 in ``tests/fixtures/keras/callbacks``). ``fit`` calls the callbacks in
Keras's order: the ones given, then `History`, then the progress bar; so a message a
callback prints comes before the epoch's finished bar, and what a callback adds to an
epoch's logs (`ReduceLROnPlateau`'s ``learning_rate``) is in the history and on the bar.
"""

from __future__ import annotations

import math
import os
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any, TextIO

import numpy as np

from rnn._arguments import check_count, check_number, received

BAR = "━"
_BOLD, _GREEN, _GREY, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


def resolve_verbose(verbose: Any) -> int:
    """``"auto"`` is 1 when stdout is a terminal, else 0; numbers are kept.

    Examples
    --------
    >>> from rnn.callbacks import resolve_verbose
    >>> resolve_verbose("auto"), resolve_verbose(2)  # doctests do not print to a terminal
    (0, 2)
    """
    if verbose == "auto":
        return 1 if _isatty(sys.stdout) else 0
    if verbose not in (0, 1, 2):
        raise ValueError(f"`verbose` must be 'auto', 0, 1 or 2. Received: verbose={verbose!r}")
    return int(verbose)


def _isatty(stream: Any) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


def format_value(value: float) -> str:
    """Keras's number format: 4 decimals, or scientific notation below 1e-3.

    Examples
    --------
    >>> from rnn.callbacks import format_value
    >>> format_value(0.123456), format_value(0.0), format_value(12.5)
    ('0.1235', '0.0000e+00', '12.5000')
    """
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def format_step_time(seconds: float, unit: str = "step") -> str:
    """Time per step as Keras shows it: ``1s/step``, ``25ms/step``, ``640us/step``.

    Examples
    --------
    >>> from rnn.callbacks import format_step_time
    >>> format_step_time(2.4), format_step_time(0.0251), format_step_time(0.00064)
    ('2s/step', '25ms/step', '640us/step')
    """
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


def _format_eta(seconds: float) -> str:
    if seconds > 3600:
        return f"{seconds // 3600:.0f}:{(seconds % 3600) // 60:02.0f}:{seconds % 60:02.0f}"
    if seconds > 60:
        return f"{seconds // 60:.0f}:{seconds % 60:02.0f}"
    return f"{seconds:.0f}s"


class Progbar:
    """A progress bar over ``target`` steps, drawn like Keras 3's.

    Parameters
    ----------
    target : int
        Number of steps (batches).
    verbose : {1, 2}
        1: the bar (redrawn in place on a terminal, else printed once when
        finished); 2: one plain line when finished.
    width : int
        Number of bar characters (Keras: 20).
    interval : float
        Minimum seconds between two redraws on a terminal.
    stream : file, optional
        Where to write; default ``sys.stdout`` at the time of each write.

    Examples
    --------
    >>> import io
    >>> from rnn.callbacks import Progbar
    >>> out = io.StringIO()
    >>> bar = Progbar(4, verbose=1, stream=out)
    >>> for step in range(1, 5):
    ...     bar.update(step, {"loss": 1 / step})
    >>> print(out.getvalue(), end="")  # the timings vary: ... stands for them
    4/4 ━━━━━━━━━━━━━━━━━━━━ ...s/step - loss: 0.2500
    """

    def __init__(
        self,
        target: int,
        verbose: int = 1,
        width: int = 20,
        interval: float = 0.05,
        stream: TextIO | None = None,
    ) -> None:
        self.target = target
        self.verbose = verbose
        self.width = width
        self.interval = interval
        self._stream = stream
        self._start = time.perf_counter()
        self._after_first: float | None = None
        self._last_draw = 0.0
        self._prev_width = 0

    @property
    def stream(self) -> TextIO:
        """The output stream (``sys.stdout`` unless one was given)."""
        return self._stream if self._stream is not None else sys.stdout

    def _step_time(self, current: int, now: float) -> float:
        # the first step (often slower: building, caches) is left out once there are more
        if current == 1:
            self._after_first = now
        if current > 1 and self._after_first is not None:
            return (now - self._after_first) / (current - 1)
        return (now - self._start) / current if current else 0.0

    def update(
        self, current: int, values: dict[str, float] | None = None, finalize: bool | None = None
    ) -> None:
        """Show step ``current`` with the running ``values`` (e.g. the mean loss so far)."""
        finalize = current >= self.target if finalize is None else finalize
        now = time.perf_counter()
        per_step = self._step_time(current, now)
        metrics = "".join(f" - {k}: {format_value(v)}" for k, v in (values or {}).items())
        count = f"{current:{len(str(self.target))}d}/{self.target}"
        if self.verbose == 2:
            if finalize:
                self._write(f"{count} - {now - self._start:.0f}s - {format_step_time(per_step)}")
                self._write(f"{metrics}\n")
            return
        dynamic = _isatty(self.stream)
        if not finalize and (not dynamic or now - self._last_draw < self.interval):
            return
        self._last_draw = now
        done = int(self.width * current / self.target) if self.target else self.width
        if finalize:
            timing = f"{now - self._start:.0f}s"
        else:
            timing = _format_eta(per_step * (self.target - current))
        timing += f" {format_step_time(per_step)}"
        if dynamic:
            bar = f"{_GREEN}{BAR * done}{_RESET}" if done else ""
            bar += f"{_GREY}{BAR * (self.width - done)}{_RESET}"
            line = f"{_BOLD}{count}{_RESET} {bar} {_BOLD}{timing.split()[0]}{_RESET} "
            line += " ".join(timing.split()[1:]) + metrics
            plain = len(count) + 1 + self.width + 1 + len(timing) + len(metrics)
            padding = " " * max(self._prev_width - plain, 0)
            self._prev_width = plain
            self._write("\r" + line + padding + ("\n" if finalize else ""))
        else:
            self._write(f"{count} {BAR * self.width} {timing}{metrics}\n")

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


class Callback:
    """Base class of the hooks ``fit``, ``evaluate`` and ``predict`` call, with Keras's names.

    Override the hooks you need; each does nothing here. ``fit`` calls
    ``on_train_begin``, then per epoch ``on_epoch_begin``, ``on_train_batch_begin`` and
    ``on_train_batch_end`` around each batch, the ``on_test_*`` hooks while it
    evaluates the validation data, ``on_epoch_end`` and, last, ``on_train_end``.
    ``on_train_batch_begin``/``_end`` call ``on_batch_begin``/``_end``, as in Keras.
    A callback that sets ``self.model.stop_training = True`` ends ``fit`` after the
    current batch (Keras 3 stops mid-epoch too); the epoch still ends with
    ``on_epoch_end``.

    Attributes
    ----------
    model : the model being trained (set by ``fit``)
    params : dict
        ``{"verbose": ..., "epochs": ..., "steps": ...}``.

    Examples
    --------
    >>> import numpy as np
    >>> import rnn
    >>> from rnn.callbacks import Callback
    >>> from rnn.layers import Dense, Input
    >>> from rnn.models import Sequential
    >>> class StopAtHalfEpoch(Callback):
    ...     def on_train_batch_end(self, batch, logs=None):
    ...         if batch == 1:
    ...             self.model.stop_training = True
    >>> model = Sequential([Input((1,)), Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> x = np.ones((40, 1))
    >>> history = model.fit(x, x, batch_size=10, epochs=5, callbacks=[StopAtHalfEpoch()], verbose=0)
    >>> history.epoch  # two batches of the first epoch, then the end
    [0]
    """

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        """Keep ``model``, the model being trained (``fit`` calls this before training)."""
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        """Keep ``params``: ``{"verbose": ..., "epochs": ..., "steps": ...}``."""
        self.params = params

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        """Before the first epoch."""

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        """After the last epoch, with the last epoch's logs."""

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """Before epoch ``epoch`` (counted from 0)."""

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """After epoch ``epoch``, with its ``loss``, metrics and ``val_`` values."""

    def on_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """Before a training batch (``on_train_batch_begin`` calls it)."""

    def on_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """After a training batch (``on_train_batch_end`` calls it)."""

    def on_train_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """Before batch ``batch`` of the epoch; calls ``on_batch_begin``."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """After batch ``batch``, with the epoch's running means; calls ``on_batch_end``."""
        self.on_batch_end(batch, logs=logs)

    def on_test_begin(self, logs: dict[str, float] | None = None) -> None:
        """Before ``evaluate`` (and the validation inside ``fit``) runs its batches."""

    def on_test_end(self, logs: dict[str, float] | None = None) -> None:
        """After ``evaluate``, with its results."""

    def on_test_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """Before evaluation batch ``batch``."""

    def on_test_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """After evaluation batch ``batch``, with the running means so far."""

    def on_predict_begin(self, logs: dict[str, float] | None = None) -> None:
        """Before ``predict`` runs its batches."""

    def on_predict_end(self, logs: dict[str, float] | None = None) -> None:
        """After ``predict``."""

    def on_predict_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Before prediction batch ``batch``."""

    def on_predict_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """After prediction batch ``batch``, with ``{"outputs": ...}``."""


class History(Callback):
    """The record ``fit`` returns: ``history`` (a dict of lists) and ``epoch``.

    Attributes
    ----------
    history : dict of str to list of float
        One list per key (``loss``, the metrics, ``val_loss``...), one value per epoch.
    epoch : list of int
        The epochs run, counted from 0.

    Examples
    --------
    >>> from rnn.callbacks import History
    >>> h = History()
    >>> h.on_epoch_end(0, {"loss": 0.5, "val_loss": 0.6})
    >>> h.on_epoch_end(1, {"loss": 0.25, "val_loss": 0.4})
    >>> h.history, h.epoch
    ({'loss': [0.5, 0.25], 'val_loss': [0.6, 0.4]}, [0, 1])
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        """Start the list of epochs afresh (``history`` keeps its lists, as in Keras)."""
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """Record ``epoch``, and append each value of ``logs`` to its key's list."""
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def __repr__(self) -> str:
        return f"<History epochs={len(self.epoch)} keys={list(self.history)}>"


class ProgbarLogger(Callback):
    """Prints ``Epoch i/n`` (when ``n > 1``) and a `Progbar` per epoch, as Keras does."""

    def __init__(self, verbose: int = 1) -> None:
        super().__init__()
        self.verbose = verbose
        self._bar: Progbar | None = None

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """Print ``Epoch i/n`` (when there are several) and start the epoch's `Progbar`."""
        if self.params.get("epochs", 1) > 1:
            sys.stdout.write(f"Epoch {epoch + 1}/{self.params['epochs']}\n")
        self._bar = Progbar(self.params["steps"], verbose=self.verbose)

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """Move the bar to ``batch + 1`` steps with the running means (but for the last)."""
        if self._bar is not None and batch + 1 < self._bar.target:
            self._bar.update(batch + 1, logs, finalize=False)

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """Finish the bar with the epoch's ``logs``, validation values included."""
        if self._bar is not None:
            self._bar.update(self._bar.target, logs, finalize=True)


class CallbackList(Callback):
    """Several callbacks called as one, in order (what ``fit`` drives).

    Examples
    --------
    >>> from rnn.callbacks import CallbackList, LambdaCallback
    >>> seen = []
    >>> hooks = CallbackList([LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e))] * 2)
    >>> hooks.on_epoch_end(3, {})
    >>> seen
    [3, 3]
    """

    def __init__(
        self, callbacks: list[Callback], model: Any = None, params: dict[str, Any] | None = None
    ) -> None:
        super().__init__()
        self.callbacks = list(callbacks)
        self.model = model
        self.params = dict(params or {})
        for callback in self.callbacks:
            callback.set_model(model)
            callback.set_params(dict(params or {}))

    def _each(self, hook: str, *args: Any) -> None:
        for callback in self.callbacks:
            getattr(callback, hook)(*args)

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        """Call every callback's ``on_train_begin``, in order."""
        self._each("on_train_begin", logs)

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        """Call every callback's ``on_train_end``, in order."""
        self._each("on_train_end", logs)

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """Call every callback's ``on_epoch_begin``, in order."""
        self._each("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """Call every callback's ``on_epoch_end``, in order."""
        self._each("on_epoch_end", epoch, logs)

    def on_train_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """Call every callback's ``on_train_batch_begin``, in order."""
        self._each("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """Call every callback's ``on_train_batch_end``, in order."""
        self._each("on_train_batch_end", batch, logs)

    def on_test_begin(self, logs: dict[str, float] | None = None) -> None:
        """Call every callback's ``on_test_begin``, in order."""
        self._each("on_test_begin", logs)

    def on_test_end(self, logs: dict[str, float] | None = None) -> None:
        """Call every callback's ``on_test_end``, in order."""
        self._each("on_test_end", logs)

    def on_test_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """Call every callback's ``on_test_batch_begin``, in order."""
        self._each("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """Call every callback's ``on_test_batch_end``, in order."""
        self._each("on_test_batch_end", batch, logs)

    def on_predict_begin(self, logs: dict[str, float] | None = None) -> None:
        """Call every callback's ``on_predict_begin``, in order."""
        self._each("on_predict_begin", logs)

    def on_predict_end(self, logs: dict[str, float] | None = None) -> None:
        """Call every callback's ``on_predict_end``, in order."""
        self._each("on_predict_end", logs)

    def on_predict_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Call every callback's ``on_predict_batch_begin``, in order."""
        self._each("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Call every callback's ``on_predict_batch_end``, in order."""
        self._each("on_predict_batch_end", batch, logs)


def _print_msg(message: str) -> None:
    """Write one line to stdout, as Keras's ``io_utils.print_msg``."""
    sys.stdout.write(f"{message}\n")
    sys.stdout.flush()


def _metric_direction(model: Any, name: str) -> str | None:
    """``"up"`` or ``"down"`` for a metric ``compile`` was given, else None."""
    from rnn import metrics as metrics_module

    for identifier in getattr(model, "_metric_ids", ()):
        metric_name = identifier if isinstance(identifier, str) else identifier.name
        if metric_name != name:
            continue
        direction = getattr(identifier, "_direction", None)
        if direction is not None:
            return str(direction)
        if metrics_module._is_accuracy(identifier):
            return "up"
        metric = metrics_module.get(identifier)
        accuracies = (
            metrics_module.BinaryAccuracy,
            metrics_module.CategoricalAccuracy,
            metrics_module.SparseCategoricalAccuracy,
        )
        if isinstance(metric, accuracies):
            return "up"
        if isinstance(metric, (metrics_module.MeanAbsoluteError, metrics_module.MeanSquaredError)):
            return "down"
    return None


def _as_callback_list(callbacks: Any) -> list[Callback]:
    """``fit``'s ``callbacks`` as a list: a list or tuple of them, or one (as Keras takes it).

    Raises
    ------
    TypeError
        For a callback class instead of an instance, or anything that is not a callback,
        naming its place in the list.

    Examples
    --------
    >>> from rnn.callbacks import EarlyStopping, _as_callback_list
    >>> len(_as_callback_list([EarlyStopping()])), len(_as_callback_list(EarlyStopping()))
    (1, 1)
    >>> _as_callback_list([EarlyStopping])
    Traceback (most recent call last):
    ...
    TypeError: `callbacks[0]` is the class EarlyStopping, not a callback: write \
EarlyStopping() (with its arguments).
    """
    if callbacks is None:
        return []
    items = list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]
    for index, item in enumerate(items):
        if isinstance(item, type) and issubclass(item, Callback):
            raise TypeError(
                f"`callbacks[{index}]` is the class {item.__name__}, not a callback: write "
                f"{item.__name__}() (with its arguments)."
            )
        if not (isinstance(item, Callback) or hasattr(item, "set_model")):
            raise TypeError(
                "`callbacks` must be a list of callbacks (instances of "
                f"rnn.callbacks.Callback). Received: callbacks[{index}]={item!r} "
                f"(of type {type(item).__name__})"
            )
    return items


class _MonitorCallback(Callback):
    """A callback watching one value of the epoch logs: ``monitor``, ``mode``, ``min_delta``."""

    def __init__(
        self,
        monitor: str = "val_loss",
        mode: str = "auto",
        baseline: float | None = None,
        min_delta: float = 0,
    ) -> None:
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(
                f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.",
                stacklevel=3,
            )
            mode = "auto"
        if not isinstance(monitor, str):
            raise TypeError(
                f"`monitor` must be the name of a logged value. {received('monitor', monitor)}"
            )
        self.monitor = monitor
        self.mode = mode
        self.best = check_number("baseline", baseline, optional=True)
        self.min_delta = abs(check_number("min_delta", min_delta))
        self.monitor_op: Callable[[float, float], bool] | None = None

    def _set_monitor_op(self) -> None:
        """Choose the comparison: from ``mode``, or (``"auto"``) from the metric's direction."""
        direction = {"min": "down", "max": "up"}.get(self.mode)
        if direction is None:
            name = self.monitor.removeprefix("val_")
            direction = "down" if name == "loss" else _metric_direction(self.model, name)
        if direction is None:
            raise ValueError(
                f"{type(self).__name__} callback received monitor={self.monitor}, but Keras "
                "isn't able to automatically determine whether that metric should be "
                "maximized or minimized. Pass `mode='max'` in order to monitor based on "
                "the highest metric value, or pass `mode='min'` in order to use the "
                "lowest value."
            )
        if direction == "down":
            self.monitor_op = _less
            self.min_delta *= -1
        else:
            self.monitor_op = _greater

    def _is_improvement(self, value: float, reference: float | None) -> bool:
        """Whether ``value`` beats ``reference`` by more than ``min_delta`` (None: yes)."""
        if reference is None:
            return True
        assert self.monitor_op is not None
        return self.monitor_op(value - self.min_delta, reference)


def _less(a: float, b: float) -> bool:
    return bool(a < b)


def _greater(a: float, b: float) -> bool:
    return bool(a > b)


def _get_weights(model: Any) -> list[np.ndarray]:
    """Return copies of the model's weights (from ``get_weights`` if it has one)."""
    get = getattr(model, "get_weights", None)
    weights = get() if callable(get) else model.weights
    return [np.array(w, copy=True) for w in weights]


class EarlyStopping(_MonitorCallback):
    """Stop training when a monitored value has stopped improving, as Keras 3's.

    After each epoch (from ``start_from_epoch`` on), the value is compared with the
    best so far: if it did not improve by more than ``min_delta`` for ``patience``
    epochs in a row, ``model.stop_training`` is set and ``fit`` ends.

    Parameters
    ----------
    monitor : str
        A key of the epoch logs, e.g. ``"val_loss"`` (default), ``"loss"``, ``"val_accuracy"``.
    min_delta : float
        Smallest change that counts as an improvement.
    patience : int
        Epochs without improvement after which training stops.
    verbose : int
        1: print ``Epoch 5: early stopping`` when it stops (and the restoring message).
    mode : {"auto", "min", "max"}
        Whether smaller or larger is better; ``"auto"`` infers it from the name
        (``loss``, ``mae``, ``mse``: smaller; accuracies: larger).
    baseline : float, optional
        A value to beat: the waiting restarts only on an improvement that also beats it.
    restore_best_weights : bool
        At the end of training, set the weights of the best epoch (if any was seen).
    start_from_epoch : int
        Epochs of warm-up during which nothing is monitored.

    Attributes
    ----------
    stopped_epoch : int
        The epoch (from 0) at which training stopped; 0 if it did not.
    best_epoch : int
        The epoch (from 0) of the best value.

    Raises
    ------
    ValueError
        At the first epoch, when ``mode="auto"`` cannot tell the metric's direction.

    Examples
    --------
    >>> import numpy as np
    >>> import rnn
    >>> from rnn.callbacks import EarlyStopping
    >>> from rnn.layers import Dense, Input
    >>> from rnn.models import Sequential
    >>> model = Sequential([Input((1,)), Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> x = np.ones((8, 1))
    >>> stop = EarlyStopping(monitor="loss", min_delta=10.0, patience=2, verbose=1)
    >>> history = model.fit(x, x, epochs=10, callbacks=[stop], verbose=0)
    Epoch 3: early stopping
    >>> len(history.epoch), stop.stopped_epoch
    (3, 2)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = check_count("patience", patience)
        self.verbose = verbose
        self.baseline = check_number("baseline", baseline, optional=True)
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights: list[np.ndarray] | None = None
        self.start_from_epoch = check_count("start_from_epoch", start_from_epoch)
        self.best_epoch = 0

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        """Start afresh (a callback can serve several ``fit`` calls)."""
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """Compare the monitored value with the best; stop when patience has run out."""
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self._monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = _get_weights(self.model)
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = _get_weights(self.model)
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        """Say where it stopped, and restore the best weights if asked."""
        if self.stopped_epoch > 0 and self.verbose > 0:
            _print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                _print_msg(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)

    def _monitor_value(self, logs: dict[str, float] | None) -> float | None:
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not "
                f"available. Available metrics are: {','.join(logs)}",
                stacklevel=2,
            )
        return value


class ReduceLROnPlateau(_MonitorCallback):
    """Multiply the learning rate by ``factor`` when a value stops improving, as Keras 3's.

    It sets ``model.optimizer.learning_rate`` and adds ``learning_rate`` (the rate
    during the epoch) to each epoch's logs, so the history and the progress line show it.

    Parameters
    ----------
    monitor : str
        A key of the epoch logs; default ``"val_loss"``.
    factor : float
        ``new_lr = lr * factor``; must be below 1.
    patience : int
        Epochs without improvement before the rate is reduced.
    verbose : int
        1: print ``Epoch 3: ReduceLROnPlateau reducing learning rate to 0.05.``
        (after an empty line, as Keras).
    mode : {"auto", "min", "max"}
        As in `EarlyStopping`.
    min_delta : float
        Smallest change that counts as an improvement.
    cooldown : int
        Epochs after a reduction during which no new reduction is counted.
    min_lr : float
        The rate is never set below this.
    **kwargs
        Accepted and ignored, as Keras does.

    Raises
    ------
    ValueError
        For ``factor >= 1``, in Keras's words.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.callbacks import ReduceLROnPlateau
    >>> from rnn.layers import Dense, Input
    >>> from rnn.models import Sequential
    >>> model = Sequential([Input((1,)), Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")  # learning rate 0.01
    >>> x = np.ones((8, 1))
    >>> reduce = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=10.0)
    >>> history = model.fit(x, x, epochs=4, callbacks=[reduce], verbose=0)
    >>> history.history["learning_rate"], model.optimizer.learning_rate
    ([0.01, 0.01, 0.005, 0.0025], 0.00125)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        factor = check_number("factor", factor)
        if factor >= 1.0:
            raise ValueError(
                f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}"
            )
        if factor < 0:
            raise ValueError(
                "ReduceLROnPlateau needs a factor >= 0 (the learning rate is multiplied by "
                f"it). Received factor={factor}"
            )
        self.factor = factor
        self.min_lr = check_number("min_lr", min_lr, minimum=0)
        self.patience = check_count("patience", patience)
        self.verbose = verbose
        self.cooldown = check_count("cooldown", cooldown)
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self) -> bool:
        """Whether a reduction happened less than ``cooldown`` epochs ago."""
        return self.cooldown_counter > 0

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        """Forget the best value, the waiting and the cooldown."""
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """Log the rate; reduce it after ``patience`` epochs without improvement."""
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = {} if logs is None else logs
        optimizer = self.model.optimizer
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Learning rate reduction is conditioned on metric `{self.monitor}` which "
                f"is not available. Available metrics are: {','.join(logs)}.",
                stacklevel=2,
            )
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(optimizer.learning_rate)
                if old_lr > np.float32(self.min_lr):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        _print_msg(
                            f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning "
                            f"rate to {new_lr}."
                        )
                self.cooldown_counter = self.cooldown
                self.wait = 0


class ModelCheckpoint(_MonitorCallback):
    """Save the model (or its weights) after each epoch, as Keras 3's.

    It calls ``model.save(path, overwrite=True)``, or
    ``model.save_weights(path, overwrite=True)`` with ``save_weights_only``, creating
    the folder of ``path`` if needed.

    Parameters
    ----------
    filepath : str or os.PathLike
        Where to save, formatted with ``epoch`` (from 1) and the epoch's logs, e.g.
        ``"ckpt/model_{epoch:02d}_{val_loss:.2f}.keras"``. It must end in ``.keras``
        (or ``.h5``), or in ``.weights.h5`` with ``save_weights_only``.
    monitor : str
        The value ``save_best_only`` compares; default ``"val_loss"``.
    verbose : int
        1: print what it does (``Epoch 2: val_loss improved from 0.76622 to 0.73745,
        saving model to ...``), as Keras.
    save_best_only : bool
        Save only when the monitored value improved on the best so far.
    save_weights_only : bool
        Save the weights alone.
    mode : {"auto", "min", "max"}
        As in `EarlyStopping`.
    save_freq : "epoch" or int
        After every epoch, or after every ``save_freq`` batches.
    initial_value_threshold : float, optional
        The best value to beat at first (with ``save_best_only``).

    Raises
    ------
    ValueError
        For a wrong extension or ``save_freq``, in Keras's words.
    KeyError
        When ``filepath`` names a value the logs do not have.

    Examples
    --------
    >>> from rnn.callbacks import ModelCheckpoint
    >>> ModelCheckpoint("model_{epoch:02d}.keras").filepath.format(epoch=3)
    'model_03.keras'
    >>> ModelCheckpoint("model.keras", save_weights_only=True)
    Traceback (most recent call last):
    ...
    ValueError: When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided \
must end in `.weights.h5` (Keras weights format). Received: filepath=model.keras
    """

    def __init__(
        self,
        filepath: str | os.PathLike[str],
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_since_saving = 0
        self._last_batch: int | None = None
        self._current_epoch = 0
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(
                f"Unrecognized save_freq: {save_freq}. "
                "Expected save_freq are 'epoch' or integer values"
            )
        if save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError(
                    "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath "
                    "provided must end in `.weights.h5` (Keras weights format). "
                    f"Received: filepath={self.filepath}"
                )
        elif not self.filepath.endswith((".keras", ".h5")):
            raise ValueError(
                "The filepath provided must end in `.keras` (Keras model format). "
                f"Received: filepath={self.filepath}"
            )

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """Remember the epoch (for saves every ``save_freq`` batches)."""
        self._current_epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """With an integer ``save_freq``, save every ``save_freq`` batches."""
        if self.save_freq == "epoch":
            return
        if self._last_batch is None or batch <= self._last_batch:
            self._batches_since_saving += batch + 1
        else:
            self._batches_since_saving += batch - self._last_batch
        self._last_batch = batch
        if self._batches_since_saving >= int(self.save_freq):
            self._batches_since_saving = 0
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """With ``save_freq="epoch"``, save (or, with ``save_best_only``, maybe save)."""
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _path(self, epoch: int, batch: int | None, logs: dict[str, Any]) -> str:
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as error:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: {error}'
            ) from None

    def _should_save(self, epoch: int, logs: dict[str, Any], path: str) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                _print_msg(f"\nEpoch {epoch + 1}: saving model to {path}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=3)
            return True
        if self.monitor_op is None:
            self._set_monitor_op()
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                _print_msg(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                    f"{current:.5f}, saving model to {path}"
                )
            self.best = current
            return True
        if self.verbose > 0:
            _print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _save(self, epoch: int, batch: int | None, logs: dict[str, Any] | None) -> None:
        logs = logs or {}
        path = self._path(epoch, batch, logs)
        if not self._should_save(epoch, logs, path):
            return
        if os.path.isdir(path):
            raise OSError(
                "Please specify a non-directory filepath for ModelCheckpoint. "
                f"Filepath used is an existing directory: {path}"
            )
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)
        if self.verbose > 0:
            _print_msg(f"\nEpoch {epoch + 1}: finished saving model to {path}")


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch's loss is NaN or infinite, as Keras 3's.

    Parameters
    ----------
    raise_error : bool
        Raise a ``RuntimeError`` instead of stopping after the batch.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.callbacks import TerminateOnNaN
    >>> from rnn.layers import Dense, Input
    >>> from rnn.models import Sequential
    >>> model = Sequential([Input((1,)), Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> x = np.ones((64, 1))
    >>> x[40] = np.nan  # in the second batch of 32
    >>> history = model.fit(x, x, epochs=3, shuffle=False, callbacks=[TerminateOnNaN()], verbose=0)
    Batch 1: Invalid loss, terminating training
    >>> history.epoch
    [0]
    """

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """Check the running loss; stop (or raise) if it is NaN or infinite."""
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            if self.raise_error:
                raise RuntimeError(
                    f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                    "Terminating training immediately."
                )
            _print_msg(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback made of functions given as arguments, as Keras's.

    Parameters
    ----------
    on_epoch_begin, on_epoch_end : callable, optional
        Called with ``(epoch, logs)``.
    on_train_begin, on_train_end : callable, optional
        Called with ``(logs)``.
    on_train_batch_begin, on_train_batch_end : callable, optional
        Called with ``(batch, logs)``.
    **kwargs
        Any other hook by its name (e.g. ``on_test_end=...``), as Keras allows.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.callbacks import LambdaCallback
    >>> from rnn.layers import Dense, Input
    >>> from rnn.models import Sequential
    >>> model = Sequential([Input((1,)), Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> show = LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, sorted(logs)))
    >>> history = model.fit(np.ones((4, 1)), np.ones((4, 1)), epochs=2, callbacks=[show], verbose=0)
    0 ['loss']
    1 ['loss']
    """

    def __init__(
        self,
        on_epoch_begin: Callable[..., Any] | None = None,
        on_epoch_end: Callable[..., Any] | None = None,
        on_train_begin: Callable[..., Any] | None = None,
        on_train_end: Callable[..., Any] | None = None,
        on_train_batch_begin: Callable[..., Any] | None = None,
        on_train_batch_end: Callable[..., Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        self.__dict__.update(kwargs)
        hooks = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end,
        }
        for name, function in hooks.items():
            if function is not None:
                setattr(self, name, function)


__all__ = [
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "ModelCheckpoint",
    "Progbar",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
    "format_step_time",
    "format_value",
    "resolve_verbose",
]
