"""rnn.functional's backward passes: against central differences, truncated references
(windows of full BPTT, and the readable cells of rnn.functional.reference), torch autograd
(when installed), and their own error messages."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from rnn import activations
from rnn.functional import (
    gru_backward,
    gru_forward,
    lstm_backward,
    lstm_forward,
    reference,
    simple_rnn_backward,
    simple_rnn_forward,
)

EPS = 1e-6
TOL = 1e-7  # largest |analytic - numerical| / largest |gradient|
B, T, F, U = 2, 6, 3, 4


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


def numeric(loss: Callable[[], float], array: np.ndarray) -> np.ndarray:
    """Central differences of ``loss`` with respect to every entry of ``array`` (in place)."""
    grad = np.zeros(array.shape)
    for i in np.ndindex(array.shape):
        keep = array[i]
        array[i] = keep + EPS
        plus = loss()
        array[i] = keep - EPS
        minus = loss()
        array[i] = keep
        grad[i] = (plus - minus) / (2 * EPS)
    return grad


def assert_close(analytic: np.ndarray, expected: np.ndarray, tol: float = TOL) -> None:
    assert analytic.shape == expected.shape
    scale = max(np.abs(expected).max(), np.abs(analytic).max(), 1e-12)
    assert np.abs(analytic - expected).max() / scale <= tol


class Cell:
    """One cell's forward and backward over a dict of arrays, for the checks below."""

    def __init__(self, kind: str, rng: np.random.Generator, batched: bool = True, **options):
        self.kind, self.options = kind, options
        gates = {"simple": 1, "lstm": 4, "gru": 3, "gru_before": 3}[kind]
        lead = (B,) if batched else ()
        self.arrays = {
            "inputs": rng.standard_normal((*lead, T, F)),
            "kernel": rng.uniform(-0.6, 0.6, (F, gates * U)),
            "recurrent_kernel": rng.uniform(-0.6, 0.6, (U, gates * U)),
            "bias": rng.uniform(-0.3, 0.3, (2, 3 * U) if kind == "gru" else (gates * U,)),
            "h0": rng.uniform(-0.5, 0.5, (*lead, U)),
        }
        if kind == "lstm":
            self.arrays["c0"] = rng.uniform(-0.5, 0.5, (*lead, U))

    def initial(self):
        a = self.arrays
        return (a["h0"], a["c0"]) if self.kind == "lstm" else a["h0"]

    def forward(self) -> np.ndarray:
        a = self.arrays
        args = (a["inputs"], a["kernel"], a["recurrent_kernel"], a["bias"])
        opts = dict(self.options, initial_state=self.initial())
        if self.kind == "simple":
            return simple_rnn_forward(*args, **opts)
        if self.kind == "lstm":
            return lstm_forward(*args, **opts)
        return gru_forward(*args, reset_after=self.kind == "gru", **opts)

    def backward(self, grad: np.ndarray, states: np.ndarray, truncate: int | None = None):
        a = self.arrays
        args = (grad, a["inputs"], states, a["kernel"], a["recurrent_kernel"], a["bias"])
        opts = dict(self.options, initial_state=self.initial(), truncate=truncate)
        if self.kind == "simple":
            return simple_rnn_backward(*args, **opts)
        if self.kind == "lstm":
            return lstm_backward(*args, **opts)
        return gru_backward(*args, reset_after=self.kind == "gru", **opts)

    def analytic(self, grads: dict, grad_x: np.ndarray) -> dict[str, np.ndarray]:
        out = {"inputs": grad_x, "kernel": grads["kernel"], "bias": grads["bias"]}
        out["recurrent_kernel"] = grads["recurrent_kernel"]
        if self.kind == "lstm":
            out["h0"], out["c0"] = grads["initial_state"]
        else:
            out["h0"] = grads["initial_state"]
        return out


KINDS = ["simple", "lstm", "gru", "gru_before"]


