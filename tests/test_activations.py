"""The activations: one table holds each one's function, its in-place form and its
derivative, and the three agree."""

from __future__ import annotations

import numpy as np
import pytest

from rnn import activations

Z = np.linspace(-4, 4, 41)


@pytest.mark.parametrize("name", sorted(activations.KNOWN))
def test_in_place_computes_the_function(name: str) -> None:
    known = activations.KNOWN[name]
    out = np.full_like(Z, np.nan)
    activations.in_place(name)(Z, out)
    np.testing.assert_allclose(out, known.function(Z), rtol=1e-15, atol=1e-15)
    assert activations.get(name) is known.function
    assert activations.name_of(known.function) == name


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "relu", "linear"])
def test_the_derivative_read_from_the_output_is_the_slope(name: str) -> None:
    fn = activations.get(name)
    z = Z[np.abs(Z) > 0.05]  # away from relu's kink
    eps = 1e-6
    numeric = (fn(z + eps) - fn(z - eps)) / (2 * eps)
    slope = activations.slope(activations.derivative(name), fn(z))
    np.testing.assert_allclose(np.broadcast_to(slope, z.shape), numeric, atol=1e-8)


def test_linear_has_no_derivative_to_multiply_and_softmax_none_at_all() -> None:
    assert activations.derivative("linear") is None
    assert activations.derivative(None) is None
    with pytest.raises(ValueError, match="recurrent_activation='softmax' is not supported"):
        activations.derivative("softmax", "recurrent_activation")


def test_a_callable_of_your_own_runs_in_place_through_a_copy() -> None:
    def square(x: np.ndarray) -> np.ndarray:
        return x * x

    out = np.empty(3)
    activations.in_place(square)(np.array([1.0, 2.0, 3.0]), out)
    assert out.tolist() == [1.0, 4.0, 9.0]
    with pytest.raises(ValueError, match="activation='square' is not supported"):
        activations.derivative(square)
