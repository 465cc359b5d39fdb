"""The backward passes check that the outputs they are given are those of a forward pass
with their arguments (issue 15, family 2): a bias left out, another activation, a missing
initial state, another input, mask or dropout mask raise a clear ValueError; correct
calls never do, in float32 and float64, over long chaotic sequences, saturated gates,
masks, reversed sequences and outputs nudged by rounding-sized noise."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from rnn import functional, layers
from rnn.functional import _consistency, reference
from rnn.models import Sequential

B, T, D, U = 3, 6, 4, 5
GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}
ARGS = {
    "simple_rnn": "`bias`, `activation`, `initial_state`, `mask`, `dropout_mask` and "
    "`recurrent_dropout_mask`",
    "lstm": "`bias`, `activation`, `recurrent_activation`, `initial_state`, `mask`, "
    "`dropout_mask` and `recurrent_dropout_mask`",
    "gru": "`bias`, `activation`, `recurrent_activation`, `reset_after`, `initial_state`, "
    "`mask`, `dropout_mask` and `recurrent_dropout_mask`",
}


def _weights(cell, rng, dtype=np.float64, scale=0.6, bias_scale=0.5):
    g = GATES[cell]
    k = rng.uniform(-scale, scale, (D, g * U)).astype(dtype)
    rk = rng.uniform(-scale, scale, (U, g * U)).astype(dtype)
    b = (rng.standard_normal((2, g * U) if cell == "gru" else g * U) * bias_scale).astype(dtype)
    return k, rk, b


def _state(cell, rng, dtype=np.float64):
    h0 = rng.standard_normal((B, U)).astype(dtype)
    return (h0, rng.standard_normal((B, U)).astype(dtype)) if cell == "lstm" else h0


def _forward(cell, x, k, rk, b, **kw):
    return getattr(functional, f"{cell}_forward")(x, k, rk, b, **kw)


def _backward(cell, outputs, x, k, rk, b, **kw):
    g = np.ones_like(outputs)
    return getattr(functional, f"{cell}_backward")(g, x, outputs, k, rk, b, **kw)


def _message(cell, outputs, again, tol, *, prefix="", arguments=None, batched=True, bias=True):
    """The message for outputs first differing from ``again`` at step 0 of sequence 0.

    The simple RNN's backward pass needs no bias and accepts any: its message says that
    no bias would do, and names the bias given (or none) it measured with.
    """
    diff = float(np.abs(again[0, 0] - outputs[0, 0]).max())
    assert diff > tol[0, 0]  # the first step already differs
    where = "at step 0 of sequence 0" if batched else "at step 0"
    note = ""
    if cell == "simple_rnn":
        note = ", whatever its bias"
        where = ("with the bias given: " if bias else "without a bias: ") + where
        arguments = (arguments or ARGS[cell]).removeprefix("`bias`, ")
    weights = "`params`" if prefix else "weights"
    return (
        f"The `outputs` given to {prefix}{cell}_backward do not match a forward pass with "
        f"these arguments{note} ({where}, largest difference {diff:.3g}, tolerance "
        f"{tol[0, 0]:.2g}): pass the same `inputs`, {weights}, {arguments or ARGS[cell]} "
        f"as to {prefix}{cell}_forward, and every output it returned."
    )


def _tol(x, outputs, h0, k, rk, b, dtype=np.float64):
    h0 = h0[0] if isinstance(h0, tuple) else h0
    return _consistency.tolerances(x, outputs, h0, (k, rk, b), (None, None), np.dtype(dtype))


def _raises(message, call):
    with pytest.raises(ValueError, match=re.escape(message) + "$"):
        call()


# ---------------------------------------------------------------- the fast functions


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_bias_left_out(cell):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((B, T, D))
    k, rk, b = _weights(cell, rng)
    out = _forward(cell, x, k, rk, b)
    again = _forward(cell, x, k, rk, None)  # step 0 computed again without the bias
    msg = _message(cell, out, again, _tol(x, out, None, k, rk, None))
    _raises(msg, lambda: _backward(cell, out, x, k, rk, None))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "act", ["tanh", "relu", "sigmoid", "linear", "elu", "softplus", "hard_sigmoid"]
)
def test_simple_rnn_bias_left_out_is_fine(dtype, act):
    """Its backward pass needs no bias (the derivative is read from h_t): nothing raised."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((B, 40, D)).astype(dtype)
    k, rk, b = _weights("simple_rnn", rng, dtype, bias_scale=2.0)
    mask = np.ones((B, 40), bool)
    mask[0, 30:] = mask[1, :5] = False
    for kw in ({}, {"mask": mask}):
        out = _forward("simple_rnn", x, k, rk, b, activation=act, **kw)
        _, with_bias = _backward("simple_rnn", out, x, k, rk, b, activation=act, **kw)
        _, without = _backward("simple_rnn", out, x, k, rk, None, activation=act, **kw)
        np.testing.assert_array_equal(without["kernel"], with_bias["kernel"])
        p = {"kernel": k, "recurrent_kernel": rk}
        reference.simple_rnn_backward(np.ones_like(out), x, out, p, activation=act, **kw)


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
def test_wrong_activation(cell):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((B, T, D))
    k, rk, b = _weights(cell, rng)
    out = _forward(cell, x, k, rk, b, activation="relu")
    again = _forward(cell, x, k, rk, b, activation="tanh")
    msg = _message(cell, out, again, _tol(x, out, None, k, rk, b))
    _raises(msg, lambda: _backward(cell, out, x, k, rk, b, activation="tanh"))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_wrong_recurrent_activation(cell):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((B, T, D))
    k, rk, b = _weights(cell, rng)
    out = _forward(cell, x, k, rk, b, recurrent_activation="hard_sigmoid")
    again = _forward(cell, x, k, rk, b)
    msg = _message(cell, out, again, _tol(x, out, None, k, rk, b))
    _raises(msg, lambda: _backward(cell, out, x, k, rk, b))


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
def test_initial_state_missing(cell):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((B, T, D))
    k, rk, b = _weights(cell, rng)
    out = _forward(cell, x, k, rk, b, initial_state=_state(cell, rng))
    again = _forward(cell, x, k, rk, b)
    msg = _message(cell, out, again, _tol(x, out, None, k, rk, b))
    _raises(msg, lambda: _backward(cell, out, x, k, rk, b))


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
def test_outputs_of_another_input(cell):
    rng = np.random.default_rng(5)
    x, other = rng.standard_normal((2, B, T, D))
    k, rk, b = _weights(cell, rng)
    out = _forward(cell, other, k, rk, b)
    again = _forward(cell, x, k, rk, b)
    msg = _message(cell, out, again, _tol(x, out, None, k, rk, b))
    _raises(msg, lambda: _backward(cell, out, x, k, rk, b))


