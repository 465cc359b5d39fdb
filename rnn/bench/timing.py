"""Timing: check ``rnn`` against each baseline, then time both with interleaved repeats."""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from rnn.bench import cells as cells_module
from rnn.bench.cases import BASELINE_NAMES, CASES, Case, baseline_fn, problem, rnn_fn, shrink
from rnn.bench.cells import TORCH_MODULES, CellCase, cell_cases, floor_fn, rnn_fns, torch_fns
from rnn.bench.counting import calls_per_step
from rnn.bench.fit import FIT_MODELS, FIT_TARGET, KERAS_HINT, fit_data, keras_epochs, rnn_epochs
from rnn.bench.memory import peak_memory
from rnn.bench.threads import blas_report

__all__ = ["FLOOR_TARGET", "MEMORY_TARGET", "SECTIONS", "compare", "run"]

SECTIONS = ("notebook", "cells", "floor", "memory", "fit")
FLOOR_TARGET = 1.3
MEMORY_TARGET = 2.0
# the largest relative difference allowed between rnn and torch, by dtype
_TOLERANCE = {"float32": 1e-4, "float64": 1e-10}
_QUICK_SIZES = ((1, 20, 8, 16), (4, 20, 8, 16), (8, 30, 16, 32))
_QUICK_MEMORY = (4, 100, 16, 32)
_STARTED = time.perf_counter()
_LARGE_REPEATS = 4


def _say(message: str) -> None:
    """Tell what is being measured, on standard error (the report goes to standard output)."""
    elapsed = time.perf_counter() - _STARTED
    print(f"rnn.bench [{elapsed:4.0f} s]: {message}", file=sys.stderr, flush=True)


def _difference(ours: Any, theirs: Any) -> tuple[float, float]:
    """Largest absolute difference, and the largest relative to each array's largest value."""
    pairs = list(zip(ours, theirs, strict=True)) if isinstance(ours, list) else [(ours, theirs)]
    error = relative = 0.0
    for a, b in pairs:
        gap = float(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)).max())
        scale = max(float(np.abs(np.asarray(b, np.float64)).max()), 1.0)
        error, relative = max(error, gap), max(relative, gap / scale)
    return error, relative


def _time(fn: Callable[[], Any], number: int) -> float:
    """Seconds per call, averaged over ``number`` back-to-back calls."""
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def _checked(
    label: str, ours: Callable[[], Any], base: Callable[[], Any], tolerance: float
) -> tuple[float, float, tuple[float, float]]:
    """Run both once, check they agree; return the differences and the two times."""
    start = time.perf_counter()
    mine = ours()
    middle = time.perf_counter()
    theirs = base()
    seconds = (middle - start, time.perf_counter() - middle)
    error, relative = _difference(mine, theirs)
    if not relative < tolerance:
        raise RuntimeError(f"{label}: rnn and its baseline differ by {relative:.3g} (relative)")
    return error, relative, seconds


def _interleaved(
    ours: Callable[[], Any],
    base: Callable[[], Any],
    repeats: int,
    min_sample: float,
    first: tuple[float, float] | None = None,
) -> dict[str, float]:
    """Time two functions in alternating repeats; their best and median seconds per call.

    ``first``: the seconds of one call of each, if known, to calibrate with.
    """
    if first is None:
        first = (_time(ours, 1), _time(base, 1))
    # calibrate: enough calls per sample that one sample lasts at least min_sample
    numbers = [max(1, round(min_sample / max(seconds, 1e-7))) for seconds in first]
    samples: dict[str, list[float]] = {"ours": [], "base": []}
    for r in range(repeats):
        pairs = [("ours", ours, numbers[0]), ("base", base, numbers[1])]
        for name, fn, number in pairs if r % 2 == 0 else pairs[::-1]:
            samples[name].append(_time(fn, number))
    best = {name: min(times) for name, times in samples.items()}
    median = {name: float(np.median(times)) for name, times in samples.items()}
    return {
        "ours_s": best["ours"],
        "baseline_s": best["base"],
        "ratio": best["ours"] / best["base"],
        "median_ratio": median["ours"] / median["base"],
    }


def compare(case: Case, repeats: int, min_sample: float) -> dict[str, Any]:
    """Check ``rnn`` and the baseline agree, then time them with interleaved repeats."""
    x, kernel, recurrent_kernel, bias = problem(case)
    ours = rnn_fn(case, x, kernel, recurrent_kernel, bias)
    base = baseline_fn(case, x, kernel, recurrent_kernel, bias)
    error, relative, first = _checked(f"{case.label} {case.baseline}", ours, base, 1e-10)
    return {
        "case": case.label,
        "baseline": BASELINE_NAMES[case.baseline],
        **_interleaved(ours, base, repeats, min_sample, first),
        "target": case.target,
        "max_abs_difference": error,
        "max_rel_difference": relative,
    }


