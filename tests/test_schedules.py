"""Learning-rate schedules: Keras 3's values, configs, errors, and their use by optimizers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from rnn import optimizers
from rnn.optimizers import schedules
from rnn.optimizers.schedules import (
    CosineDecay,
    ExponentialDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
)

# Keras 3's numbers, written by tools/keras_fixtures/gen_training_api.py: each case's
# schedule class and arguments, its values at the steps listed (float64 floatx), its
# config and serialized form; and Keras's error messages.
KERAS = json.loads(
    (Path(__file__).parent / "fixtures" / "keras" / "training" / "schedules.json").read_text(
        encoding="utf-8"
    )
)
CASES = KERAS["cases"]


def schedule_of(case: dict) -> LearningRateSchedule:
    return getattr(schedules, case["class"])(**case["arguments"])


@pytest.mark.parametrize("name", list(CASES))
def test_values_equal_keras(name: str) -> None:
    case = CASES[name]
    schedule = schedule_of(case)
    values = [schedule(step) for step in case["steps"]]
    np.testing.assert_allclose(values, case["values"], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", list(CASES))
def test_config_and_serialized_form_equal_keras(name: str) -> None:
    case = CASES[name]
    schedule = schedule_of(case)
    assert schedule.get_config() == case["config"]
    assert list(schedule.get_config()) == list(case["config"])  # Keras's key order
    assert schedules.serialize(schedule) == case["serialized"]
    again = schedules.deserialize(case["serialized"])
    assert type(again) is type(schedule) and again.get_config() == case["config"]
    assert type(schedule).from_config(case["config"]).get_config() == case["config"]


@pytest.mark.parametrize("cls", [ExponentialDecay, CosineDecay, PiecewiseConstantDecay])
def test_signatures_equal_keras(cls: type) -> None:
    import inspect

    ours = [
        [p.name, None if p.default is inspect.Parameter.empty else p.default]
        for p in inspect.signature(cls).parameters.values()
    ]
    assert ours == KERAS["signatures"][cls.__name__]


@pytest.mark.parametrize(
    ("error", "make"),
    [
        ("exponential_decay_steps", lambda: ExponentialDecay(0.1, 0, 0.5)),
        ("cosine_decay_steps", lambda: CosineDecay(0.1, -1)),
        ("piecewise_lengths", lambda: PiecewiseConstantDecay([1, 2], [1.0, 0.5])),
        ("base_call", lambda: LearningRateSchedule()(0)),
        ("base_config", lambda: LearningRateSchedule().get_config()),
    ],
)
def test_errors_equal_keras(error: str, make: object) -> None:
    expected = KERAS["errors"][error]
    with pytest.raises(Exception) as raised:
        make()  # type: ignore[operator]
    assert type(raised.value).__name__ == expected["type"]
    assert str(raised.value) == expected["message"]


def test_unknown_serialized_schedule() -> None:
    with pytest.raises(ValueError, match="Could not interpret learning rate schedule"):
        schedules.deserialize({"class_name": "PolynomialDecay", "config": {}})


def test_an_optimizer_reads_its_schedule_at_each_step() -> None:
    schedule = ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    optimizer = optimizers.SGD(learning_rate=schedule)
    w = np.zeros(1)
    rates = []
    for _ in range(3):
        rates.append(optimizer.learning_rate)
        optimizer.apply([np.ones(1)], [w])
    assert rates == [0.1, 0.05, 0.025]
    assert w[0] == pytest.approx(-0.175)
    # an optimizer's config holds the serialized schedule, and comes back from it
    config = optimizer.get_config()
    assert config["learning_rate"] == schedules.serialize(schedule)
    assert optimizers.SGD.from_config(config).learning_rate == 0.1


def test_a_callable_learning_rate() -> None:
    rate = [0.5]
    optimizer = optimizers.SGD(learning_rate=lambda: rate[0])
    w = np.zeros(1)
    optimizer.apply([np.ones(1)], [w])
    rate[0] = 0.25
    optimizer.apply([np.ones(1)], [w])
    assert w.tolist() == [-0.75]
    assert optimizer.variable_names == ["iteration"]  # no learning-rate variable, as Keras


def test_custom_schedule_subclass() -> None:
    class Halving(LearningRateSchedule):
        def __call__(self, step: int) -> float:
            return 1.0 / 2**step

    optimizer = optimizers.SGD(learning_rate=Halving())
    w = np.zeros(1)
    for _ in range(3):
        optimizer.apply([np.ones(1)], [w])
    assert w[0] == pytest.approx(-1.75)
    assert math.isclose(optimizer.learning_rate, 0.125)
