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
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

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
    """Base class of the hooks ``fit`` calls, with Keras's method names.

    Attributes
    ----------
    model : the model being trained (set by ``fit``)
    params : dict
        ``{"verbose": ..., "epochs": ..., "steps": ...}``.
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
        """After the last epoch."""

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """Before epoch ``epoch`` (counted from 0)."""

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """After epoch ``epoch``, with its ``loss``, metrics and ``val_`` values."""

    def on_train_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """Before batch ``batch`` of the epoch."""

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """After batch ``batch``, with the running means of the epoch so far."""


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
    """Several callbacks called as one, in order (what ``fit`` drives)."""

    def __init__(
        self, callbacks: list[Callback], model: Any = None, params: dict[str, Any] | None = None
    ) -> None:
        super().__init__()
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            callback.set_model(model)
            callback.set_params(dict(params or {}))

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        """Call every callback's ``on_train_begin``, in order."""
        for callback in self.callbacks:
            callback.on_train_begin(logs)

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        """Call every callback's ``on_train_end``, in order."""
        for callback in self.callbacks:
            callback.on_train_end(logs)

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """Call every callback's ``on_epoch_begin``, in order."""
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """Call every callback's ``on_epoch_end``, in order."""
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """Call every callback's ``on_train_batch_begin``, in order."""
        for callback in self.callbacks:
            callback.on_train_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """Call every callback's ``on_train_batch_end``, in order."""
        for callback in self.callbacks:
            callback.on_train_batch_end(batch, logs)


__all__ = [
    "Callback",
    "CallbackList",
    "History",
    "Progbar",
    "ProgbarLogger",
    "format_step_time",
    "format_value",
    "resolve_verbose",
]
