"""MkDocs hook that measures times when the site is built.

``<!-- measured: simple_rnn_speedup -->`` in a page is replaced by a small table of times
measured right then: the notebook's loop, run over 32 sequences one after another,
against one call of ``rnn.functional.simple_rnn_forward`` on the batch of 32 (T=100, 32
features, 64 units, float64; best of interleaved repeats for about a second). The
outputs of both are checked equal before anything is timed.

Nothing here is committed as a result: every build measures again, but ``mkdocs serve``,
which rebuilds at every edit, shows its last measurement of the same code (the build's
cache, ``hooks/cache.py``: ``rnn/``, the hooks and the libraries unchanged), with the day
it was measured. (The figures of the
pages, among them how the norm of a product of recurrent Jacobians shrinks or grows with
the number of steps, are drawn by ``hooks/figures.py`` from the pages' own code.)
"""

from __future__ import annotations

import datetime
import logging
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

if __package__ != "hooks":  # loaded by MkDocs from its path, with only hooks/ on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # MkDocs takes it off again
from hooks import cache

log = logging.getLogger("mkdocs.hooks.measure")

SPEEDUP_MARKER = "<!-- measured: simple_rnn_speedup -->"


# ----------------------------------------------------------------------- speed


def best_times(
    functions: dict[str, Callable[[], object]], max_repeats: int, budget: float, min_repeats: int
) -> tuple[dict[str, float], int]:
    """Best wall-clock time of each function over interleaved rounds.

    Rounds go on until ``budget`` seconds have passed (but at least ``min_repeats`` and at
    most ``max_repeats`` rounds); return the best times and the number of rounds.
    """
    best = dict.fromkeys(functions, float("inf"))
    deadline = time.perf_counter() + budget
    rounds = 0
    while rounds < max_repeats and (rounds < min_repeats or time.perf_counter() < deadline):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            best[name] = min(best[name], time.perf_counter() - start)
        rounds += 1
    return best, rounds


def measure_speedup(
    batch: int = 32, timesteps: int = 100, features: int = 32, units: int = 64, budget: float = 1.0
) -> dict[str, float]:
    """Time the notebook's loop (one sequence at a time) and ``simple_rnn_forward``."""
    from rnn.functional import simple_rnn_forward

    rng = np.random.default_rng(0)
    inputs = rng.standard_normal((batch, timesteps, features))
    limit = np.sqrt(6 / (features + units))
    W = rng.uniform(-limit, limit, (units, features))
    U = np.linalg.qr(rng.standard_normal((units, units)))[0]
    b = np.zeros(units)

    def notebook_loop() -> np.ndarray:
        sequences = []
        for sequence in inputs:  # the notebook handles one sequence at a time
            state_t = np.zeros((units,))
            successive_outputs = []
            for input_t in sequence:
                output_t = np.tanh(np.dot(W, input_t) + np.dot(U, state_t) + b)
                successive_outputs.append(output_t)
                state_t = output_t
            sequences.append(np.stack(successive_outputs, axis=0))
        return np.stack(sequences)

    def vectorised() -> np.ndarray:
        return simple_rnn_forward(inputs, W.T, U.T, b)

    if not np.allclose(notebook_loop(), vectorised(), rtol=0, atol=1e-12):
        raise RuntimeError("the notebook loop and simple_rnn_forward disagree")
    functions = {"loop": notebook_loop, "vectorised": vectorised}
    best, rounds = best_times(functions, max_repeats=100, budget=budget, min_repeats=5)
    return {**best, "batch": batch, "repeats": rounds}


def speedup_markdown(result: dict[str, Any]) -> str:
    """The measured times as a Markdown admonition with a table (measured on the day
    ``result["date"]``, if given, else today)."""
    batch, loop, vec = int(result["batch"]), result["loop"], result["vectorised"]
    today = result.get("date") or datetime.date.today().isoformat()
    return "\n".join(
        [
            '!!! info "Measured when this page was built, on the machine that built it"',
            "",
            f"    | {batch} sequences of 100 timesteps, 32 features, 64 units, float64 "
            "| total | per sequence |",
            "    |---|---:|---:|",
            f"    | the notebook's loop, one sequence after another | {loop * 1e3:.2f} ms "
            f"| {loop / batch * 1e6:.0f} µs |",
            f"    | `simple_rnn_forward`, one call on the whole batch | {vec * 1e3:.2f} ms "
            f"| {vec / batch * 1e6:.0f} µs |",
            "",
            f"    **The vectorised version was {loop / vec:.1f} times faster.** Best of "
            f"{int(result['repeats'])} interleaved repeats, measured on {today} with "
            f"NumPy {np.__version__} and Python {platform.python_version()}. Another "
            "machine, or another build, gives other numbers.",
        ]
    )


def on_page_markdown(markdown: str, page, config, files) -> str:
    if SPEEDUP_MARKER not in markdown:
        return markdown
    result = cache.cached(
        "measure",
        page.file.src_uri,
        lambda: [],
        lambda: {**measure_speedup(), "date": datetime.date.today().isoformat()},
    )
    log.info(
        "Measured the notebook loop (%.2f ms) and simple_rnn_forward (%.2f ms): %.1f times faster",
        result["loop"] * 1e3,
        result["vectorised"] * 1e3,
        result["loop"] / result["vectorised"],
    )
    return markdown.replace(SPEEDUP_MARKER, speedup_markdown(result))
