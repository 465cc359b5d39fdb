"""The activations: one table holds each one's function, its in-place form and its
derivative, and the three agree."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rnn import activations, functional
from rnn.gradcheck import check_gradients
from rnn.layers import GRU, LSTM, Dense, SimpleRNN
from rnn.layers.core import activation_backward

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


# ------------------------------------------------ Keras 3's names, values and slopes

FIXTURES = Path(__file__).parent / "fixtures" / "keras" / "names"
KERAS = json.loads((FIXTURES / "activations.json").read_text())
X = np.array(KERAS["x"])  # float64, from -100 to 100, with 0, +-3 and +-6
ISSUE_13 = [
    "elu",
    "selu",
    "gelu",
    "softplus",
    "swish",
    "silu",
    "leaky_relu",
    "relu6",
    "softsign",
    "exponential",
    "hard_sigmoid",
]
TRAINABLE = sorted(name for name in activations.NAMES if name not in ("softmax", "linear"))


@pytest.mark.parametrize("name", sorted(KERAS["activations"]))
def test_values_equal_keras_within_1e_6(name: str) -> None:
    case = KERAS["activations"][name]
    y = activations.get(name)(X)
    assert y.dtype == np.float64
    np.testing.assert_allclose(y, case["y"], rtol=1e-6, atol=1e-6)
    assert activations.name_of(activations.get(name)) == case["serialized"]


@pytest.mark.parametrize("name", sorted(KERAS["activations"]))
def test_derivatives_equal_keras_autograd(name: str) -> None:
    """From the output (or for gelu and silu the input), at every x, kinks included."""
    case = KERAS["activations"][name]
    y = activations.get(name)(X)
    expected = np.array(case["dy_dx"])
    if activations.needs_input(name):
        got = activations.slope(activations.input_derivative(name), X)
    else:
        got = activations.slope(activations.derivative(name), y)
    np.testing.assert_allclose(np.broadcast_to(got, X.shape), expected, rtol=1e-6, atol=1e-6)
    from_input = activations.slope(activations.input_derivative(name), X)
    np.testing.assert_allclose(np.broadcast_to(from_input, X.shape), expected, atol=1e-6)


@pytest.mark.parametrize("name", sorted(KERAS["activations"]))
def test_keyword_defaults_are_keras(name: str) -> None:
    fn = activations.get(name)
    ours = {
        k: p.default
        for k, p in inspect.signature(fn).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    keras = KERAS["activations"][name]["defaults"]
    if name == "relu":  # Keras 3's relu has max_value and friends; rnn's has none
        keras = {}
    assert ours == keras


def test_every_name_of_the_issue_is_known() -> None:
    assert set(ISSUE_13) <= set(activations.NAMES)
    assert activations.get("swish") is activations.get("silu") is activations.swish


def test_unknown_name_error_begins_as_keras_and_names_what_came() -> None:
    """Keras 3: ``Could not interpret activation function identifier: tahn``.

    rnn's message begins with the same words, then shows the name quoted with the
    known names after it (tests of other modules match that form).
    """
    keras = KERAS["errors"]["unknown_name"]
    assert keras["type"] == "ValueError"
    prefix = keras["message"].rsplit(" ", 1)[0]  # "... identifier:"
    with pytest.raises(ValueError) as info:
        activations.get("tahn")
    message = str(info.value)
    assert message.startswith(prefix + " 'tahn'")
    assert "gelu" in message and "hard_sigmoid" in message
    with pytest.raises(ValueError, match=re.escape(prefix + " 3")):
        activations.get(3)  # type: ignore[arg-type]


def _away_from_kinks(name: str) -> np.ndarray:
    kinks = {"relu6": [0.0, 6.0], "hard_sigmoid": [-3.0, 3.0]}.get(name, [0.0])
    z = np.linspace(-8, 8, 161)
    return z[np.min(np.abs(z[:, None] - np.array(kinks)), axis=1) > 0.05]


@pytest.mark.parametrize("name", TRAINABLE)
def test_every_derivative_is_the_central_difference(name: str) -> None:
    fn = activations.get(name)
    z = _away_from_kinks(name)
    eps = 1e-6
    numeric = (fn(z + eps) - fn(z - eps)) / (2 * eps)
    scale = max(1.0, float(np.abs(numeric).max()))
    from_input = activations.slope(activations.input_derivative(name), z)
    np.testing.assert_allclose(from_input, numeric, atol=1e-7 * scale)
    if not activations.needs_input(name):
        from_output = activations.slope(activations.derivative(name), fn(z))
        np.testing.assert_allclose(from_output, numeric, atol=1e-7 * scale)


@pytest.mark.parametrize("name", ISSUE_13)
def test_float32_stays_float32(name: str) -> None:
    z = np.linspace(-4, 4, 9, dtype=np.float32)
    assert activations.get(name)(z).dtype == np.float32
    out = np.empty_like(z)
    activations.in_place(name)(z, out)
    np.testing.assert_allclose(out, activations.get(name)(z.astype(np.float64)), rtol=1e-6)


def test_gelu_and_silu_read_their_derivative_from_the_input() -> None:
    """Two inputs give one output below zero: the output cannot tell the slope."""
    for name in ("gelu", "silu", "swish"):
        assert activations.needs_input(name)
        shown = activations.name_of(activations.get(name))
        with pytest.raises(ValueError, match=f"activation='{shown}' is not a function of its"):
            activations.derivative(name)
    assert not any(activations.needs_input(n) for n in ("tanh", "elu", "softplus", None))
    assert activations.input_derivative("linear") is None
    z = np.array([-2.0, -0.6])  # both give silu(z) ~ -0.24 ... but opposite slopes
    slopes = activations.slope(activations.input_derivative("silu"), z)
    assert slopes[0] < 0 < slopes[1]


def test_gelu_approximate_is_the_tanh_formula() -> None:
    z = np.linspace(-5, 5, 11)
    exact, approx = activations.gelu(z), activations.gelu(z, approximate=True)
    assert np.abs(exact - approx).max() < 1e-3
    inner = np.sqrt(2 / np.pi) * (z + 0.044715 * z**3)
    np.testing.assert_allclose(approx, 0.5 * z * (1 + np.tanh(inner)), rtol=1e-15)


def test_hard_sigmoid_is_keras_3s_not_keras_2s() -> None:
    z = np.array([-2.0, 1.0])  # Keras 2: 0.2 z + 0.5 = 0.1, 0.7
    np.testing.assert_allclose(activations.hard_sigmoid(z), [1 / 6, 4 / 6])


# ----------------------------------------------- training with them, in the layers


@pytest.mark.parametrize("name", sorted(set(TRAINABLE) - {"gelu", "silu", "swish"}))
def test_dense_trains_with_each_activation(name: str) -> None:
    report = check_gradients(Dense(4, activation=name, seed=1), _inputs(3, 2))
    assert report.ok and report.max_rel_error <= 1e-6, str(report)


def test_activation_backward_reads_gelu_and_silu_from_the_pre_activation() -> None:
    rng = np.random.default_rng(0)
    z, g = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    for name in ("gelu", "silu"):
        fn = activations.get(name)
        eps = 1e-6
        numeric = g * (fn(z + eps) - fn(z - eps)) / (2 * eps)
        got = activation_backward(fn, fn(z), g, inputs=z)
        np.testing.assert_allclose(got, numeric, atol=1e-8)
        with pytest.raises(ValueError, match=f"activation='{name}' is read from its input"):
            activation_backward(fn, fn(z), g)
    # the other activations ignore inputs: the same numbers as before, bit for bit
    y = activations.tanh(z)
    assert np.array_equal(
        activation_backward(activations.tanh, y, g, inputs=z),
        activation_backward(activations.tanh, y, g),
    )


RECURRENT = {
    "simple_rnn": lambda **kw: SimpleRNN(3, seed=1, **kw),
    "lstm": lambda **kw: LSTM(3, seed=1, **kw),
    "gru": lambda **kw: GRU(3, seed=1, **kw),
    "gru_reset_before": lambda **kw: GRU(3, reset_after=False, seed=1, **kw),
}


@pytest.mark.parametrize("kind", RECURRENT)
@pytest.mark.parametrize("name", TRAINABLE)
def test_recurrent_layers_train_with_each_activation(kind: str, name: str) -> None:
    layer = RECURRENT[kind](activation=name, return_sequences=True)
    report = check_gradients(layer, _inputs(2, 4, 2) * 0.5)
    assert report.ok and report.max_rel_error <= 1e-6, str(report)


@pytest.mark.parametrize("kind", ["lstm", "gru", "gru_reset_before"])
@pytest.mark.parametrize("name", TRAINABLE)
def test_gated_layers_train_with_each_recurrent_activation(kind: str, name: str) -> None:
    layer = RECURRENT[kind](recurrent_activation=name, activation="tanh")
    report = check_gradients(layer, _inputs(2, 4, 2) * 0.5)
    assert report.ok and report.max_rel_error <= 1e-6, str(report)


@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru", "gru_reset_before"])
@pytest.mark.parametrize("name", ["gelu", "silu"])
def test_input_derivatives_with_a_mask_dropout_and_truncation(kind: str, name: str) -> None:
    """The recomputed pre-activations follow the masks and dropout masks of the call."""
    rng = np.random.default_rng(7)
    batch, steps, features, units = 2, 5, 3, 2
    gates = {"simple_rnn": 1, "lstm": 4}.get(kind, 3)
    x = rng.standard_normal((batch, steps, features))
    k = rng.standard_normal((features, gates * units)) * 0.5
    rk = rng.standard_normal((units, gates * units)) * 0.5
    b = rng.standard_normal((2, gates * units) if kind == "gru" else (gates * units,)) * 0.5
    h0 = rng.standard_normal((batch, units)) * 0.5
    mask = np.array([[True, True, False, True, True], [False, True, True, True, False]])
    options: dict[str, Any] = {
        "mask": mask,
        "dropout_mask": (rng.random((batch, features)) > 0.3) / 0.7,
        "recurrent_dropout_mask": (rng.random((batch, units)) > 0.3) / 0.7,
        "initial_state": h0 if kind != "lstm" else (h0, h0 * 0.5),
    }
    keys = {"recurrent_activation": name} if kind != "simple_rnn" else {}
    fwd, bwd = {
        "simple_rnn": (functional.simple_rnn_forward, functional.simple_rnn_backward),
        "lstm": (functional.lstm_forward, functional.lstm_backward),
        "gru": (functional.gru_forward, functional.gru_backward),
        "gru_reset_before": (functional.gru_forward, functional.gru_backward),
    }[kind]
    if kind == "gru_reset_before":
        keys["reset_after"] = False
    r = rng.standard_normal((batch, steps, units))

    def loss(k: np.ndarray, rk: np.ndarray, b: np.ndarray, x: np.ndarray) -> float:
        return float(np.sum(fwd(x, k, rk, b, activation=name, **keys, **options) * r))

    out = fwd(x, k, rk, b, activation=name, **keys, **options)
    grad_x, grads = bwd(r, x, out, k, rk, b, activation=name, **keys, **options)
    for arg, analytic in enumerate(
        [grads["kernel"], grads["recurrent_kernel"], grads["bias"], grad_x]
    ):
        args = [k, rk, b, x]
        numeric = np.zeros_like(args[arg])
        for i in np.ndindex(*args[arg].shape):
            plus = [a.copy() for a in args]
            minus = [a.copy() for a in args]
            plus[arg][i] += 1e-6
            minus[arg][i] -= 1e-6
            numeric[i] = (loss(*plus) - loss(*minus)) / 2e-6
        np.testing.assert_allclose(analytic, numeric, atol=1e-7)
    # truncation too: the same slopes, cut after 2 steps (compared with itself at 5)
    full = bwd(r, x, out, k, rk, b, activation=name, **keys, **options, truncate=steps)
    np.testing.assert_allclose(full[0], grad_x, rtol=1e-12, atol=1e-14)


def _inputs(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)
