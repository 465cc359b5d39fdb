"""Time `rnn` against its baselines, each row with its target and a verdict.

- ``simple_rnn_forward`` against the notebook's loop and torch.nn.RNN, and with
  ``simple_rnn_backward`` against torch's autograd, in float64;
- the cells: SimpleRNN, LSTM and GRU of `rnn.functional` against torch.nn.RNN, LSTM and
  GRU with the same weights, in float32 and float64, at batch 1, batch 32 and a large
  size, forward and forward + backward; the batch-1 rows show the NumPy calls per step;
- the floor: at the large size, the forward against its own matrix products alone;
- memory: the peak extra memory of forward + backward at T=2,000 in float32;
- fit: one epoch of the course's models against Keras 3 (torch backend), run by another
  Python (``--keras-python`` or ``RNN_BENCH_KERAS_PYTHON``) when given.

Run it as ``python -m rnn.bench`` (``--quick`` for a smoke run, ``--only lstm,fit`` for
some cells or parts, ``--json`` for a machine-readable report). Everything runs on
**one** BLAS thread (torch on one thread too), in one process; outputs and every
gradient are checked equal before anything is timed, and the repeats of ``rnn`` and of
the baseline are interleaved so that both see the same machine. The ratio printed is
``min(time of rnn) / min(time of the baseline)``: below 1 means ``rnn`` is faster.
"""

from __future__ import annotations

import argparse
import json

# the package: cases.py (the SimpleRNN rows), cells.py (the cell rows: problems, torch
# with the same weights, the floor), counting.py (NumPy calls per step), memory.py (peak
# memory), fit.py and _keras_fit.py (fit, in rnn and in Keras), timing.py (checks,
# timing, the run), threads.py (one BLAS thread, the BLAS report), report.py (the text)
from rnn.bench.cases import BASELINE_NAMES, CASES, Case, notebook_loop
from rnn.bench.counting import calls_per_step, count_numpy_calls
from rnn.bench.memory import peak_memory, traced_peak
from rnn.bench.report import TORCH_HINT, format_report, verdicts
from rnn.bench.threads import REEXEC_MARK, THREAD_VARIABLES, blas_report, ensure_one_thread
from rnn.bench.timing import SECTIONS, compare, run

__all__ = [
    "BASELINE_NAMES",
    "CASES",
    "REEXEC_MARK",
    "SECTIONS",
    "THREAD_VARIABLES",
    "TORCH_HINT",
    "Case",
    "blas_report",
    "calls_per_step",
    "compare",
    "count_numpy_calls",
    "ensure_one_thread",
    "format_report",
    "main",
    "notebook_loop",
    "peak_memory",
    "run",
    "traced_peak",
    "verdicts",
]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point of ``python -m rnn.bench``."""
    parser = argparse.ArgumentParser(prog="python -m rnn.bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--only",
        metavar="NAMES",
        help="comma-separated cells (simple, lstm, gru) and parts "
        f"({', '.join(SECTIONS)}) to run; all by default",
    )
    parser.add_argument(
        "--keras-python",
        metavar="PYTHON",
        help="a Python with Keras 3 and torch, for the fit rows "
        "(default: $RNN_BENCH_KERAS_PYTHON; skipped without either)",
    )
    args = parser.parse_args(argv)
    threads = ensure_one_thread()
    try:
        report = run(quick=args.quick, only=args.only, keras_python=args.keras_python)
    except ValueError as error:
        parser.error(str(error))
    report["one_thread_via"] = threads
    print(json.dumps(report, indent=2) if args.json else format_report(report, threads))
    return 0
