"""Masks and dropout masks in rnn.functional (Keras 3 semantics): the forward passes
against what masking means, the backward passes against central differences, the fast
functions against the readable reference cells, and the error messages."""

from __future__ import annotations

import numpy as np
import pytest

from rnn import functional
from rnn.functional import reference

B, T, F, U = 3, 6, 3, 4
EPS = 1e-6
GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3, "gru_reset_before": 3}
MASKS = {
    # row 0 post-padded, row 1 whole, row 2 post-padded after 2 steps
    "post": [[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1], [1, 1, 0, 0, 0, 0]],
    # row 0 pre-padded, row 1 only the last step, row 2 whole
    "pre": [[0, 0, 1, 1, 1, 1], [0, 0, 0, 0, 0, 1], [1, 1, 1, 1, 1, 1]],
    # holes, a fully masked row, a leading hole
    "holes": [[1, 0, 1, 1, 0, 1], [0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 1, 0]],
}
# (dropout_mask, recurrent_dropout_mask): None, "shared" (batch, n) or "gates" (batch, g, n)
DROPOUTS = [(None, None), ("shared", "shared"), ("gates", "gates"), ("shared", "gates")]


class Case:
    """Random inputs, weights, initial states and masks for one cell; fast and reference."""

    def __init__(self, kind, seed=0, mask="holes", dropout=(None, None), bias=True, **options):
        rng = np.random.default_rng(seed)
        self.kind, self.rng, self.options = kind, rng, dict(options)
        self.cell = kind.removesuffix("_reset_before")
        if self.cell == "gru":
            self.options["reset_after"] = kind == "gru"
        g = GATES[kind]
        self.arrays = {
            "inputs": rng.standard_normal((B, T, F)),
            "kernel": rng.uniform(-0.6, 0.6, (F, g * U)),
            "recurrent_kernel": rng.uniform(-0.6, 0.6, (U, g * U)),
            "h0": rng.uniform(-0.5, 0.5, (B, U)),
        }
        if bias:
            self.arrays["bias"] = rng.uniform(-0.3, 0.3, (2, 3 * U) if kind == "gru" else (g * U,))
        if self.cell == "lstm":
            self.arrays["c0"] = rng.uniform(-0.5, 0.5, (B, U))
        self.masks = {} if mask is None else {"mask": np.array(MASKS[mask], bool)}
        for name, how, width in zip(
            ("dropout_mask", "recurrent_dropout_mask"), dropout, (F, U), strict=True
        ):
            if how is not None:
                shape = (B, width) if how == "shared" or g == 1 else (B, g, width)
                self.masks[name] = rng.choice([0.0, 2.0], shape)  # rate 1/2, scaled by 2

    @property
    def params(self):
        a = self.arrays
        return {n: a[n] for n in ("kernel", "recurrent_kernel", "bias") if n in a}

    def initial(self):
        a = self.arrays
        return (a["h0"], a["c0"]) if self.cell == "lstm" else a["h0"]

    def forward(self, **more):
        fast = getattr(functional, f"{self.cell}_forward")
        return fast(
            self.arrays["inputs"],
            **self.params,
            initial_state=self.initial(),
            **self.options,
            **self.masks,
            **more,
        )

    def backward(self, grad, outputs, **more):
        fast = getattr(functional, f"{self.cell}_backward")
        args = (grad, self.arrays["inputs"], outputs)
        opts = dict(self.options, initial_state=self.initial(), **self.masks, **more)
        return fast(*args, **self.params, **opts)

    def reference_forward(self):
        ours = getattr(reference, f"{self.cell}_forward")
        out = ours(
            self.arrays["inputs"],
            self.params,
            initial_state=self.initial(),
            **self.options,
            **self.masks,
        )
        return out[0] if self.cell == "lstm" else out

    def reference_backward(self, grad, outputs, **more):
        ours = getattr(reference, f"{self.cell}_backward")
        args = (grad, self.arrays["inputs"], outputs, self.params)
        return ours(*args, **self.options, initial_state=self.initial(), **self.masks, **more)

    def analytic(self, grad_x, grads):
        out = {"inputs": grad_x, "kernel": grads["kernel"]}
        out["recurrent_kernel"] = grads["recurrent_kernel"]
        if "bias" in self.arrays:
            out["bias"] = grads["bias"]
        if self.cell == "lstm":
            out["h0"], out["c0"] = grads["initial_state"]
        else:
            out["h0"] = grads["initial_state"]
        return out


