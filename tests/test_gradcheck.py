"""rnn.gradcheck: it passes correct gradients, catches wrong ones, and leaves the layer alone."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from rnn.gradcheck import GradCheckEntry, GradCheckReport, check_gradients
from rnn.layers import LSTM, Dense, SimpleRNN
from rnn.models import Sequential


def x_batch(*shape: int) -> np.ndarray:
    return np.random.default_rng(0).standard_normal(shape)


class ForgetfulDense(Dense):
    """A Dense layer whose backward forgets the activation's derivative: a classic bug."""

    def backward_with_cache(
        self, grad_output: Any, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        x, _ = cache
        g = np.asarray(grad_output)
        return g @ self.kernel.T, [x.T @ g, g.sum(axis=0)]


def test_a_wrong_backward_is_caught() -> None:
    report = check_gradients(ForgetfulDense(3, activation="tanh", seed=1), x_batch(4, 2))
    assert not report.ok
    assert all(e.rel_error > 1e-3 for e in report.entries)
    text = str(report)
    assert "MISMATCH" in text and "forgetful_dense/kernel" in text


def test_a_correct_backward_passes() -> None:
    report = check_gradients(Dense(3, activation="tanh", seed=1), x_batch(4, 2))
    assert report.ok and report.max_rel_error < 1e-8
    assert [e.name for e in report.entries] == ["dense/kernel", "dense/bias", "input"]
    assert [e.checked for e in report.entries] == [6, 3, 8]


def test_the_layer_checked_is_left_alone() -> None:
    layer = SimpleRNN(3, seed=1)
    layer.build((None, 4, 2))
    before = layer.get_weights()
    check_gradients(layer, x_batch(2, 4, 2))
    assert layer.dtype == "float32" and all(w.dtype == np.float32 for w in layer.weights)
    for a, b in zip(before, layer.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    unbuilt = LSTM(2)
    assert check_gradients(unbuilt, x_batch(2, 3, 2)).ok
    assert not unbuilt.built  # the copy was built, not the layer


def test_custom_loss() -> None:
    target = x_batch(3, 1) / 2

    def mse(y: np.ndarray) -> tuple[float, np.ndarray]:
        return float(np.mean((y - target) ** 2)), 2 * (y - target) / y.size

    model = Sequential([SimpleRNN(3, seed=1), Dense(1, seed=2)])
    assert check_gradients(model, x_batch(3, 4, 2), loss=mse).ok

    def wrong(y: np.ndarray) -> tuple[float, np.ndarray]:
        return float(np.mean((y - target) ** 2)), (y - target) / y.size  # half the gradient

    assert not check_gradients(model, x_batch(3, 4, 2), loss=wrong).ok


def test_max_entries_samples_each_weight() -> None:
    layer = LSTM(4, seed=1)
    report = check_gradients(layer, x_batch(2, 3, 5), max_entries=10, seed=3)
    assert report.ok
    assert [e.checked for e in report.entries] == [10, 10, 10, 10]
    again = check_gradients(layer, x_batch(2, 3, 5), max_entries=10, seed=3)
    assert [e.max_abs_error for e in again.entries] == [e.max_abs_error for e in report.entries]


def test_report_text_and_relative_error() -> None:
    entries = [
        GradCheckEntry("layer/kernel", (2, 3), 1e-10, 0.5, 6),
        GradCheckEntry("layer/bias", (3,), 0.0, 0.0, 3),
    ]
    assert entries[0].rel_error == pytest.approx(2e-10) and entries[1].rel_error == 0.0
    report = GradCheckReport("layer", entries, 1e-6, 1e-6)
    assert report.ok and report.max_rel_error == pytest.approx(2e-10)
    lines = str(report).splitlines()
    assert lines[0] == "gradient check of 'layer' (float64, central differences, eps=1e-06)"
    assert lines[1].split() == ["gradient", "shape", "checked", "rel.", "error", "abs.", "error"]
    assert lines[2].split() == ["layer/kernel", "(2,", "3)", "6", "2.00e-10", "1.00e-10"]
    assert lines[-1] == "largest relative error 2.00e-10: ok (tolerance 1e-06)"
    assert not GradCheckReport("layer", entries, 1e-6, 1e-10).ok
