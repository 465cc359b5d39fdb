"""Tests of ``python -m rnn.bench``: the report's rows and text, the counting of NumPy
calls, the memory measure, the torch mapping. No timing is checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rnn import activations, bench
from rnn.bench import cells, fit, report

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in bench.THREAD_VARIABLES}
    env.pop(bench.REEXEC_MARK, None)  # start as a user would, so the re-execution runs too
    env.pop("RNN_BENCH_KERAS_PYTHON", None)
    return subprocess.run(
        [sys.executable, "-m", "rnn.bench", "--quick", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _has_torch() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def test_quick_report_has_its_lines():
    proc = _run()
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for line in (
        "rnn.bench: rnn.functional against torch.nn.RNN, LSTM and GRU, and "
        "simple_rnn_forward against the notebook's loop",
        "BLAS: ",
        "NumPy BLAS:",
        "environment: ",
        "one thread via: ",
        "interleaved repeats (3 at the large sizes), each of one call or more; "
        "ratio = min(rnn) / min(baseline)",
        "--quick: sizes reduced",
        "configuration",
        "floor: the forward against its matrix products alone",
        "memory: peak extra memory of forward + backward (tracemalloc",
        "fit: one epoch (the fastest after a first), float32, Adam, mse; rnn against Keras skipped",
        f"Keras skipped: {fit.KERAS_HINT}",
        "--quick: ",
    ):
        assert line in out, f"{line!r} missing from:\n{out}"
    lines = out.splitlines()
    rows = [line for line in lines if "notebook loop" in line]
    assert len(rows) == 2 and all("<=" in row for row in rows), out
    assert sum(line.startswith("  threadpool ") or "kernel" in line for line in lines) >= 1
    floor_rows = [line for line in lines if line.split(" ")[0] in cells.CELLS and "ms" in line]
    memory_rows = [line for line in lines if "MiB" in line]
    assert len(memory_rows) == 3, out
    fit_rows = [line for line in lines if line.startswith(("seed model", "forecaster", "LSTM"))]
    assert len(fit_rows) == 3 and all(" - " in row for row in fit_rows), out
    if not _has_torch():
        assert f"To enable them: {bench.TORCH_HINT}" in out
        return
    assert sum(" torch.nn.RNN  " in line and "batch " in line for line in lines) == 4, out
    backward_rows = [line for line in lines if " torch fwd+bwd  " in line]
    assert len(backward_rows) == 3 and all("<=" in row for row in backward_rows), out
    # cells x dtypes x 3 sizes x (forward, forward + backward), then one floor per cell x dtype
    cell_rows = [line for line in floor_rows if " torch.nn." in line]
    assert len(cell_rows) == 3 * 2 * 3 * 2, out
    assert len(floor_rows) - len(cell_rows) == 3 * 2, out
    counted = [line for line in cell_rows if " calls/step (+ " in line]
    assert len(counted) == 3 * 2 * 2 and all(" B1 " in line for line in counted), out
    assert all("us/call" in line and "<=" in line for line in counted), out
    assert "(quick)" in out and "MISSED" not in out  # no verdict on a smoke run


def test_json_report():
    proc = _run("--json", "--only", "lstm,cells,floor,memory")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["quick"] is True
    assert result["cells_selected"] == ["lstm"]
    assert result["sections"] == ["cells", "floor", "memory"]
    assert result["results"] == [] and result["fit"] is None
    assert [r["case"].split(" ")[0] for r in result["memory"]] == ["lstm"]
    assert result["memory"][0]["peak_bytes"] > 0 and result["memory"][0]["target"] == 2.0
    assert len(result["floors"]) == 2 and all(r["target"] == 1.3 for r in result["floors"])
    if not _has_torch():
        assert len(result["cells_skipped"]) == 12
        return
    assert len(result["cells"]) == 12
    for r in result["cells"]:
        assert r["ratio"] > 0 and r["baseline"] == "torch.nn.LSTM"
        assert r["max_rel_difference"] < (1e-4 if r["dtype"] == "float32" else 1e-10)
        batch1_float32 = r["size"][0] == 1 and r["dtype"] == "float32"
        forward_target = 1.0 if r["size"][0] == 1 else 0.9
        target = 2.0 if batch1_float32 else (1.0 if r["pass"] != "forward" else forward_target)
        assert r["target"] == target, r
        if r["size"][0] == 1:  # whole numbers of calls per step, the same in both dtypes
            calls = r["numpy_calls_per_step"]
            assert all(v == int(v) and v > 0 for v in calls.values()), r
            assert list(calls) == (
                ["forward"] if r["pass"] == "forward" else ["forward", "backward"]
            )


def test_only_rejects_unknown_names():
    proc = _run("--only", "lstm,nonsense")
    assert proc.returncode == 2
    assert "--only: unknown nonsense" in proc.stderr


def test_fit_without_keras_prints_a_hint(tmp_path):
    missing = str(tmp_path / "no-python")
    result = bench.run(quick=True, only="simple,fit", keras_python=missing)
    assert [r["keras_s"] for r in result["fit"]["rows"]] == [None] * 3
    assert all(r["rnn_s"] > 0 for r in result["fit"]["rows"])
    assert result["fit"]["hint"].startswith(f"Keras did not run in {missing} (")
    text = bench.format_report(result, threads="test")
    assert f"Keras skipped: Keras did not run in {missing}" in text
    assert fit.KERAS_HINT in text


def test_report_without_torch(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` fail
    result = bench.run(quick=True, only="simple,notebook,cells")
    assert result["torch"] is None
    assert len(result["torch_skipped"]) == sum(c.baseline != "notebook" for c in bench.CASES) == 7
    assert len(result["cells_skipped"]) == 2 * 3 * 2  # dtypes x sizes x passes
    assert [r["baseline"] for r in result["results"]] == ["notebook loop"] * 2
    text = bench.format_report(result, threads="test")
    assert "torch not installed" in text
    assert (
        "torch is not installed: skipped 19 torch comparisons "
        "(forward, and forward + backward)" in text
    )
    assert "To enable them: pip install torch==2.13.0" in text


# ------------------------------------------------------------------ counting NumPy calls


def test_counting_sees_ufuncs_and_skips_python_and_builtins():
    x, out = np.linspace(-2, 2, 8), np.empty(8)
    into = activations.in_place("sigmoid")  # rnn's own Python: 4 ufunc calls inside
    assert bench.count_numpy_calls(lambda: into(x, out)) == (4, 0)
    linear = activations.in_place("linear")  # `out is not x`: no call at all
    assert bench.count_numpy_calls(lambda: linear(x, x)) == (0, 0)
    # elu': a comparison (an operator), np.add and np.copyto
    slope = activations.derivative("elu")
    assert slope is not None
    assert bench.count_numpy_calls(lambda: slope(x, out)) == (2, 1)
    # code outside rnn is not followed: nothing counted
    assert bench.count_numpy_calls(lambda: np.tanh(x, out)) == (0, 0)


def test_calls_per_step_cancel_the_set_up():
    def make(steps: int):
        p = cells.problem("lstm", "float32", (1, steps, 4, 3))
        return cells.rnn_fns(p)[0]

    per_step = bench.calls_per_step(make, 10)
    assert per_step == bench.calls_per_step(make, 15)  # the same whatever T
    calls, _operators = per_step
    assert calls == int(calls) and calls >= 1
    total = bench.count_numpy_calls(make(10))[0]
    assert total > 10 * calls  # the set-up before the loop costs calls too


# ------------------------------------------------------------------ memory


def test_traced_peak_sees_numpy_arrays():
    def hold() -> float:
        a = np.ones(10**6)  # 8 MB, freed before the return
        b = np.ones(10**6)
        return float(a[0] + b[0])

    peak, value = bench.traced_peak(hold)
    assert value == 2.0
    assert 16e6 <= peak < 17e6


def test_peak_memory_counts_the_returned_arrays():
    p = cells.problem("gru", "float32", (2, 30, 3, 4))
    m = bench.peak_memory(p)
    out, grad_x, *weights = cells.rnn_fns(p)[1]()
    assert m["held_bytes"] == sum(a.nbytes for a in [out, grad_x, *weights])
    assert m["peak_bytes"] >= m["held_bytes"]
    assert m["ratio"] == m["peak_bytes"] / m["held_bytes"]


# ------------------------------------------------------------------ the cells and torch


@pytest.mark.parametrize("cell", cells.CELLS)
def test_torch_gets_the_same_weights(cell):
    torch = pytest.importorskip("torch")
    p = cells.problem(cell, "float64", (3, 6, 5, 4))
    ours, theirs = cells.rnn_fns(p), cells.torch_fns(torch, p)
    np.testing.assert_allclose(ours[0](), theirs[0](), rtol=1e-12, atol=1e-12)
    for a, b in zip(ours[1](), theirs[1](), strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_floor_computes_the_products():
    p = cells.problem("lstm", "float64", (2, 3, 5, 4))
    z = cells.floor_fn(p)()
    assert z.shape == (3, 2, 16)
    np.testing.assert_allclose(z[0], np.full((2, 4), 0.5) @ p.recurrent_kernel)


def test_targets_follow_the_issue():
    target = {(c.cell, c.dtype, c.batch, c.backward): c.target for c in cells.cell_cases()}
    assert target["lstm", "float32", 1, False] == target["lstm", "float32", 1, True] == 2.0
    assert target["lstm", "float64", 1, False] == target["gru", "float32", 1, False] == 1.0
    assert target["simple", "float32", 32, False] == target["gru", "float64", 64, False] == 0.9
    assert {t for (_, _, _, backward), t in target.items() if backward} == {1.0, 2.0}
    assert len(target) == 36


# ------------------------------------------------------------------ the report's text


def _fake_report(quick: bool) -> dict:
    row = {"ours_s": 1e-3, "baseline_s": 2e-3, "median_ratio": 0.5}
    return {
        "python": "3.x",
        "numpy": "2.x",
        "torch": "2.13.0",
        "torch_threads": 1,
        "blas": {
            "numpy_blas": "scipy-openblas 0.3.30",
            "threadpools": [
                {
                    "internal_api": "openblas",
                    "version": "0.3.30",
                    "num_threads": 1,
                    "architecture": "Haswell",
                }
            ],
            "env": {},
        },
        "quick": quick,
        "repeats": 15,
        "large_repeats": 4,
        "results": [],
        "torch_skipped": [],
        "cells_skipped": [],
        "cells": [
            {
                **row,
                "case": "lstm float32 B1 T100 D32 H64",
                "pass": "forward + backward",
                "baseline": "torch.nn.LSTM",
                "ratio": 2.5,
                "target": 2.0,
                "numpy_calls_per_step": {"forward": 12.0, "backward": 9.0},
                "operators_per_step": {"forward": 0.0, "backward": 26.0},
                "us_per_call": 1.25,
            },
            {
                **row,
                "case": "gru float64 B32 T100 D32 H64",
                "pass": "forward",
                "baseline": "torch.nn.GRU",
                "ratio": 0.5,
                "target": 0.9,
            },
        ],
        "floors": [
            {
                "case": "gru float32 B64 T200 D128 H256",
                "forward_s": 0.2,
                "floor_s": 0.1,
                "ratio": 2.0,
                "median_ratio": 2.0,
                "target": 1.3,
            }
        ],
        "memory": [
            {
                "case": "lstm float32 B64 T2000 D128 H256",
                "peak_bytes": 3 * 2**20,
                "held_bytes": 2**21,
                "inputs_bytes": 2**21,
                "ratio": 1.5,
                "target": 2.0,
            }
        ],
        "fit": {
            "rows": [
                {"case": "seed model", "rnn_s": 0.01, "keras_s": 0.1, "ratio": 0.1, "target": 0.5},
                {"case": "LSTM(64)", "rnn_s": 0.3, "keras_s": None, "ratio": None, "target": 0.5},
            ],
            "keras": "keras 3.15.1 (torch)",
            "hint": None,
        },
    }


def test_report_text_gives_verdicts():
    text = report.format_report(_fake_report(quick=False), threads="test")
    assert "BLAS: openblas 0.3.30, kernel Haswell, 1 thread(s)" in text
    lines = text.splitlines()
    lstm = next(line for line in lines if line.startswith("lstm float32 B1"))
    assert "<=2.00 MISSED" in lstm
    assert lstm.endswith("12 + 9 calls/step (+ 0 + 26 ops), 1.25 us/call")
    assert "<=0.90 met" in next(line for line in lines if line.startswith("gru float64 B32"))
    floor = next(line for line in lines if line.startswith("gru float32 B64"))
    assert "200.00ms" in floor and "<=1.30 MISSED" in floor
    memory = next(line for line in lines if "MiB" in line)
    assert "3.0MiB" in memory and "2.0MiB" in memory and "<=2.00 met" in memory
    assert "rnn against keras 3.15.1 (torch)" in text
    assert "<=0.50 met" in next(line for line in lines if line.startswith("seed model"))
    assert "MISSED" not in next(line for line in lines if line.startswith("LSTM(64)"))
    assert "targets: 3 met, 2 MISSED" in text
    assert "  MISSED: lstm float32 B1 T100 D32 H64 forward + backward" in text
    assert "  MISSED: gru float32 B64 T200 D128 H256 forward over its floor" in text
    quick = report.format_report(_fake_report(quick=True), threads="test")
    assert "MISSED" not in quick and "--quick: 5 targets measured, no verdicts" in quick
