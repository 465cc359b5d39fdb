"""Constraints: Keras 3's projections, names and configs, applied after each update.

Keras 3's numbers are in tests/fixtures/keras/regularizers/penalties.json (written by
tools/keras_fixtures/gen_regularizers.py); whole training runs with constraints are
compared with Keras in tests/test_regularizers.py (``test_fit_equals_keras``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rnn
from rnn import constraints, layers
from rnn.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm
from rnn.models import Sequential

PENALTIES = json.loads(
    (Path(__file__).parent / "fixtures" / "keras" / "regularizers" / "penalties.json").read_text(
        encoding="utf-8"
    )
)
NAMES = {
    "MaxNorm": MaxNorm,
    "NonNeg": NonNeg,
    "UnitNorm": UnitNorm,
    "MinMaxNorm": MinMaxNorm,
    "constraints": constraints,
}


@pytest.mark.parametrize("case", PENALTIES["constraints"], ids=lambda c: c["code"])
def test_projection_and_config_equal_keras(case: dict[str, Any]) -> None:
    constraint = eval(case["code"], dict(NAMES))  # the fixture's own code
    out = constraint(np.array(PENALTIES["matrix"]))
    # Keras's NonNeg gives float32 values for a float64 weight (ops.maximum with the int 0)
    rtol = 1e-7 if "non" in case["code"].lower() else 1e-12
    np.testing.assert_allclose(out, case["output"], rtol=rtol, atol=1e-15)
    assert constraint.get_config() == case["config"]
    assert constraints.serialize(constraint) == case["serialized"]
    again = constraints.get(case["serialized"])
    assert type(again) is type(constraint) and again.get_config() == constraint.get_config()


def test_keras_epsilon() -> None:
    assert PENALTIES["epsilon"] == constraints.EPSILON == 1e-7
    # a zero column stays zero instead of dividing by zero
    assert UnitNorm()(np.zeros((2, 1))).tolist() == [[0.0], [0.0]]


def test_names_and_get() -> None:
    assert constraints.max_norm is MaxNorm and constraints.non_neg is NonNeg
    assert constraints.unit_norm is UnitNorm and constraints.min_max_norm is MinMaxNorm
    assert type(constraints.get("MaxNorm")) is MaxNorm
    assert type(constraints.get(UnitNorm)) is UnitNorm
    con = NonNeg()
    assert constraints.get(con) is con and constraints.get(None) is None
    assert constraints.get(np.abs) is np.abs
    with pytest.raises(ValueError, match=r"^Could not interpret constraint identifier: 3$"):
        constraints.get(3)
    with pytest.raises(ValueError, match=r"^Could not interpret constraint identifier: "):
        constraints.deserialize({"class_name": "Positive", "config": {}})


def test_base_class_changes_nothing() -> None:
    w = np.array([-1.0, 2.0])
    assert Constraint()(w) is w and Constraint().get_config() == {}


def test_the_dtype_is_kept() -> None:
    w = np.array([[3.0, -1.0], [4.0, 0.5]], np.float32)
    for constraint in (MaxNorm(1.0), UnitNorm(), MinMaxNorm(1.0, 2.0), NonNeg()):
        assert constraint(w).dtype == np.float32


def fit_once(model: Sequential, learning_rate: float = 0.1) -> None:
    model.compile(optimizer=rnn.optimizers.SGD(learning_rate=learning_rate), loss="mse")
    x = np.random.default_rng(0).standard_normal((4, *model.input_shape[1:]))
    model.train_on_batch(x, np.ones((4, *model.output_shape[1:])))


def test_applied_after_the_update() -> None:
    """Even a step that changes nothing (learning rate 0) leaves constrained weights."""
    rnn.set_random_seed(0)
    dense = layers.Dense(3, kernel_initializer="ones", kernel_constraint=MaxNorm(0.5))
    model = Sequential([layers.Input((4,)), dense])
    assert np.linalg.norm(dense.kernel, axis=0).tolist() == [2.0, 2.0, 2.0]
    fit_once(model, learning_rate=0.0)
    np.testing.assert_allclose(np.linalg.norm(dense.kernel, axis=0), 0.5, rtol=1e-6)


def test_each_weight_of_a_recurrent_layer_gets_its_own() -> None:
    rnn.set_random_seed(0)
    layer = layers.LSTM(
        3,
        kernel_constraint=UnitNorm(),
        recurrent_constraint=MaxNorm(0.2, axis=1),
        bias_constraint="non_neg",
        bias_initializer="random_uniform",
    )
    model = Sequential([layers.Input((5, 2)), layers.Bidirectional(layer), layers.Dense(1)])
    fit_once(model)
    for direction in (model.layers[0].forward_layer, model.layers[0].backward_layer):
        np.testing.assert_allclose(np.linalg.norm(direction.kernel, axis=0), 1.0, rtol=1e-6)
        assert np.linalg.norm(direction.recurrent_kernel, axis=1).max() <= 0.2 + 1e-7
        assert direction.bias.min() >= 0


def test_frozen_weights_are_not_constrained() -> None:
    """As Keras: only the weights the optimizer updates."""
    rnn.set_random_seed(0)
    frozen = layers.Dense(2, kernel_initializer="ones", kernel_constraint="unit_norm")
    frozen.trainable = False
    model = Sequential([layers.Input((3,)), frozen, layers.Dense(1)])
    fit_once(model)
    assert frozen.kernel.tolist() == [[1.0, 1.0]] * 3


def test_embedding_and_time_distributed_take_them() -> None:
    rnn.set_random_seed(0)
    model = Sequential(
        [
            layers.Input((4,)),
            layers.Embedding(5, 3, embeddings_constraint=MaxNorm(0.01, axis=1)),
            layers.TimeDistributed(layers.Dense(2, bias_constraint=NonNeg())),
            layers.GRU(2),
            layers.Dense(1),
        ]
    )
    model.compile(optimizer=rnn.optimizers.SGD(learning_rate=0.5), loss="mse")
    model.train_on_batch(np.array([[1, 2, 3, 4]] * 2), -np.ones((2, 1)) * 10)
    assert np.linalg.norm(model.layers[0].embeddings, axis=1).max() <= 0.01 + 1e-7
    assert model.layers[1].layer.bias.min() >= 0
