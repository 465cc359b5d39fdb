"""The LSTM's fast routes (rnn.functional.lstm): the forward loop for ``tanh`` and
``sigmoid``, and the backward pass in chunks of steps, against the general routes they
replace, at several chunk sizes, in both dtypes."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

from rnn.functional import lstm as lstm_module
from rnn.functional import lstm_backward, lstm_forward, reference

B, T, F, U = 3, 11, 4, 5


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(14)


def problem(rng: np.random.Generator, dtype: Any, batch: int = B) -> dict[str, np.ndarray]:
    """Inputs, weights, initial states and output gradients of one LSTM, in ``dtype``."""
    shapes = {
        "x": (batch, T, F),
        "kernel": (F, 4 * U),
        "recurrent_kernel": (U, 4 * U),
        "bias": (4 * U,),
        "h0": (batch, U),
        "c0": (batch, U),
        "g": (batch, T, U),
        "gh": (batch, U),
        "gc": (batch, U),
    }
    return {name: rng.standard_normal(shape).astype(dtype) for name, shape in shapes.items()}


def run(p: dict[str, np.ndarray], truncate: int | None = None) -> list[np.ndarray]:
    """Forward and backward with every option the fast routes take; every result, flat."""
    weights = (p["kernel"], p["recurrent_kernel"], p["bias"])
    state = (p["h0"], p["c0"])
    out, h, c = lstm_forward(p["x"], *weights, initial_state=state, return_state=True)
    grad_x, grads = lstm_backward(
        p["g"],
        p["x"],
        out,
        *weights,
        initial_state=state,
        grad_final_state=(p["gh"], p["gc"]),
        truncate=truncate,
    )
    weight_grads = [grads["kernel"], grads["recurrent_kernel"], grads["bias"]]
    return [out, h, c, grad_x, *weight_grads, *grads["initial_state"]]


def general(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send ``tanh`` and ``sigmoid`` down the general route, as any other activation."""
    monkeypatch.setattr(lstm_module, "_is_default", lambda *_: False)


def assert_close(got: list[np.ndarray], want: list[np.ndarray], tol: float) -> None:
    """Every array within ``tol`` of the other, relative to its largest entry."""
    for a, b in zip(got, want, strict=True):
        assert a.dtype == b.dtype
        assert np.max(np.abs(a - b)) <= tol * np.max(np.abs(b))


@pytest.mark.parametrize("truncate", [None, 3])
@pytest.mark.parametrize("batch", [1, B])
def test_fast_route_equals_the_general_one(rng, monkeypatch, batch, truncate):
    p = problem(rng, np.float64, batch)
    fast = run(p, truncate)
    general(monkeypatch)
    assert_close(fast, run(p, truncate), 1e-12)


def test_fast_route_equals_the_reference(rng):
    p = problem(rng, np.float64)
    out, h, c = lstm_forward(
        p["x"],
        p["kernel"],
        p["recurrent_kernel"],
        p["bias"],
        initial_state=(p["h0"], p["c0"]),
        return_state=True,
    )
    weights = {"kernel": p["kernel"], "recurrent_kernel": p["recurrent_kernel"], "bias": p["bias"]}
    ref_out, ref_c = reference.lstm_forward(p["x"], weights, initial_state=(p["h0"], p["c0"]))
    assert_close([out, h, c], [ref_out, ref_out[:, -1], ref_c[:, -1]], 1e-12)


@pytest.mark.parametrize("rows, elements", [(1, 1), (2, 1), (4, 30), (10_000, 10**9)])
@pytest.mark.parametrize("keep", [0, 1 << 40])
@pytest.mark.parametrize("truncate", [None, 4])
def test_every_chunk_size_gives_the_same_results(rng, monkeypatch, rows, elements, keep, truncate):
    p = problem(rng, np.float64)
    monkeypatch.setattr(lstm_module, "_ROWS", 1 << 20)
    whole = run(p, truncate)  # one chunk: every step at once
    monkeypatch.setattr(lstm_module, "_ROWS", rows)
    monkeypatch.setattr(lstm_module, "_CHUNK_ELEMENTS", elements)
    monkeypatch.setattr(lstm_module, "_KEEP_BYTES", keep)  # gates kept, or recomputed
    assert_close(run(p, truncate), whole, 1e-12)


@pytest.mark.parametrize("batch", [1, B])
def test_float32_stays_float32_and_agrees_with_float64(rng, batch):
    p = problem(rng, np.float32, batch)
    single = run(p)
    double = run({name: a.astype(np.float64) for name, a in p.items()})
    assert all(a.dtype == np.float32 for a in single)
    assert_close([a.astype(np.float64) for a in single], double, 1e-5)


def test_large_negative_pre_activations_give_exact_zero_gates(rng):
    # exp(-z) overflows to inf: sigma(z) = 1 / (1 + inf) = 0, without a warning
    p = problem(rng, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning: overflow encountered in exp
        out = run({**p, "kernel": p["kernel"] * 1e4})
    assert all(np.all(np.isfinite(a)) for a in out)
