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


def exp_route(monkeypatch: pytest.MonkeyPatch, on: bool) -> None:
    """Compute float64 ``tanh`` by ``exp`` at every size (``on``), or by ``np.tanh`` always."""
    monkeypatch.setattr(lstm_module, "_EXP_ELEMENTS", 1 if on else 1 << 62)


@pytest.mark.parametrize("truncate", [None, 3])
@pytest.mark.parametrize("batch", [1, B])
def test_tanh_by_exp_equals_np_tanh(rng, monkeypatch, batch, truncate):
    p = problem(rng, np.float64, batch)
    exp_route(monkeypatch, False)
    by_tanh = run(p, truncate)
    exp_route(monkeypatch, True)
    assert_close(run(p, truncate), by_tanh, 1e-12)
    general(monkeypatch)  # and the general route, which keeps np.tanh
    assert_close(run(p, truncate), by_tanh, 1e-12)


def test_tanh_by_exp_at_the_default_threshold(monkeypatch):
    # a batch times units above _EXP_ELEMENTS takes the exp route without monkeypatching
    rng = np.random.default_rng(3)
    batch, units = 4, lstm_module._EXP_ELEMENTS // 4
    x = rng.standard_normal((batch, 6, 3))
    weights = [rng.standard_normal(s) / np.sqrt(s[0]) for s in ((3, 4 * units), (units, 4 * units))]
    bias = rng.standard_normal(4 * units)
    c0 = rng.standard_normal((batch, units))
    h0 = np.zeros((batch, units))
    out, h, c = lstm_forward(x, *weights, bias, initial_state=(h0, c0), return_state=True)
    exp_route(monkeypatch, False)
    want = lstm_forward(x, *weights, bias, initial_state=(h0, c0), return_state=True)
    assert_close([out, h, c], list(want), 1e-12)


@pytest.mark.parametrize("batch", [1, B])
def test_float32_keeps_np_tanh(rng, monkeypatch, batch):
    p = problem(rng, np.float32, batch)
    want = run(p)
    exp_route(monkeypatch, True)  # float64 only: float32 results are unchanged, bit for bit
    for a, b in zip(run(p), want, strict=True):
        assert np.array_equal(a, b)


def test_tanh_by_exp_saturates_exactly_without_warnings(rng, monkeypatch):
    # exp(-2 z) overflows to inf or underflows to 0: tanh = -1 or 1, exact, finite
    p = problem(rng, np.float64)
    big = {**p, "kernel": p["kernel"] * 1e4, "c0": p["c0"] * 1e4, "h0": p["h0"] * 1e4}
    exp_route(monkeypatch, False)
    by_tanh = run(big)
    exp_route(monkeypatch, True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning: overflow encountered in exp
        by_exp = run(big)
    assert all(np.all(np.isfinite(a)) for a in by_exp)
    saturated = np.isin(by_tanh[0], [-1, 0, 1])  # o and tanh(c_t) at 0 or ±1
    assert saturated.mean() > 0.5
    assert np.array_equal(by_exp[0][saturated], by_tanh[0][saturated])
    assert np.array_equal(by_exp[2], by_tanh[2])  # c_T: sums of ±1 gates, exact
    assert_close(by_exp, by_tanh, 1e-12)


def test_tanh_of_scaled_saturates_to_exactly_one():
    c = np.array([-1e308, -1e3, -20.0, -1e-300, 0.0, 1e-300, 20.0, 1e3, 1e308])
    out = np.empty_like(c)
    with np.errstate(over="ignore"):  # -2 c and exp(-2 c) overflow to inf
        lstm_module._tanh_of_scaled(-2 * c, out)
    assert np.array_equal(out[[0, 1, 7, 8]], [-1, -1, 1, 1])
    assert np.max(np.abs(out - np.tanh(c))) <= 4 * np.finfo(np.float64).eps


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_an_empty_batch_gives_empty_outputs_and_zero_gradients(dtype: type) -> None:
    rng = np.random.default_rng(5)
    kernel = rng.standard_normal((3, 8)).astype(dtype)
    recurrent_kernel = rng.standard_normal((2, 8)).astype(dtype)
    bias = rng.standard_normal(8).astype(dtype)
    x = np.zeros((0, 4, 3), dtype)
    out = lstm_forward(x, kernel, recurrent_kernel, bias)
    assert out.shape == (0, 4, 2) and out.dtype == dtype
    grad_x, grads = lstm_backward(np.ones_like(out), x, out, kernel, recurrent_kernel, bias)
    assert grad_x.shape == (0, 4, 3) and grad_x.dtype == dtype
    for name, weight in (
        ("kernel", kernel),
        ("recurrent_kernel", recurrent_kernel),
        ("bias", bias),
    ):
        assert grads[name].shape == weight.shape and not grads[name].any()
    assert [s.shape for s in grads["initial_state"]] == [(0, 2), (0, 2)]
