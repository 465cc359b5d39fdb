"""Layers compute in float32 (the default) or float64, as Keras's ``dtype=`` and floatx."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import rnn
from rnn import functional
from rnn.layers import GRU, LSTM, Bidirectional, Dense, Embedding, SimpleRNN
from rnn.layers.layer import Layer
from rnn.models import Sequential

MAKERS: dict[str, Callable[..., Layer]] = {
    "dense": lambda **kw: Dense(3, **kw),
    "simple_rnn": lambda **kw: SimpleRNN(3, return_sequences=True, **kw),
    "lstm": lambda **kw: LSTM(3, return_state=True, **kw),
    "gru": lambda **kw: GRU(3, **kw),
    "bidirectional": lambda **kw: Bidirectional(GRU(3), **kw),
}


def _x(float_kind: type = np.float64) -> np.ndarray:
    return np.random.default_rng(0).standard_normal((2, 4, 5)).astype(float_kind)


def _main(out: object) -> np.ndarray:
    return out[0] if isinstance(out, (list, tuple)) else out  # type: ignore[index]


@pytest.mark.parametrize("name", MAKERS)
def test_float32_by_default(name: str) -> None:
    layer = MAKERS[name]()
    out = layer.forward(_x())  # float64 in, float32 out, as Keras
    assert layer.dtype == "float32" and layer.get_config()["dtype"] == "float32"
    assert all(w.dtype == np.float32 for w in layer.weights)
    assert _main(out).dtype == np.float32
    grad_x = layer.backward(np.ones_like(_main(out)))
    assert grad_x.dtype == np.float32
    assert all(g.dtype == np.float32 for g in layer.grads)


@pytest.mark.parametrize("dtype", ["float64", np.float64, np.dtype("float64")])
@pytest.mark.parametrize("name", MAKERS)
def test_float64_everywhere(name: str, dtype: object) -> None:
    layer = MAKERS[name](dtype=dtype)
    out = layer.forward(_x(np.float32))  # float32 in, float64 out
    assert layer.dtype == "float64" and layer.get_config()["dtype"] == "float64"
    assert all(w.dtype == np.float64 for w in layer.weights)
    assert all(
        np.asarray(o).dtype == np.float64 for o in (out if isinstance(out, tuple) else [out])
    )
    grad_x = layer.backward(np.ones_like(_main(out)))
    assert grad_x.dtype == np.float64
    assert all(g.dtype == np.float64 for g in layer.grads)
    assert type(layer).from_config(layer.get_config()).dtype == "float64"


def test_float64_is_computed_in_float64() -> None:
    layer = SimpleRNN(4, return_sequences=True, dtype="float64", seed=1)
    x = _x()
    y = layer(x)
    expected = functional.simple_rnn_forward(x, layer.kernel, layer.recurrent_kernel, layer.bias)
    np.testing.assert_array_equal(y, expected)
    weights = [w + 1e-12 for w in layer.get_weights()]  # below float32's resolution
    layer.set_weights(weights)
    for a, b in zip(layer.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_embedding_dtype() -> None:
    layer = Embedding(5, 2, dtype="float64")
    y = layer.forward(np.array([[1, 2]]))
    assert y.dtype == np.float64 and layer.embeddings.dtype == np.float64
    layer.backward(np.ones_like(y))
    assert layer.grads[0].dtype == np.float64


@pytest.mark.parametrize(
    "dtype", ["float16", "int32", "bfloat16", "mixed_float16", {"name": "float32"}, 3]
)
@pytest.mark.parametrize("name", MAKERS)
def test_other_dtypes_are_refused(name: str, dtype: object) -> None:
    with pytest.raises(ValueError, match="compute in 'float32' or 'float64', got dtype="):
        MAKERS[name](dtype=dtype)


def test_set_floatx_is_the_default_for_new_layers() -> None:
    old = Dense(2)
    rnn.set_floatx("float64")
    assert rnn.floatx() == "float64"
    new = Dense(2)
    assert (old.dtype, new.dtype) == ("float32", "float64")
    model = Sequential([LSTM(3), Dense(1)])
    assert model.predict(_x(np.float32)).dtype == np.float64
    assert Dense(2, dtype="float32").dtype == "float32"  # an explicit dtype wins
    with pytest.raises(ValueError, match="Unknown `floatx` value: float16"):
        rnn.set_floatx("float16")
    assert rnn.floatx() == "float64"  # unchanged by the refused value
    rnn.set_floatx(np.float32)
    assert rnn.floatx() == "float32" and Dense(2).dtype == "float32"


def test_bidirectional_follows_its_layer_or_its_own_dtype() -> None:
    wrapped = Bidirectional(LSTM(2, dtype="float64"))
    assert wrapped.dtype == wrapped.forward_layer.dtype == wrapped.backward_layer.dtype
    assert wrapped.dtype == "float64"
    forced = Bidirectional(LSTM(2), dtype="float64")
    assert forced.forward_layer.dtype == forced.backward_layer.dtype == "float64"
    forced.build((None, 3, 2))
    assert all(w.dtype == np.float64 for w in forced.weights)
