"""Live parity with Keras 3, when it is installed (skipped otherwise).

Random layer stacks are built twice, with ``keras`` and with ``rnn``, from the
same source string. We compare names, output shapes, parameter counts and the
``model.summary()`` text, then copy Keras's weights into the ``rnn`` model
and compare outputs. ``rnn`` itself never needs Keras; run this in a virtual
environment that has it, e.g.::

    KERAS_BACKEND=torch python -m pytest tests/test_keras_live.py
"""

from __future__ import annotations

import os
import random
import warnings
from typing import Any

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

import rnn  # noqa: E402
from rnn import layers as rnn_layers  # noqa: E402
from rnn.models import Sequential  # noqa: E402
from rnn.summary import summary_text  # noqa: E402

CLASSES = ("Sequential", "Input", "SimpleRNN", "Dense", "Embedding", "LSTM", "GRU", "Bidirectional")
N_MODELS = int(os.environ.get("RNN_LIVE_MODELS", "40"))


def keras_names() -> dict[str, Any]:
    names = {name: getattr(keras.layers, name, None) for name in CLASSES}
    names["Sequential"] = keras.Sequential
    names["Input"] = keras.Input
    return names


def rnn_names() -> dict[str, Any]:
    names = {name: getattr(rnn_layers, name, None) for name in CLASSES}
    names["Sequential"] = Sequential
    return names


def recurrent_layer(rng: random.Random, return_sequences: bool) -> str:
    cls = rng.choice(["SimpleRNN", "LSTM", "GRU"])
    # Keras 3.15 rejects Bidirectional around a go_backwards=True layer, so draw it first
    bidirectional = rng.random() < 0.35
    args = [str(rng.randint(1, 9)), f"return_sequences={return_sequences}"]
    if rng.random() < 0.3:
        args.append(f"activation={rng.choice(['relu', None, 'sigmoid', 'tanh'])!r}")
    if rng.random() < 0.2:
        args.append("use_bias=False")
    if rng.random() < 0.3 and not bidirectional:
        args.append("go_backwards=True")
    if cls == "GRU" and rng.random() < 0.4:
        args.append("reset_after=False")
    if cls == "LSTM" and rng.random() < 0.2:
        args.append("unit_forget_bias=False")
    layer = f"{cls}({', '.join(args)})"
    if bidirectional:
        mode = rng.choice(["concat", "concat", "sum", "ave", "mul"])
        layer = f"Bidirectional({layer}, merge_mode={mode!r})"
    return layer


def random_model(seed: int) -> tuple[str, tuple[int, ...], bool]:
    """Source of a random Sequential model, its data shape and whether inputs are token ids."""
    rng = random.Random(seed)
    steps = rng.choice([None, 1, 3, 6])
    data_steps = steps or 5
    tokens = rng.random() < 0.25
    if tokens:
        vocab, dim = rng.randint(5, 30), rng.randint(1, 6)
        parts = [f"Input(shape=({steps},))", f"Embedding({vocab}, {dim})"]
        data_shape: tuple[int, ...] = (4, data_steps)
    else:
        features = rng.randint(1, 5)
        parts = [f"Input(shape=({steps}, {features}))"]
        data_shape = (4, data_steps, features)
    depth = rng.randint(1, 3)
    for i in range(depth):
        last = i == depth - 1
        parts.append(recurrent_layer(rng, return_sequences=not last or rng.random() < 0.3))
    if rng.random() < 0.7:
        act = rng.choice([None, "relu", "softmax", "sigmoid"])
        parts.append(f"Dense({rng.randint(1, 4)}, activation={act!r})")
    return f"Sequential([{', '.join(parts)}])", data_shape, tokens


def shape(value: Any) -> Any:
    if isinstance(value, list):
        return [shape(v) for v in value]
    return tuple(value)


@pytest.fixture(autouse=True)
def _piped_console(monkeypatch: pytest.MonkeyPatch) -> None:
    # what Keras sees when stdout is not a terminal: 80 columns
    monkeypatch.setenv("COLUMNS", "80")


@pytest.mark.parametrize("seed", range(N_MODELS))
def test_random_model_matches_keras(seed: int) -> None:
    code, data_shape, tokens = random_model(seed)
    keras.backend.clear_session()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = eval(code, {"__builtins__": {}}, keras_names())
    rnn.clear_session()
    ours = eval(code, {"__builtins__": {}}, rnn_names())

    assert [layer.name for layer in ours.layers] == [layer.name for layer in theirs.layers], code
    for mine, other in zip(ours.layers, theirs.layers, strict=True):
        assert shape(mine.output_shape) == shape(other.output.shape), code
        assert mine.count_params() == other.count_params(), code
    assert ours.count_params() == theirs.count_params()

    captured: list[str] = []
    theirs.summary(print_fn=lambda text, *args, **kwargs: captured.append(text))
    assert summary_text(ours, console_width=80) == "".join(captured), code

    data = np.random.default_rng(seed)
    if tokens:
        vocab = ours.layers[0].input_dim
        x = data.integers(0, vocab, size=data_shape).astype("int32")
    else:
        x = data.standard_normal(data_shape).astype("float32")
    ours.set_weights(theirs.get_weights())
    expected = np.asarray(theirs.predict(x, verbose=0))
    got = ours.predict(x)
    assert got.shape == expected.shape, code
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=1e-5, err_msg=code)


def test_notebook_cell_prints_what_keras_prints() -> None:
    code = "Sequential([SimpleRNN(10, input_shape=(3, 1)), Dense(1)])"
    keras.backend.clear_session()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = eval(code, {"__builtins__": {}}, keras_names())
    captured: list[str] = []
    theirs.summary(print_fn=lambda text, *args, **kwargs: captured.append(text))
    rnn.clear_session()
    ours = eval(code, {"__builtins__": {}}, rnn_names())
    assert summary_text(ours) == "".join(captured)
