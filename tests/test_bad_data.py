"""Bad data and arguments given to fit, evaluate, predict and layer calls get clear errors.

Issue 15's families 1 (NaN and infinities in training), 4 (data that is not one
rectangular array) and 6 (integer arguments), and the log keys of a metric given twice.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pytest

import rnn
from rnn.callbacks import Callback, EarlyStopping, TerminateOnNaN
from rnn.layers import Dense, Input, SimpleRNN
from rnn.models import Sequential

RNG = np.random.default_rng(0)
X = RNG.normal(size=(8, 5, 3))
Y = RNG.normal(size=(8, 1))

FIT_EFFECT = "training on it makes the loss NaN and, after one update, every weight"
FILL_X = "Fill or drop them (np.nan_to_num, or a Masking layer with a finite mask_value)."
FILL_Y = "Fill them (np.nan_to_num) or drop those samples from both the inputs and the targets."
EXPECTED_X = "Received an invalid value for `x`, expected a NumPy array of shape (batch, 5, 3). "


def model(metrics: Any = None, learning_rate: float = 0.01) -> Sequential:
    rnn.set_random_seed(0)
    m = Sequential([Input((5, 3)), SimpleRNN(4), Dense(1)])
    m.compile(
        optimizer=rnn.optimizers.SGD(learning_rate=learning_rate), loss="mse", metrics=metrics
    )
    return m


def exactly(message: str) -> str:
    return "^" + re.escape(message) + "$"


def with_nan(array: np.ndarray, *where: tuple[int, ...], value: float = np.nan) -> np.ndarray:
    array = array.copy()
    for index in where:
        array[index] = value
    return array


# ---------------------------------------------------------------------- 1. NaN and inf


def test_nan_in_x_is_refused_by_fit_before_any_update() -> None:
    m = model()
    before = [w.copy() for w in m.get_weights()]
    with pytest.raises(
        ValueError,
        match=exactly(f"`x` holds 1 NaN value, the first at x[0, 0, 0]: {FIT_EFFECT}. {FILL_X}"),
    ):
        m.fit(with_nan(X, (0, 0, 0)), Y, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, m.get_weights(), strict=True))


def test_counts_of_nan_and_inf_and_the_first_index() -> None:
    x = with_nan(X, (6, 1, 2), (3, 4, 0))
    x[7, 0, 0] = -np.inf
    with pytest.raises(
        ValueError,
        match=exactly(
            f"`x` holds 2 NaN values and 1 infinite value, the first at x[3, 4, 0]: "
            f"{FIT_EFFECT}. {FILL_X}"
        ),
    ):
        model().fit(x, Y, verbose=0)


def test_inf_in_y_and_nan_in_sample_weight() -> None:
    with pytest.raises(
        ValueError,
        match=exactly(f"`y` holds 1 infinite value, the first at y[2, 0]: {FIT_EFFECT}. {FILL_Y}"),
    ):
        model().fit(X, with_nan(Y, (2, 0), value=np.inf), verbose=0)
    weights = with_nan(np.ones(8), (5,))
    with pytest.raises(
        ValueError,
        match=exactly(
            f"`sample_weight` holds 1 NaN value, the first at sample_weight[5]: {FIT_EFFECT}. "
            "Give those samples a finite weight (0 leaves a sample out)."
        ),
    ):
        model().fit(X, Y, sample_weight=weights, verbose=0)


def test_nan_in_validation_data() -> None:
    with pytest.raises(
        ValueError,
        match=exactly(
            "`validation_data[0]` holds 1 NaN value, the first at validation_data[0][1, 2, 0]: "
            f"val_loss would be NaN. {FILL_X}"
        ),
    ):
        model().fit(X, Y, validation_data=(with_nan(X, (1, 2, 0)), Y), verbose=0)
    with pytest.raises(
        ValueError,
        match=exactly(
            "`validation_data[1]` holds 1 NaN value, the first at validation_data[1][0, 0]: "
            f"val_loss would be NaN. {FILL_Y}"
        ),
    ):
        model().fit(X, Y, validation_data=(X, with_nan(Y, (0, 0))), verbose=0)


def test_nan_refused_by_evaluate_and_the_batch_methods() -> None:
    message = f"`x` holds 1 NaN value, the first at x[0, 1, 2]: the loss would be NaN. {FILL_X}"
    x = with_nan(X, (0, 1, 2))
    m = model()
    with pytest.raises(ValueError, match=exactly(message)):
        m.evaluate(x, Y, verbose=0)
    with pytest.raises(ValueError, match=exactly(message)):
        m.test_on_batch(x, Y)
    before = [w.copy() for w in m.get_weights()]
    with pytest.raises(
        ValueError,
        match=exactly(f"`x` holds 1 NaN value, the first at x[0, 1, 2]: {FIT_EFFECT}. {FILL_X}"),
    ):
        m.train_on_batch(x, Y)
    assert all(np.array_equal(a, b) for a, b in zip(before, m.get_weights(), strict=True))


def test_nan_in_one_input_of_a_functional_model_is_named() -> None:
    a, b = Input((5, 3), name="a"), Input((2,), name="b")
    joined = rnn.layers.Concatenate()([SimpleRNN(4)(a), b])
    m = rnn.Model([a, b], Dense(1)(joined))
    m.compile(optimizer="sgd", loss="mse")
    x2 = with_nan(np.zeros((8, 2)), (4, 1))
    with pytest.raises(
        ValueError,
        match=exactly(f"`x[1]` holds 1 NaN value, the first at x[1][4, 1]: {FIT_EFFECT}. {FILL_X}"),
    ):
        m.fit([X, x2], Y, verbose=0)
    with pytest.raises(ValueError, match=re.escape("`x[1]` holds 1 NaN value")):
        m.fit({"a": X, "b": x2}, Y, verbose=0)


def test_finite_data_and_integer_ids_pass() -> None:
    m = model()
    assert np.isfinite(m.fit(X, Y, verbose=0).history["loss"][0])
    ids = np.arange(8 * 5).reshape(8, 5) % 7  # integers cannot hold NaN: not checked
    emb = Sequential([Input((5,)), rnn.layers.Embedding(7, 3), SimpleRNN(2), Dense(1)])
    emb.compile(optimizer="sgd", loss="mse")
    emb.fit(ids, Y, verbose=0)


def test_predict_keeps_nan_to_its_own_sample() -> None:
    # as Keras: the samples are independent, so only the sample with a NaN gives NaN
    out = model().predict(with_nan(X, (2, 3, 1)), verbose=0)
    assert np.isnan(out[2]).all()
    assert np.isfinite(np.delete(out, 2, axis=0)).all()


def test_with_terminate_on_nan_the_data_is_accepted_as_in_keras() -> None:
    x = with_nan(X, (5, 0, 0))  # in the second batch of 4
    history = model().fit(
        x, Y, batch_size=4, epochs=3, shuffle=False, callbacks=[TerminateOnNaN()], verbose=0
    )
    assert history.epoch == [0]


DIVERGED = (
    "The loss became {loss} at epoch {epoch}/3, batch {batch}/8: training diverged, and "
    "the weights are no longer finite. Lower the learning rate (or clip the gradients, e.g. "
    "clipnorm=1.0), or add callbacks.TerminateOnNaN() to stop at the first such batch."
)


def diverging() -> tuple[Sequential, np.ndarray]:
    rnn.set_random_seed(0)
    m = Sequential([Input((1,)), Dense(1)])
    m.compile(optimizer=rnn.optimizers.SGD(learning_rate=10.0), loss="mse")
    return m, np.linspace(-1, 1, 64).reshape(-1, 1) * 100


def test_a_diverging_loss_warns_once_per_fit() -> None:
    m, x = diverging()
    with warnings.catch_warnings(record=True) as seen, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        m.fit(x, 3 * x, batch_size=8, epochs=3, shuffle=False, verbose=0)
    ours = [w for w in seen if "training diverged" in str(w.message)]
    assert len(ours) == 1
    assert ours[0].category is RuntimeWarning
    assert str(ours[0].message) == DIVERGED.format(loss="inf", epoch=2, batch=1)
    assert ours[0].filename == __file__  # points at the call of fit


def test_no_divergence_warning_with_terminate_on_nan() -> None:
    m, x = diverging()
    with warnings.catch_warnings(record=True) as seen, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        history = m.fit(
            x,
            3 * x,
            batch_size=8,
            epochs=3,
            shuffle=False,
            verbose=0,
            callbacks=[TerminateOnNaN()],
        )
    assert not [w for w in seen if "training diverged" in str(w.message)]
    assert history.epoch == [0, 1]


def test_stop_training_is_checked_after_every_batch() -> None:
    class StopAtBatch2(Callback):
        def __init__(self) -> None:
            super().__init__()
            self.batches: list[int] = []

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            self.batches.append(batch)
            if batch == 1:
                self.model.stop_training = True

    stop = StopAtBatch2()
    history = model().fit(X, Y, batch_size=2, epochs=5, callbacks=[stop], verbose=0)
    assert stop.batches == [0, 1]  # 4 batches an epoch: stopped mid-epoch
    assert history.epoch == [0]


def test_early_stopping_stops() -> None:
    m = model(learning_rate=0.0)  # the loss never improves
    stop = EarlyStopping(monitor="loss", patience=1)
    assert m.fit(X, Y, epochs=10, callbacks=[stop], verbose=0).epoch == [0, 1]


# ---------------------------------------------------------------------- 4. not one array

PAD = (
    "pad them to one length, e.g. rnn.utils.pad_sequences({name}, padding='post'{dtype}), "
    "and add a Masking layer (or Embedding(mask_zero=True)) so that the model skips the "
    "padding."
)
RAGGED = [np.zeros((3, 3)), np.zeros((5, 3))]
RAGGED_MESSAGE = "`x` holds sequences of different lengths (3 and 5 timesteps): " + PAD.format(
    name="x", dtype=", dtype='float32'"
)


def test_ragged_sequences_to_fit_evaluate_predict() -> None:
    m = model()
    with pytest.raises(ValueError, match=exactly(RAGGED_MESSAGE)):
        m.fit(RAGGED, np.zeros((2, 1)), verbose=0)
    with pytest.raises(ValueError, match=exactly(RAGGED_MESSAGE)):
        m.evaluate(RAGGED, np.zeros((2, 1)), verbose=0)
    with pytest.raises(ValueError, match=exactly(RAGGED_MESSAGE)):
        m.predict(RAGGED, verbose=0)


def test_ragged_sequences_to_a_layer_and_a_model() -> None:
    message = "`inputs` holds sequences of different lengths (3 and 5 timesteps): " + PAD.format(
        name="inputs", dtype=", dtype='float32'"
    )
    with pytest.raises(ValueError, match=exactly(message)):
        SimpleRNN(4)(RAGGED)
    with pytest.raises(ValueError, match=exactly(message)):
        model()(RAGGED)


def test_ragged_token_ids_and_many_lengths() -> None:
    ids = [[1, 2, 3], [4, 5], [6, 7, 8, 9, 1, 2, 3]]
    m = Sequential([Input((None,)), rnn.layers.Embedding(10, 3), SimpleRNN(2), Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    with pytest.raises(
        ValueError,
        match=exactly(
            "`x` holds sequences of different lengths (3 lengths, from 2 to 7 timesteps): "
            + PAD.format(name="x", dtype="")
        ),
    ):
        m.fit(ids, np.zeros((3, 1)), verbose=0)


def test_arrays_of_different_feature_shapes() -> None:
    with pytest.raises(
        ValueError,
        match=exactly(
            "`x` holds arrays of different shapes, (5, 3) at index 0 and (5, 4) at index 1, "
            "which make no rectangular array: every sample needs the same shape."
        ),
    ):
        model().predict([np.zeros((5, 3)), np.zeros((5, 4))], verbose=0)


@pytest.mark.parametrize(
    ("x", "error", "received"),
    [
        (
            {"a": X},
            TypeError,
            "a dict with keys ['a']. A dict of arrays by input (or output) name is for a "
            "functional model (rnn.Model) with those names.",
        ),
        (3.0, ValueError, "x=3.0 (of type float), a single value without a batch axis."),
        (
            [1, 2, 3],
            ValueError,
            "x of shape (3,) (a flat list or 1-D array of numbers: one number per sample).",
        ),
        (np.zeros((8, 5)), ValueError, "x of shape (8, 5)."),
    ],
)
def test_what_is_not_an_array_of_inputs_to_fit(x: Any, error: type, received: str) -> None:
    with pytest.raises(error, match=exactly(EXPECTED_X + "Received: " + received)):
        model().fit(x, Y, verbose=0)


def test_a_generator_to_fit_and_predict() -> None:
    pattern = (
        re.escape(EXPECTED_X + "Received: x=<generator object ")
        + ".*"
        + re.escape(
            " (of type generator). rnn takes arrays, not generators or datasets: collect the "
            "batches into one array first, e.g. np.concatenate(list(batches))."
        )
        + "$"
    )
    with pytest.raises(TypeError, match=pattern):
        model().fit((a for a in X), Y, verbose=0)
    with pytest.raises(TypeError, match=pattern):
        model().predict((a for a in X), verbose=0)


def test_none_to_predict_and_to_a_layer() -> None:
    with pytest.raises(
        ValueError, match=exactly(EXPECTED_X + "Received: x=None (of type NoneType).")
    ):
        model().predict(None, verbose=0)
    layer = SimpleRNN(4, name="rnn_none")
    with pytest.raises(
        ValueError,
        match=exactly(
            "Received an invalid value for `inputs`, expected a NumPy array for layer 'rnn_none'. "
            "Received: inputs=None (of type NoneType)."
        ),
    ):
        layer(None)
    with pytest.raises(
        ValueError, match=exactly("`x` and `y` must both be given: the inputs and their targets.")
    ):
        model().fit(None, Y, verbose=0)


def test_an_empty_array_to_predict() -> None:
    with pytest.raises(
        ValueError,
        match=exactly("Expected input data to be non-empty. Received: x of shape (0, 5, 3)."),
    ):
        model().predict(np.zeros((0, 5, 3)), verbose=0)


def functional(inputs: int = 1) -> Any:
    rnn.set_random_seed(0)
    a = Input((5, 3), name="a")
    if inputs == 1:
        m = rnn.Model(a, Dense(1, name="out")(SimpleRNN(4)(a)))
    else:
        b = Input((2,), name="b")
        joined = rnn.layers.Concatenate()([SimpleRNN(4)(a), b])
        m = rnn.Model([a, b], Dense(1, name="out")(joined))
    m.compile(optimizer="sgd", loss="mse")
    return m


def test_a_functional_model_takes_dicts_by_input_and_output_name() -> None:
    m = functional()
    assert m.predict({"a": X}, verbose=0).shape == (8, 1)
    assert len(m.fit({"a": X}, {"out": Y}, verbose=0).history["loss"]) == 1
    assert np.isfinite(m.evaluate({"a": X}, Y, verbose=0))
    two = functional(2)
    xb = np.zeros((8, 2))
    assert two.predict([X, xb], verbose=0).shape == (8, 1)
    assert two.predict({"b": xb, "a": X}, verbose=0).shape == (8, 1)
    two.fit({"a": X, "b": xb}, Y, validation_data=([X, xb], Y), verbose=0)


def test_a_functional_model_refuses_what_is_not_its_inputs() -> None:
    expected = "Received an invalid value for `x`, expected a list of 2 arrays, one per input, "
    expected += "or a dict by input name (keys ['a', 'b']). Received: x=None (of type NoneType)."
    with pytest.raises(ValueError, match=exactly(expected)):
        functional(2).predict(None, verbose=0)
    with pytest.raises(
        ValueError,
        match=exactly(
            "`x[0]` holds sequences of different lengths (3 and 5 timesteps): "
            + PAD.format(name="x[0]", dtype=", dtype='float32'")
        ),
    ):
        functional(2).predict([RAGGED, np.zeros((2, 2))], verbose=0)
    with pytest.raises(
        ValueError,
        match=exactly(
            "`y` is a dict by output name, but has no ['out']: model 'functional' has the "
            "outputs ['out']. Received keys: ['dense']"
        ),
    ):
        m = functional()
        m.name = "functional"
        m.fit(X, {"dense": Y}, verbose=0)


# ---------------------------------------------------------------------- 6. integer arguments


def received(name: str, value: Any) -> str:
    return f"Received: {name}={value!r} (of type {type(value).__name__})."


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        *(
            (
                {"batch_size": v},
                ValueError,
                f"`batch_size` must be a positive integer. {received('batch_size', v)}",
            )
            for v in (0, -1, 2.5, 4.0, "4", True)
        ),
        *(
            (
                {"epochs": v},
                TypeError,
                f"`epochs` must be a positive integer. {received('epochs', v)}",
            )
            for v in (2.5, 2.0, "2", True, None)
        ),
        *(
            (
                {"epochs": v},
                ValueError,
                f"`epochs` must be a positive integer. {received('epochs', v)}",
            )
            for v in (-1, 0)
        ),
        (
            {"initial_epoch": -2},
            ValueError,
            "`initial_epoch` must be a non-negative integer. " + received("initial_epoch", -2),
        ),
        (
            {"initial_epoch": 1.5, "epochs": 3},
            TypeError,
            "`initial_epoch` must be a non-negative integer. " + received("initial_epoch", 1.5),
        ),
        (
            {"initial_epoch": 5, "epochs": 3},
            ValueError,
            "`epochs` must be greater than `initial_epoch`: fit trains the epochs from "
            "`initial_epoch` to `epochs - 1`, none here. Received: epochs=3, initial_epoch=5. "
            "To train 3 more epochs, pass epochs=8.",
        ),
        *(
            (
                {"validation_split": 0.5, "validation_batch_size": v},
                ValueError,
                "`validation_batch_size` must be a positive integer. "
                + received("validation_batch_size", v),
            )
            for v in (-1, 0, 2.5)
        ),
        *(
            (
                {"validation_split": v},
                TypeError,
                "`validation_split` must be a float between 0 and 1. "
                + received("validation_split", v),
            )
            for v in ("0.2", True, None)
        ),
        (
            {"validation_split": float("nan")},
            ValueError,
            "`validation_split` must be between 0 and 1. Received: validation_split=nan",
        ),
        *(
            (
                {"shuffle": v},
                TypeError,
                f"`shuffle` must be True or False. {received('shuffle', v)}",
            )
            for v in ("yes", "batch", 1, None)
        ),
        ({"verbose": 3}, ValueError, "`verbose` must be 'auto', 0, 1 or 2. Received: verbose=3"),
    ],
)
def test_bad_fit_arguments(kwargs: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error, match=exactly(message)):
        model().fit(X, Y, **{"verbose": 0, **kwargs})


@pytest.mark.parametrize("value", [-1, 0, 2.5, "8"])
def test_bad_batch_size_in_evaluate_and_predict(value: Any) -> None:
    message = f"`batch_size` must be a positive integer. {received('batch_size', value)}"
    m = model()
    with pytest.raises(ValueError, match=exactly(message)):
        m.evaluate(X, Y, batch_size=value, verbose=0)
    with pytest.raises(ValueError, match=exactly(message)):
        m.predict(X, batch_size=value, verbose=0)
    with pytest.raises(ValueError, match=exactly(message)):
        functional().predict(X, batch_size=value, verbose=0)


def test_bad_steps_and_verbose_in_predict() -> None:
    with pytest.raises(
        ValueError, match=exactly("`steps` must be a positive integer. " + received("steps", -1))
    ):
        model().predict(X, steps=-1, verbose=0)
    with pytest.raises(
        ValueError, match=exactly("`verbose` must be 'auto', 0, 1 or 2. Received: verbose=5")
    ):
        model().predict(X, verbose=5)


def test_valid_edge_arguments_still_work() -> None:
    m = model()
    history = m.fit(
        X,
        Y,
        batch_size=np.int64(3),
        epochs=np.int32(3),
        initial_epoch=np.int64(1),
        shuffle=np.bool_(False),
        validation_split=np.float32(0.25),
        validation_batch_size=np.uint8(2),
        verbose=0,
    )
    assert history.epoch == [1, 2]
    assert m.fit(X, Y, validation_split=0, verbose=0).history.keys() == {"loss"}
    assert m.predict(X, batch_size=np.int64(3), steps=2, verbose=0).shape == (8, 1)
    assert np.isfinite(m.evaluate(X, Y, batch_size=np.int16(5), verbose=0))


# ---------------------------------------------------------------------- 10. metric names


def test_a_metric_given_twice_is_logged_twice_as_keras() -> None:
    # Keras 3.15.1: ['loss', 'mae', 'mae_1'] and the validation keys 'val_mae', 'val_mae_1'
    m = model(metrics=["mae", "mae", "mae"])
    history = m.fit(X, Y, validation_split=0.25, verbose=0)
    assert list(history.history) == [
        "loss",
        "mae",
        "mae_1",
        "mae_2",
        "val_loss",
        "val_mae",
        "val_mae_1",
        "val_mae_2",
    ]
    assert m.metrics_names == ["loss", "mae", "mae_1", "mae_2"]
    logs = m.evaluate(X, Y, return_dict=True, verbose=0)
    assert list(logs) == ["loss", "mae", "mae_1", "mae_2"]
    assert logs["mae"] == logs["mae_1"] == logs["mae_2"]
    assert len(m.evaluate(X, Y, verbose=0)) == 4


def test_two_spellings_of_one_metric_keep_their_names_as_keras() -> None:
    # Keras 3.15.1: ['loss', 'mae', 'mae_1', 'mean_absolute_error'] for these three
    m = model(metrics=["mean_absolute_error", "mae", "mae"])
    assert list(m.fit(X, Y, verbose=0).history) == ["loss", "mae", "mae_1", "mean_absolute_error"]
    assert m.metrics_names == ["loss", "mean_absolute_error", "mae", "mae_1"]
    m = model(metrics=["acc", "accuracy"])
    assert list(m.fit(X, Y, verbose=0).history) == ["acc", "accuracy", "loss"]


def test_a_metric_given_twice_for_one_output_of_several() -> None:
    # Keras 3.15.1: ['loss', 'o1_loss', 'o1_mae', 'o1_mae_1', 'o2_loss', 'o2_mae']
    i = Input((3,), name="i")
    m = rnn.Model(i, [Dense(1, name="o1")(i), Dense(1, name="o2")(i)])
    m.compile("sgd", ["mse", "mse"], metrics=[["mae", "mae"], ["mae"]])
    x, y = np.zeros((4, 3)), [np.zeros((4, 1))] * 2
    history = m.fit(x, y, verbose=0)
    assert list(history.history) == ["loss", "o1_loss", "o1_mae", "o1_mae_1", "o2_loss", "o2_mae"]
    assert len(m.evaluate(x, y, verbose=0)) == 6


def test_an_embedding_given_ragged_token_ids_says_how_to_pad_them() -> None:
    layer = rnn.layers.Embedding(10, 3)
    with pytest.raises(
        ValueError,
        match=exactly(
            "`inputs` holds sequences of different lengths (2 and 3 timesteps): pad them to "
            "one length, e.g. rnn.utils.pad_sequences(inputs, padding='post'), and add a "
            "Masking layer (or Embedding(mask_zero=True)) so that the model skips the padding."
        ),
    ):
        layer([[1, 2, 3], [4, 5]])
    with pytest.raises(
        ValueError,
        match=exactly(
            "Received an invalid value for `inputs`, expected token ids for layer "
            "'embedding_x'. Received: inputs=None (of type NoneType)."
        ),
    ):
        rnn.layers.Embedding(10, 3, name="embedding_x")(None)
    padded = rnn.utils.pad_sequences([[1, 2, 3], [4, 5]], padding="post")
    assert layer(padded).shape == (2, 3, 3)
