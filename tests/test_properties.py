"""Property tests over random layer stacks (hypothesis).

For any stack we draw: every layer's count equals its textbook formula, the
output shapes the model announces are the shapes running data produces, and
``get_weights``/``set_weights`` round-trip exactly (a twin model given the
weights computes the same outputs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import rnn
from rnn.explain import explain_params
from rnn.layers import GRU, LSTM, Bidirectional, Dense, Embedding, Input, SimpleRNN
from rnn.models import Sequential

GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}
CLASSES = {"SimpleRNN": SimpleRNN, "LSTM": LSTM, "GRU": GRU}


@dataclass(frozen=True)
class Recurrent:
    cls: str
    units: int
    use_bias: bool
    return_sequences: bool
    go_backwards: bool
    reset_after: bool
    merge_mode: str | None  # "none" means not wrapped in Bidirectional

    def make(self) -> Any:
        kwargs: dict[str, Any] = {
            "use_bias": self.use_bias,
            "return_sequences": self.return_sequences,
            "go_backwards": self.go_backwards,
        }
        if self.cls == "GRU":
            kwargs["reset_after"] = self.reset_after
        layer = CLASSES[self.cls](self.units, **kwargs)
        if self.merge_mode != "none":
            layer = Bidirectional(layer, merge_mode=self.merge_mode)
        return layer

    def count(self, features: int) -> int:
        u, g = self.units, GATES[self.cls]
        bias = 0
        if self.use_bias:
            bias = 2 * u if self.cls == "GRU" and self.reset_after else u
        one = g * (u * u + features * u + bias)
        return 2 * one if self.merge_mode != "none" else one

    def width(self) -> int:
        return 2 * self.units if self.merge_mode == "concat" else self.units


@dataclass(frozen=True)
class Stack:
    steps: int | None
    features: int
    vocab: int | None  # token ids through an Embedding when set
    recurrent: tuple[Recurrent, ...]
    dense: int | None

    def layers(self) -> list[Any]:
        items: list[Any] = []
        if self.vocab is not None:
            items += [Input(shape=(self.steps,)), Embedding(self.vocab, self.features)]
        else:
            items.append(Input(shape=(self.steps, self.features)))
        items += [spec.make() for spec in self.recurrent]
        if self.dense is not None:
            items.append(Dense(self.dense))
        return items

    def counts(self) -> list[int]:
        counts: list[int] = []
        if self.vocab is not None:
            counts.append(self.vocab * self.features)
        features = self.features
        for spec in self.recurrent:
            counts.append(spec.count(features))
            features = spec.width()
        if self.dense is not None:
            counts.append(features * self.dense + self.dense)
        return counts

    def data(self, batch: int, steps: int, seed: int) -> np.ndarray:
        rng = np.random.default_rng(seed)
        if self.vocab is not None:
            return rng.integers(0, self.vocab, size=(batch, steps))
        return rng.standard_normal((batch, steps, self.features)).astype(np.float32)


@st.composite
def recurrent(draw: st.DrawFn, return_sequences: bool) -> Recurrent:
    return Recurrent(
        cls=draw(st.sampled_from(sorted(GATES))),
        units=draw(st.integers(1, 6)),
        use_bias=draw(st.booleans()),
        return_sequences=return_sequences,
        go_backwards=draw(st.booleans()),
        reset_after=draw(st.booleans()),
        merge_mode=draw(st.sampled_from(["none", "none", "concat", "sum", "ave", "mul"])),
    )


@st.composite
def stacks(draw: st.DrawFn) -> Stack:
    depth = draw(st.integers(1, 3))
    last_sequences = draw(st.booleans())
    layers = tuple(
        draw(recurrent(return_sequences=(i < depth - 1) or last_sequences)) for i in range(depth)
    )
    return Stack(
        steps=draw(st.one_of(st.none(), st.integers(1, 5))),
        features=draw(st.integers(1, 4)),
        vocab=draw(st.one_of(st.none(), st.integers(2, 20))),
        recurrent=layers,
        dense=draw(st.one_of(st.none(), st.integers(1, 4))),
    )


def build(stack: Stack, seed: int) -> Sequential:
    rnn.clear_session()
    rnn.set_random_seed(seed)
    return Sequential(stack.layers())


@settings(max_examples=60, deadline=None)
@given(stacks())
def test_counts_equal_the_formulas(stack: Stack) -> None:
    model = build(stack, 0)
    counts = stack.counts()
    assert [layer.count_params() for layer in model.layers] == counts
    assert model.count_params() == sum(counts)
    explained = explain_params(model)
    assert [item.count for item in explained.layers] == counts
    for item in explained.layers:
        assert int(eval(item.numbers, {"__builtins__": {}})) == item.count


@settings(max_examples=60, deadline=None)
@given(stacks(), st.integers(1, 4), st.integers(1, 6))
def test_announced_shapes_are_the_real_shapes(stack: Stack, batch: int, steps: int) -> None:
    model = build(stack, 0)
    steps = stack.steps or steps
    x = stack.data(batch, steps, seed=1)
    for layer in model.layers:
        announced = layer.output_shape
        x = layer(x)
        assert announced[0] is None
        expected = tuple(steps if d is None else d for d in announced[1:])
        assert x.shape == (batch, *expected), layer.name
        assert x.dtype == np.float32
        assert np.isfinite(x).all()


@settings(max_examples=40, deadline=None)
@given(stacks(), st.integers(0, 2**16))
def test_weights_round_trip(stack: Stack, seed: int) -> None:
    a = build(stack, seed)
    b = build(stack, seed + 1)
    weights = a.get_weights()
    b.set_weights(weights)
    for mine, theirs in zip(b.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    x = stack.data(3, stack.steps or 4, seed=seed)
    np.testing.assert_array_equal(a.predict(x), b.predict(x))
    # get_weights returns copies and set_weights copies in: editing the list changes nothing
    before = a.get_weights()[0]
    weights[0][...] = 42
    np.testing.assert_array_equal(a.get_weights()[0], before)
    np.testing.assert_array_equal(b.get_weights()[0], before)
