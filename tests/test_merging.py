"""`Concatenate` and `Add`: values, gradients by central differences, masks, configs.

They take a list of arrays, so `rnn.testing.check_layer` (one array in) does not run
them; this file checks the same things. Keras's error messages for them are in
tests/test_functional_api.py (the functional fixtures).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from rnn.layers import Add, Concatenate, add, concatenate


def _central_differences(layer: Any, xs: list[np.ndarray], probe: np.ndarray) -> list[np.ndarray]:
    eps = 1e-6
    grads = []
    for x in xs:
        g = np.zeros_like(x)
        for idx in np.ndindex(*x.shape):
            old = x[idx]
            x[idx] = old + eps
            up = float(np.sum(probe * layer(xs)))
            x[idx] = old - eps
            down = float(np.sum(probe * layer(xs)))
            x[idx] = old
            g[idx] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


@pytest.mark.parametrize(
    ("layer", "shapes"),
    [
        (Concatenate(dtype="float64"), [(2, 3), (2, 4)]),
        (Concatenate(axis=1, dtype="float64"), [(2, 3, 2), (2, 1, 2), (2, 2, 2)]),
        (Add(dtype="float64"), [(2, 3, 2), (2, 3, 2), (2, 3, 2)]),
    ],
    ids=["concatenate", "concatenate-time", "add"],
)
def test_values_and_gradients(layer: Any, shapes: list[tuple[int, ...]]) -> None:
    rng = np.random.default_rng(0)
    xs = [rng.normal(size=s) for s in shapes]
    y = layer.forward(xs)
    assert y.shape == layer.compute_output_shape(shapes)
    expected = np.concatenate(xs, axis=layer.axis) if isinstance(layer, Concatenate) else sum(xs)
    np.testing.assert_array_equal(y, expected)
    probe = rng.normal(size=y.shape)
    grads = layer.backward(probe)
    for mine, numeric in zip(grads, _central_differences(layer, xs, probe), strict=True):
        np.testing.assert_allclose(mine, numeric, rtol=1e-6, atol=1e-8)
    assert layer.grads == []


def test_masks_merge_as_in_keras() -> None:
    a = np.array([[True, True, False]])
    b = np.array([[True, False, False]])
    x = [np.zeros((1, 3, 2)), np.zeros((1, 3, 2))]
    assert Add().compute_mask(x, [a, b]).tolist() == [[True, False, False]]
    assert Add().compute_mask(x, [a, None]).tolist() == a.tolist()
    assert Add().compute_mask(x, [None, None]) is None
    joined = Concatenate(axis=1).compute_mask(x, [a, None])
    assert joined.tolist() == [[True, True, False, True, True, True]]


def test_configs_and_functional_forms() -> None:
    layer = Concatenate(axis=1, name="join")
    assert Concatenate.from_config(layer.get_config()).axis == 1
    assert concatenate([np.ones((1, 2)), np.ones((1, 3))]).shape == (1, 5)
    assert add([np.ones((1, 2)), np.ones((1, 2))]).tolist() == [[2.0, 2.0]]
    with pytest.raises(TypeError, match="`axis` must be an integer"):
        Concatenate(axis=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="should be called on a list of at least 1 input"):
        Concatenate()(np.ones((2, 3)))
