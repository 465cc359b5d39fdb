"""rnn.functional against the notebook's loop, the readable cells of
rnn.functional.reference, torch (when installed) and its own error messages."""

from __future__ import annotations

import numpy as np
import pytest

from rnn.bench import notebook_loop
from rnn.functional import gru_forward, lstm_forward, reference, simple_rnn_forward

ATOL = 1e-12


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


def weights(rng: np.random.Generator, features: int, units: int, gates: int = 1):
    """Small random Keras-layout weights: kernel, recurrent_kernel, bias."""
    kernel = rng.uniform(-0.5, 0.5, (features, gates * units))
    recurrent_kernel = rng.uniform(-0.5, 0.5, (units, gates * units))
    bias = rng.uniform(-0.5, 0.5, gates * units)
    return kernel, recurrent_kernel, bias


def params(kernel, recurrent_kernel, bias=None) -> dict:
    """The weights as rnn.functional.reference takes them."""
    out = {"kernel": kernel, "recurrent_kernel": recurrent_kernel}
    return out if bias is None else {**out, "bias": bias}


# ---------------------------------------------------------------------- SimpleRNN


def test_matches_the_notebook_loop(rng):
    timesteps, input_features, output_features = 100, 32, 64
    inputs = rng.random((timesteps, input_features))
    W = rng.uniform(-0.2, 0.2, (output_features, input_features))
    U = np.linalg.qr(rng.standard_normal((output_features, output_features)))[0]
    b = rng.uniform(-0.1, 0.1, output_features)
    expected = notebook_loop(inputs, W, U, b)
    states = simple_rnn_forward(inputs, W.T, U.T, b)
    assert states.shape == (timesteps, output_features)
    np.testing.assert_allclose(states, expected, rtol=0, atol=ATOL)


@pytest.mark.parametrize("batch", [1, 2, 7])
def test_batch_equals_each_sequence_alone(rng, batch):
    x = rng.standard_normal((batch, 20, 5))
    kernel, recurrent_kernel, bias = weights(rng, 5, 6)
    states = simple_rnn_forward(x, kernel, recurrent_kernel, bias)
    assert states.shape == (batch, 20, 6)
    assert states.flags.c_contiguous
    for seq, out in zip(x, states, strict=True):
        np.testing.assert_allclose(out, simple_rnn_forward(seq, kernel, recurrent_kernel, bias))
    expected = reference.simple_rnn_forward(x, params(kernel, recurrent_kernel, bias))
    np.testing.assert_allclose(states, expected, rtol=0, atol=ATOL)


def test_unbatched_in_unbatched_out(rng):
    x = rng.standard_normal((9, 3))
    kernel, recurrent_kernel, bias = weights(rng, 3, 4)
    assert simple_rnn_forward(x, kernel, recurrent_kernel, bias).shape == (9, 4)
    last = simple_rnn_forward(x, kernel, recurrent_kernel, bias, return_sequences=False)
    assert last.shape == (4,)


@pytest.mark.parametrize("shape", [(3, 11, 2), (11, 2), (1, 11, 2)])
def test_return_sequences_false_is_the_last_step(rng, shape):
    x = rng.standard_normal(shape)
    kernel, recurrent_kernel, bias = weights(rng, 2, 5)
    states = simple_rnn_forward(x, kernel, recurrent_kernel, bias)
    last = simple_rnn_forward(x, kernel, recurrent_kernel, bias, return_sequences=False)
    np.testing.assert_array_equal(last, states[..., -1, :])


def test_initial_state(rng):
    x = rng.standard_normal((2, 8, 3))
    kernel, recurrent_kernel, bias = weights(rng, 3, 4)
    h0 = rng.uniform(-1, 1, (2, 4))
    h0_before = h0.copy()
    states = simple_rnn_forward(x, kernel, recurrent_kernel, bias, initial_state=h0)
    np.testing.assert_array_equal(h0, h0_before)  # read, never written
    expected = reference.simple_rnn_forward(
        x, params(kernel, recurrent_kernel, bias), initial_state=h0
    )
    np.testing.assert_allclose(states, expected, rtol=0, atol=ATOL)
    one = simple_rnn_forward(x[1], kernel, recurrent_kernel, bias, initial_state=h0[1])
    np.testing.assert_allclose(one, states[1], rtol=0, atol=ATOL)
    zeros = simple_rnn_forward(x, kernel, recurrent_kernel, bias, initial_state=np.zeros((2, 4)))
    np.testing.assert_array_equal(zeros, simple_rnn_forward(x, kernel, recurrent_kernel, bias))


