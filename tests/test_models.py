"""Sequential: building, shapes, weights, predict and Keras's errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import rnn
from rnn.layers import GRU, LSTM, Bidirectional, Dense, Embedding, Input, SimpleRNN
from rnn.models import Sequential

FIXTURES = Path(__file__).parent / "fixtures" / "keras"


def test_notebook_cell_runs_and_prints_keras3(capsys: pytest.CaptureFixture[str]) -> None:
    # the notebook's cell, with keras -> rnn in the imports
    from rnn.layers import Dense, SimpleRNN
    from rnn.models import Sequential

    model = Sequential()
    model.add(SimpleRNN(10, input_shape=(3, 1)))
    model.add(Dense(1))
    model.summary()
    printed = capsys.readouterr().out
    fixture = FIXTURES / "notebook.json"
    if fixture.exists():
        assert printed == json.loads(fixture.read_text(encoding="utf-8"))["summary"]["keras3"]
    assert " Total params: 131 (524.00 B)" in printed


def test_shapes_and_layers() -> None:
    model = Sequential([Input(shape=(3, 1)), SimpleRNN(10), Dense(1)])
    assert model.name == "sequential"
    assert [layer.name for layer in model.layers] == ["simple_rnn", "dense"]
    assert model.built
    assert model.input_shape == (None, 3, 1)
    assert model.output_shape == (None, 1)
    assert [layer.output_shape for layer in model.layers] == [(None, 10), (None, 1)]
    assert model.count_params() == 131


def test_unknown_timesteps_and_embedding() -> None:
    model = Sequential([Input(shape=(None,)), Embedding(100, 8), LSTM(4, return_sequences=True)])
    assert model.layers[0].output_shape == (None, None, 8)
    assert model.output_shape == (None, None, 4)
    x = np.random.default_rng(0).integers(0, 100, size=(3, 7))
    assert model.predict(x).shape == (3, 7, 4)


def test_build_later_and_by_calling() -> None:
    model = Sequential([GRU(4), Dense(2)])
    assert not model.built
    model.build((None, 5, 3))
    assert model.output_shape == (None, 2)
    other = Sequential([GRU(4), Dense(2)])
    y = other(np.zeros((2, 5, 3)))
    assert y.shape == (2, 2) and other.built


def test_predict_batches_equal_one_call() -> None:
    rnn.set_random_seed(0)
    model = Sequential([Input(shape=(4, 2)), Bidirectional(LSTM(3)), Dense(1)])
    x = np.random.default_rng(1).standard_normal((70, 4, 2))
    np.testing.assert_allclose(model.predict(x, batch_size=8), model(x), atol=1e-6)
    assert model.predict(x, verbose=0).dtype == np.float32


def test_weights_round_trip_between_models() -> None:
    a = Sequential([Input(shape=(6, 2)), SimpleRNN(5, return_sequences=True), GRU(3), Dense(1)])
    rnn.set_random_seed(7)
    b = Sequential([Input(shape=(6, 2)), SimpleRNN(5, return_sequences=True), GRU(3), Dense(1)])
    x = np.random.default_rng(2).standard_normal((4, 6, 2))
    assert not np.allclose(a(x), b(x))
    b.set_weights(a.get_weights())
    np.testing.assert_array_equal(a(x), b(x))


def test_add_incompatible_layer_keras_message_and_not_added() -> None:
    model = Sequential()
    model.add(SimpleRNN(10, input_shape=(3, 1)))
    with pytest.raises(ValueError) as info:
        model.add(SimpleRNN(4))
    assert str(info.value) == (
        'Input 0 of layer "simple_rnn_1" is incompatible with the layer: expected ndim=3, '
        "found ndim=2. Full shape received: (None, 10)"
    )
    assert [layer.name for layer in model.layers] == ["simple_rnn"]
    model.add(Dense(1))
    assert model.output_shape == (None, 1)


def test_count_params_unbuilt_model() -> None:
    Sequential()  # takes the name "sequential"
    model = Sequential([SimpleRNN(10), Dense(1)])
    with pytest.raises(ValueError) as info:
        model.count_params()
    assert str(info.value) == (
        "You tried to call `count_params` on layer 'sequential_1', but the layer isn't "
        "built. You can build it manually via: `layer.build(input_shape)`."
    )


def test_model_set_weights_wrong_length() -> None:
    model = Sequential([Input(shape=(3, 1)), SimpleRNN(10), Dense(1)])
    with pytest.raises(ValueError) as info:
        model.set_weights([np.zeros((1, 10))])
    assert str(info.value) == (
        "You called `set_weights(weights)` on layer 'sequential' with a weight list of "
        "length 1, but the layer was expecting 5 weights."
    )


def test_call_with_wrong_input() -> None:
    model = Sequential([Input(shape=(3, 1)), SimpleRNN(10), Dense(1)])
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        model(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 1"):
        model.predict(np.zeros((2, 3, 2)))


def test_duplicate_names_and_inputs() -> None:
    model = Sequential([Input(shape=(3, 1)), SimpleRNN(2, name="x")])
    with pytest.raises(ValueError, match="should have unique names"):
        model.add(Dense(1, name="x"))
    # a second Input, in Keras 3's words
    second = (
        "Sequential model 'sequential' has already been configured to use input shape "
        "(None, 3, 1). You cannot add a different Input layer to it."
    )
    with pytest.raises(ValueError, match=re.escape(second)):
        model.add(Input(shape=(3, 1)))
    with pytest.raises(ValueError, match="already has layers: an Input must come first"):
        Sequential([Dense(2)]).add(Input(shape=(3,)))
    with pytest.raises(ValueError, match=r"Only instances of `keras\.Layer`"):
        model.add("dense")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cannot be built because it has no layers"):
        Sequential().build((None, 3))


def test_config_round_trip() -> None:
    model = Sequential(
        [Input(shape=(None, 2)), Bidirectional(GRU(3, return_sequences=True)), LSTM(2), Dense(1)],
        name="m",
    )
    clone = Sequential.from_config(model.get_config())
    assert clone.name == "m"
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    assert clone.output_shape == model.output_shape
    assert clone.count_params() == model.count_params()


def test_from_config_finds_your_own_layers_in_custom_objects() -> None:
    class Twice(Dense):
        """A layer of the reader's own."""

    config = Sequential([Input(shape=(3,)), Twice(2)]).get_config()
    with pytest.raises(TypeError, match=r"Could not locate class 'Twice'\. .*custom_objects"):
        Sequential.from_config(config)
    model = Sequential.from_config(config, custom_objects={"Twice": Twice})
    assert type(model.layers[-1]) is Twice
