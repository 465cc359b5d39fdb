"""rnn.functional.reference, the readable cells, computes what the fast functions compute:
forward and backward, with initial states, truncation, every activation the backward
passes know, with and without a bias, for every output or the last one."""

from __future__ import annotations

import numpy as np
import pytest

from rnn import functional
from rnn.functional import reference

B, T, F, U = 3, 7, 4, 5
ACTIVATIONS = ["tanh", "sigmoid", "relu", "linear"]
GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3, "gru_reset_before": 3}


def assert_same(ours, fast) -> None:
    """Equal to float64 rounding: within 1e-12, relative to the arrays' size."""
    if isinstance(fast, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(fast)
        for a, b in zip(ours, fast, strict=True):
            assert_same(a, b)
        return
    assert ours.shape == fast.shape
    np.testing.assert_allclose(ours, fast, rtol=1e-12, atol=1e-12 * max(1, np.abs(fast).max()))


class Case:
    """Random weights, inputs and initial states for one cell, and both implementations."""

    def __init__(self, kind: str, seed: int, bias: bool = True, **options):
        rng = np.random.default_rng(seed)
        self.kind, self.rng, self.options = kind, rng, options
        if kind.startswith("gru"):
            self.options["reset_after"] = kind == "gru"
        gates = GATES[kind]
        self.x = rng.standard_normal((B, T, F))
        self.params = {
            "kernel": rng.uniform(-0.6, 0.6, (F, gates * U)),
            "recurrent_kernel": rng.uniform(-0.6, 0.6, (U, gates * U)),
        }
        if bias:
            shape = (2, 3 * U) if kind == "gru" else (gates * U,)
            self.params["bias"] = rng.uniform(-0.3, 0.3, shape)
        h0, c0 = rng.uniform(-0.5, 0.5, (2, B, U))
        self.initial_state = (h0, c0) if kind == "lstm" else h0

    def forward(self):
        """(fast outputs, reference outputs), and the final cells of an LSTM."""
        cell = self.kind.removesuffix("_reset_before")
        fast = getattr(functional, f"{cell}_forward")
        ours = getattr(reference, f"{cell}_forward")
        opts = dict(self.options, initial_state=self.initial_state)
        if cell != "lstm":
            return fast(self.x, **self.params, **opts), ours(self.x, self.params, **opts)
        out, _, c_last = fast(self.x, **self.params, **opts, return_state=True)
        ref_out, cells = ours(self.x, self.params, **opts)
        assert_same(cells[:, -1], c_last)
        return out, ref_out

    def backward(self, grad, outputs, **more):
        """(fast, reference) backward passes: each ``(grad_inputs, grads)``."""
        cell = self.kind.removesuffix("_reset_before")
        fast = getattr(functional, f"{cell}_backward")
        ours = getattr(reference, f"{cell}_backward")
        opts = dict(self.options, initial_state=self.initial_state, **more)
        args = (grad, self.x, outputs)
        return fast(*args, **self.params, **opts), ours(*args, self.params, **opts)


def assert_backward_same(fast, ours) -> None:
    assert_same(ours[0], fast[0])
    assert list(ours[1]) == list(fast[1])
    for name in fast[1]:
        assert_same(ours[1][name], fast[1][name])


@pytest.mark.parametrize("kind", GATES)
@pytest.mark.parametrize("truncate", [None, 1, 3, T + 2])
@pytest.mark.parametrize("sequences", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_reference_equals_the_fast_functions(kind, truncate, sequences, bias):
    case = Case(kind, seed=len(kind) + (truncate or 0), bias=bias)
    out, ref_out = case.forward()
    assert_same(ref_out, out)
    grad = case.rng.standard_normal(out.shape if sequences else (B, U))
    assert_backward_same(*case.backward(grad, out, truncate=truncate))


ACTIVATION_CASES = [("simple_rnn", {"activation": a}) for a in ACTIVATIONS] + [
    (kind, {"activation": a, "recurrent_activation": ra})
    for kind in ("lstm", "gru", "gru_reset_before")
    for a in ACTIVATIONS
    for ra in ACTIVATIONS
]


@pytest.mark.parametrize(("kind", "options"), ACTIVATION_CASES)
def test_every_activation(kind, options):
    case = Case(kind, seed=3, **options)
    out, ref_out = case.forward()
    assert_same(ref_out, out)
    grad = case.rng.standard_normal(out.shape)
    assert_backward_same(*case.backward(grad, out))
    assert_backward_same(*case.backward(grad, out, truncate=2))


@pytest.mark.parametrize("truncate", [None, 2])
@pytest.mark.parametrize("which", [0, 1])
def test_lstm_final_state_gradients(truncate, which):
    case = Case("lstm", seed=11)
    out, _ = case.forward()
    final = [case.rng.standard_normal((B, U)), case.rng.standard_normal((B, U))]
    final[which] = None  # either may be missing
    grad = case.rng.standard_normal(out.shape)
    more = {"grad_final_state": tuple(final), "truncate": truncate}
    assert_backward_same(*case.backward(grad, out, **more))


def test_steps_are_the_forward_functions_first_step():
    case = Case("gru_reset_before", seed=5)
    out, _ = case.forward()
    h1, gates = reference.gru_step(case.x[:, 0], case.initial_state, case.params, reset_after=False)
    assert_same(h1, out[:, 0])
    assert sorted(gates) == ["hh", "r", "z"]
    lstm = Case("lstm", seed=5)
    out, _ = lstm.forward()
    h1, _, gates = reference.lstm_step(lstm.x[:, 0], *lstm.initial_state, lstm.params)
    assert_same(h1, out[:, 0])
    assert sorted(gates) == ["f", "g", "i", "o"]
    simple = Case("simple_rnn", seed=5)
    out, _ = simple.forward()
    assert_same(
        reference.simple_rnn_step(simple.x[:, 0], simple.initial_state, simple.params), out[:, 0]
    )


@pytest.mark.parametrize("kind", ["simple_rnn", "gru", "gru_reset_before"])
def test_a_state_in_a_list_of_one_as_keras_passes_it(kind):
    case = Case(kind, seed=13)
    out, ref_out = case.forward()
    grad = case.rng.standard_normal(out.shape)
    alone = case.backward(grad, out)
    case.initial_state = [case.initial_state]
    listed, ref_listed = case.forward()
    assert np.array_equal(listed, out) and np.array_equal(ref_listed, ref_out)
    for before, after in zip(alone, case.backward(grad, out), strict=True):
        assert np.array_equal(after[0], before[0])
        assert all(np.array_equal(after[1][k], before[1][k]) for k in before[1])