def _compare_cell(
    torch: Any,
    case: CellCase,
    repeats: int,
    min_sample: float,
    counts: dict[str, tuple[float, float]],
) -> dict[str, Any]:
    """Check one cell against torch (outputs and every gradient), then time both."""
    p = cells_module.problem(case.cell, case.dtype, case.size)
    ours = rnn_fns(p)[case.backward]
    base = torch_fns(torch, p)[case.backward]
    tolerance = _TOLERANCE[case.dtype]
    error, relative, first = _checked(f"{case.label} {case.pass_name}", ours, base, tolerance)
    row: dict[str, Any] = {
        "case": case.label,
        "cell": case.cell,
        "dtype": case.dtype,
        "size": list(case.size),
        "pass": case.pass_name,
        "baseline": TORCH_MODULES[case.cell],
        **_interleaved(ours, base, repeats, min_sample, first),
        "target": case.target,
        "max_abs_difference": error,
        "max_rel_difference": relative,
    }
    if case.batch == 1:  # the loop's floor: NumPy calls per step of what the row times
        parts = ("forward", "backward") if case.backward else ("forward",)
        calls = {part: counts[part] for part in parts}
        row["numpy_calls_per_step"] = {part: c[0] for part, c in calls.items()}
        row["operators_per_step"] = {part: c[1] for part, c in calls.items()}
        every = sum(sum(c) for c in calls.values())
        row["us_per_call"] = row["ours_s"] / case.timesteps / max(every, 1) * 1e6
    return row