# ------------------------------------------------------------ central differences


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("sequences", [True, False])
@pytest.mark.parametrize("batched", [True, False])
def test_gradients_equal_central_differences(rng, kind, sequences, batched):
    cell = Cell(kind, rng, batched)
    states = cell.forward()
    r = rng.standard_normal(states.shape if sequences else states[..., -1, :].shape)

    def loss() -> float:
        out = cell.forward()
        return float(np.sum((out if sequences else out[..., -1, :]) * r))

    grad_x, grads = cell.backward(r, states)
    for name, analytic in cell.analytic(grads, grad_x).items():
        assert_close(analytic, numeric(loss, cell.arrays[name]))


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("simple", {"activation": "relu"}),
        ("simple", {"activation": "sigmoid"}),
        ("simple", {"activation": None}),
        ("simple", {"activation": activations.tanh}),  # the function itself, not its name
        ("lstm", {"activation": "relu", "recurrent_activation": "sigmoid"}),
        ("lstm", {"activation": "sigmoid", "recurrent_activation": "linear"}),
        ("gru", {"activation": "relu", "recurrent_activation": "tanh"}),
        ("gru_before", {"activation": "linear", "recurrent_activation": "sigmoid"}),
    ],
)
def test_every_known_activation(rng, kind, options):
    cell = Cell(kind, rng, **options)
    states = cell.forward()
    r = rng.standard_normal(states.shape)

    def loss() -> float:
        return float(np.sum(cell.forward() * r))

    grad_x, grads = cell.backward(r, states)
    for name, analytic in cell.analytic(grads, grad_x).items():
        assert_close(analytic, numeric(loss, cell.arrays[name]), tol=1e-6)


def test_lstm_final_state_gradients(rng):
    cell = Cell("lstm", rng)
    a = cell.arrays
    r_h, r_c = rng.standard_normal((B, U)), rng.standard_normal((B, U))

    def loss() -> float:
        _, h, c = lstm_forward(
            a["inputs"],
            a["kernel"],
            a["recurrent_kernel"],
            a["bias"],
            initial_state=(a["h0"], a["c0"]),
            return_state=True,
        )
        return float(np.sum(h * r_h) + np.sum(c * r_c))

    states = cell.forward()
    grad_x, grads = lstm_backward(
        np.zeros((B, U)),
        a["inputs"],
        states,
        a["kernel"],
        a["recurrent_kernel"],
        a["bias"],
        initial_state=(a["h0"], a["c0"]),
        grad_final_state=(r_h, r_c),
    )
    for name, analytic in cell.analytic(grads, grad_x).items():
        assert_close(analytic, numeric(loss, a[name]))


def test_without_bias_and_initial_state(rng):
    x = rng.standard_normal((B, T, F))
    kernel, recurrent_kernel = (
        rng.uniform(-0.6, 0.6, (F, 4 * U)),
        rng.uniform(-0.6, 0.6, (U, 4 * U)),
    )
    r = rng.standard_normal((B, T, U))

    def loss() -> float:
        return float(np.sum(lstm_forward(x, kernel, recurrent_kernel) * r))

    grad_x, grads = lstm_backward(
        r, x, lstm_forward(x, kernel, recurrent_kernel), kernel, recurrent_kernel
    )
    assert_close(grads["kernel"], numeric(loss, kernel))
    assert_close(grad_x, numeric(loss, x))
    # a missing bias is a zero bias: its gradient is still given
    bias = np.zeros(4 * U)
    assert_close(
        grads["bias"],
        numeric(lambda: float(np.sum(lstm_forward(x, kernel, recurrent_kernel, bias) * r)), bias),
    )


# ---------------------------------------------------------------------- truncation


