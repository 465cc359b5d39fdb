"""Check the gradients of a layer or a model against central differences.

Backpropagation is easy to get subtly wrong, and a numerical check catches it: nudge
one weight by ``±eps``, watch the loss, and compare ``(L(w + eps) - L(w - eps)) / 2 eps``
with what `backward` computed. `check_gradients` does it for every weight (and the
input), on a **float64** copy of the layer or model, so rounding does not hide errors.

The loss is by default a random projection of the output, ``L = sum(output * r)``
with ``r`` drawn once from a normal distribution: every output value counts, each with
its own weight, so no mistake can cancel out.

Each weight's error is judged relative to the size of its gradient, with one exception:
the differences carry rounding of their own, about ``u * |L| / eps`` (``u`` is float64's
machine epsilon), so an absolute error within `ROUNDING_FACTOR` times that is agreement,
even for a weight whose whole gradient is so small that it is mostly rounding.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnn.layers.layer import Layer

__all__ = ["ROUNDING_FACTOR", "GradCheckEntry", "GradCheckReport", "check_gradients"]

#: ``loss(output) -> (value, dL/d output)``, the gradient shaped like the output.
LossFn = Callable[[Any], tuple[float, Any]]

#: The rounding floor of the central differences is ``ROUNDING_FACTOR * u * S / eps``:
#: ``u`` is float64's machine epsilon and ``S`` the size of the loss (``sum |output * r|``
#: for the default projection, else ``|L|``). Over every built-in layer and three stacked
#: models, 40 random draws each (3320 weights), the errors of correct gradients stayed
#: under 5.9 times ``u * S / eps``: 64 leaves a margin. At ``eps=1e-6`` that is
#: ``1.4e-8 * S``: a wrong gradient goes unseen only if all its error is below that.
ROUNDING_FACTOR = 64


@dataclass(frozen=True)
class GradCheckEntry:
    """The comparison for one weight (or the input).

    Attributes
    ----------
    name : str
        ``"<layer>/<weight>"`` (``"input"`` for the input's gradient).
    shape : tuple of int
    max_abs_error : float
        The largest ``|analytic - numerical|`` over the entries checked.
    scale : float
        The largest ``|gradient|`` (analytic or numerical) over those entries.
    checked : int
        How many entries were checked.
    """

    name: str
    shape: tuple[int, ...]
    max_abs_error: float
    scale: float
    checked: int

    @property
    def rel_error(self) -> float:
        """``max_abs_error / scale``: the error relative to the gradient's size (0 if both 0)."""
        return 0.0 if self.max_abs_error == 0 else self.max_abs_error / self.scale


@dataclass(frozen=True)
class GradCheckReport:
    """What `check_gradients` found: one entry per weight, then the input's.

    Attributes
    ----------
    name : str
        The name of the layer or model checked.
    entries : list of GradCheckEntry
    eps : float
        The step of the central differences (positive).
    tolerance : float
        The largest relative error for `ok`.
    rounding : float
        The rounding floor of the differences (see `ROUNDING_FACTOR`): an absolute
        error at most this is agreement, whatever the size of the gradient.
    """

    name: str
    entries: list[GradCheckEntry]
    eps: float
    tolerance: float
    rounding: float = 0.0

    @property
    def max_rel_error(self) -> float:
        """The largest relative error of all entries."""
        return max((e.rel_error for e in self.entries), default=0.0)

    def agrees(self, entry: GradCheckEntry) -> bool:
        """Whether ``entry`` is within ``tolerance`` (relative) or ``rounding`` (absolute)."""
        return entry.rel_error <= self.tolerance or entry.max_abs_error <= self.rounding

    @property
    def ok(self) -> bool:
        """Whether every entry `agrees`: within ``tolerance``, or within rounding."""
        return all(self.agrees(e) for e in self.entries)

    def __str__(self) -> str:
        verdict = "ok" if self.ok else "MISMATCH"
        # columns as wide as their longest entry, so that the report stays narrow
        name = max([len("gradient"), *(len(e.name) for e in self.entries)])
        shape = max([len("shape"), *(len(str(e.shape)) for e in self.entries)])
        lines = [
            f"gradient check of '{self.name}' (float64, central differences, eps={self.eps:g})",
            f"{'gradient':<{name}}  {'shape':<{shape}}  {'checked':>7}  {'rel. error':>10}"
            f"  {'abs. error':>10}",
        ]
        for e in self.entries:
            lines.append(
                f"{e.name:<{name}}  {e.shape!s:<{shape}}  {e.checked:>7}  "
                f"{e.rel_error:>10.2e}  {e.max_abs_error:>10.2e}"
            )
        why = f"tolerance {self.tolerance:g}"
        if self.ok and self.max_rel_error > self.tolerance:
            # a weight whose gradient is tiny: its error is the differences' own rounding
            why += f"; abs. errors up to {self.rounding:.1e} are rounding"
        lines.append(f"largest relative error {self.max_rel_error:.2e}: {verdict} ({why})")
        return "\n".join(lines)


def check_gradients(
    layer_or_model: Layer,
    x: Any,
    *,
    loss: LossFn | None = None,
    eps: float = 1e-6,
    seed: int = 0,
    tolerance: float = 1e-6,
    max_entries: int | None = None,
) -> GradCheckReport:
    """Compare `backward`'s gradients with central differences, in float64.

    The layer or model is copied and the copy cast to float64 (the original is not
    touched; an unbuilt one is built by the copy's first `forward`). Then
    ``forward(x)``, ``backward(dL/d output)``, and for every entry ``w`` of every
    weight (and of ``x``, unless it holds integer ids) the numerical derivative
    ``(L(w + eps) - L(w - eps)) / (2 eps)``.

    Parameters
    ----------
    layer_or_model : Layer or Sequential
    x : array_like
        An input batch, e.g. of shape (batch, timesteps, features).
    loss : callable, optional
        ``loss(output) -> (value, dL/d output)``. By default ``sum(output * r)``
        with a random ``r`` (a list of them if the output is a list).
    eps : float
        The step of the central differences (positive).
    seed : int
        Seed of ``r`` and of the entries sampled with ``max_entries``.
    tolerance : float
        The largest relative error the report calls ok (0 or more). An absolute error
        within the rounding of the differences (`GradCheckReport.rounding`) is ok too.
    max_entries : int, optional
        Check at most this many entries per weight (at least 1), chosen at random
        (all by default: two forward passes per entry add up on big layers).

    Raises
    ------
    TypeError
        If ``layer_or_model`` is not a layer or model, ``loss`` is not callable, or
        ``eps``, ``tolerance``, ``seed`` or ``max_entries`` is not a number of the kind
        it must be.
    ValueError
        If ``eps`` is not a positive finite number, ``tolerance`` is negative or NaN,
        ``seed`` is negative, or ``max_entries`` is less than 1.

    Returns
    -------
    GradCheckReport
        Per weight, the largest error relative to the size of its gradient:
        ``max |analytic - numerical| / max |gradient|``. Expect 1e-9 or less from a
        correct backward pass, unless the gradient is so small that it is mostly the
        differences' rounding (then ``ok`` still holds: see `ROUNDING_FACTOR`);
        truncated BPTT (``bptt_truncate``) differs on purpose.

    Examples
    --------
    >>> import numpy as np
    >>> import rnn
    >>> from rnn.gradcheck import check_gradients
    >>> from rnn.layers import LSTM
    >>> rnn.clear_session()
    >>> x = np.random.default_rng(0).standard_normal((2, 5, 3))
    >>> report = check_gradients(LSTM(4, seed=1), x)
    >>> report.ok, report.max_rel_error < 1e-6
    (True, True)
    >>> print(report)
    gradient check of 'lstm' (float64, central differences, eps=1e-06)
    gradient               shape      checked  rel. error  abs. error
    lstm/kernel            (3, 16)         48    ...
    lstm/recurrent_kernel  (4, 16)         64    ...
    lstm/bias              (16,)           16    ...
    input                  (2, 5, 3)       30    ...
    largest relative error ...: ok (tolerance 1e-06)
    """
    _check_arguments(layer_or_model, loss, eps, seed, tolerance, max_entries)
    model = _float64_copy(layer_or_model)
    x = np.asarray(x)
    ids = x.dtype.kind in "biu"
    if not ids:
        x = x.astype(np.float64)
    rng = np.random.default_rng(seed)
    out = model.forward(x)
    size = None
    if loss is None:
        loss, size = _projection(out, rng)
    start, grad_out = loss(out)
    size = abs(float(start)) if size is None else size
    # the rounding of (L(w + eps) - L(w - eps)) / (2 eps): about u * |L| / eps
    rounding = ROUNDING_FACTOR * float(np.finfo(np.float64).eps) * size / eps
    grad_x = model.backward(grad_out)
    analytic = [np.array(g, dtype=np.float64) for g in model.grads]

    def value() -> float:
        return float(loss(model(x))[0])

    entries = [
        _compare(name, w, g, value, eps, rng, max_entries)
        for name, w, g in zip(_weight_names(model), model.weights, analytic, strict=True)
    ]
    if not ids and grad_x is not None:
        entries.append(_compare("input", x, np.asarray(grad_x), value, eps, rng, max_entries))
    return GradCheckReport(model.name, entries, eps, tolerance, rounding)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _check_arguments(
    layer_or_model: Any,
    loss: Any,
    eps: Any,
    seed: Any,
    tolerance: Any,
    max_entries: Any,
) -> None:
    """Raise a clear error for an argument of `check_gradients` that cannot be right."""

    def got(name: str, value: Any) -> str:
        return f"Received: {name}={value!r} (of type {type(value).__name__})"

    if not isinstance(layer_or_model, Layer):
        what = (
            f"the class {layer_or_model.__name__} itself: write {layer_or_model.__name__}(...)"
            if isinstance(layer_or_model, type)
            else f"{layer_or_model!r} (of type {type(layer_or_model).__name__})"
        )
        raise TypeError(
            f"check_gradients checks a layer or a model (an `rnn.layers.Layer`). Received: {what}"
        )
    if loss is not None and not callable(loss):
        raise TypeError(
            "`loss` must be None or a function `loss(output) -> (value, dL/d output)`. "
            + got("loss", loss)
        )
    if not _is_number(eps):
        raise TypeError("`eps` must be a number, such as 1e-6. " + got("eps", eps))
    if not (np.isfinite(eps) and eps > 0):
        raise ValueError(
            "`eps`, the step of the central differences (L(w + eps) - L(w - eps)) / "
            f"(2 eps), must be a positive finite number, such as 1e-6. Received: eps={eps!r}"
        )
    if not _is_number(tolerance):
        raise TypeError(
            "`tolerance` must be a number, such as 1e-6. " + got("tolerance", tolerance)
        )
    if not tolerance >= 0:  # NaN too
        raise ValueError(
            "`tolerance`, the largest relative error the report calls ok, must be a "
            f"number >= 0, such as 1e-6. Received: tolerance={tolerance!r}"
        )
    if not _is_int(seed):
        raise TypeError("`seed` must be an integer. " + got("seed", seed))
    if seed < 0:
        raise ValueError(f"`seed` must be a non-negative integer. Received: seed={seed!r}")
    if max_entries is not None:
        if not _is_int(max_entries):
            raise TypeError(
                "`max_entries` must be None (check every entry) or a positive integer. "
                + got("max_entries", max_entries)
            )
        if max_entries < 1:
            raise ValueError(
                "`max_entries` must be None (check every entry) or a positive integer: "
                f"with {max_entries!r} nothing would be checked. "
                f"Received: max_entries={max_entries!r}"
            )


def _compare(
    name: str,
    w: np.ndarray,
    analytic: np.ndarray,
    value: Callable[[], float],
    eps: float,
    rng: np.random.Generator,
    max_entries: int | None,
) -> GradCheckEntry:
    """Central differences for the entries of ``w`` (changed in place, then restored)."""
    picks = np.arange(w.size)
    if max_entries is not None and w.size > max_entries:
        picks = np.sort(rng.choice(w.size, max_entries, replace=False))
    numeric = np.empty(picks.size)
    for n, i in enumerate(picks):
        at = np.unravel_index(i, w.shape)  # in place, whatever the memory layout
        keep = w[at]
        w[at] = keep + eps
        plus = value()
        w[at] = keep - eps
        minus = value()
        w[at] = keep
        numeric[n] = (plus - minus) / (2 * eps)
    mine = analytic.reshape(-1)[picks]
    error = float(np.max(np.abs(mine - numeric), initial=0.0))
    scale = float(max(np.max(np.abs(mine), initial=0.0), np.max(np.abs(numeric), initial=0.0)))
    return GradCheckEntry(name, tuple(w.shape), error, scale, int(picks.size))


def _projection(out: Any, rng: np.random.Generator) -> tuple[LossFn, float]:
    """``L = sum(out * r)`` (summed over a list of outputs), and its terms' size at ``out``.

    The gradient of ``L`` is ``r``; the size, ``sum |out * r|``, sets its rounding.
    """
    if isinstance(out, (list, tuple)):
        rs = [rng.standard_normal(np.shape(o)) for o in out]
        size = sum(float(np.sum(np.abs(o * r))) for o, r in zip(out, rs, strict=True))
        return (lambda y: (sum(float(np.sum(o * r)) for o, r in zip(y, rs, strict=True)), rs)), size
    r = rng.standard_normal(np.shape(out))
    return (lambda y: (float(np.sum(y * r)), r)), float(np.sum(np.abs(out * r)))


def _sublayers(layer: Layer, seen: set[int] | None = None) -> Iterator[Layer]:
    """``layer`` and every layer held in its attributes (a model's, a wrapper's)."""
    seen = set() if seen is None else seen
    if id(layer) in seen:
        return
    seen.add(id(layer))
    yield layer
    for value in vars(layer).values():
        items = value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if isinstance(item, Layer):
                yield from _sublayers(item, seen)


def _float64_copy(layer: Layer) -> Any:
    """Return a deep copy of ``layer`` computing in float64, weights included."""
    twin = copy.deepcopy(layer)
    for sub in _sublayers(twin):
        sub.set_dtype("float64")
    return twin


def _weight_names(model: Layer) -> list[str]:
    """``"<layer>/<weight>"`` for every weight, in the order of ``model.weights``."""
    layers = getattr(model, "layers", None)
    if layers is None:
        return [f"{model.name}/{name}" for name in model.weight_names]
    return [f"{layer.name}/{name}" for layer in layers for name in layer.weight_names]
