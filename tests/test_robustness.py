"""The robustness check (``make robust``, ``tools/robustness.py``) really changes what it says.

Its nudge must move every random starting weight by about ``1e-12`` (or two units in the
last place of float32), keep whole numbers exact, and repeat for the same seed; and the
NumPy it installs must be the floor that ``pyproject.toml`` declares.
"""

from __future__ import annotations

import re
from pathlib import Path

import _harness
import numpy as np

import rnn
from rnn.layers import LSTM, Dense

ROOT = Path(__file__).resolve().parents[1]


def weights(layer_type: type, *args: object, nudge: bool = False, **kwargs: object) -> list:
    """A new layer's weights, seeded, as ``make robust`` nudges them or as they are."""
    undo = _harness.nudge_initial_weights(1e-12, seed=1) if nudge else None
    try:
        rnn.set_random_seed(3)
        layer = layer_type(*args, **kwargs)
        layer.build((None, 5, 4) if layer_type is LSTM else (None, 4))
        return layer.get_weights()
    finally:
        if undo is not None:
            undo()


def test_the_nudge_changes_random_weights_by_about_1e_12() -> None:
    plain = weights(LSTM, 3, dtype="float64")
    kernel, recurrent, bias = weights(LSTM, 3, dtype="float64", nudge=True)
    for got, before in zip((kernel, recurrent), plain[:2], strict=True):
        relative = np.abs(got / before - 1)
        assert 1e-14 < np.median(relative) < 1e-11
        assert (relative > 0).mean() > 0.9
    # the bias of zeros and the forget gate's ones stay exact
    np.testing.assert_array_equal(bias, plain[2])
    assert bias.reshape(4, 3)[1].tolist() == [1.0, 1.0, 1.0]
    # and the package is itself again afterwards
    assert weights(LSTM, 3, dtype="float64")[0].tobytes() == plain[0].tobytes()


def test_float32_weights_move_by_at_least_an_ulp() -> None:
    [plain, _] = weights(Dense, 8, dtype="float32")
    [kernel, _] = weights(Dense, 8, dtype="float32", nudge=True)
    assert (kernel != plain).mean() > 0.5
    np.testing.assert_allclose(kernel, plain, rtol=1e-6)


def test_the_same_seed_still_gives_the_same_weights() -> None:
    a = weights(Dense, 8, dtype="float64", nudge=True)
    b = weights(Dense, 8, dtype="float64", nudge=True)
    assert all(x.tobytes() == y.tobytes() for x, y in zip(a, b, strict=True))
    assert a[0].tobytes() != weights(Dense, 8, dtype="float64")[0].tobytes()


def test_the_oldest_numpy_is_the_declared_floor() -> None:
    from tools import robustness

    declared = re.search(
        r'"numpy>=([0-9.]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    )[1]
    assert robustness.numpy_floor() == declared
    names = [c.name for c in robustness.configurations("python-of-the-oldest")]
    assert names == ["2 BLAS threads", "nudged 1e-12", f"oldest NumPy ({declared})"]
