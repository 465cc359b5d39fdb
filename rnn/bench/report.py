"""The benchmark's report as text: versions, BLAS and threads, then one line per case."""

from __future__ import annotations

from typing import Any

TORCH_HINT = "pip install torch==2.13.0"

__all__ = ["TORCH_HINT", "format_report"]


def format_report(report: dict[str, Any], threads: str) -> str:
    """Format the report as text, one line per comparison.

    Parameters
    ----------
    report : dict
        The benchmark's report, as ``python -m rnn.bench --json`` prints it: the
        versions, ``"blas"``, the settings, ``"results"`` and ``"torch_skipped"``.
    threads : str
        How BLAS was held to one thread.

    Returns
    -------
    str
        The versions and the BLAS, the settings, then a table with one row per case.
    """
    lines = [
        "rnn.bench: simple_rnn_forward vs the notebook's loop and torch.nn.RNN (float64)",
        "torch fwd+bwd rows: simple_rnn_forward + simple_rnn_backward vs torch.nn.RNN + "
        "autograd, every gradient checked equal first",
        f"python {report['python']}, numpy {report['numpy']}, "
        f"torch {report['torch'] or 'not installed'}",
    ]
    lines += _blas_lines(report["blas"])
    lines += _settings_lines(report, threads)
    lines += _table_lines(report)
    if report["torch_skipped"]:
        lines.append("")
        lines.append(
            f"torch is not installed: skipped {len(report['torch_skipped'])} torch.nn.RNN "
            f"comparisons (forward, and forward + backward). To enable them: {TORCH_HINT}"
        )
    return "\n".join(lines)


def _blas_lines(blas: dict[str, Any]) -> list[str]:
    """Describe NumPy's BLAS: its thread pools, OpenBLAS's kernel, the environment."""
    lines = [f"NumPy BLAS: {blas['numpy_blas']}"]
    for pool in blas.get("threadpools", []):
        kernel = f", kernel {pool['architecture']}" if pool.get("architecture") else ""
        lines.append(
            f"  threadpool {pool['internal_api']} {pool['version'] or ''}: "
            f"{pool['num_threads']} thread(s){kernel}"
        )
    if blas.get("openblas"):
        ob = blas["openblas"]
        lines.append(
            f"  OpenBLAS {ob.get('library')}: kernel {ob.get('corename')}, "
            f"{ob.get('threads')} thread(s); {ob.get('config', '').strip()}"
        )
    env = " ".join(f"{k}={v}" for k, v in blas["env"].items()) or "(none set)"
    lines.append(f"environment: {env}")
    if "OPENBLAS_CORETYPE" in blas["env"]:
        lines.append(
            f"  note: OPENBLAS_CORETYPE={blas['env']['OPENBLAS_CORETYPE']} makes OpenBLAS use "
            "that CPU's kernels instead of the ones it would detect (torch is not affected)"
        )
    return lines


def _settings_lines(report: dict[str, Any], threads: str) -> list[str]:
    """Describe the threads, the repeats and what the ratio means."""
    lines = [
        f"one thread via: {threads}; torch threads: {report['torch_threads']}",
        f"{report['repeats']} interleaved repeats; ratio = min(rnn) / min(baseline), "
        "median ratio in brackets; below 1 means rnn is faster",
    ]
    if report["quick"]:
        lines.append("--quick: sizes reduced and few repeats, so the ratios mean little")
    return lines


def _table_lines(report: dict[str, Any]) -> list[str]:
    """Lay out the results: a blank line, a header, then one row per case."""
    header = f"{'configuration':<42} {'baseline':<14} {'rnn':>10} {'baseline':>10}"
    lines = ["", f"{header} {'ratio':>6} {'(median)':>8} {'target':>7}"]
    for r in report["results"]:
        verdict = "met" if r["ratio"] <= r["target"] else "MISSED"
        if report["quick"]:
            verdict = "(quick)"
        lines.append(
            f"{r['case']:<42} {r['baseline']:<14} {r['ours_s'] * 1e3:>8.3f}ms "
            f"{r['baseline_s'] * 1e3:>8.3f}ms {r['ratio']:>6.3f} ({r['median_ratio']:>6.3f}) "
            f"{'<=' + format(r['target'], '.2f'):>7} {verdict}"
        )
    return lines