def windowed_reference(cell: Cell, r: np.ndarray, window: int) -> dict[str, np.ndarray]:
    """Truncated BPTT by hand: each output's gradient, computed on its own window.

    Output ``t`` (1-based) sees the last ``window`` steps only: a fresh forward pass over
    ``x_{t-window+1} ... x_t`` started from the state ``h_{t-window}`` (a constant),
    differentiated with full BPTT. The gradients of all outputs add up.
    """
    a = cell.arrays
    states = cell.forward()
    cells = None
    if cell.kind == "lstm":  # the cell states, to start each window from
        cells = np.stack(
            [
                lstm_forward(
                    a["inputs"][:, : t + 1],
                    a["kernel"],
                    a["recurrent_kernel"],
                    a["bias"],
                    initial_state=(a["h0"], a["c0"]),
                    return_state=True,
                )[2]
                for t in range(T)
            ],
            axis=1,
        )
    total = {name: np.zeros_like(value) for name, value in a.items()}
    for t in range(T):  # 0-based: the output h_{t+1}
        start = max(0, t + 1 - window)
        part = Cell.__new__(Cell)
        part.kind, part.options = cell.kind, cell.options
        part.arrays = dict(a, inputs=a["inputs"][:, start : t + 1])
        if start > 0:
            part.arrays["h0"] = states[:, start - 1]
            if cells is not None:
                part.arrays["c0"] = cells[:, start - 1]
        grad = np.zeros((B, t + 1 - start, U))
        grad[:, -1] = r[:, t]
        grad_x, grads = part.backward(grad, part.forward())
        got = part.analytic(grads, grad_x)
        total["inputs"][:, start : t + 1] += got.pop("inputs")
        for name in ("h0", "c0"):
            value = got.pop(name, None)
            if start == 0 and value is not None:  # only the window that reaches h_0
                total[name] += value
        for name, value in got.items():
            total[name] += value
    return total


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("window", [1, 2, 4])
def test_truncation_equals_windowed_reference(rng, kind, window):
    cell = Cell(kind, rng)
    states = cell.forward()
    r = rng.standard_normal(states.shape)
    grad_x, grads = cell.backward(r, states, truncate=window)
    expected = windowed_reference(cell, r, window)
    _, full = cell.backward(r, states)
    for name, analytic in cell.analytic(grads, grad_x).items():
        np.testing.assert_allclose(analytic, expected[name], rtol=1e-10, atol=1e-12)
    # truncation really cuts: the recurrent kernel's gradient is not the full one
    assert not np.allclose(grads["recurrent_kernel"], full["recurrent_kernel"])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("window", [1, 3])
