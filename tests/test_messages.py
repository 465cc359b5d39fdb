"""Clear messages where rnn used to fail deep inside NumPy or say nothing (issue 15, family 10).

`set_weights` on an unbuilt model, a weight attribute given a new array, a model added
to itself, `check_gradients`'s arguments, `set_random_seed` and `set_floatx`, the
datasets helpers and `explain_params`: each bad input with its exact message, and a
valid edge input next to it, so that no check is a false alarm.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pytest

import rnn
from rnn import config, datasets
from rnn.gradcheck import check_gradients
from rnn.layers import Dense, Input, SimpleRNN
from rnn.models import Sequential


def _raises(error: type[Exception], message: str, call: Any, *args: Any, **kwargs: Any) -> None:
    with pytest.raises(error, match=re.escape(message) + "$"):
        call(*args, **kwargs)


BUILD = (
    "Build it first: call it on a batch of data, or call `build(input_shape)` with the batch "
    "axis, e.g. `build((None, 3))` for 3 features"
)


# ---------------------------------------------------------------- set_weights
def test_set_weights_on_an_unbuilt_model_says_so() -> None:
    model = Sequential([Dense(2)], name="m")
    weights = [np.zeros((3, 2)), np.zeros(2)]
    _raises(
        ValueError,
        "You called `set_weights(weights)` on model 'm' with a weight list of length 2, but "
        f"it is not built yet: it has no weights to set. {BUILD}, or start it with an `Input`.",
        model.set_weights,
        weights,
    )
    _raises(
        ValueError,
        "You called `set_weights(weights)` on layer 'd' with a weight list of length 2, but "
        f"it is not built yet: it has no weights to set. {BUILD}.",
        Dense(2, name="d").set_weights,
        weights,
    )
    model.build((None, 3))
    model.set_weights(weights)  # once built, it works
    assert np.array_equal(model.predict(np.ones((1, 3))), np.zeros((1, 2)))


def test_set_weights_of_a_built_layer_keeps_keras_message() -> None:
    layer = Dense(2, name="d")
    layer.build((None, 3))
    _raises(
        ValueError,
        "You called `set_weights(weights)` on layer 'd' with a weight list of length 1, but "
        "the layer was expecting 2 weights.",
        layer.set_weights,
        [np.zeros((3, 2))],
    )
    _raises(
        TypeError,
        "`set_weights(weights)` on layer 'd' expects a list of arrays, one per weight, in the "
        "order of `get_weights()`. Received: ndarray of shape (3, 2)",
        layer.set_weights,
        np.zeros((3, 2)),
    )


def test_integer_weights_become_float_weights_that_train() -> None:
    model = Sequential([Input((3,)), Dense(1, kernel_initializer="zeros")])
    model.set_weights([np.ones((3, 1), dtype=np.int64), np.zeros(1, dtype=np.int64)])
    layer = model.layers[0]
    assert layer.kernel.dtype == layer.bias.dtype == np.float32
    layer.kernel = np.full((3, 1), 2, dtype=np.int64)  # written into the weight, as float
    assert layer.kernel is layer.weights[0] and layer.kernel.dtype == np.float32
    before = model.get_weights()[0].copy()
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 3)), np.zeros((4, 1)), epochs=1, verbose=0)
    assert not np.array_equal(model.get_weights()[0], before)  # the optimizer moved it
    np.testing.assert_array_equal(layer.kernel, model.get_weights()[0])  # the one used


def test_a_weight_attribute_keeps_its_shape() -> None:
    layer = Dense(2, name="d")
    layer.build((None, 3))
    _raises(
        ValueError,
        "Layer 'd': `kernel` is a weight of shape (3, 2); assign an array of numbers of that "
        "shape (copied into the weight, as float32), or use `set_weights`. Received: an array "
        "of shape (2, 3) and dtype float64",
        setattr,
        layer,
        "kernel",
        np.zeros((2, 3)),
    )
    _raises(
        ValueError,
        "Layer 'd': `bias` is a weight of shape (2,); assign an array of numbers of that "
        "shape (copied into the weight, as float32), or use `set_weights`. Received: None",
        setattr,
        layer,
        "bias",
        None,
    )
    rnn_layer = SimpleRNN(2)
    rnn_layer.build((None, 4, 3))
    rnn_layer.recurrent_kernel = np.eye(2, dtype=int)
    assert rnn_layer.recurrent_kernel is rnn_layer.weights[1]
    np.testing.assert_array_equal(rnn_layer.get_weights()[1], np.eye(2))


# ---------------------------------------------------------------- Sequential.add
def test_a_model_cannot_be_added_to_itself() -> None:
    model = Sequential(name="m")
    _raises(
        ValueError,
        "Cannot add the model 'm' to itself: a model cannot be one of its own layers.",
        model.add,
        model,
    )
    inner = Sequential([Input((3,)), Dense(2)], name="inner")
    outer = Sequential([Input((3,)), inner], name="outer")
    _raises(
        ValueError,
        "Cannot add the model 'outer' to 'inner': it holds 'inner', and a model cannot be one "
        "of its own layers.",
        inner.add,
        outer,
    )
    assert len(inner.layers) == 1
    assert outer.output_shape == (None, 2)  # a model inside another still works


def test_adding_a_non_layer() -> None:
    _raises(
        ValueError,
        "Only instances of `keras.Layer` can be added to a Sequential model. Received: 3 "
        "(of type <class 'int'>)",
        Sequential().add,
        3,
    )
    _raises(
        ValueError,
        "Only instances of `keras.Layer` can be added to a Sequential model. Received: "
        "<class 'rnn.layers.core.Dense'> (of type <class 'type'>): the class itself, not a "
        "layer; write Dense(...)",
        Sequential().add,
        Dense,
    )


# ---------------------------------------------------------------- check_gradients
X = np.ones((2, 3))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"eps": 0},
            ValueError,
            "`eps`, the step of the central differences (L(w + eps) - L(w - eps)) / (2 eps), "
            "must be a positive finite number, such as 1e-6. Received: eps=0",
        ),
        (
            {"eps": float("nan")},
            ValueError,
            "`eps`, the step of the central differences (L(w + eps) - L(w - eps)) / (2 eps), "
            "must be a positive finite number, such as 1e-6. Received: eps=nan",
        ),
        (
            {"eps": "1e-6"},
            TypeError,
            "`eps` must be a number, such as 1e-6. Received: eps='1e-6' (of type str)",
        ),
        (
            {"max_entries": 0},
            ValueError,
            "`max_entries` must be None (check every entry) or a positive integer: with 0 "
            "nothing would be checked. Received: max_entries=0",
        ),
        (
            {"max_entries": 2.0},
            TypeError,
            "`max_entries` must be None (check every entry) or a positive integer. "
            "Received: max_entries=2.0 (of type float)",
        ),
        (
            {"tolerance": -1e-6},
            ValueError,
            "`tolerance`, the largest relative error the report calls ok, must be a number "
            ">= 0, such as 1e-6. Received: tolerance=-1e-06",
        ),
        (
            {"tolerance": float("nan")},
            ValueError,
            "`tolerance`, the largest relative error the report calls ok, must be a number "
            ">= 0, such as 1e-6. Received: tolerance=nan",
        ),
        ({"seed": -1}, ValueError, "`seed` must be a non-negative integer. Received: seed=-1"),
        (
            {"seed": None},
            TypeError,
            "`seed` must be an integer. Received: seed=None (of type NoneType)",
        ),
        (
            {"loss": "mse"},
            TypeError,
            "`loss` must be None or a function `loss(output) -> (value, dL/d output)`. "
            "Received: loss='mse' (of type str)",
        ),
    ],
)
def test_check_gradients_arguments(kwargs: dict[str, Any], error: type, message: str) -> None:
    _raises(error, message, check_gradients, Dense(2), X, **kwargs)


def test_check_gradients_needs_a_layer() -> None:
    _raises(
        TypeError,
        "check_gradients checks a layer or a model (an `rnn.layers.Layer`). Received: 3 "
        "(of type int)",
        check_gradients,
        3,
        X,
    )
    _raises(
        TypeError,
        "check_gradients checks a layer or a model (an `rnn.layers.Layer`). Received: the "
        "class Dense itself: write Dense(...)",
        check_gradients,
        Dense,
        X,
    )


def test_check_gradients_edge_arguments_still_work() -> None:
    report = check_gradients(Dense(2, seed=0), X, max_entries=1, tolerance=0.5, eps=1e-4)
    assert report.ok and all(entry.checked == 1 for entry in report.entries)


# ---------------------------------------------------------------- session
@pytest.mark.parametrize(
    ("seed", "message"),
    [
        (
            None,
            "Expected `seed` argument to be an integer. Received: seed=None (of type NoneType). "
            "`set_random_seed(None)` does not unseed the generator: "
            "`rnn.config.reset_session()` starts an unseeded one",
        ),
        ("a", "Expected `seed` argument to be an integer. Received: seed='a' (of type str)"),
        (1.0, "Expected `seed` argument to be an integer. Received: seed=1.0 (of type float)"),
        (True, "Expected `seed` argument to be an integer. Received: seed=True (of type bool)"),
        (-1, "Expected `seed` argument to be a non-negative integer. Received: seed=-1"),
    ],
)
def test_set_random_seed_refuses(seed: Any, message: str) -> None:
    rnn.set_random_seed(7)
    first = config.global_rng().random()
    rnn.set_random_seed(7)
    _raises(ValueError, message, rnn.set_random_seed, seed)
    assert config.global_rng().random() == first  # the generator was left as it was


def test_set_random_seed_takes_numpy_and_large_ints() -> None:
    rnn.set_random_seed(np.int64(3))
    rnn.set_random_seed(2**40)
    _raises(
        ValueError,
        "Expected `seed` argument to be a non-negative integer. Received: seed=-5",
        config.reset_session,
        seed=-5,
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "None"),
        ("float16", "float16"),
        (3, "3 (of type int)"),
        (np.int32, "<class 'numpy.int32'> (of type type)"),
    ],
)
def test_set_floatx_refuses(value: Any, shown: str) -> None:
    _raises(
        ValueError,
        f"Unknown `floatx` value: {shown}. Expected one of {{'float32', 'float64'}}",
        rnn.set_floatx,
        value,
    )
    assert rnn.floatx() == "float32"


# ---------------------------------------------------------------- datasets
@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: datasets.chronological_split(0),
            ValueError,
            "`n` must be at least 1. Received: n=0",
        ),
        (
            lambda: datasets.chronological_split(10.0),
            TypeError,
            "`n` must be an integer. Received: n=10.0 (of type float)",
        ),
        (
            lambda: datasets.chronological_split(3),
            ValueError,
            "chronological_split(3, (0.7, 0.15)) leaves the validation part empty (rows: train "
            "2, validation 0, test 1): give a longer series or larger fractions.",
        ),
        (
            lambda: datasets.chronological_split(10, (0.5, 0.5)),
            ValueError,
            "fractions must be positive and add up to less than 1, got (0.5, 0.5)",
        ),
        (
            lambda: datasets.chronological_split(10, (-0.1, 0.2)),
            ValueError,
            "fractions must be positive and add up to less than 1, got (-0.1, 0.2)",
        ),
        (
            lambda: datasets.chronological_split(10, 0.7),
            TypeError,
            "`fractions` must be two numbers, the shares of the training and validation "
            "parts, such as (0.7, 0.15). Received: fractions=0.7",
        ),
        (
            lambda: datasets.windows(np.arange(10.0), 20, 1),
            ValueError,
            "A window of length 20 and its target 1 step(s) later need 21 rows, but the "
            "series has 10: give a shorter `length` or `horizon`, or more rows.",
        ),
        (
            lambda: datasets.windows(np.arange(100.0), 5, 2, part=slice(0, 5)),
            ValueError,
            "A window of length 5 and its target 2 step(s) later need 7 rows, but the part "
            "(rows 0 to 5) has 5: give a shorter `length` or `horizon`, or more rows.",
        ),
        (
            lambda: datasets.windows(np.arange(10.0), 0, 1),
            ValueError,
            "`length` must be at least 1. Received: length=0",
        ),
        (
            lambda: datasets.windows(np.arange(10.0), 3, 0),
            ValueError,
            "`horizon` must be at least 1: the target lies `horizon` steps after the window's "
            "last step (0 would make it that step itself). Received: horizon=0",
        ),
        (
            lambda: datasets.windows(np.arange(10.0), 3, -1, targets=np.arange(10.0)),
            ValueError,
            "`horizon` must be at least 1: the target lies `horizon` steps after the window's "
            "last step. Received: horizon=-1",
        ),
        (
            lambda: datasets.windows(np.arange(10.0), 3, 1.5),
            TypeError,
            "`horizon` must be an integer. Received: horizon=1.5 (of type float)",
        ),
        (
            lambda: datasets.windows(np.arange(10.0), 3, 1, part=(0, 5)),
            TypeError,
            "`part` must be a slice of the rows, such as one of chronological_split's parts. "
            "Received: part=(0, 5) (of type tuple)",
        ),
        (
            lambda: datasets.windows(np.zeros((4, 3, 2)), 1, 1),
            ValueError,
            "features must have shape (timesteps,) or (timesteps, features). Received: an "
            "array of shape (4, 3, 2)",
        ),
        (
            lambda: datasets.char_vocabulary(""),
            ValueError,
            "char_vocabulary got an empty text: it has no characters.",
        ),
        (
            lambda: datasets.char_vocabulary(None),
            TypeError,
            "char_vocabulary reads a text, a str. Received: NoneType",
        ),
        (
            lambda: datasets.char_sequences([], 3),
            ValueError,
            "char_sequences needs more ids than `length` (a run of `length` ids and the id "
            "after it): got length=3 and 0 ids",
        ),
        (
            lambda: datasets.char_sequences("hello", 2),
            TypeError,
            "char_sequences reads ids, not the text: encode it first, e.g. ids = "
            "[vocab.index(c) for c in text] with vocab = char_vocabulary(text).",
        ),
        (
            lambda: datasets.char_sequences([0.5, 1.0, 2.0], 1),
            TypeError,
            "ids must be integers (a text encoded as ids). Received: dtype float64",
        ),
        (
            lambda: datasets.char_sequences([0, 1, 2, 3], 2, step=0),
            ValueError,
            "`step` must be at least 1. Received: step=0",
        ),
        (
            lambda: datasets.adding_problem(0, 20),
            ValueError,
            "`samples` must be at least 1. Received: samples=0",
        ),
        (
            lambda: datasets.adding_problem(5, 20.0),
            TypeError,
            "`timesteps` must be an integer. Received: timesteps=20.0 (of type float)",
        ),
        (
            lambda: datasets.adding_problem(5, 5),
            ValueError,
            "timesteps must be at least 10, got 5",
        ),
        (
            lambda: datasets.adding_problem(5, 20, seed=-1),
            ValueError,
            "Expected `seed` argument to be a non-negative integer. Received: seed=-1",
        ),
    ],
)
def test_datasets_refuse_impossible_sizes(call: Any, error: type, message: str) -> None:
    _raises(error, message, call)


def test_datasets_edge_inputs_still_work() -> None:
    assert datasets.chronological_split(4, (0.5, 0)) == (slice(0, 2), slice(2, 2), slice(2, 4))
    x, y = datasets.windows(np.arange(5.0), 4, 1)  # exactly one window
    assert x.shape == (1, 4, 1) and y.tolist() == [4.0]
    x, y = datasets.windows(np.arange(5.0), 2, 0, targets=np.arange(5.0) * 10)  # nowcasting
    assert y.tolist() == [10.0, 20.0, 30.0, 40.0]
    x, y = datasets.char_sequences(np.array([1.0, 2.0, 3.0]), 2)  # whole floats are ids
    assert x.tolist() == [[1, 2]] and y.tolist() == [3]
    assert datasets.char_vocabulary("a") == ["a"]
    assert datasets.adding_problem(1, 10, seed=np.int64(0))[0].shape == (1, 10, 2)


# ---------------------------------------------------------------- explain_params
def test_explain_params_needs_a_layer() -> None:
    _raises(
        TypeError,
        "explain_params explains a layer or a model. Received: None (of type NoneType)",
        rnn.explain_params,
        None,
    )
    _raises(
        TypeError,
        "explain_params explains a layer or a model. Received: the class Dense itself: "
        "write Dense(...)",
        rnn.explain_params,
        Dense,
    )
    with pytest.raises(ValueError, match="isn't built"):
        rnn.explain_params(Sequential([Dense(2)]))


@pytest.mark.parametrize(
    ("ids", "shown"),
    [
        (
            [[1, 0.5, 2], [1, 2, np.nan]],
            "2 of 6 ids (dtype float64) that are not whole numbers, the first 0.5 at index (0, 1).",
        ),
        (
            [[1.0, np.inf]],
            "1 of 2 ids (dtype float64) that are not whole numbers, the first inf at index (0, 1).",
        ),
        (
            np.array([[3.0, 2.25]], dtype=np.float32),
            "1 of 2 ids (dtype float32) that are not "
            "whole numbers, the first 2.25 at index (0, 1).",
        ),
    ],
)
def test_embedding_names_the_ids_that_are_not_whole(ids: Any, shown: str) -> None:
    from rnn.layers import Embedding

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from inf % 1 on the way
        with pytest.raises(ValueError) as info:
            Embedding(5, 2)(np.asarray(ids))
    assert str(info.value) == "Embedding 'embedding' expects integer token ids. Received " + shown
    # whole numbers in a float array are ids
    assert Embedding(5, 2)(np.array([[1.0, 4.0]])).shape == (1, 2, 2)
