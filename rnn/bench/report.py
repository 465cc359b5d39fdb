"""The benchmark's report as text: versions, BLAS and threads, then one table per part."""

from __future__ import annotations

from typing import Any

TORCH_HINT = "pip install torch==2.13.0"

__all__ = ["TORCH_HINT", "format_report", "verdicts"]

_MIB = 2**20


def format_report(report: dict[str, Any], threads: str) -> str:
    """Format the report as text, one line per comparison.

    Parameters
    ----------
    report : dict
        The benchmark's report, as ``python -m rnn.bench --json`` prints it: the
        versions, ``"blas"``, the settings, and the rows of each part (``"results"``,
        ``"cells"``, ``"floors"``, ``"memory"``, ``"fit"``).
    threads : str
        How BLAS was held to one thread.

    Returns
    -------
    str
        The versions and the BLAS, the settings, then a table per part and a tally.
    """
    lines = [
        "rnn.bench: rnn.functional against torch.nn.RNN, LSTM and GRU, and "
        "simple_rnn_forward against the notebook's loop",
        f"python {report['python']}, numpy {report['numpy']}, "
        f"torch {report['torch'] or 'not installed'}",
    ]
    lines += _blas_lines(report["blas"])
    lines += _settings_lines(report, threads)
    if report["results"] or report["torch_skipped"]:
        lines += _table_lines(report)
    if report["cells"] or report["cells_skipped"]:
        lines += _cell_lines(report)
    if report["floors"]:
        lines += _floor_lines(report)
    if report["memory"]:
        lines += _memory_lines(report)
    if report["fit"] is not None:
        lines += _fit_lines(report)
    if report["torch_skipped"] or report["cells_skipped"]:
        skipped = len(report["torch_skipped"]) + len(report["cells_skipped"])
        lines.append("")
        lines.append(
            f"torch is not installed: skipped {skipped} torch comparisons "
            f"(forward, and forward + backward). To enable them: {TORCH_HINT}"
        )
    met, missed = verdicts(report)
    lines.append("")
    if report["quick"]:
        lines.append(f"--quick: {met + len(missed)} targets measured, no verdicts")
    else:
        lines.append(f"targets: {met} met, {len(missed)} MISSED")
        lines += [f"  MISSED: {name}" for name in missed]
    return "\n".join(lines)


def verdicts(report: dict[str, Any]) -> tuple[int, list[str]]:
    """Count the rows that meet their target; name those that miss it."""
    rows = [(f"{r['case']} vs {r['baseline']}", r) for r in report["results"]]
    rows += [(f"{r['case']} {r['pass']}", r) for r in report["cells"]]
    rows += [(f"{r['case']} forward over its floor", r) for r in report["floors"]]
    rows += [(f"{r['case']} peak memory", r) for r in report["memory"]]
    if report["fit"] is not None:
        rows += [(f"fit {r['case']}", r) for r in report["fit"]["rows"] if r["ratio"]]
    missed = [name for name, r in rows if r["ratio"] > r["target"]]
    return len(rows) - len(missed), missed


def _verdict(report: dict[str, Any], ratio: float | None, target: float) -> str:
    if ratio is None:
        return ""
    if report["quick"]:
        return "(quick)"
    return "met" if ratio <= target else "MISSED"


def _kernel(blas: dict[str, Any]) -> str:
    """One line: the BLAS library, its kernel (OpenBLAS's corename) and its threads."""
    for pool in blas.get("threadpools", []):
        if pool.get("internal_api") in ("openblas", "mkl", "blis"):
            return (
                f"BLAS: {pool['internal_api']} {pool.get('version') or ''}, kernel "
                f"{pool.get('architecture') or 'unknown'}, {pool['num_threads']} thread(s)"
            )
    ob = blas.get("openblas") or {}
    if ob:
        return (
            f"BLAS: openblas, kernel {ob.get('corename', 'unknown')}, "
            f"{ob.get('threads', '?')} thread(s)"
        )
    return f"BLAS: {blas['numpy_blas']}, kernel unknown"


def _blas_lines(blas: dict[str, Any]) -> list[str]:
    """Describe NumPy's BLAS: its thread pools, OpenBLAS's kernel, the environment."""
    lines = [_kernel(blas), f"NumPy BLAS: {blas['numpy_blas']}"]
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
        f"{report['repeats']} interleaved repeats ({report['large_repeats']} at the large "
        "sizes), each of one call or more; ratio = min(rnn) / min(baseline), median ratio "
        "in brackets; below 1 means rnn is faster",
    ]
    if report["quick"]:
        lines.append("--quick: sizes reduced and few repeats, so the ratios mean little")
    return lines


def _table_lines(report: dict[str, Any]) -> list[str]:
    """Lay out the SimpleRNN rows in float64: a header, then one row per case."""
    lines = [
        "",
        "simple_rnn_forward (+ simple_rnn_backward in the torch fwd+bwd rows), float64, "
        "against the notebook's loop and torch.nn.RNN (+ autograd), every gradient checked",
    ]
    header = f"{'configuration':<42} {'baseline':<14} {'rnn':>10} {'baseline':>10}"
    lines.append(f"{header} {'ratio':>6} {'(median)':>8} {'target':>7}")
    for r in report["results"]:
        lines.append(
            f"{r['case']:<42} {r['baseline']:<14} {r['ours_s'] * 1e3:>8.3f}ms "
            f"{r['baseline_s'] * 1e3:>8.3f}ms {r['ratio']:>6.3f} ({r['median_ratio']:>6.3f}) "
            f"{'<=' + format(r['target'], '.2f'):>7} "
            f"{_verdict(report, r['ratio'], r['target'])}"
        )
    return lines