@pytest.mark.parametrize(
    ("activation", "function"),
    [
        ("relu", lambda z: np.maximum(z, 0)),
        ("linear", lambda z: z),
        (None, lambda z: z),
        ("sigmoid", sigmoid),
        (np.sin, np.sin),
        (lambda z: z / (1 + np.abs(z)), lambda z: z / (1 + np.abs(z))),
    ],
)
def test_activations(rng, activation, function):
    x = rng.standard_normal((2, 10, 3))
    kernel, recurrent_kernel, bias = weights(rng, 3, 4)
    states = simple_rnn_forward(x, kernel, recurrent_kernel, bias, activation=activation)
    expected = reference.simple_rnn_forward(
        x, params(kernel, recurrent_kernel, bias), activation=function
    )
    np.testing.assert_allclose(states, expected, rtol=1e-12, atol=ATOL)


def test_bias_none_is_no_bias(rng):
    x = rng.standard_normal((3, 6, 2))
    kernel, recurrent_kernel, _ = weights(rng, 2, 3)
    np.testing.assert_allclose(
        simple_rnn_forward(x, kernel, recurrent_kernel, None),
        simple_rnn_forward(x, kernel, recurrent_kernel, np.zeros(3)),
        rtol=0,
        atol=ATOL,
    )


def test_arguments_are_not_modified(rng):
    x = rng.standard_normal((2, 6, 3))
    kernel, recurrent_kernel, bias = weights(rng, 3, 4)
    copies = [a.copy() for a in (x, kernel, recurrent_kernel, bias)]
    simple_rnn_forward(x, kernel, recurrent_kernel, bias)
    lstm_forward(x, *weights(rng, 3, 4, 4))
    for before, after in zip(copies, (x, kernel, recurrent_kernel, bias), strict=True):
        np.testing.assert_array_equal(before, after)


def test_non_contiguous_and_list_inputs(rng):
    x = rng.standard_normal((6, 3, 2)).transpose(1, 0, 2)  # (3, 6, 2), not contiguous
    kernel, recurrent_kernel, bias = weights(rng, 2, 4)
    expected = simple_rnn_forward(np.ascontiguousarray(x), kernel, recurrent_kernel, bias)
    got = simple_rnn_forward(x, np.asfortranarray(kernel), recurrent_kernel.tolist(), bias)
    # a Fortran-ordered kernel takes another BLAS path: equal up to rounding
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


def test_empty_batch(rng):
    kernel, recurrent_kernel, bias = weights(rng, 2, 4)
    assert simple_rnn_forward(np.zeros((0, 5, 2)), kernel, recurrent_kernel, bias).shape == (
        0,
        5,
        4,
    )


# ------------------------------------------------------------------------- dtypes


def test_float32_stays_float32(rng):
    x = rng.standard_normal((2, 30, 3)).astype(np.float32)
    kernel, recurrent_kernel, bias = (w.astype(np.float32) for w in weights(rng, 3, 4))
    states = simple_rnn_forward(x, kernel, recurrent_kernel, bias)
    assert states.dtype == np.float32
    exact = simple_rnn_forward(*(a.astype(np.float64) for a in (x, kernel, recurrent_kernel, bias)))
    np.testing.assert_allclose(states, exact, rtol=0, atol=1e-5)
    k4, rk4, b4 = (w.astype(np.float32) for w in weights(rng, 3, 4, 4))
    assert lstm_forward(x, k4, rk4, b4).dtype == np.float32
    k3, rk3, b3 = (w.astype(np.float32) for w in weights(rng, 3, 4, 3))
    assert gru_forward(x, k3, rk3, np.stack([b3, b3])).dtype == np.float32
    assert gru_forward(x, k3, rk3, b3, reset_after=False).dtype == np.float32
    for activation in ("relu", "sigmoid", "linear", np.sin):
        out = simple_rnn_forward(x, kernel, recurrent_kernel, bias, activation=activation)
        assert out.dtype == np.float32


