"""Labels of the wrong kind get an answer that says what was expected and what came.

Keras 3.15.1 (torch backend) on the same inputs: one-hot targets for a sparse loss say
"target.shape=torch.Size([8, 3]), output.shape=torch.Size([8, 3])" (two identical
shapes); fractional labels are truncated silently; a NaN label is "Target
-9223372036854775808 is out of bounds"; strings are "Invalid dtype: str32"; integer
labels for ``categorical_crossentropy`` get the bare shape error; targets outside
``[0, 1]`` for ``binary_crossentropy`` "all elements of target should be between 0 and
1" (a RuntimeError of torch; the TensorFlow backend trains on them silently). Keras's
words are kept where they are clear, and the rest is said after them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from rnn import layers, losses, metrics
from rnn.models import Sequential

Y_PRED = np.full((8, 3), 1 / 3)
ONE_HOT = np.eye(3)[[0, 1, 2, 0, 1, 2, 0, 1]]
LABELS = np.array([0, 1, 2, 0, 1, 2, 0, 1])

SPARSE_ONE_HOT = (
    "Arguments `target` and `output` must have the same shape up until the last dimension: "
    "target.shape=(8, 3), output.shape=(8, 3). {name} expects integer class labels of shape "
    "(8,), but `y_true` looks one-hot (shape (8, 3), rows of one 1): use {other}, or pass "
    "y.argmax(-1)."
)

SPARSE = [
    losses.sparse_categorical_crossentropy,
    lambda t, p: losses.SparseCategoricalCrossentropy()(t, p),
    lambda t, p: losses.SparseCategoricalCrossentropy(ignore_class=2)(t, p),
    lambda t, p: losses.get("sparse_categorical_crossentropy").value_and_gradient(t, p),
]


def _raises(fn: Callable[[], Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message) + "$"):
        fn()


@pytest.mark.parametrize("loss", SPARSE)
def test_one_hot_targets_for_the_sparse_loss(loss: Callable[..., Any]) -> None:
    message = SPARSE_ONE_HOT.format(
        name="sparse_categorical_crossentropy", other="categorical_crossentropy"
    )
    _raises(lambda: loss(ONE_HOT, Y_PRED), message)


def test_one_hot_targets_for_the_sparse_accuracy() -> None:
    message = SPARSE_ONE_HOT.format(
        name="sparse_categorical_accuracy", other="categorical_accuracy"
    )
    _raises(lambda: metrics.sparse_categorical_accuracy(ONE_HOT, Y_PRED), message)
    metric = metrics.get("sparse_categorical_accuracy")
    _raises(lambda: metric.update_state(ONE_HOT, Y_PRED), message)


def test_targets_of_the_outputs_shape_that_are_not_one_hot() -> None:
    message = (
        "Arguments `target` and `output` must have the same shape up until the last "
        "dimension: target.shape=(8, 3), output.shape=(8, 3). sparse_categorical_crossentropy "
        "expects integer class labels of shape (8,) (or (8, 1))."
    )
    _raises(lambda: losses.sparse_categorical_crossentropy(Y_PRED, Y_PRED), message)


@pytest.mark.parametrize("loss", SPARSE)
@pytest.mark.parametrize(
    ("labels", "shown"),
    [
        (np.full(8, 1.5), "1.5"),
        (np.array([0, 1, 2.25, 0, 1, 2, 0, 0.5]), "2.25"),
        (np.array([[0.0], [1.0], [np.nan], [0], [1], [2], [0], [1]]), "nan"),
        (np.array([0, 1, np.inf, 0, 1, 2, 0, 1]), "inf"),
        (np.array([0, 1, 2, 0, 1, 2, 0, 1], dtype=np.float32) + np.float32(0.5), "0.5"),
    ],
)
def test_non_integer_labels_are_refused_naming_the_first(
    loss: Callable[..., Any], labels: np.ndarray, shown: str
) -> None:
    message = (
        f"Received a label value of {shown} which is not an integer: "
        "sparse_categorical_crossentropy expects integer class labels in [0, 3)."
    )
    _raises(lambda: loss(labels, Y_PRED), message)


@pytest.mark.parametrize(
    ("labels", "shown"),
    [(np.array(list("abcabcab")), "dtype <U1 (e.g. 'a')"), ([["x"]] * 8, "dtype <U1 (e.g. 'x')")],
)
def test_string_labels(labels: Any, shown: str) -> None:
    message = (
        "sparse_categorical_crossentropy expects integer class indices as labels, in [0, 3); "
        f"got {shown}: map the labels to integers first."
    )
    _raises(lambda: losses.sparse_categorical_crossentropy(labels, Y_PRED), message)
    accuracy = message.replace("crossentropy", "accuracy")
    _raises(lambda: metrics.sparse_categorical_accuracy(labels, Y_PRED), accuracy)


@pytest.mark.parametrize(("label", "shown"), [(-1, "-1"), (3, "3"), (3.0, "3"), (-2.0, "-2")])
def test_labels_out_of_range_keep_keras_wording(label: Any, shown: str) -> None:
    labels = np.array([0, 1, label, 0, 1, 2, 0, 1])
    message = f"Received a label value of {shown} which is outside the valid range of [0, 3)."
    _raises(lambda: losses.sparse_categorical_crossentropy(labels, Y_PRED), message)


@pytest.mark.parametrize(
    "labels",
    [
        LABELS,
        LABELS[:, None],
        LABELS.astype(np.float32),
        LABELS.astype(np.float64)[:, None],
        LABELS.astype(np.uint8),
        LABELS.tolist(),
        tuple(LABELS.tolist()),
    ],
)
def test_integer_labels_of_every_kind_still_work(labels: Any) -> None:
    values = losses.sparse_categorical_crossentropy(labels, Y_PRED)
    np.testing.assert_allclose(values, np.log(3.0))
    accuracy = metrics.sparse_categorical_accuracy(labels, Y_PRED)
    np.testing.assert_array_equal(accuracy, LABELS == 0)  # the uniform output picks class 0


def test_an_ignored_class_is_still_ignored() -> None:
    loss = losses.SparseCategoricalCrossentropy(ignore_class=-1)
    assert loss(np.array([-1, 0]), np.full((2, 3), 1 / 3)) == pytest.approx(np.log(3.0))


INTEGER_LABELS = (
    "Arguments `target` and `output` must have the same shape. Received: "
    "target.shape={shape}, output.shape=(8, 3). `y_true` looks like integer labels "
    "(shape {shape}): use {sparse}, or one-hot encode them."
)


@pytest.mark.parametrize(("labels", "shape"), [(LABELS, "(8,)"), (LABELS[:, None], "(8, 1)")])
def test_integer_labels_for_the_categorical_loss_and_accuracy(
    labels: np.ndarray, shape: str
) -> None:
    sparse = "sparse_categorical_crossentropy"
    message = INTEGER_LABELS.format(shape=shape, sparse=sparse)
    _raises(lambda: losses.categorical_crossentropy(labels, Y_PRED), message)
    _raises(lambda: losses.CategoricalCrossentropy()(labels.astype(float), Y_PRED), message)
    accuracy = INTEGER_LABELS.format(shape=shape, sparse="sparse_categorical_accuracy")
    _raises(lambda: metrics.categorical_accuracy(labels, Y_PRED), accuracy)


def test_other_shapes_for_the_categorical_loss_keep_keras_wording() -> None:
    message = (
        "Arguments `target` and `output` must have the same shape. Received: "
        "target.shape=(8, 5), output.shape=(8, 3)"
    )
    _raises(lambda: losses.categorical_crossentropy(np.eye(5)[LABELS], Y_PRED), message)
    fractions = (
        "Arguments `target` and `output` must have the same shape. Received: "
        "target.shape=(8,), output.shape=(8, 3)"
    )
    _raises(lambda: losses.categorical_crossentropy(np.full(8, 0.5), Y_PRED), fractions)


def test_string_targets_for_the_categorical_loss() -> None:
    message = (
        "Targets must be numbers (one-hot rows), got dtype <U1 (e.g. 'b'): map the labels to "
        "integers and use sparse_categorical_crossentropy, or one-hot encode them."
    )
    _raises(lambda: losses.categorical_crossentropy(np.array(list("bcabcabc")), Y_PRED), message)


BINARY = (
    "Received a target value of {shown} which is outside the valid range of [0, 1]: "
    "binary_crossentropy expects targets between 0 and 1 (the probability of the positive "
    "class). Map the labels to 0 and 1, or for more than two classes use "
    "sparse_categorical_crossentropy."
)


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize(
    ("targets", "shown"), [([[1.0], [-1.0]], "-1.0"), ([[0], [2]], "2.0"), ([1.5, 0], "1.5")]
)
def test_binary_targets_outside_zero_one(from_logits: bool, targets: Any, shown: str) -> None:
    y_pred = np.array([[0.3], [0.6]])
    message = BINARY.format(shown=shown)
    _raises(lambda: losses.binary_crossentropy(targets, y_pred, from_logits=from_logits), message)
    loss = losses.BinaryCrossentropy(from_logits=from_logits, label_smoothing=0.1)
    _raises(lambda: loss.value_and_gradient(targets, y_pred), message)


def test_binary_targets_inside_zero_one_still_work() -> None:
    values = losses.binary_crossentropy([[0.0], [1.0], [0.25]], np.full((3, 1), 0.5))
    np.testing.assert_allclose(values, np.log(2.0))
    assert losses.BinaryCrossentropy(label_smoothing=0.2)([[1]], [[0.9]]) > 0


def _classifier() -> Sequential:
    model = Sequential([layers.Input((5, 3)), layers.SimpleRNN(4), layers.Dense(3, "softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


X = np.random.default_rng(0).normal(size=(8, 5, 3))


@pytest.mark.parametrize(
    ("y", "message"),
    [
        (
            ONE_HOT,
            SPARSE_ONE_HOT.format(
                name="sparse_categorical_crossentropy", other="categorical_crossentropy"
            ),
        ),
        (
            np.full(8, 1.5),
            "Received a label value of 1.5 which is not an integer: "
            "sparse_categorical_crossentropy expects integer class labels in [0, 3).",
        ),
        (
            np.array(["a"] * 8),  # fit shuffles: one label only
            "sparse_categorical_crossentropy expects integer class indices as labels, in "
            "[0, 3); got dtype <U1 (e.g. 'a'): map the labels to integers first.",
        ),
    ],
)
def test_fit_and_evaluate_say_the_same(y: np.ndarray, message: str) -> None:
    # (a NaN label is left to the losses' tests: fit may refuse NaN in the data first)
    model = _classifier()
    _raises(lambda: model.fit(X, y, verbose=0), message)
    _raises(lambda: model.evaluate(X, y, verbose=0), message)


def test_fit_with_integer_labels_for_the_categorical_loss() -> None:
    model = Sequential([layers.Input((5, 3)), layers.SimpleRNN(4), layers.Dense(3, "softmax")])
    model.compile("sgd", "categorical_crossentropy")
    message = INTEGER_LABELS.format(shape="(8,)", sparse="sparse_categorical_crossentropy")
    _raises(lambda: model.fit(X, LABELS, verbose=0), message)


def test_fit_with_good_labels_still_trains() -> None:
    history = _classifier().fit(X, LABELS.astype(np.float32), epochs=2, verbose=0).history
    assert np.isfinite(history["loss"]).all() and len(history["accuracy"]) == 2