def numeric(loss, array):
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


def assert_close(analytic, expected, tol=1e-7):
    assert analytic.shape == expected.shape
    scale = max(np.abs(expected).max(), np.abs(analytic).max(), 1e-12)
    assert np.abs(analytic - expected).max() / scale <= tol


def assert_same(ours, fast, tol=1e-12):
    if isinstance(fast, tuple):
        for a, b in zip(ours, fast, strict=True):
            assert_same(a, b, tol)
        return
    assert np.shape(ours) == np.shape(fast)
    np.testing.assert_allclose(ours, fast, rtol=tol, atol=tol * max(1, np.abs(fast).max()))


# ------------------------------------------------------------ central differences


@pytest.mark.parametrize("kind", GATES)
@pytest.mark.parametrize("mask", MASKS)
@pytest.mark.parametrize("sequences", [True, False])
@pytest.mark.parametrize("dropout", DROPOUTS)
def test_gradients_equal_central_differences(kind, mask, sequences, dropout):
    case = Case(kind, seed=len(kind) + len(mask), mask=mask, dropout=dropout)
    outputs = case.forward()
    r = case.rng.standard_normal(outputs.shape if sequences else (B, U))

    def loss():
        return float(np.sum(case.forward(return_sequences=sequences) * r))

    grad_x, grads = case.backward(r, outputs)
    for name, analytic in case.analytic(grad_x, grads).items():
        assert_close(analytic, numeric(loss, case.arrays[name]))


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("mask", MASKS)
def test_final_state_gradients(kind, mask):
    """The final states are the carried ones: their gradients reach h_0 through masked rows."""
    case = Case(kind, seed=3, mask=mask, dropout=("gates", "gates"))
    outputs = case.forward()
    r = case.rng.standard_normal(outputs.shape)
    r_states = [case.rng.standard_normal((B, U)) for _ in range(2 if kind == "lstm" else 1)]

    def loss():
        out, *states = case.forward(return_state=True)
        extra = sum(np.sum(s * q) for s, q in zip(states, r_states, strict=True))
        return float(np.sum(out * r) + extra)

    final = tuple(r_states) if kind == "lstm" else r_states[0]
    grad_x, grads = case.backward(r, outputs, grad_final_state=final)
    for name, analytic in case.analytic(grad_x, grads).items():
        assert_close(analytic, numeric(loss, case.arrays[name]))
    for truncate in (None, 2):  # and the reference agrees
        fast = case.backward(r, outputs, grad_final_state=final, truncate=truncate)
        ours = case.reference_backward(r, outputs, grad_final_state=final, truncate=truncate)
        for name in fast[1]:
            assert_same(ours[1][name], fast[1][name])


# ------------------------------------------------------------ the reference cells


ACTIVATION_CASES = [
    ("simple_rnn", {"activation": "relu"}),
    ("simple_rnn", {"activation": "linear"}),
    ("lstm", {"activation": "sigmoid", "recurrent_activation": "tanh"}),
    ("lstm", {"activation": "relu", "recurrent_activation": "linear"}),
    ("gru", {"activation": "relu", "recurrent_activation": "tanh"}),
    ("gru_reset_before", {"activation": "linear", "recurrent_activation": "sigmoid"}),
]


@pytest.mark.parametrize("kind", GATES)
@pytest.mark.parametrize("mask", [*MASKS, None])
@pytest.mark.parametrize("dropout", DROPOUTS)
@pytest.mark.parametrize("truncate", [None, 1, 3])
@pytest.mark.parametrize("bias", [True, False])
def test_reference_equals_the_fast_functions(kind, mask, dropout, truncate, bias):
    case = Case(kind, seed=5, mask=mask, dropout=dropout, bias=bias)
    outputs = case.forward()
    assert_same(case.reference_forward(), outputs)
    for grad in (case.rng.standard_normal(outputs.shape), case.rng.standard_normal((B, U))):
        fast = case.backward(grad, outputs, truncate=truncate)
        ours = case.reference_backward(grad, outputs, truncate=truncate)
        assert_same(ours[0], fast[0])
        assert list(ours[1]) == list(fast[1])
        for name in fast[1]:
            assert_same(ours[1][name], fast[1][name])


