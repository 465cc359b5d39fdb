"""State across calls: ``initial_state=``, ``stateful=True``, ``reset_states`` and the
gradient of the initial states (checked by central differences)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from rnn import functional
from rnn.layers import GRU, LSTM, Bidirectional, Input, SimpleRNN
from rnn.layers.rnn import RNN
from rnn.models import Sequential
from rnn.optimizers import SGD

MAKERS: dict[str, Callable[..., RNN]] = {
    "simple_rnn": lambda **kw: SimpleRNN(3, seed=1, dtype="float64", **kw),
    "lstm": lambda **kw: LSTM(3, seed=1, dtype="float64", **kw),
    "gru": lambda **kw: GRU(3, seed=1, dtype="float64", **kw),
    "gru_reset_before": lambda **kw: GRU(3, reset_after=False, seed=1, dtype="float64", **kw),
}


def data(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def states_for(layer: RNN, batch: int, seed: int = 5) -> list[np.ndarray]:
    return [data(batch, layer.units, seed=seed + i) for i in range(layer.state_count)]


# ------------------------------------------------------------------ initial_state


@pytest.mark.parametrize("name", MAKERS)
@pytest.mark.parametrize("go_backwards", [False, True])
def test_initial_state_is_where_the_recurrence_starts(name: str, go_backwards: bool) -> None:
    """Two halves, the second starting from the first's final states, give the whole."""
    layer = MAKERS[name](return_sequences=True, return_state=True, go_backwards=go_backwards)
    x = data(2, 6, 4)
    whole, *_ = layer(x)
    first = x[:, 3:] if go_backwards else x[:, :3]
    second = x[:, :3] if go_backwards else x[:, 3:]
    head, *states = layer(first)
    tail, *_ = layer(second, initial_state=states)
    np.testing.assert_allclose(np.concatenate([head, tail], axis=1), whole, rtol=0, atol=1e-12)


