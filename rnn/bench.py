"""Time `simple_rnn_forward` against the notebook's loop and, if installed, torch.nn.RNN;
and the forward plus backward pass (`simple_rnn_backward`) against torch's autograd.

Run it as ``python -m rnn.bench`` (``--quick`` for a smoke run, ``--json`` for a
machine-readable report). Everything runs on **one** BLAS thread, in float64, in one
process; the outputs (and, for the backward rows, every gradient: inputs, kernel,
recurrent kernel, bias) are checked equal before anything is timed, and the repeats of
``rnn`` and of the baseline are interleaved so that both see the same machine. The
ratio printed is ``min(time of rnn) / min(time of the baseline)``: below 1 means
``rnn`` is faster.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnn.functional import simple_rnn_backward, simple_rnn_forward

THREAD_VARIABLES = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
REEXEC_MARK = "RNN_BENCH_SINGLE_THREAD"
TORCH_HINT = "pip install torch==2.13.0"


@dataclass(frozen=True)
class Case:
    """One timed comparison: a problem size, a baseline and the target ratio."""

    batch: int
    timesteps: int
    features: int
    units: int
    baseline: str  # "notebook", "torch" or "torch_backward" (forward + backward)
    target: float

    @property
    def label(self) -> str:
        return (
            f"batch {self.batch}, T={self.timesteps:,}, "
            f"{self.features} features, {self.units} units"
        )


CASES = (
    Case(1, 100, 32, 64, "notebook", 0.5),
    Case(32, 100, 32, 64, "notebook", 0.15),
    Case(1, 100, 32, 64, "torch", 0.45),
    Case(32, 100, 32, 64, "torch", 0.8),
    Case(64, 500, 128, 256, "torch", 0.9),
    Case(1, 10_000, 8, 32, "torch", 0.4),
    Case(1, 100, 32, 64, "torch_backward", 0.2),
    Case(32, 100, 32, 64, "torch_backward", 0.65),
    Case(64, 500, 128, 256, "torch_backward", 1.0),
)
BASELINE_NAMES = {
    "notebook": "notebook loop",
    "torch": "torch.nn.RNN",
    "torch_backward": "torch fwd+bwd",
}
_LIMITS: Any = None


# ----------------------------------------------------------------- one BLAS thread


def _single_threaded_env() -> bool:
    return all(os.environ.get(name) == "1" for name in THREAD_VARIABLES)


def ensure_one_thread() -> str:
    """Make BLAS single-threaded; return how. May re-execute this command (see below).

    ``python -m rnn.bench`` imports ``rnn``, hence NumPy and its BLAS, before this module
    runs, and most BLAS libraries read their thread count once, at load time. So unless
    ``threadpoolctl`` can change it at run time, the command starts itself again with the
    ``*_NUM_THREADS`` variables set to 1.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    if threadpool_limits is not None:
        global _LIMITS
        _LIMITS = threadpool_limits(limits=1)  # kept, so the limit lasts the whole run
        return "threadpoolctl.threadpool_limits(1)"
    if _single_threaded_env():
        how = "re-executed with" if os.environ.get(REEXEC_MARK) else "environment:"
        return f"{how} {', '.join(THREAD_VARIABLES)} = 1"
    if os.environ.get(REEXEC_MARK):
        return "could not force one thread (re-execution did not take)"
    env = dict(os.environ, **dict.fromkeys(THREAD_VARIABLES, "1"), **{REEXEC_MARK: "1"})
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, "-m", "rnn.bench", *sys.argv[1:]], env)
    raise AssertionError("unreachable")  # pragma: no cover


def _openblas_info() -> dict[str, Any]:
    """Core name, config and thread count of a loaded OpenBLAS, read through ctypes."""
    import ctypes

    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return {}
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        info: dict[str, Any] = {"library": os.path.basename(path)}
        for key, names in {
            "corename": ("scipy_openblas_get_corename64_", "openblas_get_corename"),
            "config": ("scipy_openblas_get_config64_", "openblas_get_config"),
            "threads": ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads"),
        }.items():
            for name in names:
                fn = getattr(lib, name, None)
                if fn is None:
                    continue
                fn.restype = ctypes.c_int if key == "threads" else ctypes.c_char_p
                value = fn()
                info[key] = value.decode() if isinstance(value, bytes) else value
                break
        return info
    return {}