def _cell_lines(report: dict[str, Any]) -> list[str]:
    """Lay out the cell rows: every cell x dtype x size, forward and forward + backward."""
    lines = [
        "",
        "cells: rnn.functional (Keras's defaults; GRU reset_after=True) against torch with "
        "the same weights; outputs and every gradient checked equal first (relative "
        "1e-4 in float32, 1e-10 in float64)",
        "NumPy calls per step (batch-1 rows): rnn's bytecode traced (sys.settrace per "
        "instruction) over T and 2T steps, the difference / T: calls of ufuncs, NumPy "
        "functions and array methods (forward + backward), then (+ N ops) operators and "
        "indexing; us/call = rnn's time per step / all of them (rnn.bench.counting says more)",
    ]
    header = f"{'configuration':<30} {'pass':<18} {'baseline':<13} {'rnn':>10} {'torch':>10}"
    lines.append(f"{header} {'ratio':>6} {'(median)':>8} {'target':>7}")
    for r in report["cells"]:
        row = (
            f"{r['case']:<30} {r['pass']:<18} {r['baseline']:<13} "
            f"{r['ours_s'] * 1e3:>8.3f}ms {r['baseline_s'] * 1e3:>8.3f}ms "
            f"{r['ratio']:>6.3f} ({r['median_ratio']:>6.3f}) "
            f"{'<=' + format(r['target'], '.2f'):>7} "
            f"{_verdict(report, r['ratio'], r['target']):<7}"
        )
        if "numpy_calls_per_step" in r:
            calls = " + ".join(f"{v:g}" for v in r["numpy_calls_per_step"].values())
            ops = " + ".join(f"{v:g}" for v in r["operators_per_step"].values())
            row += f" {calls} calls/step (+ {ops} ops), {r['us_per_call']:.2f} us/call"
        lines.append(row.rstrip())
    return lines


def _floor_lines(report: dict[str, Any]) -> list[str]:
    """Lay out the forward at the large size over its own matrix products alone."""
    lines = [
        "",
        "floor: the forward against its matrix products alone (the input product, then T "
        "recurrent products into preallocated outputs; no element-wise work)",
        f"{'configuration':<30} {'forward':>10} {'floor':>10} {'ratio':>6} {'(median)':>8} "
        f"{'target':>7}",
    ]
    for r in report["floors"]:
        lines.append(
            f"{r['case']:<30} {r['forward_s'] * 1e3:>8.2f}ms {r['floor_s'] * 1e3:>8.2f}ms "
            f"{r['ratio']:>6.3f} ({r['median_ratio']:>6.3f}) "
            f"{'<=' + format(r['target'], '.2f'):>7} "
            f"{_verdict(report, r['ratio'], r['target'])}"
        )
    return lines


def _memory_lines(report: dict[str, Any]) -> list[str]:
    """Peak extra memory of forward + backward against what it must hold anyway."""
    lines = [
        "",
        "memory: peak extra memory of forward + backward (tracemalloc, which NumPy reports "
        "its arrays to) against the outputs, input gradient and weight gradients it returns",
        f"{'configuration':<30} {'peak':>10} {'returns':>10} {'inputs':>10} {'ratio':>6} "
        f"{'target':>7}",
    ]
    for r in report["memory"]:
        lines.append(
            f"{r['case']:<30} {r['peak_bytes'] / _MIB:>7.1f}MiB {r['held_bytes'] / _MIB:>7.1f}MiB "
            f"{r['inputs_bytes'] / _MIB:>7.1f}MiB {r['ratio']:>6.2f} "
            f"{'<=' + format(r['target'], '.2f'):>7} "
            f"{_verdict(report, r['ratio'], r['target'])}"
        )
    return lines


def _fit_lines(report: dict[str, Any]) -> list[str]:
    """One epoch of fit in rnn, and in Keras when a Python for it was given."""
    fit = report["fit"]
    against = fit["keras"] or "Keras skipped"
    lines = [
        "",
        f"fit: one epoch (the fastest after a first), float32, Adam, mse; rnn against {against}",
        f"{'model':<70} {'rnn':>10} {'keras':>10} {'ratio':>6} {'target':>7}",
    ]
    for r in fit["rows"]:
        keras = "-" if r["keras_s"] is None else f"{r['keras_s'] * 1e3:.1f}ms"
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.3f}"
        lines.append(
            f"{r['case']:<70} {r['rnn_s'] * 1e3:>8.1f}ms {keras:>10} {ratio:>6} "
            f"{'<=' + format(r['target'], '.2f'):>7} "
            f"{_verdict(report, r['ratio'], r['target'])}".rstrip()
        )
    if fit["hint"]:
        lines.append(f"Keras skipped: {fit['hint']}")
    return lines
