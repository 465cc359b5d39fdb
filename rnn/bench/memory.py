"""Peak extra memory of a forward + backward pass, as ``tracemalloc`` sees it.

NumPy reports every array buffer it allocates to ``tracemalloc``, so the peak of the
traced memory during a call, minus what was traced before it, is the most memory the
call held at once beyond its inputs. The forward + backward pass must hold its results
anyway: the outputs ``(batch, timesteps, units)``, the gradient of the inputs
``(batch, timesteps, features)`` and the weight gradients. The ratio of the peak to
those bytes is what the bench reports (the goal: at most 2).
"""

from __future__ import annotations

import tracemalloc
from typing import Any

import numpy as np

from rnn.bench.cells import Problem, rnn_fns

__all__ = ["peak_memory", "traced_peak"]


def traced_peak(fn: Any) -> tuple[int, Any]:
    """Run ``fn()``; return the peak bytes it held beyond what existed before, and its result."""
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = fn()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        if started:
            tracemalloc.stop()
    return peak, result


def peak_memory(p: Problem) -> dict[str, Any]:
    """Measure ``rnn``'s forward + backward on a problem.

    Returns
    -------
    dict
        ``"peak_bytes"`` (the extra peak), ``"held_bytes"`` (the outputs, the input
        gradient and the weight gradients the call returns), ``"inputs_bytes"`` (the
        inputs, weights and output gradient, there before the call) and ``"ratio"``.
    """
    _, both = rnn_fns(p)
    peak, results = traced_peak(both)
    held = sum(np.asarray(r).nbytes for r in results)
    inputs = sum(a.nbytes for a in (p.x, p.kernel, p.recurrent_kernel, p.bias, p.grad))
    return {
        "peak_bytes": peak,
        "held_bytes": held,
        "inputs_bytes": inputs,
        "ratio": peak / held,
    }
