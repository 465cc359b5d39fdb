"""MkDocs hooks that compute numbers and figures when the site is built.

- ``<!-- measured: simple_rnn_speedup -->`` in a page is replaced by a small table of
  times measured right then: the notebook's loop, run over 32 sequences one after
  another, against one call of ``rnn.functional.simple_rnn_forward`` on the batch of 32
  (T=100, 32 features, 64 units, float64; best of interleaved repeats for about a
  second). The outputs of both are checked equal before anything is timed.
- ``images/gradient-norms.svg`` is drawn with matplotlib and added to the site as a
  generated file: how the norm of a product of recurrent Jacobians shrinks or grows
  with the number of steps, for spectral radii 0.9, 1.0 and 1.1.

Nothing here is committed as a result: every build measures and draws again.
"""

from __future__ import annotations

import datetime
import importlib.util
import io
import logging
import platform
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np

log = logging.getLogger("mkdocs.hooks.measure")

SPEEDUP_MARKER = "<!-- measured: simple_rnn_speedup -->"
GRADIENT_FIGURE = "images/gradient-norms.svg"


def _figure_style() -> ModuleType:
    """``hooks/figure_style.py``, loaded from beside this file, however this one is loaded.

    MkDocs puts the hooks' folder on ``sys.path`` only while it loads a hook, and the tests
    load a hook from its path alone, where ``import figure_style`` would fail.
    """
    path = Path(__file__).with_name("figure_style.py")
    spec = importlib.util.spec_from_file_location("figure_style", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_style = _figure_style()
INK = _style.INK
GAINS = {0.9: _style.BLUE, 1.0: _style.GREY, 1.1: _style.ORANGE}
STYLE = {**_style.STYLE, "svg.hashsalt": "rnn-gradients"}


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


def speedup_markdown(result: dict[str, float]) -> str:
    """The measured times as a Markdown admonition with a table."""
    batch, loop, vec = int(result["batch"]), result["loop"], result["vectorised"]
    today = datetime.date.today().isoformat()
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
    result = measure_speedup()
    log.info(
        "Measured the notebook loop (%.2f ms) and simple_rnn_forward (%.2f ms): %.1f times faster",
        result["loop"] * 1e3,
        result["vectorised"] * 1e3,
        result["loop"] / result["vectorised"],
    )
    return markdown.replace(SPEEDUP_MARKER, speedup_markdown(result))


# ------------------------------------------------------------------- gradients


def orthogonal(units: int, seed: int = 0) -> np.ndarray:
    """A random orthogonal matrix (every singular value is 1)."""
    q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((units, units)))
    return q * np.sign(np.diag(r))


def linear_norms(gain: float, steps: int, units: int = 64) -> np.ndarray:
    """Spectral norm of ``W**k`` for ``k = 1 .. steps``, ``W = gain * orthogonal``."""
    W = gain * orthogonal(units)
    product, norms = np.eye(units), []
    for _ in range(steps):
        product = W @ product
        norms.append(np.linalg.norm(product, 2))
    return np.array(norms)


def tanh_norms(gain: float, steps: int, units: int = 64, features: int = 32) -> np.ndarray:
    """Spectral norm of ``prod_k diag(1 - s_k**2) W`` along a tanh RNN driven by noise."""
    rng = np.random.default_rng(1)
    W = gain * orthogonal(units)
    U = rng.standard_normal((units, features)) / np.sqrt(features)
    s, product, norms = np.zeros(units), np.eye(units), []
    for x in rng.standard_normal((steps, features)):
        s = np.tanh(U @ x + W @ s)
        product = ((1 - s**2)[:, None] * W) @ product
        norms.append(np.linalg.norm(product, 2))
    return np.array(norms)


def gradient_figure(steps: int = 100) -> bytes:
    """Draw both panels as an SVG with a transparent background."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    k = np.arange(1, steps + 1)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True, layout="constrained")
        for ax, norms, title in (
            (axes[0], linear_norms, "linear: $\\|W^k\\|$"),
            (axes[1], tanh_norms, "tanh: $\\|\\prod_k \\mathrm{diag}(1 - s_k^2)\\, W\\|$"),
        ):
            for gain, colour in GAINS.items():
                ax.semilogy(k, norms(gain, steps), color=colour, lw=2.2, label=f"{gain} × Q")
            ax.set(title=title, xlabel="number of steps k", xlim=(0, steps))
            ax.grid(True, which="major", color=INK, alpha=0.25, lw=0.6)
        axes[0].set_ylabel("norm (log scale)")
        axes[0].legend(title="W =", frameon=False, labelcolor=INK)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", transparent=True, metadata={"Date": None})
        plt.close(fig)
    return buffer.getvalue()


def on_files(files, config):
    from mkdocs.structure.files import File

    started = time.perf_counter()
    files.append(File.generated(config, GRADIENT_FIGURE, content=gradient_figure()))
    log.info("Drew %s in %.2f s", GRADIENT_FIGURE, time.perf_counter() - started)
    return files