def test_dtype_rule(rng):
    kernel, recurrent_kernel, bias = weights(rng, 3, 4)
    ints = rng.integers(-2, 3, (2, 5, 3))
    assert simple_rnn_forward(ints, kernel, recurrent_kernel, bias).dtype == np.float64
    int_weights = [w.round().astype(np.int64) for w in (kernel, recurrent_kernel, bias)]
    assert simple_rnn_forward(ints, *int_weights).dtype == np.float64
    x32 = ints.astype(np.float32)
    mixed = simple_rnn_forward(x32, kernel, recurrent_kernel, bias)  # float64 weights
    assert mixed.dtype == np.float64
    k32 = kernel.astype(np.float32)
    rk32 = recurrent_kernel.astype(np.float32)
    b32 = bias.astype(np.float32)
    assert simple_rnn_forward(ints.astype(np.int8), k32, rk32, b32).dtype == np.float32


# ------------------------------------------------------------------------- errors


def _simple_rnn_call(**changes):
    rng = np.random.default_rng(0)
    args = {
        "inputs": rng.standard_normal((2, 5, 32)),
        "kernel": rng.standard_normal((32, 64)),
        "recurrent_kernel": rng.standard_normal((64, 64)),
        "bias": np.zeros(64),
    }
    kwargs = {}
    for key, value in changes.items():
        (args if key in args else kwargs)[key] = value
    return simple_rnn_forward(**args, **kwargs)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"inputs": np.zeros((1, 2, 3, 4))},
            r"inputs must have 2 dimensions \(timesteps, features\) or 3 \(batch, timesteps, "
            r"features\), got 4 dimensions with shape \(1, 2, 3, 4\)",
        ),
        ({"inputs": np.zeros(5)}, r"got 1 dimensions with shape \(5,\)"),
        (
            {"inputs": np.zeros((2, 5, 5))},
            r"inputs have 5 features but kernel expects 32 \(kernel shape \(32, 64\)\)",
        ),
        (
            {"inputs": np.zeros((2, 0, 32))},
            r"inputs must have at least one timestep, got shape \(2, 0, 32\)",
        ),
        ({"inputs": np.zeros((0, 32))}, r"at least one timestep, got shape \(0, 32\)"),
        ({"kernel": np.zeros(32)}, r"kernel must have shape \(features, units\), got \(32,\)"),
        (
            {"recurrent_kernel": np.zeros((64, 32))},
            r"recurrent_kernel must have shape \(units, units\) = \(64, 64\) to match kernel "
            r"shape \(32, 64\), got \(64, 32\)",
        ),
        ({"recurrent_kernel": np.zeros((32, 32))}, r"= \(64, 64\) .* got \(32, 32\)"),
        (
            {"bias": np.zeros(63)},
            r"bias must have shape \(64,\) to match kernel shape \(32, 64\), got \(63,\)",
        ),
        ({"bias": np.zeros((1, 64))}, r"bias must have shape \(64,\) .* got \(1, 64\)"),
        (
            {"initial_state": np.zeros(64)},
            r"initial_state must have shape \(2, 64\) \(batch, units\), got \(64,\)",
        ),
        ({"initial_state": np.zeros((3, 64))}, r"got \(3, 64\)"),
        (
            {"activation": "tahn"},
            r"Could not interpret activation function identifier: 'tahn'",
        ),
        (
            {"inputs": np.full((2, 5, 32), "a")},
            r"inputs must have a real numeric dtype \(bool, integer or floating point\), "
            r"got dtype <U1",
        ),
        ({"kernel": np.zeros((32, 64), complex)}, r"kernel must have a real numeric .* complex128"),
        ({"bias": [None] * 64}, r"bias must have a real numeric dtype .* got dtype object"),
    ],
)
def test_simple_rnn_errors(changes, message):
    with pytest.raises(ValueError, match=message):
        _simple_rnn_call(**changes)


def test_unbatched_initial_state_error(rng):
    kernel, recurrent_kernel, _ = weights(rng, 3, 4)
    with pytest.raises(ValueError, match=r"must have shape \(4,\) \(units,\), got \(1, 4\)"):
        simple_rnn_forward(
            np.zeros((5, 3)), kernel, recurrent_kernel, initial_state=np.zeros((1, 4))
        )


# --------------------------------------------------------------------------- LSTM


