"""Time `simple_rnn_forward` and `simple_rnn_backward` against their baselines.

The forward pass runs against the notebook's loop and, if installed, torch.nn.RNN; the
forward plus backward pass (`simple_rnn_backward`) against torch's autograd.

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

# the package: cases.py (sizes, baselines), timing.py (checks, timing), threads.py (one
# BLAS thread, the BLAS report), report.py (the text), __main__.py (python -m rnn.bench)
from rnn.bench.cases import BASELINE_NAMES, CASES, Case, notebook_loop
from rnn.bench.report import TORCH_HINT, format_report
from rnn.bench.threads import REEXEC_MARK, THREAD_VARIABLES, blas_report, ensure_one_thread
from rnn.bench.timing import compare, run

__all__ = [
    "BASELINE_NAMES",
    "CASES",
    "REEXEC_MARK",
    "THREAD_VARIABLES",
    "TORCH_HINT",
    "Case",
    "blas_report",
    "compare",
    "ensure_one_thread",
    "format_report",
    "main",
    "notebook_loop",
    "run",
]


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