@pytest.mark.parametrize("after", [True, False])
def test_gru_reset_after_mismatch(after):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((B, T, D))
    k, rk, b2 = _weights("gru", rng)
    b = b2 if after else b2[0]  # the bias of the backward call
    b_fwd = b2[0] if after else np.stack([b2[0], np.zeros_like(b2[0])])
    h0 = _state("gru", rng)  # (with h_0 = 0 and no recurrent bias, step 0 is the same)
    # the forward pass with the other reset_after, and a bias that puts the same b_in
    out = _forward("gru", x, k, rk, b_fwd, reset_after=not after, initial_state=h0)
    again = _forward("gru", x, k, rk, b, reset_after=after, initial_state=h0)
    msg = _message("gru", out, again, _tol(x, out, h0, k, rk, b))
    call = lambda: _backward("gru", out, x, k, rk, b, reset_after=after, initial_state=h0)  # noqa: E731
    _raises(msg, call)


def test_simple_rnn_without_bias_names_no_bias():
    """Without a bias any bias is accepted: the message says that none would do."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((B, T, D))
    k, rk, b = _weights("simple_rnn", rng)
    out = _forward("simple_rnn", x, k, rk, b, activation="relu")
    again = _forward("simple_rnn", x, k, rk, None, activation="tanh")
    msg = _message("simple_rnn", out, again, _tol(x, out, None, k, rk, None), bias=False)
    _raises(msg, lambda: _backward("simple_rnn", out, x, k, rk, None, activation="tanh"))
    p = {"kernel": k, "recurrent_kernel": rk}
    msg = _message(
        "simple_rnn",
        out,
        again,
        _tol(x, out, None, k, rk, None),
        bias=False,
        prefix="reference.",
        arguments=ARGS["simple_rnn"],
    )
    call = lambda: reference.simple_rnn_backward(out, x, out, p, activation="tanh")  # noqa: E731
    _raises(msg, call)


def test_simple_rnn_any_bias_given_is_fine():
    """A wrong bias changes nothing in its backward pass (but gelu's, silu's): accepted."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((B, T, D))
    k, rk, b = _weights("simple_rnn", rng)
    out = _forward("simple_rnn", x, k, rk, None)
    _, right = _backward("simple_rnn", out, x, k, rk, None)
    _, other = _backward("simple_rnn", out, x, k, rk, b)
    np.testing.assert_array_equal(other["kernel"], right["kernel"])
    with pytest.raises(ValueError, match="do not match a forward pass with these arguments \\("):
        _backward("simple_rnn", out, x, k, rk, b, activation="gelu")  # gelu needs the bias


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
def test_unbatched_message(cell):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((T, D))
    k, rk, b = _weights(cell, rng)
    out = _forward(cell, x, k, rk, b, activation="relu")
    again = _forward(cell, x, k, rk, b)
    tol = _tol(x[None], out[None], None, k, rk, b)
    msg = _message(cell, out[None], again[None], tol, batched=False)
    _raises(msg, lambda: _backward(cell, out, x, k, rk, b))


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
def test_later_step_named(cell):
    """Outputs that differ from step 3 on are reported at step 3, of the right sequence."""
    rng = np.random.default_rng(9)
    x = rng.standard_normal((B, T, D))
    k, rk, b = _weights(cell, rng)
    out = _forward(cell, x, k, rk, b)
    bad = out.copy()
    bad[2, 3:] += 0.25
    with pytest.raises(ValueError, match=r"at step 3 of sequence 2, largest difference 0\.25,"):
        _backward(cell, bad, x, k, rk, b)


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
def test_mask_mismatch(cell):
    rng = np.random.default_rng(10)
    x = rng.standard_normal((B, T, D))
    k, rk, b = _weights(cell, rng)
    mask = np.ones((B, T), bool)
    mask[1, 4:] = False  # post-padding
    with_mask = _forward(cell, x, k, rk, b, mask=mask)
    without = _forward(cell, x, k, rk, b)
    with pytest.raises(ValueError, match=r"at step 4 of sequence 1,"):
        _backward(cell, with_mask, x, k, rk, b)  # the mask left out
    with pytest.raises(ValueError, match=r"at step 4 of sequence 1,"):
        _backward(cell, without, x, k, rk, b, mask=mask)  # a mask the forward had not
    pre = np.ones((B, T), bool)
    pre[0, :2] = False  # pre-padding: outputs 0 before the first step
    with pytest.raises(ValueError, match=r"at step 0 of sequence 0,"):
        _backward(cell, without, x, k, rk, b, mask=pre)


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
def test_dropout_mask_mismatch(cell):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((B, T, D))
    k, rk, b = _weights(cell, rng)
    drop = (rng.random((B, D)) < 0.5) / 0.5
    rdrop = (rng.random((B, U)) < 0.5) / 0.5
    out = _forward(cell, x, k, rk, b, dropout_mask=drop, recurrent_dropout_mask=rdrop)
    _backward(cell, out, x, k, rk, b, dropout_mask=drop, recurrent_dropout_mask=rdrop)
    with pytest.raises(ValueError, match=r"do not match a forward pass"):
        _backward(cell, out, x, k, rk, b, recurrent_dropout_mask=rdrop)
    with pytest.raises(ValueError, match=r"do not match a forward pass"):
        _backward(cell, out, x, k, rk, b, dropout_mask=drop)