@pytest.mark.parametrize("batch", [1, 3])
def test_lstm_matches_the_reference_cell(rng, batch):
    x = rng.standard_normal((batch, 12, 3))
    kernel, recurrent_kernel, bias = weights(rng, 3, 5, 4)
    out, h, c = lstm_forward(x, kernel, recurrent_kernel, bias, return_state=True)
    assert out.shape == (batch, 12, 5) and h.shape == c.shape == (batch, 5)
    ref_out, ref_c = reference.lstm_forward(x, params(kernel, recurrent_kernel, bias))
    np.testing.assert_allclose(out, ref_out, rtol=0, atol=ATOL)
    np.testing.assert_allclose(h, ref_out[:, -1], rtol=0, atol=ATOL)
    np.testing.assert_allclose(c, ref_c[:, -1], rtol=0, atol=ATOL)


def test_lstm_initial_state_unbatched_and_last(rng):
    x = rng.standard_normal((7, 2))
    kernel, recurrent_kernel, bias = weights(rng, 2, 3, 4)
    h0, c0 = rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 3)
    c0_before = c0.copy()
    out, h, c = lstm_forward(
        x, kernel, recurrent_kernel, bias, initial_state=(h0, c0), return_state=True
    )
    np.testing.assert_array_equal(c0, c0_before)  # the cell is updated in a copy
    ref_out, ref_c = reference.lstm_forward(
        x[None], params(kernel, recurrent_kernel, bias), initial_state=(h0[None], c0[None])
    )
    ref_h = ref_out[0, -1]
    assert out.shape == (7, 3) and h.shape == c.shape == (3,)
    np.testing.assert_allclose(out, ref_out[0], rtol=0, atol=ATOL)
    np.testing.assert_allclose(c, ref_c[0, -1], rtol=0, atol=ATOL)
    last = lstm_forward(
        x, kernel, recurrent_kernel, bias, initial_state=[h0, c0], return_sequences=False
    )
    np.testing.assert_array_equal(last, h)
    np.testing.assert_allclose(h, ref_h, rtol=0, atol=ATOL)


def test_lstm_bias_none_and_activations(rng):
    x = rng.standard_normal((2, 6, 3))
    kernel, recurrent_kernel, _ = weights(rng, 3, 4, 4)
    np.testing.assert_allclose(
        lstm_forward(x, kernel, recurrent_kernel),
        lstm_forward(x, kernel, recurrent_kernel, np.zeros(16)),
        rtol=0,
        atol=ATOL,
    )
    # linear everywhere: plain arithmetic that is easy to follow by hand
    out = lstm_forward(
        x[:1, :1], kernel, recurrent_kernel, activation=None, recurrent_activation="linear"
    )
    z = x[0, 0] @ kernel
    i, _, g, o = np.split(z, 4)
    np.testing.assert_allclose(out[0, 0], o * (i * g), rtol=0, atol=ATOL)


# ---------------------------------------------------------------------------- GRU


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("batch", [1, 3])
def test_gru_matches_the_reference_cell(rng, reset_after, batch):
    x = rng.standard_normal((batch, 12, 3))
    kernel, recurrent_kernel, _ = weights(rng, 3, 5, 3)
    bias = rng.uniform(-0.5, 0.5, (2, 15) if reset_after else (15,))
    h0 = rng.uniform(-1, 1, (batch, 5))
    out, h = gru_forward(
        x,
        kernel,
        recurrent_kernel,
        bias,
        reset_after=reset_after,
        initial_state=h0,
        return_state=True,
    )
    assert out.shape == (batch, 12, 5) and h.shape == (batch, 5)
    ref_out = reference.gru_forward(
        x, params(kernel, recurrent_kernel, bias), reset_after=reset_after, initial_state=h0
    )
    np.testing.assert_allclose(out, ref_out, rtol=0, atol=ATOL)
    np.testing.assert_allclose(h, ref_out[:, -1], rtol=0, atol=ATOL)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_unbatched_bias_none_and_last(rng, reset_after):
    x = rng.standard_normal((9, 4))
    kernel, recurrent_kernel, _ = weights(rng, 4, 3, 3)
    zeros = np.zeros((2, 9) if reset_after else (9,))
    out = gru_forward(x, kernel, recurrent_kernel, reset_after=reset_after)
    ref_out = reference.gru_forward(
        x[None], params(kernel, recurrent_kernel, zeros), reset_after=reset_after
    )
    np.testing.assert_allclose(out, ref_out[0], rtol=0, atol=ATOL)
    last, h = gru_forward(
        x,
        kernel,
        recurrent_kernel,
        zeros,
        reset_after=reset_after,
        return_sequences=False,
        return_state=True,
    )
    assert last.shape == h.shape == (3,)
    np.testing.assert_allclose(last, out[-1], rtol=0, atol=ATOL)


