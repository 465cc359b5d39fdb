"""Timing: check ``rnn`` against the baseline, then time both with interleaved repeats."""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from rnn.bench.cases import BASELINE_NAMES, CASES, Case, baseline_fn, problem, rnn_fn, shrink
from rnn.bench.threads import blas_report

__all__ = ["compare", "run"]


def _difference(ours: Any, theirs: Any) -> tuple[float, float]:
    """Largest absolute difference, and the same relative to the largest value."""
    pairs = list(zip(ours, theirs, strict=True)) if isinstance(ours, list) else [(ours, theirs)]
    error = max(float(np.abs(np.asarray(a) - np.asarray(b)).max()) for a, b in pairs)
    scale = max(float(np.abs(np.asarray(b)).max()) for _, b in pairs)
    return error, error / max(scale, 1.0)


def _time(fn: Callable[[], Any], number: int) -> float:
    """Seconds per call, averaged over ``number`` back-to-back calls."""
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def compare(case: Case, repeats: int, min_sample: float) -> dict[str, Any]:
    """Check ``rnn`` and the baseline agree, then time them with interleaved repeats."""
    x, kernel, recurrent_kernel, bias = problem(case)
    ours = rnn_fn(case, x, kernel, recurrent_kernel, bias)
    base = baseline_fn(case, x, kernel, recurrent_kernel, bias)
    error, relative = _difference(ours(), base())
    if not relative < 1e-10:
        raise RuntimeError(f"{case.label}: rnn and {case.baseline} differ by {error:.3g}")
    # calibrate: enough calls per sample that one sample lasts at least min_sample
    numbers = [max(1, round(min_sample / max(_time(f, 1), 1e-7))) for f in (ours, base)]
    samples: dict[str, list[float]] = {"ours": [], "base": []}
    for r in range(repeats):
        pairs = [("ours", ours, numbers[0]), ("base", base, numbers[1])]
        for name, fn, number in pairs if r % 2 == 0 else pairs[::-1]:
            samples[name].append(_time(fn, number))
    best = {name: min(times) for name, times in samples.items()}
    median = {name: float(np.median(times)) for name, times in samples.items()}
    return {
        "case": case.label,
        "baseline": BASELINE_NAMES[case.baseline],
        "ours_s": best["ours"],
        "baseline_s": best["base"],
        "ratio": best["ours"] / best["base"],
        "median_ratio": median["ours"] / median["base"],
        "target": case.target,
        "max_abs_difference": error,
        "max_rel_difference": relative,
    }


def run(quick: bool = False) -> dict[str, Any]:
    """Run every case (torch ones only if torch imports) and return the report."""
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(1)
    repeats, min_sample = (3, 0.002) if quick else (9, 0.05)
    cases = [shrink(c) for c in CASES] if quick else list(CASES)
    results, skipped = [], []
    for case in cases:
        if case.baseline.startswith("torch") and torch is None:
            skipped.append(case.label)
            continue
        results.append(compare(case, repeats, min_sample))
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": None if torch is None else torch.__version__,
        "torch_threads": None if torch is None else torch.get_num_threads(),
        "blas": blas_report(),
        "quick": quick,
        "repeats": repeats,
        "results": results,
        "torch_skipped": skipped,
    }