@pytest.mark.parametrize(("kind", "options"), ACTIVATION_CASES)
@pytest.mark.parametrize("truncate", [None, 2])
def test_reference_with_every_activation(kind, options, truncate):
    case = Case(kind, seed=9, mask="holes", dropout=("gates", "gates"), **options)
    outputs = case.forward()
    assert_same(case.reference_forward(), outputs)
    grad = case.rng.standard_normal(outputs.shape)
    fast = case.backward(grad, outputs, truncate=truncate)
    ours = case.reference_backward(grad, outputs, truncate=truncate)
    assert_same(ours[0], fast[0])
    for name in fast[1]:
        assert_same(ours[1][name], fast[1][name])


@pytest.mark.parametrize("kind", GATES)
@pytest.mark.parametrize("truncate", [None, 2])
def test_float32_follows_the_reference(kind, truncate):
    case = Case(kind, seed=2, mask="pre", dropout=("gates", "gates"))
    case.arrays = {n: a.astype(np.float32) for n, a in case.arrays.items()}
    case.masks = {n: None if m is None else m.astype(np.float32) for n, m in case.masks.items()}
    case.masks["mask"] = np.array(MASKS["pre"], np.int8)  # 0/1 integers work too
    outputs = case.forward()
    assert outputs.dtype == np.float32
    grad = case.rng.standard_normal(outputs.shape).astype(np.float32)
    grad_x, grads = case.backward(grad, outputs, truncate=truncate)
    assert grad_x.dtype == np.float32 and grads["kernel"].dtype == np.float32
    ref_x, ref = case.reference_backward(grad, outputs, truncate=truncate)
    assert_same(case.reference_forward(), outputs, tol=1e-5)
    assert_same(ref_x, grad_x, tol=1e-4)
    assert_same(ref["recurrent_kernel"], grads["recurrent_kernel"], tol=1e-4)


# ------------------------------------------------------------ what masking means


@pytest.mark.parametrize("kind", GATES)
def test_post_padding_repeats_the_last_output(kind):
    case = Case(kind, seed=1, mask="post")
    out, *states = case.forward(return_state=True) if kind != "simple_rnn" else (case.forward(),)
    short = Case(kind, seed=1, mask=None)
    short.arrays["inputs"] = short.arrays["inputs"][:, :4]
    alone, *alone_states = (
        short.forward(return_state=True) if kind != "simple_rnn" else (short.forward(),)
    )
    # row 0: 4 steps then padding; the outputs of the 4 steps, then the 4th repeated
    np.testing.assert_allclose(out[0, :4], alone[0], rtol=1e-12, atol=1e-12)
    assert np.array_equal(out[0, 4:], out[0, [3, 3]])
    for s, a in zip(states, alone_states, strict=True):  # the carried final states
        np.testing.assert_allclose(s[0], a[0], rtol=1e-12, atol=1e-12)
    last = case.forward(return_sequences=False)
    assert np.array_equal(last, out[:, -1])