def test_gru_initial_state_as_a_list(rng):
    x = rng.standard_normal((2, 4, 3))
    kernel, recurrent_kernel, _ = weights(rng, 3, 2, 3)
    h0 = rng.uniform(-1, 1, (2, 2))
    np.testing.assert_array_equal(
        gru_forward(x, kernel, recurrent_kernel, initial_state=[h0]),
        gru_forward(x, kernel, recurrent_kernel, initial_state=h0),
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda k, rk: lstm_forward(np.zeros((2, 3, 4)), np.zeros((4, 10)), rk),
            r"kernel must have shape \(features, 4 \* units\), got \(4, 10\)",
        ),
        (
            lambda k, rk: lstm_forward(np.zeros((2, 3, 4)), k, np.zeros((5, 5))),
            r"recurrent_kernel must have shape \(units, 4 \* units\) = \(5, 20\) to match "
            r"kernel shape \(4, 20\), got \(5, 5\)",
        ),
        (
            lambda k, rk: lstm_forward(np.zeros((2, 3, 4)), k, rk, np.zeros(15)),
            r"bias must have shape \(20,\) to match kernel shape \(4, 20\), got \(15,\)",
        ),
        (
            lambda k, rk: lstm_forward(np.zeros((2, 3, 4)), k, rk, initial_state=np.zeros((2, 5))),
            r"initial_state must be a pair \(h, c\) of arrays, got ndarray",
        ),
        (
            lambda k, rk: lstm_forward(
                np.zeros((2, 3, 4)), k, rk, initial_state=(np.zeros((2, 5)), np.zeros((2, 4)))
            ),
            r"initial_state\[1\] \(c\) must have shape \(2, 5\) \(batch, units\), got \(2, 4\)",
        ),
        (
            lambda k, rk: lstm_forward(np.zeros((2, 3, 3)), k, rk),
            r"inputs have 3 features but kernel expects 4 \(kernel shape \(4, 20\)\)",
        ),
        (
            lambda k, rk: lstm_forward(np.zeros((2, 3, 4)), k, rk, recurrent_activation="hard"),
            r"Could not interpret activation function identifier: 'hard'",
        ),
        (
            lambda k, rk: gru_forward(
                np.zeros((2, 3, 4)), np.zeros((4, 15)), np.zeros((5, 15)), np.zeros(15)
            ),
            r"bias must have shape \(2, 15\) to match kernel shape \(4, 15\), got \(15,\)",
        ),
        (
            lambda k, rk: gru_forward(
                np.zeros((2, 3, 4)),
                np.zeros((4, 15)),
                np.zeros((5, 15)),
                np.zeros((2, 15)),
                reset_after=False,
            ),
            r"bias must have shape \(15,\) to match kernel shape \(4, 15\), got \(2, 15\)",
        ),
        (
            lambda k, rk: gru_forward(np.zeros((2, 3, 4)), np.zeros((4, 16)), np.zeros((5, 15))),
            r"kernel must have shape \(features, 3 \* units\), got \(4, 16\)",
        ),
        (
            lambda k, rk: gru_forward(np.zeros((2, 3, 4)), np.zeros((4, 15)), np.zeros((5, 5))),
            r"recurrent_kernel must have shape \(units, 3 \* units\) = \(5, 15\)",
        ),
        (
            lambda k, rk: gru_forward(
                np.zeros((3, 4)),
                np.zeros((4, 15)),
                np.zeros((5, 15)),
                initial_state=np.zeros((1, 5)),
            ),
            r"initial_state must have shape \(5,\) \(units,\), got \(1, 5\)",
        ),
        (
            lambda k, rk: gru_forward(np.zeros((2, 0, 4)), np.zeros((4, 15)), np.zeros((5, 15))),
            r"inputs must have at least one timestep",
        ),
    ],
)
def test_gated_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call(np.zeros((4, 20)), np.zeros((5, 20)))


# -------------------------------------------------------------------------- torch


