"""Whether the outputs a backward pass is given come from a forward pass with its arguments.

A backward pass rebuilds each step from the outputs it is given: the gates of step ``t``
from ``x_t`` and the given ``h_{t-1}``. The step's ``h_t`` computed again from them must
then be the given ``h_t``: if it is not, the outputs came from a forward pass with other
arguments (a bias left out, another activation, another initial state or mask...) and
the gradients would be silently wrong. The backward passes compare the two, from values
they compute anyway, and raise a `ValueError` naming the first step where they differ.

The tolerance, per step ``t`` of sequence ``b``, is

    rtol * (1 + M) * (1 + S),   S = |x_t| |K|_col + |h_{t-1}| |R|_col + max |b|

where ``M`` is the largest ``|h|`` of the step and the one before, ``|.|`` a row's
Euclidean norm and ``|W|_col`` the largest Euclidean norm of a column of ``W`` (times
the largest dropout factor). ``S`` bounds what the pre-activations sum, so ``rtol * S``
bounds their rounding whatever the order of the sums (it does not shrink when the terms
cancel), and ``1 + M`` follows it through the cell: a GRU's ``h_t`` moves with its
update gate times ``h_{t-1} - hh``, an ``exponential`` unit with ``h``. Each step is
rebuilt from the given state before it, so rounding does not accumulate along the
sequence (but for the LSTM's cell, whose few rounding errors per step its forget gate
damps). ``rtol`` is ``1e-3`` in float32 (about 10^4 times its epsilon) and ``1e-6`` in
float64 (far more than its rounding can reach, still thousands of times below what
another argument changes), ``5e-2`` in float16. As every tolerance is at least ``rtol``,
the tolerances are computed only when a difference exceeds it: a correct call seldom
needs them, and the check costs a few element-wise passes over the states.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from rnn import activations

# the arguments that must be those of the forward pass, by function
ARGUMENTS = {
    "simple_rnn": (
        "bias",
        "activation",
        "initial_state",
        "mask",
        "dropout_mask",
        "recurrent_dropout_mask",
    ),
    "lstm": (
        "bias",
        "activation",
        "recurrent_activation",
        "initial_state",
        "mask",
        "dropout_mask",
        "recurrent_dropout_mask",
    ),
    "gru": (
        "bias",
        "activation",
        "recurrent_activation",
        "reset_after",
        "initial_state",
        "mask",
        "dropout_mask",
        "recurrent_dropout_mask",
    ),
}


@functools.lru_cache(maxsize=16)
def _rtol(dtype: np.dtype) -> float:
    """Return the relative tolerance of the comparison in ``dtype`` (see the module's docstring)."""
    eps = float(np.finfo(dtype).eps)
    if eps > 1e-4:  # float16
        return 5e-2
    return 1e-3 if eps > 1e-10 else 1e-6


def _column_norm(w: np.ndarray, mask: np.ndarray | None) -> float:
    """Return the largest Euclidean norm of a column of ``w``, times the largest dropout factor."""
    norm = float(np.sqrt(np.einsum("ij,ij->j", w, w).max()))
    return norm if mask is None else norm * float(np.abs(mask).max(initial=0))


def _row_norms(a: np.ndarray) -> np.ndarray:
    """Return the Euclidean norm of each row (last axis) of ``a``, in float64."""
    return np.sqrt(np.einsum("...i,...i->...", a, a).astype(np.float64))


def _row_max(a: np.ndarray) -> np.ndarray:
    """Return the largest ``|a|`` of each row (last axis), without a copy of ``a``."""
    return np.maximum(a.max(axis=-1), -a.min(axis=-1)).astype(np.float64)


def tolerances(
    x: np.ndarray,
    states: np.ndarray,
    h0: np.ndarray | None,
    weights: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    drops: tuple[np.ndarray | None, np.ndarray | None],
    dtype: np.dtype,
) -> np.ndarray:
    """Return the tolerance of each step of each sequence, (batch, timesteps).

    ``x`` (batch, timesteps, features), ``states`` every ``h_t`` (batch, timesteps,
    units), ``h0`` the initial state (None: zeros), ``weights`` ``(K, R, b)`` and
    ``drops`` the dropout masks of the inputs and of the states (or None).
    """
    k, rk, b = weights
    bias = 0.0 if b is None else float(np.abs(b).max(initial=0))
    h_norm, h_max = _row_norms(states), _row_max(states)  # (batch, timesteps)
    first = np.zeros(states.shape[0]) if h0 is None else _row_norms(h0)
    first_max = np.zeros(states.shape[0]) if h0 is None else _row_max(h0)
    prev_norm = np.concatenate([first[:, None], h_norm[:, :-1]], axis=1)  # |h_{t-1}|
    prev_max = np.concatenate([first_max[:, None], h_max[:, :-1]], axis=1)
    scale = _row_norms(x) * _column_norm(k, drops[0])
    scale += prev_norm * _column_norm(rk, drops[1])
    scale += bias
    out: np.ndarray = _rtol(dtype) * (1 + np.maximum(h_max, prev_max)) * (1 + scale)
    return out


class _First(NamedTuple):
    """Where the outputs first differ: step, sequence, the difference and its tolerance."""

    step: int
    sequence: int
    difference: float
    tolerance: float


class Mismatch:
    """Compare recomputed states with the given outputs, chunk by chunk, in any order.

    ``outputs`` (batch, timesteps, units) are the outputs given, ``keep`` (batch,
    timesteps) the mask or None, ``tolerance`` a function returning `tolerances`, called
    only when a difference exceeds ``rtol``, the least any tolerance can be (so that a
    correct call seldom computes it). `compare` records the earliest step where they
    differ; `check` raises then.
    """

    def __init__(
        self,
        name: str,
        outputs: np.ndarray,
        keep: np.ndarray | None,
        tolerance: Callable[[], np.ndarray],
        dtype: np.dtype,
        batched: bool,
        arguments: tuple[str, ...] | None = None,
        prefix: str = "",
    ) -> None:
        self.name, self.outputs, self.keep, self.tolerance = name, outputs, keep, tolerance
        self.rtol, self.batched, self.prefix = _rtol(dtype), batched, prefix
        self.arguments = ARGUMENTS[name] if arguments is None else arguments
        self.first: _First | None = None
        self._tol: np.ndarray | None = None

    def tol(self) -> np.ndarray:
        """Return the tolerance of every step (batch, timesteps), computed once."""
        if self._tol is None:
            self._tol = self.tolerance()
        return self._tol

    def compare(
        self,
        lo: int,
        rec: np.ndarray,
        units: Any = None,
        scratch: bool = False,
        batch_major: bool = False,
    ) -> None:
        """Compare ``rec`` (steps, batch, n), steps ``lo`` on, time-major, with the outputs.

        ``units`` selects the outputs' units that ``rec`` holds (None: all of them). At a
        masked step the output must repeat the one before (zeros before the first).
        ``scratch``: ``rec`` may be overwritten. ``batch_major``: ``rec`` is (batch,
        steps, n), compared so (contiguous, faster when ``n`` is small).
        """
        if batch_major:
            rec = rec.swapaxes(0, 1)
        m = rec.shape[0]
        given = self.outputs[:, lo : lo + m]
        if units is not None:
            given = given.take(units, axis=2)
        given = given.swapaxes(0, 1)  # (steps, batch, n)
        if self.keep is not None:
            keep = self.keep[:, lo : lo + m].T[..., np.newaxis]
            before = self.outputs[:, lo - 1 : lo + m - 1] if lo else self.outputs[:, : m - 1]
            if units is not None:
                before = before.take(units, axis=2)
            previous = np.zeros_like(given)
            previous[1 if lo == 0 else 0 :] = before.swapaxes(0, 1)  # the output before
            rec, scratch = np.where(keep, rec, previous), True
        if batch_major:  # back to (batch, steps, n): both contiguous
            rec, given = rec.swapaxes(0, 1), given.swapaxes(0, 1)
        diff = np.subtract(rec, given, out=rec if scratch else None)
        np.abs(diff, diff)
        worst = diff.max(axis=-1)  # (steps, batch); NaN never counts as a difference
        if batch_major:
            worst = worst.T
        if not (worst > self.rtol).any():
            return  # within the least tolerance: the common case, without computing any
        tol = self.tol()[:, lo : lo + m].T
        bad = worst > tol
        if not bad.any():
            return
        t, b = np.unravel_index(int(np.argmax(bad)), bad.shape)  # the earliest step
        if self.first is None or lo + t < self.first.step:
            self.first = _First(int(lo + t), int(b), float(worst[t, b]), float(tol[t, b]))

    def check(self) -> None:
        """Raise the `ValueError` of `message` if the outputs differ anywhere."""
        if self.first is not None:
            raise ValueError(self.message())

    def message(self, note: str = "", measured: str = "") -> str:
        """Say where the outputs first differ, by how much, and which arguments to check.

        ``note`` follows "these arguments", ``measured`` opens the parenthesis.
        """
        assert self.first is not None
        first = self.first
        where = f"{measured}at step {first.step}"
        if self.batched:
            where += f" of sequence {first.sequence}"
        names = [f"`{a}`" for a in self.arguments]
        listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
        weights = "`params`" if self.prefix else "weights"
        return (
            f"The `outputs` given to {self.prefix}{self.name}_backward do not match a "
            f"forward pass with these arguments{note} ({where}, largest difference "
            f"{first.difference:.3g}, tolerance {first.tolerance:.2g}): pass the same "
            f"`inputs`, {weights}, {listed} as to {self.prefix}{self.name}_forward, and "
            "every output it returned."
        )


def bias_fits(
    act: Callable[[np.ndarray], np.ndarray],
    z: np.ndarray,
    given: np.ndarray,
    tol: np.ndarray,
) -> bool:
    """Whether one bias per unit makes ``act(z + b)`` the given outputs, within ``tol``.

    For the simple RNN's backward pass, which needs no bias: a forward pass may have had
    one. ``z`` (rows, units) are the pre-activations without a bias, ``given`` the
    outputs (rows, units), ``tol`` (rows,) each row's tolerance; masked rows left out.
    ``act`` must not decrease (every activation whose derivative is read from its
    output). Each output allows an interval of biases, found by bisection; they must
    meet.
    """
    z, given = z.astype(np.float64), given.astype(np.float64)
    tol = tol[:, np.newaxis]
    with np.errstate(all="ignore"):
        reach = 1e6 * (1 + np.abs(z).max(initial=0) + np.abs(given).max(initial=0))
        low = _crossing(act, given - tol, reach, below=True) - z  # the smallest bias
        high = _crossing(act, given + tol, reach, below=False) - z  # the largest
        return bool(np.all(np.nanmax(low, axis=0) <= np.nanmin(high, axis=0)))


def implied_bias(
    act: Callable[[np.ndarray], np.ndarray], z: np.ndarray, given: np.ndarray
) -> np.ndarray | None:
    """Return the bias per unit that the outputs imply, ``act^-1(given) - z``, or None.

    For the simple RNN's backward pass called without the forward's bias: a guess to
    compare with first, cheap where a search (`bias_fits`) is not. Each unit's is read
    from the output farthest from the activation's bounds, where the inverse is most
    accurate. ``z`` and ``given`` are ``(rows, units)``, masked rows left out. None
    without a known inverse, or for a unit whose every output is at a bound.
    """
    closed = _inverse(act)
    if closed is None or not given.size:
        return None
    inverse, least, most = closed
    room = np.minimum(given - least, most - given)  # distance to the nearer bound
    best = room.argmax(axis=0)  # each unit's most invertible output
    units = np.arange(given.shape[1])
    if not np.all(room[best, units] > 0):
        return None
    with np.errstate(all="ignore"):
        return inverse(given[best, units].astype(np.float64)) - z[best, units]


def _crossing(
    act: Callable[[np.ndarray], np.ndarray], target: np.ndarray, reach: float, below: bool
) -> np.ndarray:
    """``inf {w : act(w) >= target}`` (``below``) or ``sup {w : act(w) <= target}``.

    By bisection over ``[-reach, reach]``, rounded outwards; ``-inf`` or ``inf`` where
    the whole range qualifies, ``inf`` or ``-inf`` (nothing) where none of it does.
    """
    closed = _inverse(act)
    if closed is not None:  # the common activations: their inverse, no bisection
        inverse, least, most = closed
        with np.errstate(all="ignore"):
            w = inverse(np.clip(target, least, most))
        if below:  # act(w) >= target: every w below the range, none above it
            return np.where(target <= least, -np.inf, np.where(target >= most, np.inf, w))
        return np.where(target >= most, np.inf, np.where(target < least, -np.inf, w))
    lo, hi = np.full(target.shape, -reach), np.full(target.shape, reach)
    if below:
        ok_lo, ok_hi = act(lo) >= target, act(hi) >= target
    else:
        ok_lo, ok_hi = act(lo) <= target, act(hi) <= target
    for _ in range(64):  # to 2^-63 of the range: far finer than any tolerance
        mid = (lo + hi) / 2
        ok = act(mid) >= target if below else act(mid) <= target
        if below:
            hi, lo = np.where(ok, mid, hi), np.where(ok, lo, mid)
        else:
            lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
    if below:
        return np.where(ok_lo, -np.inf, np.where(ok_hi, lo, np.inf))
    return np.where(ok_hi, np.inf, np.where(ok_lo, hi, -np.inf))


def _inverse(
    act: Callable[[np.ndarray], np.ndarray],
) -> tuple[Callable[[np.ndarray], np.ndarray], float, float] | None:
    """``(inverse, least, most)`` of tanh, sigmoid, relu and linear; None for the others.

    Each increases strictly from its least value (reached: relu's 0; or not: tanh's -1)
    to its most, the inverse defined between them. Float64 rounding of the inverse is
    far below any tolerance, which is at least 1e-6 of the outputs' scale.
    """
    Inverse = tuple[Callable[[np.ndarray], np.ndarray], float, float]
    known: dict[Any, Inverse] = {
        activations.get("tanh"): (np.arctanh, -1.0, 1.0),
        activations.get("sigmoid"): (lambda y: np.log(y) - np.log1p(-y), 0.0, 1.0),
        activations.get("relu"): (lambda y: y, 0.0, np.inf),
        activations.get("linear"): (lambda y: y, -np.inf, np.inf),
    }
    return known.get(act)
