"""Smoke tests of ``python -m rnn.bench``: the report has its lines. No timing is checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from rnn import bench

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in bench.THREAD_VARIABLES}
    env.pop(bench.REEXEC_MARK, None)  # start as a user would, so the re-execution runs too
    return subprocess.run(
        [sys.executable, "-m", "rnn.bench", "--quick", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_quick_report_has_its_lines():
    proc = _run()
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for line in (
        "rnn.bench: simple_rnn_forward vs the notebook's loop and torch.nn.RNN (float64)",
        "torch fwd+bwd rows: simple_rnn_forward + simple_rnn_backward vs torch.nn.RNN + "
        "autograd, every gradient checked equal first",
        "NumPy BLAS:",
        "environment: ",
        "one thread via: ",
        "interleaved repeats; ratio = min(rnn) / min(baseline)",
        "--quick: sizes reduced",
        "configuration",
    ):
        assert line in out, f"{line!r} missing from:\n{out}"
    rows = [line for line in out.splitlines() if "notebook loop" in line]
    assert len(rows) == 2 and all("<=" in row for row in rows), out
    try:
        import torch  # noqa: F401
    except ImportError:
        assert f"To enable them: {bench.TORCH_HINT}" in out
    else:
        assert sum(" torch.nn.RNN  " in line for line in out.splitlines()) == 4, out
        backward_rows = [line for line in out.splitlines() if " torch fwd+bwd  " in line]
        assert len(backward_rows) == 3 and all("<=" in row for row in backward_rows), out
    # one BLAS thread: set before NumPy loaded, by re-execution, unless threadpoolctl did it
    assert "OPENBLAS_NUM_THREADS=1" in out or "threadpoolctl" in out


def test_json_report():
    proc = _run("--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["quick"] is True
    assert {r["baseline"] for r in report["results"]} >= {"notebook loop"}
    for r in report["results"]:
        assert r["ratio"] > 0 and r["max_abs_difference"] < 1e-10
        assert r["max_rel_difference"] <= r["max_abs_difference"]
        assert set(r) >= {"case", "ours_s", "baseline_s", "target", "median_ratio"}


def test_report_without_torch(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` fail
    report = bench.run(quick=True)
    assert report["torch"] is None
    assert len(report["torch_skipped"]) == sum(c.baseline != "notebook" for c in bench.CASES) == 7
    assert [r["baseline"] for r in report["results"]] == ["notebook loop"] * 2
    text = bench.format_report(report, threads="test")
    assert "torch not installed" in text
    assert (
        "torch is not installed: skipped 7 torch.nn.RNN comparisons "
        "(forward, and forward + backward)" in text
    )
    assert "To enable them: pip install torch==2.13.0" in text