def _torch_module(torch, cls, kernel, recurrent_kernel, bias_ih, bias_hh):
    features, units = kernel.shape[0], recurrent_kernel.shape[0]
    module = cls(features, units, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.from_numpy(np.ascontiguousarray(kernel.T)))
        module.weight_hh_l0.copy_(torch.from_numpy(np.ascontiguousarray(recurrent_kernel.T)))
        module.bias_ih_l0.copy_(torch.from_numpy(bias_ih))
        module.bias_hh_l0.copy_(torch.from_numpy(bias_hh))
    return module


def _run_torch(torch, module, x):
    with torch.no_grad():
        return module(torch.from_numpy(x))[0].numpy()


def test_simple_rnn_equals_torch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((4, 30, 8))
    kernel, recurrent_kernel, bias = weights(rng, 8, 16)
    module = _torch_module(torch, torch.nn.RNN, kernel, recurrent_kernel, bias, np.zeros(16))
    np.testing.assert_allclose(
        simple_rnn_forward(x, kernel, recurrent_kernel, bias),
        _run_torch(torch, module, x),
        rtol=0,
        atol=ATOL,
    )


def test_lstm_equals_torch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((4, 30, 8))
    kernel, recurrent_kernel, bias = weights(rng, 8, 16, 4)
    # torch's gate order i, f, g, o is Keras's i, f, c, o: the weights go across as they are
    module = _torch_module(torch, torch.nn.LSTM, kernel, recurrent_kernel, bias, np.zeros(64))
    np.testing.assert_allclose(
        lstm_forward(x, kernel, recurrent_kernel, bias),
        _run_torch(torch, module, x),
        rtol=0,
        atol=ATOL,
    )


def test_gru_equals_torch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((4, 30, 8))
    units = 16
    kernel, recurrent_kernel, _ = weights(rng, 8, units, 3)
    bias = rng.uniform(-0.5, 0.5, (2, 3 * units))
    # Keras orders the gates z, r, h; torch orders them r, z, n
    order = np.r_[units : 2 * units, 0:units, 2 * units : 3 * units]
    module = _torch_module(
        torch,
        torch.nn.GRU,
        kernel[:, order],
        recurrent_kernel[:, order],
        bias[0, order],
        bias[1, order],
    )
    np.testing.assert_allclose(
        gru_forward(x, kernel, recurrent_kernel, bias, reset_after=True),
        _run_torch(torch, module, x),
        rtol=0,
        atol=ATOL,
    )


# ------------------------------------------------------------------ time chunking


@pytest.mark.parametrize("chunk", [1, 40, 10**6])
def test_every_chunk_size_gives_the_same_states(rng, monkeypatch, chunk):
    """Batches run through time in chunks of scratch rows; the chunk size must not matter."""
    import rnn.functional._steps

    monkeypatch.setattr(rnn.functional._steps, "_CHUNK", chunk)
    x = rng.standard_normal((3, 11, 2))  # 11 steps: the last chunk is a partial one
    k1, rk1, b1 = weights(rng, 2, 4)
    states = simple_rnn_forward(x, k1, rk1, b1)
    k4, rk4, b4 = weights(rng, 2, 4, 4)
    lstm_out, _, lstm_c = lstm_forward(x, k4, rk4, b4, return_state=True)
    k3, rk3, _ = weights(rng, 2, 4, 3)
    b3 = rng.uniform(-0.5, 0.5, (2, 12))
    gru_out = gru_forward(x, k3, rk3, b3)
    gru_before = gru_forward(x, k3, rk3, b3[0], reset_after=False)
    expected = reference.simple_rnn_forward(x, params(k1, rk1, b1))
    np.testing.assert_allclose(states, expected, rtol=0, atol=ATOL)
    ref_out, ref_c = reference.lstm_forward(x, params(k4, rk4, b4))
    np.testing.assert_allclose(lstm_out, ref_out, rtol=0, atol=ATOL)
    np.testing.assert_allclose(lstm_c, ref_c[:, -1], rtol=0, atol=ATOL)
    ref_gru = reference.gru_forward(x, params(k3, rk3, b3))
    np.testing.assert_allclose(gru_out, ref_gru, rtol=0, atol=ATOL)
    ref_before = reference.gru_forward(x, params(k3, rk3, b3[0]), reset_after=False)
    np.testing.assert_allclose(gru_before, ref_before, rtol=0, atol=ATOL)
