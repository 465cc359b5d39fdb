"""rnn.utils.pad_sequences pads as keras.utils.pad_sequences, and says what it refuses.

The expected arrays were recorded from Keras 3.15.1 (``keras.utils.pad_sequences``) with
the same arguments; Keras is not needed here.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import rnn
from rnn.utils import pad_sequences

SEQUENCES = [[1], [2, 3], [4, 5, 6]]


def exactly(message: str) -> str:
    return "^" + re.escape(message) + "$"


@pytest.mark.parametrize(
    ("sequences", "kwargs", "expected", "dtype"),
    [
        (SEQUENCES, {}, [[0, 0, 1], [0, 2, 3], [4, 5, 6]], "int32"),
        (SEQUENCES, {"padding": "post"}, [[1, 0, 0], [2, 3, 0], [4, 5, 6]], "int32"),
        (SEQUENCES, {"maxlen": 2}, [[0, 1], [2, 3], [5, 6]], "int32"),
        (SEQUENCES, {"maxlen": 2, "truncating": "post"}, [[0, 1], [2, 3], [4, 5]], "int32"),
        (
            SEQUENCES,
            {"maxlen": 5},
            [[0, 0, 0, 0, 1], [0, 0, 0, 2, 3], [0, 0, 4, 5, 6]],
            "int32",
        ),
        (
            SEQUENCES,
            {"maxlen": 5, "padding": "post", "value": -1},
            [[1, -1, -1, -1, -1], [2, 3, -1, -1, -1], [4, 5, 6, -1, -1]],
            "int32",
        ),
        (SEQUENCES, {"dtype": "int64"}, [[0, 0, 1], [0, 2, 3], [4, 5, 6]], "int64"),
        ([[0.5, 1.7], [2.2]], {"dtype": "float32"}, [[0.5, 1.7], [0.0, 2.2]], "float32"),
        ([[1, 2], []], {}, [[1, 2], [0, 0]], "int32"),
        (((1, 2), (3,)), {}, [[1, 2], [0, 3]], "int32"),
        (np.array([[1, 2], [3, 4]]), {"maxlen": 3}, [[0, 1, 2], [0, 3, 4]], "int32"),
        ([[1.0, 2.0], [3.0]], {}, [[1, 2], [0, 3]], "int32"),  # whole numbers are fine
    ],
)
def test_as_keras(sequences: Any, kwargs: dict[str, Any], expected: Any, dtype: str) -> None:
    out = pad_sequences(sequences, **kwargs)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, np.array(expected, dtype=dtype))


def test_nan_padding_for_floats() -> None:
    out = pad_sequences([[0.5, 1.7], [2.2]], dtype="float32", value=np.nan)
    np.testing.assert_array_equal(out, np.array([[0.5, 1.7], [np.nan, 2.2]], dtype="float32"))


def test_sequences_of_feature_vectors() -> None:
    out = pad_sequences([np.ones((2, 3)), np.full((4, 3), 2.0)], dtype="float32", padding="post")
    expected = [[[1.0] * 3] * 2 + [[0.0] * 3] * 2, [[2.0] * 3] * 4]
    assert out.shape == (2, 4, 3)
    np.testing.assert_array_equal(out, np.array(expected, dtype="float32"))
    out = pad_sequences([np.arange(6).reshape(3, 2), np.arange(2).reshape(1, 2)], maxlen=2)
    np.testing.assert_array_equal(out, [[[2, 3], [4, 5]], [[0, 0], [0, 1]]])
    out = pad_sequences([[], np.ones((2, 3))], dtype="float32")
    np.testing.assert_array_equal(out, [[[0.0] * 3] * 2, [[1.0] * 3] * 2])


def test_empty_sequences() -> None:
    assert pad_sequences([[], []]).shape == (2, 0)
    assert pad_sequences([], maxlen=3).shape == (0, 3)
    assert pad_sequences([]).shape == (0, 0)  # Keras fails inside np.max here


def test_a_generator_of_sequences() -> None:
    np.testing.assert_array_equal(pad_sequences(s for s in SEQUENCES), pad_sequences(SEQUENCES))


def test_padded_sequences_train_with_masking() -> None:
    x = pad_sequences(
        [np.ones((2, 3)), np.ones((4, 3))], padding="post", dtype="float32", value=0.0
    )
    model = rnn.Sequential(
        [rnn.layers.Input((4, 3)), rnn.layers.Masking(0.0), rnn.layers.SimpleRNN(2)]
    )
    assert model.predict(x, verbose=0).shape == (2, 2)


def test_keras_names() -> None:
    assert rnn.utils.set_random_seed is rnn.config.set_random_seed
    assert rnn.utils.__all__ == ["pad_sequences", "set_random_seed"]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"padding": "middle"},
            ValueError,
            'Padding type "middle" not understood: expected "pre" or "post". '
            "Received: padding='middle' (of type str).",
        ),
        (
            {"truncating": "mid"},
            ValueError,
            'Truncating type "mid" not understood: expected "pre" or "post". '
            "Received: truncating='mid' (of type str).",
        ),
        (
            {"padding": None},
            ValueError,
            'Padding type "None" not understood: expected "pre" or "post". '
            "Received: padding=None (of type NoneType).",
        ),
        *(
            (
                {"maxlen": v},
                ValueError,
                f"`maxlen` must be a positive integer or None. Received: maxlen={v} (of type int).",
            )
            for v in (0, -1)
        ),
        *(
            (
                {"maxlen": v},
                TypeError,
                f"`maxlen` must be a positive integer or None. Received: maxlen={v!r} "
                f"(of type {type(v).__name__}).",
            )
            for v in (2.5, 2.0, "2", True)
        ),
        (
            {"value": "x"},
            ValueError,
            "`dtype` int32 is not compatible with `value`'s type: <class 'str'>\n"
            "You should set `dtype=object` for variable length strings.",
        ),
        *(
            (
                {"value": v},
                ValueError,
                f"The padding value={v!r} is not an integer, which dtype='int32' cannot hold: "
                "pass a float dtype (e.g. dtype='float32') or an integer value.",
            )
            for v in (0.5, np.nan)
        ),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error, match=exactly(message)):
        pad_sequences(SEQUENCES, **kwargs)


def test_bad_arguments_even_without_anything_to_pad() -> None:
    # Keras checks `padding` only when it meets a non-empty sequence
    with pytest.raises(ValueError, match=r'^Padding type "middle" not understood'):
        pad_sequences([[]], padding="middle")


@pytest.mark.parametrize(
    ("sequences", "message"),
    [
        (5, "`sequences` must be iterable. Received: sequences=5 (of type int)."),
        (
            [1, 2, 3],
            "`sequences` must be a list of iterables. Found non-iterable: 1 (of type int) at "
            "position 0. For one sequence, pass [sequence].",
        ),
        (
            ["abc"],
            "`sequences` must be a list of sequences of numbers. Found a string: 'abc' at "
            "position 0: turn text into sequences of token ids first.",
        ),
        (
            [np.ones((2, 3)), np.ones((2, 4))],
            # Keras's words
            "Shape of sample (4,) of sequence at position 1 is different from expected shape (3,)",
        ),
        (
            [[1, 2], [0.5, 1.5]],
            "Sequence 1 holds values that are not integers (e.g. 0.5), which dtype='int32' would "
            "truncate: pass dtype='float32' for sequences of real numbers.",
        ),
        (
            [[1.0, np.inf]],
            "Sequence 0 holds values that are not integers (e.g. inf), which dtype='int32' would "
            "truncate: pass dtype='float32' for sequences of real numbers.",
        ),
    ],
)
def test_bad_sequences(sequences: Any, message: str) -> None:
    with pytest.raises(ValueError, match=exactly(message)):
        pad_sequences(sequences)
