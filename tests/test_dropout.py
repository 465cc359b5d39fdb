"""Dropout: the `Dropout` layer and the recurrent layers' ``dropout`` and
``recurrent_dropout``, with Keras 3's semantics (one mask per sequence, kept for every
step, scaled by 1/(1-p), only while training)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import rnn
from rnn import functional
from rnn.layers import GRU, LSTM, Dense, Dropout, Input, SimpleRNN
from rnn.layers.rnn import RNN
from rnn.models import Sequential


def data(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def recording(layer: RNN) -> list[dict[str, Any]]:
    """Keep every set of dropout masks the layer draws."""
    drawn: list[dict[str, Any]] = []
    draw = layer.dropout_masks

    def keep(x: np.ndarray, training: bool | None) -> dict[str, Any]:
        masks = draw(x, training)
        drawn.append(masks)
        return dict(masks)

    layer.dropout_masks = keep  # type: ignore[method-assign]
    return drawn


MAKERS = {
    "simple_rnn": lambda **kw: SimpleRNN(3, seed=1, dtype="float64", **kw),
    "lstm": lambda **kw: LSTM(3, seed=1, dtype="float64", **kw),
    "gru": lambda **kw: GRU(3, seed=1, dtype="float64", **kw),
}


@pytest.mark.parametrize("name", MAKERS)
def test_without_training_dropout_changes_nothing(name: str) -> None:
    x = data(2, 5, 4)
    plain = MAKERS[name](return_sequences=True)
    dropped = MAKERS[name](return_sequences=True, dropout=0.5, recurrent_dropout=0.5)
    np.testing.assert_array_equal(dropped(x), plain(x))
    np.testing.assert_array_equal(dropped(x, training=False), plain(x))
    assert not np.array_equal(dropped(x, training=True), plain(x))


@pytest.mark.parametrize("name", MAKERS)
@pytest.mark.parametrize(("rate", "recurrent"), [(0.4, 0.0), (0.0, 0.3), (0.4, 0.3)])
def test_one_mask_per_sequence_as_keras_draws_them(
    name: str, rate: float, recurrent: float
) -> None:
    layer = MAKERS[name](return_sequences=True, dropout=rate, recurrent_dropout=recurrent)
    drawn = recording(layer)
    x = data(2, 5, 4)
    layer(x, training=True)
    masks = drawn[-1]
    per_gate = name != "simple_rnn" and recurrent > 0  # Keras's implementation 1
    gates = layer.gates
    if rate:
        expected = (2, gates, 4) if per_gate else (2, 4)
        assert masks["dropout_mask"].shape == expected  # no time axis: the same at every step
        assert set(np.unique(masks["dropout_mask"])) <= {0.0, 1 / (1 - rate)}
    else:
        assert masks["dropout_mask"] is None
    if recurrent:
        expected = (2, gates, 3) if per_gate else (2, 3)
        assert masks["recurrent_dropout_mask"].shape == expected
        assert set(np.unique(masks["recurrent_dropout_mask"])) <= {0.0, 1 / (1 - recurrent)}
    else:
        assert masks["recurrent_dropout_mask"] is None


def test_the_layer_runs_the_functional_cell_with_its_masks() -> None:
    layer = SimpleRNN(3, return_sequences=True, dropout=0.5, recurrent_dropout=0.5, seed=2)
    layer.set_dtype("float64")
    drawn = recording(layer)
    x = data(2, 5, 4)
    y = layer(x, training=True)
    masks = {k: v for k, v in drawn[-1].items() if k != "mask"}
    np.testing.assert_allclose(
        y, functional.simple_rnn_forward(x, *layer.weights, **masks), rtol=0, atol=1e-12
    )


@pytest.mark.parametrize("name", MAKERS)
def test_gradients_with_the_masks_held_fixed(name: str) -> None:
    layer = MAKERS[name](return_sequences=True, dropout=0.3, recurrent_dropout=0.3)
    drawn = recording(layer)
    x = data(2, 4, 3)
    y = layer.forward(x, training=True)
    fixed = dict(drawn[-1])
    r = data(*y.shape, seed=3)
    grad_x = layer.backward(r)
    grads = layer.grads
    layer.dropout_masks = lambda x, training: dict(fixed)  # type: ignore[method-assign]

    def loss() -> float:
        return float(np.sum(layer(x, training=True) * r))

    eps = 1e-6
    for weight, grad in zip(layer.weights, grads, strict=True):
        numeric = np.zeros_like(weight)
        for index in np.ndindex(weight.shape):
            keep = weight[index]
            weight[index] = keep + eps
            up = loss()
            weight[index] = keep - eps
            down = loss()
            weight[index] = keep
            numeric[index] = (up - down) / (2 * eps)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)
    numeric_x = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        keep = x[index]
        x[index] = keep + eps
        up = loss()
        x[index] = keep - eps
        down = loss()
        x[index] = keep
        numeric_x[index] = (up - down) / (2 * eps)
    np.testing.assert_allclose(grad_x, numeric_x, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("argument", ["dropout", "recurrent_dropout"])
@pytest.mark.parametrize("value", [1.0, 1.5, -0.1, "0.2"])
def test_a_rate_outside_0_1_is_refused(argument: str, value: Any) -> None:
    with pytest.raises(ValueError, match=f"Invalid value received for argument `{argument}`"):
        SimpleRNN(3, **{argument: value})


def test_dropout_rates_are_in_the_config() -> None:
    layer = LSTM(3, dropout=0.2, recurrent_dropout=0.1)
    config = layer.get_config()
    assert (config["dropout"], config["recurrent_dropout"]) == (0.2, 0.1)
    assert LSTM.from_config(config).recurrent_dropout == 0.1


def test_the_dropout_layer() -> None:
    layer = Dropout(0.25, seed=0, dtype="float64")
    x = np.ones((400, 10))
    np.testing.assert_array_equal(layer(x), x)
    y = layer(x, training=True)
    assert set(np.unique(y)) == {0.0, 1 / 0.75}
    assert 0.2 < float((y == 0).mean()) < 0.3
    assert Dropout(1.0)(x, training=True).max() == 0.0
    y = layer.forward(x, training=True)
    grad = layer.backward(np.ones_like(x))
    np.testing.assert_array_equal(grad, y)  # the same mask, scaled the same way
    shared = Dropout(0.5, noise_shape=(None, 1, 4), seed=1)(np.ones((3, 5, 4)), training=True)
    assert (shared == shared[:, :1]).all()  # the same features dropped at every step
    with pytest.raises(ValueError, match="Expected a float value between 0 and 1"):
        Dropout(1.5)
    with pytest.raises(ValueError, match=r"Received: rate=-0.1"):
        Dropout(-0.1)


def test_fit_trains_with_dropout_and_evaluate_predicts_without() -> None:
    seen: list[Any] = []

    class Spy(Dropout):
        def forward_with_cache(self, x: np.ndarray, training: bool | None = None) -> Any:
            seen.append(("forward", training))
            return super().forward_with_cache(x, training=training)

    rnn.set_random_seed(0)
    model = Sequential([Input(shape=(4,)), Spy(0.5), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = data(8, 4), data(8, 1)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert seen == [("forward", True)]
    seen.clear()
    first = model.evaluate(x, y, verbose=0)
    assert model.evaluate(x, y, verbose=0) == first  # no randomness outside training
    np.testing.assert_array_equal(model.predict(x), model.predict(x))
    assert seen and all(not training for _, training in seen)


def test_a_seed_repeats_a_training_run() -> None:
    def run() -> list[np.ndarray]:
        rnn.set_random_seed(3)
        model = Sequential(
            [Input(shape=(5, 2)), SimpleRNN(3, dropout=0.3, recurrent_dropout=0.3), Dense(1)]
        )
        model.compile(optimizer="adam", loss="mse")
        model.fit(data(16, 5, 2), data(16, 1), epochs=2, batch_size=4, verbose=0)
        return model.get_weights()

    for a, b in zip(run(), run(), strict=True):
        np.testing.assert_array_equal(a, b)