def test_truncation_equals_the_reference_cells(rng, kind, window):
    """The readable cells truncate by the textbook's double loop: each output's gradient
    walks back ``window`` steps on its own (rnn.functional.reference)."""
    cell = Cell(kind, rng)
    states = cell.forward()
    r = rng.standard_normal(states.shape)
    grad_x, grads = cell.backward(r, states, truncate=window)
    a = cell.arrays
    params = {name: a[name] for name in ("kernel", "recurrent_kernel", "bias")}
    name = {"simple": "simple_rnn", "gru_before": "gru"}.get(kind, kind)
    opts = dict(cell.options, initial_state=cell.initial(), truncate=window)
    if kind.startswith("gru"):
        opts["reset_after"] = kind == "gru"
    backward = getattr(reference, f"{name}_backward")
    ref_x, ref = backward(r, a["inputs"], states, params, **opts)
    np.testing.assert_allclose(grad_x, ref_x, rtol=1e-12, atol=1e-13)
    for key in ("kernel", "recurrent_kernel", "bias"):
        np.testing.assert_allclose(grads[key], ref[key], rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("kind", KINDS)
def test_truncation_longer_than_the_sequence_changes_nothing(rng, kind):
    cell = Cell(kind, rng)
    states = cell.forward()
    for grad in (rng.standard_normal(states.shape), rng.standard_normal((B, U))):
        full_x, full = cell.backward(grad, states)
        cut_x, cut = cell.backward(grad, states, truncate=T)
        np.testing.assert_allclose(cut_x, full_x, rtol=1e-12, atol=1e-14)
        for name in ("kernel", "recurrent_kernel", "bias"):
            np.testing.assert_allclose(cut[name], full[name], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("kind", KINDS)
def test_truncation_with_the_last_output_only(rng, kind):
    """return_sequences=False: one output, whose gradient reaches back ``window`` steps."""
    cell = Cell(kind, rng)
    states = cell.forward()
    r = rng.standard_normal((B, U))
    window = 2
    grad_x, grads = cell.backward(r, states, truncate=window)
    seq = np.zeros((B, T, U))
    seq[:, -1] = r
    expected = windowed_reference(cell, seq, window)
    for name, analytic in cell.analytic(grads, grad_x).items():
        np.testing.assert_allclose(analytic, expected[name], rtol=1e-10, atol=1e-12)
    assert np.all(grad_x[:, : T - window] == 0)  # steps further back get nothing


# ------------------------------------------------------------- chunks and dtypes


@pytest.mark.parametrize("chunk", [1, 40, 10**6])
@pytest.mark.parametrize("truncate", [None, 2])
def test_every_chunk_size_gives_the_same_gradients(rng, monkeypatch, chunk, truncate):
    import rnn.functional._steps

    cell = Cell("simple", rng)
    states = cell.forward()
    r = rng.standard_normal(states.shape)
    expected = cell.backward(r, states, truncate=truncate)
    monkeypatch.setattr(rnn.functional._steps, "_CHUNK", chunk)
    got = cell.backward(r, states, truncate=truncate)
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-13, atol=1e-15)
    for name in expected[1]:
        np.testing.assert_allclose(got[1][name], expected[1][name], rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("kind", KINDS)
def test_float32_stays_float32(rng, kind):
    cell = Cell(kind, rng)
    cell.arrays = {name: value.astype(np.float32) for name, value in cell.arrays.items()}
    states = cell.forward()
    assert states.dtype == np.float32
    grad_x, grads = cell.backward(np.ones_like(states), states)
    assert grad_x.dtype == np.float32
    for value in cell.analytic(grads, grad_x).values():
        assert value.dtype == np.float32


# ---------------------------------------------------------------- torch autograd


def _torch_check(torch, module, x, h0, r, ours: dict[str, np.ndarray], grad_x, order=None):
    """Compare our gradients with torch's, weights transposed (and reordered for the GRU)."""
    xt = torch.from_numpy(x).requires_grad_()
    states = h0 if isinstance(h0, tuple) else (h0,)
    initial = [torch.from_numpy(s[None]).requires_grad_() for s in states]
    out = module(xt, tuple(initial) if len(initial) == 2 else initial[0])[0]
    out.backward(torch.from_numpy(r))
    order = slice(None) if order is None else order
    np.testing.assert_allclose(grad_x, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        ours["kernel"][:, order], module.weight_ih_l0.grad.numpy().T, rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(
        ours["recurrent_kernel"][:, order],
        module.weight_hh_l0.grad.numpy().T,
        rtol=1e-10,
        atol=1e-12,
    )
    for mine, theirs in zip(ours["initial_state"], initial, strict=True):
        np.testing.assert_allclose(mine, theirs.grad.numpy()[0], rtol=1e-10, atol=1e-12)
    return module


def _module(torch, cls, kernel, recurrent_kernel, bias_ih, bias_hh):
    module = cls(kernel.shape[0], recurrent_kernel.shape[0], batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.from_numpy(np.ascontiguousarray(kernel.T)))
        module.weight_hh_l0.copy_(torch.from_numpy(np.ascontiguousarray(recurrent_kernel.T)))
        module.bias_ih_l0.copy_(torch.from_numpy(bias_ih))
        module.bias_hh_l0.copy_(torch.from_numpy(bias_hh))
    return module


def test_simple_rnn_gradients_equal_torch(rng):
    torch = pytest.importorskip("torch")
    x, h0 = rng.standard_normal((3, 20, 5)), rng.uniform(-0.5, 0.5, (3, 7))
    kernel, recurrent_kernel = rng.uniform(-0.5, 0.5, (5, 7)), rng.uniform(-0.5, 0.5, (7, 7))
    bias = rng.uniform(-0.3, 0.3, 7)
    states = simple_rnn_forward(x, kernel, recurrent_kernel, bias, initial_state=h0)
    r = rng.standard_normal(states.shape)
    grad_x, grads = simple_rnn_backward(r, x, states, kernel, recurrent_kernel, initial_state=h0)
    grads["initial_state"] = (grads["initial_state"],)
    module = _module(torch, torch.nn.RNN, kernel, recurrent_kernel, bias, np.zeros(7))
    _torch_check(torch, module, x, h0, r, grads, grad_x)
    np.testing.assert_allclose(grads["bias"], module.bias_ih_l0.grad.numpy(), rtol=1e-10)


def test_lstm_gradients_equal_torch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((3, 20, 5))
    h0, c0 = rng.uniform(-0.5, 0.5, (3, 7)), rng.uniform(-0.5, 0.5, (3, 7))
    kernel, recurrent_kernel = rng.uniform(-0.5, 0.5, (5, 28)), rng.uniform(-0.5, 0.5, (7, 28))
    bias = rng.uniform(-0.3, 0.3, 28)
    outputs = lstm_forward(x, kernel, recurrent_kernel, bias, initial_state=(h0, c0))
    r = rng.standard_normal(outputs.shape)
    grad_x, grads = lstm_backward(
        r, x, outputs, kernel, recurrent_kernel, bias, initial_state=(h0, c0)
    )
    # torch's gate order i, f, g, o is Keras's i, f, c, o
    module = _module(torch, torch.nn.LSTM, kernel, recurrent_kernel, bias, np.zeros(28))
    _torch_check(torch, module, x, (h0, c0), r, grads, grad_x)
    np.testing.assert_allclose(grads["bias"], module.bias_ih_l0.grad.numpy(), rtol=1e-10)


def test_gru_gradients_equal_torch(rng):
    torch = pytest.importorskip("torch")
    x, h0 = rng.standard_normal((3, 20, 5)), rng.uniform(-0.5, 0.5, (3, 7))
    kernel, recurrent_kernel = rng.uniform(-0.5, 0.5, (5, 21)), rng.uniform(-0.5, 0.5, (7, 21))
    bias = rng.uniform(-0.3, 0.3, (2, 21))
    outputs = gru_forward(x, kernel, recurrent_kernel, bias, initial_state=h0)
    r = rng.standard_normal(outputs.shape)
    grad_x, grads = gru_backward(r, x, outputs, kernel, recurrent_kernel, bias, initial_state=h0)
    grads["initial_state"] = (grads["initial_state"],)
    # Keras orders the gates z, r, h; torch r, z, n (reset after the product, as Keras 3)
    order = np.r_[7:14, 0:7, 14:21]
    module = _module(
        torch,
        torch.nn.GRU,
        kernel[:, order],
        recurrent_kernel[:, order],
        bias[0, order],
        bias[1, order],
    )
    _torch_check(torch, module, x, h0, r, grads, grad_x, order)
    np.testing.assert_allclose(grads["bias"][0, order], module.bias_ih_l0.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(grads["bias"][1, order], module.bias_hh_l0.grad.numpy(), rtol=1e-10)


# ------------------------------------------------------------------------ errors


def test_custom_activation_has_no_backward(rng):
    cell = Cell("simple", rng, activation=lambda z: z * 2)
    states = cell.forward()
    with pytest.raises(ValueError, match=r"derivatives of 'tanh', 'sigmoid', 'relu' and"):
        cell.backward(np.ones_like(states), states)
    cell = Cell("lstm", rng, recurrent_activation=activations.softmax)
    states = cell.forward()
    with pytest.raises(ValueError, match=r"recurrent_activation='softmax' is not supported"):
        cell.backward(np.ones_like(states), states)


@pytest.mark.parametrize("truncate", [0, -1, 1.5, True, "3"])
def test_truncate_must_be_a_positive_int(rng, truncate):
    cell = Cell("gru", rng)
    states = cell.forward()
    with pytest.raises(ValueError, match=r"truncate must be None .* positive number of steps"):
        cell.backward(np.ones_like(states), states, truncate=truncate)


def test_shape_errors_say_what_was_expected(rng):
    cell = Cell("simple", rng)
    states = cell.forward()
    with pytest.raises(ValueError, match=r"shape of every state \(2, 6, 4\).* or of the last"):
        cell.backward(np.ones((B, T, U + 1)), states)
    with pytest.raises(
        ValueError, match=r"outputs must be every state .* \(2, 6, 4\), got \(2, 4\)"
    ):
        cell.backward(np.ones((B, U)), states[:, -1])
    cell = Cell("lstm", rng)
    states = cell.forward()
    with pytest.raises(ValueError, match="grad_final_state must be a pair"):
        lstm_backward(
            np.ones((B, U)),
            cell.arrays["inputs"],
            states,
            cell.arrays["kernel"],
            cell.arrays["recurrent_kernel"],
            grad_final_state=np.ones((B, U)),
        )
