"""The GRU's fast kernels: the fused loop, the chunked backward pass, float32 kept float32.

The fused forward loop (sigmoid gates, ``reset_after``, no mask) and its backward pass
must agree with the general loops, which an all-True mask selects; the backward pass,
walked in chunks of time, must not depend on the chunks' length.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from rnn.functional import gru, gru_backward, gru_forward, simple_rnn_forward


def _case(
    dtype: type = np.float64, batch: int = 3, steps: int = 11, features: int = 4, units: int = 5
) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    return {
        "x": rng.standard_normal((batch, steps, features)).astype(dtype),
        "k": (rng.standard_normal((features, 3 * units)) / np.sqrt(features)).astype(dtype),
        "rk": (rng.standard_normal((units, 3 * units)) * 1.2 / np.sqrt(units)).astype(dtype),
        "b": (rng.standard_normal((2, 3 * units)) * 0.3).astype(dtype),
        "b1": (rng.standard_normal(3 * units) * 0.3).astype(dtype),
        "g": rng.standard_normal((batch, steps, units)).astype(dtype),
        "h0": rng.standard_normal((batch, units)).astype(dtype),
        "g_end": rng.standard_normal((batch, units)).astype(dtype),
        "mask": rng.random((batch, steps)) > 0.3,
        "drop": (rng.random((batch, 3, features)) > 0.3).astype(dtype) / 0.7,
        "rdrop": (rng.random((batch, 3, units)) > 0.3).astype(dtype) / 0.7,
    }


# every path of the backward pass: (bias key, keyword arguments)
PATHS: list[tuple[str, dict[str, Any]]] = [
    ("b", {}),
    ("b", {"initial_state": "h0", "grad_final_state": "g_end"}),
    ("b", {"dropout_mask": "drop"}),
    ("b", {"mask": "mask"}),
    ("b", {"recurrent_dropout_mask": "rdrop"}),
    ("b", {"truncate": 3}),
    ("b", {"activation": "relu", "recurrent_activation": "hard_sigmoid"}),
    ("b", {"activation": "gelu", "recurrent_activation": "silu"}),
    ("b1", {"reset_after": False}),
    ("b1", {"reset_after": False, "mask": "mask", "recurrent_dropout_mask": "rdrop"}),
    ("b1", {"reset_after": False, "truncate": 4, "dropout_mask": "drop"}),
    ("none", {}),
]


def _run(c: dict[str, np.ndarray], bias: str, kw: dict[str, Any]) -> list[np.ndarray]:
    """Forward and backward; return the outputs, grad_x and every gradient."""
    kw = {n: c[v] if isinstance(v, str) and v in c else v for n, v in kw.items()}
    b = None if bias == "none" else c[bias]
    fwd = {n: v for n, v in kw.items() if n not in ("grad_final_state", "truncate")}
    out = gru_forward(c["x"], c["k"], c["rk"], b, **fwd)
    assert isinstance(out, np.ndarray)
    gx, grads = gru_backward(c["g"], c["x"], out, c["k"], c["rk"], b, **kw)
    return [out, gx, *(grads[n] for n in sorted(grads))]


@pytest.fixture
def chunk(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Set how many steps the backward and forward chunks hold (batch 3, 5 units)."""

    def set_steps(n: int) -> None:
        monkeypatch.setattr(gru, "_CHUNK_ELEMENTS", n * 3 * 3 * 5)
        monkeypatch.setattr(gru, "_FORWARD_ELEMENTS", n * 3 * 3 * 5)

    yield set_steps


@pytest.mark.parametrize(("bias", "kw"), PATHS)
def test_chunked_backward_equals_unchunked(chunk: Any, bias: str, kw: dict[str, Any]) -> None:
    c = _case()
    whole = _run(c, bias, kw)
    for steps in (1, 2, 3, 4, 10):
        chunk(steps)
        for got, want in zip(_run(c, bias, kw), whole, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize(("bias", "kw"), PATHS)
def test_float32_kept_float32(bias: str, kw: dict[str, Any]) -> None:
    c = _case(np.float32)
    results = _run(c, bias, kw)
    assert [r.dtype for r in results] == [np.dtype(np.float32)] * len(results)
    c64 = {n: v.astype(np.float64) if v.dtype == np.float32 else v for n, v in c.items()}
    for got, want in zip(results, _run(c64, bias, kw), strict=True):
        np.testing.assert_allclose(got, want, rtol=2e-4, atol=2e-5 * max(1, np.abs(want).max()))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1, 9, 3, 4), (3, 11, 4, 5), (4, 6, 3, 300)])
def test_fused_equals_general(chunk: Any, dtype: type, shape: tuple[int, int, int, int]) -> None:
    """An all-True mask takes the general loops; without it, the fused ones (in float64,
    tanh by exp from 1024 values per step on)."""
    c = _case(dtype, *shape)
    everywhere = {"mask": np.ones(shape[:2], bool)}
    tol = 1e-12 if dtype == np.float64 else 2e-6
    for extra in ({}, {"initial_state": "h0"}, {"dropout_mask": "drop"}):
        fused = _run(c, "b", extra)
        general = _run(c, "b", {**extra, **everywhere})
        for got, want in zip(fused, general, strict=True):
            np.testing.assert_allclose(got, want, rtol=tol, atol=tol * max(1, np.abs(want).max()))


def test_saturated_gates_stay_finite_and_quiet() -> None:
    """Pre-activations far beyond exp's range: the gates are exactly 0 or 1, no warning."""
    for dtype in (np.float32, np.float64):
        c = _case(dtype, units=400)
        c["k"] *= 1e4
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fused = _run(c, "b", {})
        general = _run(c, "b", {"mask": np.ones(c["x"].shape[:2], bool)})
        for got, want in zip(fused, general, strict=True):
            assert np.all(np.isfinite(got))
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * max(1, np.abs(want).max()))


def test_unbatched_and_last_output() -> None:
    c = _case(batch=1, units=300)
    out, h = gru_forward(c["x"][0], c["k"], c["rk"], c["b"], return_state=True)
    assert out.shape == (11, 300) and h.shape == (300,)
    np.testing.assert_array_equal(out[-1], h)
    last = gru_forward(c["x"], c["k"], c["rk"], c["b"], return_sequences=False)
    np.testing.assert_allclose(last[0], h, rtol=1e-12)


@pytest.mark.parametrize("scale", [1.0, 1e4])
def test_simple_rnn_tanh_by_exp(scale: float) -> None:
    """The simple RNN's float64 loop computes tanh by exp from 4096 values per step on; an
    all-True mask takes the loop with np.tanh. Saturated steps stay finite and quiet."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((16, 12, 4))
    k = rng.standard_normal((4, 300)) / 2 * scale
    rk = rng.standard_normal((300, 300)) * 1.2 / np.sqrt(300)
    b = rng.standard_normal(300) * 0.3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        by_exp = simple_rnn_forward(x, k, rk, b)
    by_tanh = simple_rnn_forward(x, k, rk, b, mask=np.ones((16, 12), bool))
    np.testing.assert_allclose(by_exp, by_tanh, rtol=1e-12, atol=1e-12)