@pytest.mark.parametrize("kind", GATES)
def test_pre_padding_gives_zeros_then_the_sequence_alone(kind):
    case = Case(kind, seed=4, mask="pre")
    out = case.forward()
    assert np.all(out[0, :2] == 0) and np.all(out[1, :5] == 0)  # zeros, not h_0
    short = Case(kind, seed=4, mask=None)
    short.arrays["inputs"] = short.arrays["inputs"][:, 2:]
    np.testing.assert_allclose(out[0, 2:], short.forward()[0], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", GATES)
def test_a_fully_masked_row_outputs_zeros_and_keeps_its_state(kind):
    case = Case(kind, seed=6, mask="holes", dropout=("shared", "gates"))
    out = case.forward()
    assert np.all(out[1] == 0)
    assert np.all(case.forward(return_sequences=False)[1] == 0)
    if kind != "simple_rnn":
        _, *states = case.forward(return_state=True)
        initial = case.initial() if kind == "lstm" else (case.initial(),)
        for s, s0 in zip(states, initial, strict=True):
            assert np.array_equal(s[1], s0[1])


@pytest.mark.parametrize("kind", GATES)
def test_go_backwards_is_reversing_inputs_and_mask_together(kind):
    case = Case(kind, seed=8, mask="post")
    case.arrays["inputs"] = case.arrays["inputs"][:, ::-1]
    case.masks["mask"] = case.masks["mask"][:, ::-1]  # post-padding becomes pre-padding
    out = case.forward()
    short = Case(kind, seed=8, mask=None)
    short.arrays["inputs"] = short.arrays["inputs"][:, 3::-1]  # row 0's 4 steps, reversed
    np.testing.assert_allclose(out[0, 2:], short.forward()[0], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", GATES)
def test_ones_change_nothing(kind):
    case = Case(kind, seed=7, mask=None)
    plain = case.forward()
    case.masks = {
        "mask": np.ones((B, T), bool),
        "dropout_mask": np.ones((B, F)),
        "recurrent_dropout_mask": np.ones((B, U) if kind == "simple_rnn" else (B, GATES[kind], U)),
    }
    np.testing.assert_allclose(case.forward(), plain, rtol=1e-13, atol=1e-13)
    r = case.rng.standard_normal(plain.shape)
    masked = case.backward(r, plain)
    case.masks = {}
    unmasked = case.backward(r, plain)
    assert_same(masked[0], unmasked[0])
    for name in unmasked[1]:
        assert_same(masked[1][name], unmasked[1][name])


@pytest.mark.parametrize("kind", GATES)
def test_none_is_the_call_without_masks(kind):
    case = Case(kind, seed=7, mask=None)
    plain = case.forward()
    case.masks = {"mask": None, "dropout_mask": None, "recurrent_dropout_mask": None}
    assert np.array_equal(case.forward(), plain)


@pytest.mark.parametrize("kind", GATES)
def test_unbatched_equals_the_first_row(kind):
    case = Case(kind, seed=11, mask="holes", dropout=("gates", "gates"))
    out = case.forward()
    r = case.rng.standard_normal(out.shape)
    grad_x, _ = case.backward(r, out)
    one = Case(kind, seed=11)
    one.arrays = {n: a[0] if n in ("inputs", "h0", "c0") else a for n, a in case.arrays.items()}
    one.masks = {n: m[0] for n, m in case.masks.items()}
    assert_same(one.forward(), out[0])
    grad_x1, _ = one.backward(r[0], out[0])
    assert_same(grad_x1, grad_x[0])


def test_dropout_masks_multiply_where_keras_does():
    """GRU, reset before: the candidate is act(x_h + (r (h m_h)) R_h), m_h the third mask."""
    case = Case("gru_reset_before", seed=12, mask=None, dropout=(None, "gates"))
    rd = case.masks["recurrent_dropout_mask"]
    a, h0 = case.arrays, case.arrays["h0"]
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    K, R, b = a["kernel"], a["recurrent_kernel"], a["bias"]
    xs = a["inputs"][:, 0] @ K + b
    z = sig(xs[:, :U] + (h0 * rd[:, 0]) @ R[:, :U])
    r = sig(xs[:, U : 2 * U] + (h0 * rd[:, 1]) @ R[:, U : 2 * U])
    hh = np.tanh(xs[:, 2 * U :] + (r * (h0 * rd[:, 2])) @ R[:, 2 * U :])
    np.testing.assert_allclose(case.forward()[:, 0], z * h0 + (1 - z) * hh, rtol=1e-12)


# ------------------------------------------------------------ errors


def test_mask_errors_say_what_was_expected():
    case = Case("simple_rnn", mask=None)
    with pytest.raises(ValueError, match=r"mask must have shape \(3, 6\) \(batch, timesteps\)"):
        case.forward(mask=np.ones(T, bool))
    with pytest.raises(ValueError, match=r"mask must be boolean or hold only 0 and 1"):
        case.forward(mask=np.full((B, T), 0.5))
    with pytest.raises(ValueError, match=r"mask must have shape \(3, 6\)"):
        case.backward(np.zeros((B, T, U)), case.forward(), mask=np.ones((B, T + 1)))


@pytest.mark.parametrize("kind", GATES)
def test_dropout_mask_errors_say_what_was_expected(kind):
    case = Case(kind, mask=None)
    g = GATES[kind]
    with pytest.raises(ValueError, match=r"dropout_mask must have shape \(3, 3\) \(batch, feat"):
        case.forward(dropout_mask=np.ones((B, U + 1)))
    with pytest.raises(ValueError, match=r"recurrent_dropout_mask must have shape \(3, 4\)"):
        case.forward(recurrent_dropout_mask=np.ones((B, g + 1, U)))
    if g > 1:
        with pytest.raises(ValueError, match=rf"or \(3, {g}, 3\) \(batch, {g} gates, features\)"):
            case.backward(np.zeros((B, T, U)), case.forward(), dropout_mask=np.ones((B, 2, 2)))
