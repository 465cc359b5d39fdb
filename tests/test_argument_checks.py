"""Callbacks, ``class_weight``, constraints and initializers: arguments that cannot be
right are refused by name.

Keras accepts ``EarlyStopping(patience=-1)`` (it stops at once), a NaN ``min_delta``
(nothing ever improves), a callback class instead of an instance (it fails deep inside),
and a ``class_weight`` whose keys match no class (it changes nothing), a negative
``MaxNorm`` or ``stddev`` (garbage weights, or NumPy's error at the first draw); rnn says so.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import rnn
from rnn.callbacks import EarlyStopping, ReduceLROnPlateau
from rnn.layers import Dense, Input, SimpleRNN


def exactly(message: str) -> str:
    return "^" + re.escape(message) + "$"


def model() -> rnn.Sequential:
    m = rnn.Sequential([Input((5, 3)), SimpleRNN(2), Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    return m


X = np.random.default_rng(0).standard_normal((8, 5, 3))
Y = np.zeros((8, 1))


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda: EarlyStopping(patience=-1),
            ValueError,
            "`patience` must be a non-negative integer (epochs). "
            "Received: patience=-1 (of type int)",
        ),
        (
            lambda: EarlyStopping(patience=1.5),
            ValueError,
            "`patience` must be a non-negative integer (epochs). "
            "Received: patience=1.5 (of type float)",
        ),
        (
            lambda: EarlyStopping(start_from_epoch=True),
            ValueError,
            "`start_from_epoch` must be a non-negative integer (epochs). "
            "Received: start_from_epoch=True (of type bool)",
        ),
        (
            lambda: EarlyStopping(min_delta=float("nan")),
            ValueError,
            "`min_delta` must be a finite number. Received: min_delta=nan (of type float)",
        ),
        (
            lambda: EarlyStopping(baseline="0.5"),
            TypeError,
            "`baseline` must be a number. Received: baseline='0.5' (of type str)",
        ),
        (
            lambda: EarlyStopping(monitor=3),
            TypeError,
            "`monitor` must be the name of a logged value. Received: monitor=3 (of type int)",
        ),
        (
            lambda: ReduceLROnPlateau(factor=-0.5),
            ValueError,
            "ReduceLROnPlateau needs a factor >= 0 (the learning rate is multiplied by it). "
            "Received factor=-0.5",
        ),
        (
            lambda: ReduceLROnPlateau(factor=1.5),
            ValueError,
            "ReduceLROnPlateau does not support a factor >= 1.0. Received factor=1.5",
        ),
        (
            lambda: ReduceLROnPlateau(cooldown=-1),
            ValueError,
            "`cooldown` must be a non-negative integer (epochs). "
            "Received: cooldown=-1 (of type int)",
        ),
        (
            lambda: ReduceLROnPlateau(min_lr=-1e-3),
            ValueError,
            "`min_lr` must be a finite number >= 0. Received: min_lr=-0.001 (of type float)",
        ),
    ],
)
def test_callback_arguments_that_cannot_be_right(make: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=exactly(message)):
        make()


def test_valid_callback_arguments_still_work() -> None:
    stop = EarlyStopping(monitor="loss", patience=np.int64(2), min_delta=0, baseline=1)
    assert stop.patience == 2
    assert ReduceLROnPlateau(factor=0.0, min_lr=0).factor == 0.0


@pytest.mark.parametrize(
    ("callbacks", "message"),
    [
        (
            [EarlyStopping],
            "`callbacks[0]` is the class EarlyStopping, not a callback: write "
            "EarlyStopping() (with its arguments).",
        ),
        (
            [EarlyStopping(monitor="loss"), "early"],
            "`callbacks` must be a list of callbacks (instances of rnn.callbacks.Callback). "
            "Received: callbacks[1]='early' (of type str)",
        ),
    ],
)
@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_a_callbacks_entry_that_is_not_a_callback(
    callbacks: list[Any], message: str, method: str
) -> None:
    call = getattr(model(), method)
    args = (X,) if method == "predict" else (X, Y)
    with pytest.raises(TypeError, match=exactly(message)):
        call(*args, callbacks=callbacks, verbose=0)


def test_one_callback_without_a_list_is_taken_as_keras_takes_it() -> None:
    history = model().fit(X, Y, epochs=2, callbacks=EarlyStopping(monitor="loss"), verbose=0)
    assert len(history.epoch) == 2


@pytest.mark.parametrize(
    ("class_weight", "error", "message"),
    [
        (
            [1.0, 2.0],
            TypeError,
            "`class_weight` must be a dict of integer classes to weights, e.g. "
            "{0: 1.0, 1: 5.0}. Received: class_weight=[1.0, 2.0] (of type list).",
        ),
        (
            {"0": 2.0},
            TypeError,
            "`class_weight`'s keys must be integer classes (the labels, or the positions of "
            "the one-hot columns). Received the key '0' (of type str).",
        ),
        (
            {0: -1.0},
            ValueError,
            "`class_weight`'s weights must be finite numbers >= 0. "
            "Received class_weight[0]=-1.0 (of type float).",
        ),
        (
            {0: float("nan")},
            ValueError,
            "`class_weight`'s weights must be finite numbers >= 0. "
            "Received class_weight[0]=nan (of type float).",
        ),
        (
            {3: 2.0},
            ValueError,
            "`class_weight` weighs the classes [3], but no sample has any of them (the "
            "targets' classes are [0]): it would change nothing.",
        ),
    ],
)
def test_class_weight_that_cannot_be_right(class_weight: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=exactly(message)):
        model().fit(X, Y, class_weight=class_weight, verbose=0)


def test_a_class_weight_for_a_class_absent_next_to_present_ones_is_fine() -> None:
    history = model().fit(X, Y, class_weight={0: 2.0, 5: 1.0}, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda: rnn.constraints.MaxNorm(-1),
            ValueError,
            "`max_value` must be a finite number >= 0. Received: max_value=-1 (of type int)",
        ),
        (
            lambda: rnn.constraints.MaxNorm("2"),
            TypeError,
            "`max_value` must be a number. Received: max_value='2' (of type str)",
        ),
        (
            lambda: rnn.constraints.MinMaxNorm(min_value=2.0, max_value=1.0),
            ValueError,
            "MinMaxNorm needs 0 <= min_value <= max_value and a rate in [0, 1]. "
            "Received: min_value=2.0, max_value=1.0, rate=1.0",
        ),
        (
            lambda: rnn.initializers.RandomNormal(stddev=-1.0),
            ValueError,
            "`stddev` must be a finite number >= 0. Received: stddev=-1.0 (of type float)",
        ),
        (
            lambda: rnn.initializers.TruncatedNormal(mean=float("inf")),
            ValueError,
            "`mean` must be a finite number. Received: mean=inf (of type float)",
        ),
        (
            lambda: rnn.initializers.RandomUniform(minval=1.0, maxval=-1.0),
            ValueError,
            "RandomUniform needs minval <= maxval. Received: minval=1.0, maxval=-1.0",
        ),
        (
            lambda: rnn.initializers.Constant("a"),
            ValueError,
            "Constant needs a finite number (or an array of them) as its `value`. "
            "Received: value='a' (of type str)",
        ),
    ],
)
def test_constraint_and_initializer_arguments_that_cannot_be_right(
    make: Any, error: type, message: str
) -> None:
    with pytest.raises(error, match=exactly(message)):
        make()


def test_valid_constraint_and_initializer_arguments_still_work() -> None:
    assert rnn.constraints.MaxNorm(0).max_value == 0
    assert rnn.initializers.RandomNormal(stddev=0.0)((2,)).tolist() == [0.0, 0.0]
    assert rnn.initializers.Constant([1, 2])((2,)).tolist() == [1.0, 2.0]
    assert rnn.initializers.RandomUniform(0.5, 0.5)((1,)).tolist() == [0.5]
