"""Optimizers: Keras 3's defaults, update rules, clipping and names."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rnn import optimizers
from rnn.optimizers import SGD, Adam, Optimizer, RMSprop

# Keras 3's numbers, written by tools/keras_fixtures/gen_training.py (run by
# tools/keras_fixtures/generate.sh): each case's optimizer class and arguments, and the
# float32 kernel and bias after Keras's ``optimizer.apply(gradients, [kernel, bias])`` for
# the three steps' gradients, from the same starting weights (torch backend).
KERAS = json.loads(
    (Path(__file__).parent / "fixtures" / "keras" / "training" / "optimizers.json").read_text(
        encoding="utf-8"
    )
)
CASES = KERAS["cases"]


@pytest.mark.parametrize("name", list(CASES))
def test_three_steps_equal_keras(name: str) -> None:
    case = CASES[name]
    optimizer = getattr(optimizers, case["class"])(**case["arguments"])
    kernel, bias = np.array(KERAS["kernel"], np.float32), np.array(KERAS["bias"], np.float32)
    for gradients in KERAS["gradients"]:
        optimizer.apply([np.array(g, np.float32) for g in gradients], [kernel, bias])
    assert optimizer.iterations == 3
    assert kernel.dtype == np.float32 and bias.dtype == np.float32
    # Keras's torch backend fuses some operations: a few float32 ulps apart at most
    np.testing.assert_allclose(kernel, case["kernel"], rtol=5e-7, atol=2e-7)
    np.testing.assert_allclose(bias, case["bias"], rtol=5e-7, atol=2e-7)


@pytest.mark.parametrize(
    ("cls", "defaults"),
    [
        (SGD, {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False}),
        (
            RMSprop,
            {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7},
        ),
        (
            Adam,
            {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
        ),
    ],
)
def test_keras_defaults(cls: type[Optimizer], defaults: dict[str, object]) -> None:
    config = cls().get_config()
    assert {key: config[key] for key in defaults} == defaults
    # Keras 3 names an optimizer after its class in snake case: "rm_sprop" for RMSprop
    assert config["name"] == {"SGD": "sgd", "RMSprop": "rm_sprop", "Adam": "adam"}[cls.__name__]
    assert config["clipnorm"] is None and config["clipvalue"] is None


def test_updates_happen_in_place() -> None:
    weights = [np.ones((2, 2), np.float32), np.zeros(2, np.float32)]
    before = [id(w) for w in weights]
    Adam().apply([np.ones((2, 2)), np.ones(2)], weights)
    assert [id(w) for w in weights] == before
    assert weights[0][0, 0] < 1 and weights[1][0] < 0


def test_rmsprop_epsilon_inside_the_square_root() -> None:
    w = np.zeros(1, np.float64)
    RMSprop(learning_rate=1.0, epsilon=1.0).apply([np.ones(1)], [w])
    assert w[0] == pytest.approx(-1 / np.sqrt(0.1 + 1.0))


def test_adam_epsilon_outside_the_square_root() -> None:
    w = np.zeros(1, np.float64)
    Adam(learning_rate=1.0, epsilon=1.0).apply([np.ones(1)], [w])
    # m = 0.1, v = 0.001, alpha = sqrt(0.001) / 0.1
    assert w[0] == pytest.approx(-0.1 * (np.sqrt(0.001) / 0.1) / (np.sqrt(0.001) + 1.0))


def test_clipping_rules() -> None:
    g = [np.array([3.0, 4.0]), np.array([0.3, 0.4])]
    by_norm = SGD(clipnorm=1.0).clip_gradients(g)
    np.testing.assert_allclose(by_norm[0], [0.6, 0.8])
    np.testing.assert_allclose(by_norm[1], g[1])  # under the norm: unchanged
    global_norm = np.sqrt(25 + 0.25)
    by_global = SGD(global_clipnorm=1.0).clip_gradients(g)
    np.testing.assert_allclose(by_global[1], g[1] / global_norm)
    np.testing.assert_allclose(SGD(clipvalue=0.35).clip_gradients(g)[1], [0.3, 0.35])
    with pytest.raises(
        ValueError, match="Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"
    ):
        SGD(clipnorm=1.0, clipvalue=1.0)


def test_optimizer_is_bound_to_its_weights() -> None:
    optimizer = SGD()
    w = np.zeros(2)
    optimizer.apply([np.ones(2)], [w])
    with pytest.raises(ValueError, match="built for other variables"):
        optimizer.apply([np.ones(2)], [np.zeros(2)])
    with pytest.raises(ValueError, match="1 gradients for 2 variables"):
        SGD().apply([np.ones(2)], [np.zeros(2), np.zeros(2)])
    with pytest.raises(ValueError, match="does not match weight"):
        SGD().apply([np.ones(3)], [np.zeros(2)])


def test_apply_gradients_pairs() -> None:
    w = np.zeros(2)
    SGD(learning_rate=0.5).apply_gradients(zip([np.ones(2)], [w], strict=True))
    assert w.tolist() == [-0.5, -0.5]


@pytest.mark.parametrize(
    ("identifier", "cls"),
    [("sgd", SGD), ("SGD", SGD), ("rmsprop", RMSprop), ("RMSprop", RMSprop), ("adam", Adam)],
)
def test_get_by_name(identifier: str, cls: type[Optimizer]) -> None:
    optimizer = optimizers.get(identifier)
    assert type(optimizer) is cls
    assert optimizers.get(optimizer) is optimizer


@pytest.mark.parametrize("identifier", ["adagrad", "Sgd", None, 0.1])
def test_unknown_optimizer(identifier: object) -> None:
    with pytest.raises(
        ValueError, match=f"^Could not interpret optimizer identifier: {identifier}$"
    ):
        optimizers.get(identifier)  # type: ignore[arg-type]