def _count_calls(case: CellCase) -> dict[str, tuple[float, float]]:
    """NumPy calls per step of the forward, and of the backward alone, at this size."""

    def make(steps: int, backward: bool) -> Callable[[], Any]:
        size = (case.batch, steps, case.features, case.units)
        return rnn_fns(cells_module.problem(case.cell, case.dtype, size))[backward]

    steps = max(10, case.timesteps // 2)
    forward = calls_per_step(lambda t: make(t, False), steps)
    both = calls_per_step(lambda t: make(t, True), steps)
    backward = (both[0] - forward[0], both[1] - forward[1])
    return {"forward": forward, "backward": backward}


def _floor(case: CellCase, repeats: int, min_sample: float) -> dict[str, Any]:
    """Time the forward against its matrix products alone."""
    p = cells_module.problem(case.cell, case.dtype, case.size)
    timed = _interleaved(rnn_fns(p)[0], floor_fn(p), repeats, min_sample)
    return {
        "case": case.label,
        "forward_s": timed["ours_s"],
        "floor_s": timed["baseline_s"],
        "ratio": timed["ratio"],
        "median_ratio": timed["median_ratio"],
        "target": FLOOR_TARGET,
    }


def _memory(cell: str, size: tuple[int, int, int, int]) -> dict[str, Any]:
    """Peak extra memory of forward + backward in float32, over what it must hold."""
    b, t, d, h = size
    result = peak_memory(cells_module.problem(cell, "float32", size))
    return {"case": f"{cell} float32 B{b} T{t} D{d} H{h}", **result, "target": MEMORY_TARGET}


def _fit(quick: bool, keras_python: str | None) -> dict[str, Any]:
    """One epoch of each course model in rnn, and in Keras if a Python for it is given."""
    repeats = 1 if quick else 3
    data = fit_data(FIT_MODELS, scale=0.1 if quick else 1.0)
    ours = rnn_epochs(FIT_MODELS, data, repeats)
    theirs: dict[str, Any] = {}
    hint = None if keras_python else KERAS_HINT
    if keras_python:
        try:
            theirs = keras_epochs(keras_python, FIT_MODELS, data, repeats)
        except (RuntimeError, OSError, ValueError) as error:  # no Keras there, or no Python
            last = str(error).strip().splitlines()[-1]
            hint = f"Keras did not run in {keras_python} ({last}); {KERAS_HINT}"
    rows = []
    for spec in FIT_MODELS:
        keras_s = theirs.get(spec["name"])
        rows.append(
            {
                "case": spec["label"],
                "rnn_s": ours[spec["name"]],
                "keras_s": keras_s,
                "ratio": None if keras_s is None else ours[spec["name"]] / keras_s,
                "target": FIT_TARGET,
            }
        )
    keras = f"keras {theirs['keras']} ({theirs['backend']})" if theirs else None
    return {"rows": rows, "keras": keras, "hint": hint}


def _cell_rows(
    torch: Any, report: dict[str, Any], cases: list[CellCase], repeats: int, min_sample: float
) -> None:
    """Append a row per cell case to ``report["cells"]`` (or skip them all without torch)."""
    counts: dict[tuple[str, str], dict[str, tuple[float, float]]] = {}
    largest = max(case.batch * case.timesteps * case.units for case in cases)
    for case in cases:
        if torch is None:
            report["cells_skipped"].append(f"{case.label} {case.pass_name}")
            continue
        _say(f"{case.label} {case.pass_name} against {TORCH_MODULES[case.cell]}")
        key = (case.cell, case.dtype)
        if case.batch == 1 and key not in counts:
            counts[key] = _count_calls(case)
        # one call at the large size lasts long: fewer repeats there
        large = case.batch * case.timesteps * case.units == largest
        reps = min(_LARGE_REPEATS, repeats) if large else repeats
        report["cells"].append(_compare_cell(torch, case, reps, min_sample, counts.get(key, {})))


def _selection(only: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the cells and the sections ``--only`` names (all of each if it names none)."""
    names = [n.strip() for n in (only or "").split(",") if n.strip()]
    unknown = set(names) - set(cells_module.CELLS) - set(SECTIONS)
    if unknown:
        known = ", ".join((*cells_module.CELLS, *SECTIONS))
        raise ValueError(f"--only: unknown {', '.join(sorted(unknown))} (known: {known})")
    chosen_cells = tuple(c for c in cells_module.CELLS if c in names) or cells_module.CELLS
    chosen_sections = tuple(s for s in SECTIONS if s in names) or SECTIONS
    return chosen_cells, chosen_sections


def run(
    quick: bool = False, only: str | None = None, keras_python: str | None = None
) -> dict[str, Any]:
    """Run every selected comparison (torch ones only if torch imports); return the report.

    Parameters
    ----------
    quick : bool
        Small sizes and few repeats: a smoke run whose ratios mean little.
    only : str, optional
        Comma-separated cells (``simple``, ``lstm``, ``gru``) and sections (``notebook``,
        ``cells``, ``floor``, ``memory``, ``fit``) to run; all by default.
    keras_python : str, optional
        A Python with Keras 3 for the ``fit`` rows; without it they time ``rnn`` alone.

    Returns
    -------
    dict
        The report, as ``python -m rnn.bench --json`` prints it.
    """
    chosen_cells, sections = _selection(only)
    torch: Any
    try:
        torch = importlib.import_module("torch")
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(1)
    # short samples, many repeats: on a shared machine some catch a quiet moment
    repeats, min_sample = (3, 0.002) if quick else (15, 0.01)
    report: dict[str, Any] = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": None if torch is None else torch.__version__,
        "torch_threads": None if torch is None else torch.get_num_threads(),
        "blas": blas_report(),
        "quick": quick,
        "repeats": repeats,
        "large_repeats": repeats if quick else _LARGE_REPEATS,
        "cells_selected": list(chosen_cells),
        "sections": list(sections),
        "results": [],
        "torch_skipped": [],
        "cells_skipped": [],
        "cells": [],
        "floors": [],
        "memory": [],
        "fit": None,
    }
    if "notebook" in sections and "simple" in chosen_cells:
        for case in [shrink(c) for c in CASES] if quick else CASES:
            if case.baseline.startswith("torch") and torch is None:
                report["torch_skipped"].append(case.label)
                continue
            _say(f"{case.label} against {BASELINE_NAMES[case.baseline]}")
            # one call at the large size lasts long: fewer repeats there
            large = case.batch * case.timesteps * case.units >= 64 * 200 * 256
            reps = _LARGE_REPEATS if large and not quick else repeats
            report["results"].append(compare(case, reps, min_sample))
    sizes = _QUICK_SIZES if quick else cells_module.CELL_SIZES
    if "cells" in sections:
        _cell_rows(torch, report, cell_cases(chosen_cells, sizes), repeats, min_sample)
    if "floor" in sections:
        for floor_case in cell_cases(chosen_cells, sizes[-1:]):
            if not floor_case.backward:
                _say(f"{floor_case.label} forward against its matrix products")
                reps = min(_LARGE_REPEATS, repeats)
                report["floors"].append(_floor(floor_case, reps, min_sample))
    if "memory" in sections:
        size = _QUICK_MEMORY if quick else cells_module.MEMORY_SIZE
        for cell in chosen_cells:
            _say(f"peak memory of {cell} forward + backward")
            report["memory"].append(_memory(cell, size))
    if "fit" in sections:
        python = keras_python or os.environ.get("RNN_BENCH_KERAS_PYTHON") or None
        _say("fit, one epoch of each model" + (f", and in Keras ({python})" if python else ""))
        report["fit"] = _fit(quick, python)
    return report
