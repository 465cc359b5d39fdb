"""Bad shapes and bad layer arguments get a clear error at once (issue 15, families 5 and 10).

Shapes: `Input`, ``input_shape=``/``input_dim=``/``batch_input_shape=``, ``batch_shape``
and ``build(input_shape)`` of layers and `Sequential` refuse a bare int, a string, and
negative, float or bool dimensions in Keras 3's words ("Cannot convert ... to a shape"),
naming the argument and what came. Keras 3 refuses ``shape=3`` too.

Arguments: every layer's constructor shows the value it refuses with its repr (and its
type when that is the problem), flags must be booleans, rates lie in their range.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from rnn.layers import (
    GRU,
    LSTM,
    RNN,
    Bidirectional,
    Concatenate,
    Dense,
    Dropout,
    Embedding,
    Input,
    InputLayer,
    LSTMCell,
    Masking,
    SimpleRNN,
    SimpleRNNCell,
    TimeDistributed,
)
from rnn.models import Sequential


def _raises(error: type[Exception], message: str, call: Any, *args: Any, **kwargs: Any) -> None:
    with pytest.raises(error, match=re.escape(message) + "$"):
        call(*args, **kwargs)


FIELD = "(ints, or None for an axis of any size)"


# ---------------------------------------------------------------- Input's shape
def test_an_int_shape_is_refused_with_the_tuple_to_write() -> None:
    _raises(
        ValueError,
        f"Cannot convert 3 to a shape: `shape` must be a tuple of dimensions {FIELD}, "
        "such as shape=(3,). Received: shape=3",
        Input,
        shape=3,
    )
    _raises(
        ValueError,
        f"Cannot convert 3 to a shape: `input_shape` must be a tuple of dimensions {FIELD}, "
        "such as input_shape=(3,). Received: input_shape=3",
        Dense,
        2,
        input_shape=3,
    )


def test_a_string_shape_is_refused() -> None:
    _raises(
        ValueError,
        f"Cannot convert '5,3' to a shape: `shape` must be a tuple of dimensions {FIELD}. "
        "Received: shape='5,3' (of type str)",
        Input,
        shape="5,3",
    )


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ((5, -3), "Cannot convert (5, -3) to a shape. Negative dimensions are not allowed."),
        (
            (5, 2.5),
            "Cannot convert (5, 2.5) to a shape. Found invalid dimension 2.5 of type float: "
            "each dimension must be an int, or None for an axis of any size.",
        ),
        (
            (5, 3.0),  # Keras refuses a whole float too
            "Cannot convert (5, 3.0) to a shape. Found invalid dimension 3.0 of type float: "
            "each dimension must be an int, or None for an axis of any size.",
        ),
        (
            (5, "3"),
            "Cannot convert (5, '3') to a shape. Found invalid dimension '3' of type str: "
            "each dimension must be an int, or None for an axis of any size.",
        ),
        (
            (5, True),  # Keras reads True as 1: it cannot be meant
            "Cannot convert (5, True) to a shape. Found invalid dimension True of type bool: "
            "each dimension must be an int, or None for an axis of any size.",
        ),
    ],
)
def test_bad_dimensions_are_refused(shape: Any, message: str) -> None:
    _raises(ValueError, f"{message} Received: shape={shape!r}", Input, shape=shape)
    _raises(
        ValueError,
        f"{message} Received: input_shape={shape!r}",
        lambda: Sequential([SimpleRNN(2, input_shape=shape)]),
    )


def test_batch_size_and_batch_shape() -> None:
    _raises(
        ValueError,
        "Received an invalid value for `batch_size`, expected None (any batch size) or a "
        "non-negative integer. Received: batch_size=-2",
        Input,
        shape=(5, 3),
        batch_size=-2,
    )
    _raises(
        ValueError,
        "Received an invalid value for `batch_size`, expected None (any batch size) or a "
        "non-negative integer. Received: batch_size=2.0 (of type float)",
        Input,
        shape=(5, 3),
        batch_size=2.0,
    )
    _raises(
        ValueError,
        "Cannot convert (-1, 5, 3) to a shape. Negative dimensions are not allowed. "
        "Received: batch_shape=(-1, 5, 3)",
        Input,
        batch_shape=(-1, 5, 3),
    )
    _raises(
        ValueError,
        f"Cannot convert 3 to a shape: `batch_shape` must be a tuple of dimensions {FIELD}, "
        "such as batch_shape=(None, 3). Received: batch_shape=3",
        Input,
        batch_shape=3,
    )
    _raises(
        ValueError,
        "`batch_shape` must start with the batch size (None for any), then the shape of one "
        "sample: batch_shape=(None, 3). Received: batch_shape=()",
        Input,
        batch_shape=(),
    )


def test_a_missing_shape_keeps_keras_message() -> None:
    _raises(ValueError, "You must pass a `shape` argument.", Input, shape=None)


def test_good_shapes_still_work() -> None:
    assert Input(shape=[5, 3]).shape == (None, 5, 3)
    assert Input(shape=np.array([5, 3])).shape == (None, 5, 3)
    assert Input(shape=(np.int64(5), None)).shape == (None, 5, None)
    assert Input(shape=()).shape == (None,)
    assert Input(shape=(4,), batch_size=np.int64(8)).shape == (8, 4)
    assert Input(batch_shape=[2, 5, 3]).shape == (2, 5, 3)
    assert InputLayer(input_shape=(3,)).batch_shape == (None, 3)
    model = Sequential([Dense(2, input_dim=np.int64(3))])
    assert model.input_shape == (None, 3)
    assert Sequential([Dense(2, batch_input_shape=[None, 4])]).input_shape == (None, 4)


def test_input_dim_and_batch_input_shape() -> None:
    _raises(
        ValueError,
        "Received an invalid value for argument `input_dim`, expected a positive integer, "
        "got '3' (of type str).",
        Dense,
        2,
        input_dim="3",
    )
    _raises(
        ValueError,
        "Cannot convert (None, -3) to a shape. Negative dimensions are not allowed. "
        "Received: batch_input_shape=(None, -3)",
        Dense,
        2,
        batch_input_shape=(None, -3),
    )


# ---------------------------------------------------------------- build(input_shape)
@pytest.mark.parametrize(
    "make",
    [
        lambda: Dense(2),
        lambda: SimpleRNN(2),
        lambda: LSTM(2),
        lambda: GRU(2),
        lambda: RNN(SimpleRNNCell(2)),
        lambda: SimpleRNNCell(2),
        lambda: Embedding(5, 2),
        lambda: Bidirectional(LSTM(2)),
        lambda: TimeDistributed(Dense(2)),
        lambda: Dropout(0.5),
        lambda: Masking(),
        lambda: Sequential([Dense(2)]),
    ],
)
def test_build_refuses_what_is_not_a_shape(make: Any) -> None:
    _raises(
        ValueError,
        f"Cannot convert 3 to a shape: `input_shape` must be a tuple of dimensions {FIELD}, "
        "such as input_shape=(None, 3). Received: input_shape=3",
        make().build,
        3,
    )
    _raises(
        ValueError,
        "Cannot convert (None, 5, -3) to a shape. Negative dimensions are not allowed. "
        "Received: input_shape=(None, 5, -3)",
        make().build,
        (None, 5, -3),
    )
    _raises(
        ValueError,
        "Cannot convert (None, 5, 2.5) to a shape. Found invalid dimension 2.5 of type float: "
        "each dimension must be an int, or None for an axis of any size. "
        "Received: input_shape=(None, 5, 2.5)",
        make().build,
        (None, 5, 2.5),
    )
    _raises(
        ValueError,
        f"Cannot convert '5,3' to a shape: `input_shape` must be a tuple of dimensions {FIELD}. "
        "Received: input_shape='5,3' (of type str)",
        make().build,
        "5,3",
    )


def test_build_with_the_wrong_rank_gets_the_call_message() -> None:
    layer = Dense(2, name="d")
    _raises(
        ValueError,
        'Input 0 of layer "d" is incompatible with the layer: expected min_ndim=2, found '
        "ndim=1. Full shape received: (3,)",
        layer.build,
        (3,),
    )
    rnn_layer = SimpleRNN(2, name="r")
    _raises(
        ValueError,
        'Input 0 of layer "r" is incompatible with the layer: expected ndim=3, found ndim=2. '
        "Full shape received: (None, 3)",
        rnn_layer.build,
        (None, 3),
    )
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        rnn_layer(np.ones((2, 3)))  # the first call's message, kept


def test_sequential_build_shapes() -> None:
    model = Sequential([Dense(2)], name="s")
    _raises(
        ValueError,
        "Sequential model 's' needs an `input_shape` with the batch axis first, such as "
        "(None, 3). Received: input_shape=()",
        model.build,
        (),
    )
    _raises(
        ValueError,
        f"Cannot convert None to a shape: `input_shape` must be a tuple of dimensions {FIELD}. "
        "Received: input_shape=None (of type NoneType)",
        model.build,
        None,
    )
    model.build([None, 3])  # a list is a shape
    assert model.output_shape == (None, 2)


# ---------------------------------------------------------------- units
@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU, SimpleRNNCell, LSTMCell])
@pytest.mark.parametrize(
    ("units", "shown"),
    [
        ("4", "'4' (of type str)"),
        (4.0, "4.0 (of type float)"),
        (True, "True (of type bool)"),
        (None, "None (of type NoneType)"),
        (-1, "-1"),
    ],
)
def test_recurrent_units_show_repr_and_type(cls: type, units: Any, shown: str) -> None:
    _raises(
        ValueError,
        f"Received an invalid value for argument `units`, expected a positive integer, "
        f"got {shown}.",
        cls,
        units,
    )


@pytest.mark.parametrize(
    ("units", "shown"),
    [("4", "'4' (of type str)"), (4.0, "4.0 (of type float)"), (0, "0"), (-1, "-1")],
)
def test_dense_units_show_repr_and_type(units: Any, shown: str) -> None:
    _raises(
        ValueError,
        f"Received an invalid value for `units`, expected a positive integer. Received: "
        f"units={shown}",
        Dense,
        units,
    )


def test_numpy_ints_are_units() -> None:
    assert Dense(np.int64(4)).units == 4
    assert LSTM(np.int32(3)).units == 3


def test_embedding_dims_show_the_repr() -> None:
    _raises(
        ValueError,
        "`input_dim` must be a positive integer. Received: input_dim='10' (of type str).",
        Embedding,
        "10",
        2,
    )
    _raises(
        ValueError,
        "`output_dim` must be a positive integer. Received: output_dim=2.0 (of type float).",
        Embedding,
        10,
        2.0,
    )


# ---------------------------------------------------------------- rates
@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("0.5", "'0.5' (of type str)"),
        (True, "True (of type bool)"),
        (1.5, "1.5"),
        (-0.1, "-0.1"),
        (float("nan"), "nan"),
    ],
)
def test_dropout_rate(value: Any, shown: str) -> None:
    _raises(
        ValueError,
        "Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
        f"Received: rate={shown}",
        Dropout,
        value,
    )


@pytest.mark.parametrize("argument", ["dropout", "recurrent_dropout"])
def test_recurrent_dropout_rates(argument: str) -> None:
    _raises(
        ValueError,
        f"Invalid value received for argument `{argument}`. Expected a float value in [0, 1) "
        f"(1 would drop everything). Received: {argument}='0.2' (of type str)",
        LSTM,
        3,
        **{argument: "0.2"},
    )
    _raises(
        ValueError,
        f"Invalid value received for argument `{argument}`. Expected a float value in [0, 1) "
        f"(1 would drop everything). Received: {argument}=1.0",
        GRU,
        3,
        **{argument: 1.0},
    )


def test_noise_shape_in_keras_words() -> None:
    _raises(
        ValueError,
        "Invalid value received for argument `noise_shape`. Expected an iterable of integers "
        "(e.g., a tuple or list). Received: noise_shape=3 (of type int)",
        Dropout,
        0.5,
        noise_shape=3,
    )
    _raises(
        ValueError,
        "Invalid value received for argument `noise_shape`. Expected all elements to be "
        "positive integers or None. Received element at index 1: 'a' (type: str)",
        Dropout,
        0.5,
        noise_shape=(2, "a"),
    )
    assert Dropout(0.5, noise_shape=[None, 1, np.int64(4)]).noise_shape == (None, 1, 4)


# ---------------------------------------------------------------- flags
@pytest.mark.parametrize(
    ("make", "flag"),
    [
        (lambda v: SimpleRNN(2, return_sequences=v), "return_sequences"),
        (lambda v: LSTM(2, return_state=v), "return_state"),
        (lambda v: GRU(2, go_backwards=v), "go_backwards"),
        (lambda v: SimpleRNN(2, stateful=v), "stateful"),
        (lambda v: SimpleRNN(2, unroll=v), "unroll"),
        (lambda v: RNN(SimpleRNNCell(2), zero_output_for_mask=v), "zero_output_for_mask"),
        (lambda v: Dense(2, use_bias=v), "use_bias"),
        (lambda v: SimpleRNNCell(2, use_bias=v), "use_bias"),
        (lambda v: LSTM(2, unit_forget_bias=v), "unit_forget_bias"),
        (lambda v: GRU(2, reset_after=v), "reset_after"),
        (lambda v: Embedding(3, 2, mask_zero=v), "mask_zero"),
        (lambda v: Dense(2, trainable=v), "trainable"),
    ],
)
def test_flags_must_be_booleans(make: Any, flag: str) -> None:
    for value, shown in (
        ("yes", "'yes' (of type str)"),
        ("False", "'False' (of type str)"),
        (None, "None (of type NoneType)"),
        (2, "2"),
    ):
        _raises(
            ValueError,
            f"Expected `{flag}` to be a boolean (True or False). Received: {flag}={shown}",
            make,
            value,
        )
    for value in (True, False, np.True_, 1, 0):
        make(value)  # no false alarm


def test_flags_keep_their_meaning() -> None:
    layer = SimpleRNN(2, return_sequences=np.True_, go_backwards=0)
    assert layer.return_sequences is True and layer.go_backwards is False


# ---------------------------------------------------------------- name, seed
def test_name_must_be_a_string_without_slash() -> None:
    _raises(
        ValueError,
        "Argument `name` must be a string and cannot contain character `/`. "
        "Received: name=3 (of type int)",
        Dense,
        2,
        name=3,
    )
    _raises(
        ValueError,
        "Argument `name` must be a string and cannot contain character `/`. "
        "Received: name='a/b' (of type str)",
        Dense,
        2,
        name="a/b",
    )


def test_layer_seed() -> None:
    _raises(
        ValueError,
        "Expected `seed` argument to be an integer. Received: seed='a' (of type str)",
        Dropout,
        0.5,
        seed="a",
    )
    _raises(
        ValueError,
        "Expected `seed` argument to be a non-negative integer. Received: seed=-1",
        Dense,
        2,
        seed=-1,
    )
    assert Dense(2, seed=np.int64(3)).seed == 3


# ---------------------------------------------------------------- other arguments
def test_masking_refuses_nan() -> None:
    _raises(
        ValueError,
        "Masking cannot mask NaN: NaN equals nothing, not even NaN, so no step would ever be "
        "masked. Replace the NaN in your data with a number (e.g. `np.nan_to_num(x, "
        "nan=0.0)`) and mask that. Received: mask_value=nan",
        Masking,
        float("nan"),
    )


def test_concatenate_axis() -> None:
    _raises(
        TypeError,
        "`axis` must be an integer. Received: axis=1.0 (of type float)",
        Concatenate,
        axis=1.0,
    )
    _raises(
        ValueError,
        "A `Concatenate` layer's axis=5 is out of range for inputs of rank 2: expected an "
        "axis in [-2, 1]. Received: input_shape=[(2, 3), (2, 3)]",
        Concatenate(axis=5),
        [np.ones((2, 3)), np.ones((2, 3))],
    )


def test_a_layer_class_instead_of_a_layer_gets_a_hint() -> None:
    _raises(
        ValueError,
        "Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. "
        "Received: the class Dense itself, not a layer: write Dense(...)",
        TimeDistributed,
        Dense,
    )
    _raises(
        ValueError,
        "Please initialize `Bidirectional` layer with a recurrent layer (SimpleRNN, LSTM or "
        "GRU) instance. Received: the class LSTM itself, not a layer: write LSTM(...)",
        Bidirectional,
        LSTM,
    )


def test_huge_weights_say_the_size_asked_for() -> None:
    def out_of_memory(shape: Any, rng: Any = None) -> Any:
        raise MemoryError("Unable to allocate 72.8 TiB")  # what NumPy says, without trying

    layer = Dense(10**7, name="big", kernel_initializer=out_of_memory)
    _raises(
        MemoryError,
        "Layer 'big' (Dense) needs 36.4 TiB for its weight 'kernel' of shape "
        "(1000000, 10000000) in float32: more memory than there is. Make the layer (or its "
        "input) smaller.",
        layer.build,
        (None, 10**6),
    )
    assert not layer.built


@pytest.mark.parametrize("given", [Dense(2), Dense, Input((3,))])
def test_sequential_given_one_layer_instead_of_a_list_says_to_put_it_in_one(given: Any) -> None:
    shown = given.__name__ if isinstance(given, type) else type(given).__name__
    with pytest.raises(
        TypeError,
        match="^"
        + re.escape(
            "Sequential takes a list of layers, e.g. Sequential([Input((5, 3)), SimpleRNN(4)]). "
            f"Received a single {shown}: put it in a list."
        )
        + "$",
    ):
        Sequential(given)