def blas_report() -> dict[str, Any]:
    """What BLAS NumPy uses, with which kernel and how many threads."""
    report: dict[str, Any] = {}
    try:
        deps = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        report["numpy_blas"] = f"{deps.get('name')} {deps.get('version')}"
    except Exception:  # older NumPy: no dict mode
        report["numpy_blas"] = "unknown"
    try:
        from threadpoolctl import threadpool_info

        report["threadpools"] = [
            {k: pool.get(k) for k in ("internal_api", "version", "num_threads", "architecture")}
            for pool in threadpool_info()
        ]
    except ImportError:
        report["openblas"] = _openblas_info()
    report["env"] = {
        name: os.environ[name]
        for name in (*THREAD_VARIABLES, "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
        if name in os.environ
    }
    return report


# ------------------------------------------------------------------------ baselines


def notebook_loop(inputs: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The notebook's loop for one sequence ``inputs (timesteps, input_features)``."""
    state_t = np.zeros((W.shape[0],))
    successive_outputs = []
    for input_t in inputs:
        output_t = np.tanh(np.dot(W, input_t) + np.dot(U, state_t) + b)
        successive_outputs.append(output_t)
        state_t = output_t
    return np.stack(successive_outputs, axis=0)


def _problem(case: Case, seed: int = 0) -> tuple[np.ndarray, ...]:
    """Inputs and Keras-layout weights that keep tanh out of saturation."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((case.batch, case.timesteps, case.features))
    limit = np.sqrt(6 / (case.features + case.units))
    kernel = rng.uniform(-limit, limit, (case.features, case.units))
    recurrent_kernel = np.linalg.qr(rng.standard_normal((case.units, case.units)))[0]
    bias = rng.uniform(-0.1, 0.1, case.units)
    return x, kernel, recurrent_kernel, bias


def _baseline(
    case: Case, x: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray
) -> Callable[[], Any]:
    """A no-argument function computing the baseline's states, shape (batch, T, units)."""
    if case.baseline == "notebook":
        W = np.ascontiguousarray(kernel.T)
        U = np.ascontiguousarray(recurrent_kernel.T)
        return lambda: [notebook_loop(seq, W, U, bias) for seq in x]
    import torch

    module = torch.nn.RNN(case.features, case.units, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.from_numpy(np.ascontiguousarray(kernel.T)))
        module.weight_hh_l0.copy_(torch.from_numpy(np.ascontiguousarray(recurrent_kernel.T)))
        module.bias_ih_l0.copy_(torch.from_numpy(bias))
        module.bias_hh_l0.zero_()
    xt = torch.from_numpy(x)
    if case.baseline == "torch_backward":
        return _torch_backward(torch, module, xt, _grad_states(case))

    def run() -> Any:
        with torch.no_grad():
            return module(xt)[0]

    return run


def _grad_states(case: Case) -> np.ndarray:
    """The gradient of a loss with respect to every state, (batch, timesteps, units)."""
    rng = np.random.default_rng(1)
    return rng.standard_normal((case.batch, case.timesteps, case.units))


def _torch_backward(torch: Any, module: Any, xt: Any, grad: np.ndarray) -> Callable[[], Any]:
    """torch.nn.RNN forward, then autograd's backward: the gradients rnn computes."""
    xt.requires_grad_(True)
    gt = torch.from_numpy(grad)

    def run() -> list[np.ndarray]:
        module.zero_grad(set_to_none=True)
        xt.grad = None
        module(xt)[0].backward(gt)
        return [
            xt.grad.numpy(),
            module.weight_ih_l0.grad.numpy().T,
            module.weight_hh_l0.grad.numpy().T,
            module.bias_ih_l0.grad.numpy(),
        ]

    return run


def _ours(
    case: Case, x: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray
) -> Callable[[], Any]:
    """A no-argument function computing what ``rnn`` computes for this case."""
    if case.baseline != "torch_backward":
        return lambda: simple_rnn_forward(x, kernel, recurrent_kernel, bias)
    grad = _grad_states(case)

    def run() -> list[np.ndarray]:
        states = simple_rnn_forward(x, kernel, recurrent_kernel, bias)
        grad_x, grads = simple_rnn_backward(grad, x, states, kernel, recurrent_kernel)
        return [grad_x, grads["kernel"], grads["recurrent_kernel"], grads["bias"]]

    return run


def _difference(ours: Any, theirs: Any) -> tuple[float, float]:
    """Largest absolute difference, and the same relative to the largest value."""
    pairs = list(zip(ours, theirs, strict=True)) if isinstance(ours, list) else [(ours, theirs)]
    error = max(float(np.abs(np.asarray(a) - np.asarray(b)).max()) for a, b in pairs)
    scale = max(float(np.abs(np.asarray(b)).max()) for _, b in pairs)
    return error, error / max(scale, 1.0)


# --------------------------------------------------------------------------- timing


def _time(fn: Callable[[], Any], number: int) -> float:
    """Seconds per call, averaged over ``number`` back-to-back calls."""
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def compare(case: Case, repeats: int, min_sample: float) -> dict[str, Any]:
    """Check ``rnn`` and the baseline agree, then time them with interleaved repeats."""
    x, kernel, recurrent_kernel, bias = _problem(case)
    ours = _ours(case, x, kernel, recurrent_kernel, bias)
    base = _baseline(case, x, kernel, recurrent_kernel, bias)
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


def _shrink(case: Case) -> Case:
    """A small version of a case, for ``--quick``."""
    return Case(
        min(case.batch, 4),
        min(case.timesteps, 50),
        min(case.features, 16),
        min(case.units, 32),
        case.baseline,
        case.target,
    )


# ----------------------------------------------------------------------------- main


def run(quick: bool = False) -> dict[str, Any]:
    """Run every case (torch ones only if torch imports) and return the report."""
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(1)
    repeats, min_sample = (3, 0.002) if quick else (9, 0.05)
    cases = [_shrink(c) for c in CASES] if quick else list(CASES)
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


def format_report(report: dict[str, Any], threads: str) -> str:
    """The report as text, one line per comparison."""
    blas = report["blas"]
    lines = [
        "rnn.bench: simple_rnn_forward vs the notebook's loop and torch.nn.RNN (float64)",
        "torch fwd+bwd rows: simple_rnn_forward + simple_rnn_backward vs torch.nn.RNN + "
        "autograd, every gradient checked equal first",
        f"python {report['python']}, numpy {report['numpy']}, "
        f"torch {report['torch'] or 'not installed'}",
        f"NumPy BLAS: {blas['numpy_blas']}",
    ]
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
    lines.append(f"one thread via: {threads}; torch threads: {report['torch_threads']}")
    lines.append(
        f"{report['repeats']} interleaved repeats; ratio = min(rnn) / min(baseline), "
        "median ratio in brackets; below 1 means rnn is faster"
    )
    if report["quick"]:
        lines.append("--quick: sizes reduced and few repeats, so the ratios mean little")
    lines.append("")
    header = f"{'configuration':<42} {'baseline':<14} {'rnn':>10} {'baseline':>10}"
    lines.append(f"{header} {'ratio':>6} {'(median)':>8} {'target':>7}")
    for r in report["results"]:
        verdict = "met" if r["ratio"] <= r["target"] else "MISSED"
        if report["quick"]:
            verdict = "(quick)"
        lines.append(
            f"{r['case']:<42} {r['baseline']:<14} {r['ours_s'] * 1e3:>8.3f}ms "
            f"{r['baseline_s'] * 1e3:>8.3f}ms {r['ratio']:>6.3f} ({r['median_ratio']:>6.3f}) "
            f"{'<=' + format(r['target'], '.2f'):>7} {verdict}"
        )
    if report["torch_skipped"]:
        lines.append("")
        lines.append(
            f"torch is not installed: skipped {len(report['torch_skipped'])} torch.nn.RNN "
            f"comparisons (forward, and forward + backward). To enable them: {TORCH_HINT}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point of ``python -m rnn.bench``."""
    parser = argparse.ArgumentParser(prog="python -m rnn.bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    threads = ensure_one_thread()
    report = run(quick=args.quick)
    report["one_thread_via"] = threads
    print(json.dumps(report, indent=2) if args.json else format_report(report, threads))
    return 0


if __name__ == "__main__":
    sys.exit(main())