# ---------------------------------------------------------------- no false alarm


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("options", [{}, {"truncate": 2}, {"initial_state": True}])
def test_correct_calls(cell, dtype, options):
    rng = np.random.default_rng(12)
    x = rng.standard_normal((B, T, D)).astype(dtype)
    k, rk, b = _weights(cell, rng, dtype)
    kw = dict(options)
    if kw.pop("initial_state", False):
        kw["initial_state"] = _state(cell, rng, dtype)
    fwd = {key: v for key, v in kw.items() if key != "truncate"}
    out = _forward(cell, x, k, rk, b, **fwd)
    _backward(cell, out, x, k, rk, b, **kw)
    _backward(cell, out[:, :, :], x, k, rk, b, **kw)  # a view
    last = np.ones_like(out[:, -1])  # return_sequences=False: the last output's gradient
    getattr(functional, f"{cell}_backward")(last, x, out, k, rk, b, **kw)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_long_chaotic_relu(dtype):
    """T=500 with relu and a spectral radius above 1: the states grow to 1e20 and more."""
    rng = np.random.default_rng(13)
    x = rng.standard_normal((2, 500, D)).astype(dtype)
    k = rng.standard_normal((D, 16)).astype(dtype)
    rk = (rng.standard_normal((16, 16)) * 0.35).astype(dtype)
    b = rng.standard_normal(16).astype(dtype)
    out = functional.simple_rnn_forward(x, k, rk, b, activation="relu")
    assert np.isfinite(out).all() and np.abs(out).max() > 1e10
    for bias in (b, None):
        functional.simple_rnn_backward(np.ones_like(out), x, out, k, rk, bias, activation="relu")
    for cell, g in (("lstm", 4), ("gru", 3)):
        kc = rng.standard_normal((D, g * 16)).astype(dtype)
        rc = (rng.standard_normal((16, g * 16)) * 0.3).astype(dtype)
        bc = rng.standard_normal((2, g * 16) if cell == "gru" else g * 16).astype(dtype)
        out = _forward(cell, x, kc, rc, bc, activation="relu")
        assert np.isfinite(out).all()
        _backward(cell, out, x, kc, rc, bc, activation="relu")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_saturated_lstm(dtype):
    """Gates at exactly 0 or 1 and cells growing by one per step over 500 steps."""
    rng = np.random.default_rng(14)
    x = (rng.standard_normal((4, 500, D)) * 10).astype(dtype)
    k = (rng.standard_normal((D, 64)) * 20).astype(dtype)
    rk = (rng.standard_normal((16, 64)) * 20).astype(dtype)
    b = np.zeros(64, dtype)
    b[16:32] = 50  # forget gate always open
    out = functional.lstm_forward(x, k, rk, b)
    functional.lstm_backward(np.ones_like(out), x, out, k, rk, b)
    out = functional.gru_forward(x, k[:, :48], rk[:, :48], None)
    functional.gru_backward(np.ones_like(out), x, out, k[:, :48], rk[:, :48], None)


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_masks_and_dropout(cell, dtype):
    rng = np.random.default_rng(15)
    x = rng.standard_normal((B, T, D)).astype(dtype)
    k, rk, b = _weights(cell, rng, dtype)
    mask = np.array([[1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1], [1, 0, 1, 0, 0, 0]], bool)
    drops = {
        "dropout_mask": ((rng.random((B, D)) < 0.7) / 0.7).astype(dtype),
        "recurrent_dropout_mask": ((rng.random((B, U)) < 0.7) / 0.7).astype(dtype),
    }
    for kw in ({"mask": mask}, drops, {"mask": mask, **drops}):
        kw = {**kw, "initial_state": _state(cell, rng, dtype)}
        out = _forward(cell, x, k, rk, b, **kw)
        _backward(cell, out, x, k, rk, b, **kw)
        kw["mask"] = mask[:, ::-1]  # go_backwards: the inputs and the mask reversed
        out = _forward(cell, x[:, ::-1], k, rk, b, **kw)
        _backward(cell, out, x[:, ::-1], k, rk, b, **kw)


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rounding_noise(cell, dtype):
    """Outputs nudged by rounding-sized noise (as another machine may round) still pass."""
    rng = np.random.default_rng(16)
    x = rng.standard_normal((B, 50, D)).astype(dtype)
    k, rk, b = _weights(cell, rng, dtype)
    noise = 1e-6 if dtype == np.float32 else 1e-12
    for act in ("tanh", "relu"):
        out = _forward(cell, x, k, rk, b, activation=act)
        nudged = (out * (1 + noise * rng.standard_normal(out.shape))).astype(dtype)
        _backward(cell, nudged, x, k, rk, b, activation=act)
        p = {"kernel": k, "recurrent_kernel": rk, "bias": b}
        getattr(reference, f"{cell}_backward")(np.ones_like(out), x, nudged, p, activation=act)


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
def test_nan_inputs_not_reported_as_mismatch(cell):
    """A NaN in the inputs gives NaN outputs; that is not a mismatch of the arguments."""
    rng = np.random.default_rng(17)
    x = rng.standard_normal((B, T, D))
    x[1, 2, 0] = np.nan
    k, rk, b = _weights(cell, rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = _forward(cell, x, k, rk, b)
        _backward(cell, out, x, k, rk, b)


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_layers_train(kind):
    """Layers call the backward passes with their masks, dropout and go_backwards."""
    rng = np.random.default_rng(18)
    x = rng.standard_normal((8, 7, 3)).astype(np.float32)
    x[:3, 5:] = 0  # padding, masked
    y = rng.standard_normal((8, 1)).astype(np.float32)
    for go_backwards in (False, True):
        rnn_layer = getattr(layers, kind)(
            4, go_backwards=go_backwards, dropout=0.3, recurrent_dropout=0.3
        )
        model = Sequential([layers.Input((7, 3)), layers.Masking(0.0), rnn_layer, layers.Dense(1)])
        model.compile("sgd", "mse")
        history = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
        assert np.isfinite(history.history["loss"]).all()


# ---------------------------------------------------------------- the reference cells


def _ref_forward(cell, x, params, **kw):
    out = getattr(reference, f"{cell}_forward")(x, params, **kw)
    return out[0] if isinstance(out, tuple) else out


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
@pytest.mark.parametrize(
    "case", ["bias", "activation", "initial_state", "inputs", "reset_after", "correct"]
)
def test_reference(cell, case):
    if case == "reset_after" and cell != "gru":
        pytest.skip("only the GRU has reset_after")
    rng = np.random.default_rng(19)
    x, other = rng.standard_normal((2, B, T, D))
    k, rk, b = _weights(cell, rng)
    params = {"kernel": k, "recurrent_kernel": rk, "bias": b}
    given, back, fwd, bwd = x, dict(params), {}, {}
    if case == "bias":
        del back["bias"]
    elif case == "activation":
        fwd["activation"] = "relu"
    elif case == "initial_state":
        fwd["initial_state"] = _state(cell, rng)
    elif case == "inputs":
        given = other
    elif case == "reset_after":  # with h_0, as step 0 is otherwise the same
        fwd["reset_after"] = False
        params = {**params, "bias": b[0]}  # the input bias only; backward: reset after
        fwd["initial_state"] = bwd["initial_state"] = _state(cell, rng)
    out = _ref_forward(cell, given, params, **fwd)
    backward = getattr(reference, f"{cell}_backward")
    call = lambda: backward(np.ones_like(out), x, out, back, **bwd)  # noqa: E731
    if case == "correct" or (case == "bias" and cell == "simple_rnn"):
        call()  # the simple RNN's backward pass needs no bias
        return
    again = _ref_forward(cell, x, back, **bwd)
    tol = _tol(x, out, bwd.get("initial_state"), k, rk, back.get("bias"))
    arguments = ARGS[cell].removeprefix("`bias`, ")
    msg = _message(cell, out, again, tol, prefix="reference.", arguments=arguments)
    _raises(msg, call)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_wide_simple_rnn(dtype):
    """A simple RNN of more than 8 units is checked on 4 of them: still caught, no alarm."""
    rng = np.random.default_rng(20)
    x = rng.standard_normal((4, 30, 16)).astype(dtype)
    k = (rng.standard_normal((16, 64)) / 4).astype(dtype)
    rk = (rng.standard_normal((64, 64)) / 8).astype(dtype)
    b = (rng.standard_normal(64) / 4).astype(dtype)
    h0 = rng.standard_normal((4, 64)).astype(dtype)
    for act in ("tanh", "relu", "sigmoid"):
        out = functional.simple_rnn_forward(x, k, rk, b, activation=act, initial_state=h0)
        g = np.ones_like(out)
        functional.simple_rnn_backward(g, x, out, k, rk, b, activation=act, initial_state=h0)
        functional.simple_rnn_backward(g, x, out, k, rk, None, activation=act, initial_state=h0)
        with pytest.raises(ValueError, match="whatever its bias \\(with the bias given: at step 0"):
            functional.simple_rnn_backward(g, x, out, k, rk, b, activation=act)
        other = "relu" if act != "relu" else "tanh"
        with pytest.raises(ValueError, match="whatever its bias \\(without a bias: at step 0"):
            functional.simple_rnn_backward(g, x, out, k, rk, activation=other, initial_state=h0)


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
@pytest.mark.parametrize("shape", [(2, 1, D), (1, D), (0, 5, D)])
def test_edge_shapes(cell, shape):
    """One step, unbatched one step, and an empty batch: no alarm."""
    rng = np.random.default_rng(21)
    x = rng.standard_normal(shape)
    k, rk, b = _weights(cell, rng)
    _backward(cell, _forward(cell, x, k, rk, b), x, k, rk, b)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "linear"])
def test_simple_rnn_without_its_bias_is_checked_against_the_bias_the_outputs_imply(
    activation, monkeypatch
):
    """A correct call without the forward's bias costs no search: the implied bias fits."""
    from rnn.functional import _consistency

    def no_search(*args):
        raise AssertionError("bias_fits searched for a bias the outputs imply")

    monkeypatch.setattr(_consistency, "bias_fits", no_search)
    rng = np.random.default_rng(31)
    x = rng.standard_normal((3, 20, D))
    k, rk, b = _weights("simple_rnn", rng)
    out = functional.simple_rnn_forward(x, k, rk, b + 0.3, activation=activation)
    grad_x, grads = functional.simple_rnn_backward(
        np.ones_like(out), x, out, k, rk, activation=activation
    )
    assert grad_x.shape == x.shape and np.isfinite(grads["kernel"]).all()