def test_initial_state_matches_the_functional_cell() -> None:
    layer = SimpleRNN(3, return_sequences=True, seed=2, dtype="float64")
    x, h0 = data(2, 5, 4), data(2, 3, seed=1)
    layer.build((2, 5, 4))
    expected = functional.simple_rnn_forward(x, *layer.weights, initial_state=h0)
    np.testing.assert_allclose(layer(x, initial_state=h0), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(layer(x, initial_state=[h0]), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", MAKERS)
@pytest.mark.parametrize("return_sequences", [False, True])
def test_the_initial_states_gradient_is_checked_by_central_differences(
    name: str, return_sequences: bool
) -> None:
    layer = MAKERS[name](return_sequences=return_sequences)
    x = data(2, 4, 3)
    starts = states_for(layer, 2)
    y = layer.forward(x, initial_state=starts)
    r = data(*y.shape, seed=9)  # L = sum(y * r)
    grads = layer.backward(r)
    assert isinstance(grads, list) and len(grads) == 1 + layer.state_count
    grad_x, *grad_starts = grads

    def loss(xv: np.ndarray, sv: list[np.ndarray]) -> float:
        return float(np.sum(layer(xv, initial_state=sv) * r))

    eps = 1e-6
    for i, start in enumerate(starts):
        numeric = np.zeros_like(start)
        for index in np.ndindex(start.shape):
            up = [s.copy() for s in starts]
            down = [s.copy() for s in starts]
            up[i][index] += eps
            down[i][index] -= eps
            numeric[index] = (loss(x, up) - loss(x, down)) / (2 * eps)
        np.testing.assert_allclose(grad_starts[i], numeric, rtol=1e-6, atol=1e-8)
    numeric_x = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += eps
        down[index] -= eps
        numeric_x[index] = (loss(up, starts) - loss(down, starts)) / (2 * eps)
    np.testing.assert_allclose(grad_x, numeric_x, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (np.zeros((2, 4)), r"expects `initial_state` to be 1 array\(s\) of shape \(2, 3\)"),
        ([np.zeros((3, 3))], r"Received: 1 array\(s\) of shape\(s\) \[\(3, 3\)\]"),
        ([np.zeros((2, 3))] * 2, r"Received: 2 array\(s\)"),
    ],
)
def test_an_initial_state_of_the_wrong_shape_is_refused(given: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SimpleRNN(3)(np.zeros((2, 5, 4)), initial_state=given)


def test_an_lstm_needs_both_of_its_states() -> None:
    with pytest.raises(ValueError, match=r"2 array\(s\) of shape \(2, 3\)"):
        LSTM(3)(np.zeros((2, 5, 4)), initial_state=np.zeros((2, 3)))


def test_a_layer_without_initial_state_refuses_it() -> None:
    from rnn.layers import Dense

    with pytest.raises(TypeError, match="unexpected keyword argument 'initial_state'"):
        Dense(2)(np.zeros((2, 3)), initial_state=np.zeros((2, 2)))


@pytest.mark.parametrize("layer_name", ["lstm", "gru"])
def test_bidirectional_takes_both_directions_states(layer_name: str) -> None:
    inner = MAKERS[layer_name](return_sequences=True)
    layer = Bidirectional(inner, merge_mode=None)
    x = data(2, 5, 4)
    n = inner.state_count
    starts = [data(2, 3, seed=20 + i) for i in range(2 * n)]
    fwd, bwd = layer(x, initial_state=starts)
    np.testing.assert_allclose(
        fwd, layer.forward_layer(x, initial_state=starts[:n]), rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(
        bwd, layer.backward_layer(x, initial_state=starts[n:])[:, ::-1], rtol=0, atol=1e-12
    )
    layer.forward(x, initial_state=starts)
    grads = layer.backward([np.ones_like(fwd), np.ones_like(bwd)])
    assert [g.shape for g in grads] == [x.shape] + [(2, 3)] * (2 * n)
    with pytest.raises(ValueError, match=f"a list of {2 * n} arrays"):
        layer(x, initial_state=starts[:n])


# ------------------------------------------------------------------ stateful


@pytest.mark.parametrize("name", MAKERS)
def test_a_stateful_layer_carries_its_state_to_the_next_batch(name: str) -> None:
    """Three batches of consecutive windows give what one call on the whole series gives."""
    layer = MAKERS[name](return_sequences=True, stateful=True)
    plain = MAKERS[name](return_sequences=True)
    x = data(2, 9, 4)
    layer.build((2, 3, 4))
    plain.build((2, 9, 4))
    plain.set_weights(layer.get_weights())
    parts = [layer(x[:, i : i + 3]) for i in (0, 3, 6)]
    np.testing.assert_allclose(np.concatenate(parts, axis=1), plain(x), rtol=0, atol=1e-12)
    assert layer.states is not None and len(layer.states) == layer.state_count
    final = plain(x)[:, -1]
    np.testing.assert_allclose(layer.states[0], final, rtol=0, atol=1e-12)
    layer.reset_states()
    assert all(not s.any() for s in layer.states)
    np.testing.assert_allclose(layer(x[:, :3]), parts[0], rtol=0, atol=0)


def test_a_stateful_layer_cuts_the_gradient_at_the_batch_edge() -> None:
    """Truncated BPTT: the second batch's gradients are those of a layer started from the
    carried state, and no gradient goes back into the first batch."""
    layer = SimpleRNN(3, return_sequences=True, stateful=True, seed=1, dtype="float64")
    plain = SimpleRNN(3, return_sequences=True, seed=1, dtype="float64")
    x = data(2, 6, 4)
    layer.forward(x[:, :3])
    carried = [s.copy() for s in layer.states or []]
    y = layer.forward(x[:, 3:])
    grad_x = layer.backward(np.ones_like(y))
    assert isinstance(grad_x, np.ndarray)  # no initial state was given: no gradient for it
    plain.forward(x[:, 3:], initial_state=carried)
    expected_x, _ = plain.backward(np.ones_like(y))
    np.testing.assert_allclose(grad_x, expected_x, rtol=0, atol=1e-12)
    for mine, theirs in zip(layer.grads, plain.grads, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-12)


def test_a_stateful_layer_needs_a_fixed_batch_size() -> None:
    model = Sequential([Input(shape=(3, 4))])
    with pytest.raises(ValueError, match="When using `stateful=True` in a RNN, the batch size"):
        model.add(SimpleRNN(2, stateful=True, return_sequences=True, name="s"))
    with pytest.raises(ValueError, match=r"sequence.shape=\(None, 3, 4\)"):
        SimpleRNN(2, stateful=True).build((None, 3, 4))


def test_a_stateful_layer_refuses_a_batch_of_another_size() -> None:
    layer = SimpleRNN(2, stateful=True)
    layer(np.zeros((4, 3, 1)))
    with pytest.raises(ValueError, match="Expected batch size: 4\n- Received batch size: 3"):
        layer(np.zeros((3, 3, 1)))


def test_fit_without_shuffling_carries_the_state_across_batches() -> None:
    """With a learning rate of 0, fit on consecutive windows (shuffle=False) leaves the
    layer in the state that running the windows in order gives."""
    model = Sequential(
        [Input(batch_shape=(2, 3, 1)), SimpleRNN(4, stateful=True, seed=0, name="s")]
    )
    model.compile(optimizer=SGD(learning_rate=0.0), loss="mse")
    series = data(2, 12, 1)  # two long sequences
    # batch k holds the k-th window of both sequences: series[:, 3k : 3k + 3]
    x = np.concatenate([series[:, 3 * k : 3 * k + 3] for k in range(4)])
    model.fit(x, np.zeros((8, 4)), batch_size=2, epochs=1, shuffle=False, verbose=0)
    check = SimpleRNN(4, name="check")
    check.build((2, 12, 1))
    check.set_weights(model.layers[0].get_weights())
    np.testing.assert_allclose(model.layers[0].states[0], check(series), rtol=0, atol=1e-6)


def test_stateful_is_in_the_config() -> None:
    layer = LSTM(2, stateful=True)
    assert layer.get_config()["stateful"] is True
    assert LSTM.from_config(layer.get_config()).stateful is True
