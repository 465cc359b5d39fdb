"""Optimizer settings that cannot be right are refused, naming the argument and the value.

Keras 3.15.1 accepts most of these (a negative or NaN learning rate, ``rho=1.5``,
``beta_1=1.0``, ``epsilon=-1``, ``RMSprop(momentum=-0.5)``, ``clipnorm=0``,
``clipvalue=nan``...) and then trains uphill, makes NaN weights or ignores the
argument; only ``SGD``'s ``momentum`` is checked there, in the words used here for
every range: "`momentum` must be a float between [0, 1]."
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest

from rnn import optimizers
from rnn.models import Sequential
from rnn.optimizers import SGD, Adam, AdamW, RMSprop, schedules

RATE = (
    "`learning_rate` must be a finite float >= 0: a negative rate trains uphill, a NaN "
    "or infinite one makes every weight NaN. Received: learning_rate="
)

VALUE_ERRORS = [
    # learning_rate, every optimizer
    (SGD, {"learning_rate": -1}, RATE + "-1"),
    (SGD, {"learning_rate": -0.01}, RATE + "-0.01"),
    (RMSprop, {"learning_rate": float("nan")}, RATE + "nan"),
    (Adam, {"learning_rate": float("inf")}, RATE + "inf"),
    (AdamW, {"learning_rate": np.float32(-1.0)}, RATE + "np.float32(-1.0)"),
    # the decay rates and momentums
    (RMSprop, {"rho": 1.5}, "`rho` must be a float between [0, 1). Received: rho=1.5"),
    (RMSprop, {"rho": 1.0}, "`rho` must be a float between [0, 1). Received: rho=1.0"),
    (RMSprop, {"rho": -0.1}, "`rho` must be a float between [0, 1). Received: rho=-0.1"),
    (
        RMSprop,
        {"momentum": -0.5},
        "`momentum` must be a float between [0, 1]. Received: momentum=-0.5",
    ),
    (SGD, {"momentum": -0.5}, "`momentum` must be a float between [0, 1]. Received: momentum=-0.5"),
    (SGD, {"momentum": 1.5}, "`momentum` must be a float between [0, 1]. Received: momentum=1.5"),
    (
        SGD,
        {"momentum": float("nan")},
        "`momentum` must be a float between [0, 1]. Received: momentum=nan",
    ),
    (Adam, {"beta_1": 1.0}, "`beta_1` must be a float between [0, 1). Received: beta_1=1.0"),
    (Adam, {"beta_1": 1.5}, "`beta_1` must be a float between [0, 1). Received: beta_1=1.5"),
    (AdamW, {"beta_1": -0.1}, "`beta_1` must be a float between [0, 1). Received: beta_1=-0.1"),
    (Adam, {"beta_2": 1}, "`beta_2` must be a float between [0, 1). Received: beta_2=1"),
    (AdamW, {"beta_2": 2.0}, "`beta_2` must be a float between [0, 1). Received: beta_2=2.0"),
    # epsilon
    (Adam, {"epsilon": 0}, "`epsilon` must be a finite float > 0. Received: epsilon=0"),
    (Adam, {"epsilon": -1}, "`epsilon` must be a finite float > 0. Received: epsilon=-1"),
    (
        RMSprop,
        {"epsilon": -1e-7},
        "`epsilon` must be a finite float > 0. Received: epsilon=-1e-07",
    ),
    (
        AdamW,
        {"epsilon": float("nan")},
        "`epsilon` must be a finite float > 0. Received: epsilon=nan",
    ),
    # clipping and weight decay, every optimizer
    (SGD, {"clipnorm": 0}, "`clipnorm` must be a finite float > 0 (or None). Received: clipnorm=0"),
    (
        Adam,
        {"clipnorm": -1.0},
        "`clipnorm` must be a finite float > 0 (or None). Received: clipnorm=-1.0",
    ),
    (
        RMSprop,
        {"clipnorm": float("inf")},
        "`clipnorm` must be a finite float > 0 (or None). Received: clipnorm=inf",
    ),
    (
        SGD,
        {"global_clipnorm": 0.0},
        "`global_clipnorm` must be a finite float > 0 (or None). Received: global_clipnorm=0.0",
    ),
    (
        AdamW,
        {"global_clipnorm": float("nan")},
        "`global_clipnorm` must be a finite float > 0 (or None). Received: global_clipnorm=nan",
    ),
    (
        SGD,
        {"clipvalue": float("nan")},
        "`clipvalue` must be a float > 0 (or None). Received: clipvalue=nan",
    ),
    (Adam, {"clipvalue": 0}, "`clipvalue` must be a float > 0 (or None). Received: clipvalue=0"),
    (
        SGD,
        {"weight_decay": -0.1},
        "`weight_decay` must be a finite float >= 0 (or None). Received: weight_decay=-0.1",
    ),
    (
        AdamW,
        {"weight_decay": float("nan")},
        "`weight_decay` must be a finite float >= 0 (or None). Received: weight_decay=nan",
    ),
]


@pytest.mark.parametrize(("cls", "kwargs", "message"), VALUE_ERRORS)
def test_settings_out_of_range_are_refused(
    cls: type[optimizers.Optimizer], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message) + "$"):
        cls(**kwargs)


TYPE_ERRORS = [
    (SGD, {"momentum": "0.9"}, "`momentum` must be a float between [0, 1]. Received: "
     "momentum='0.9' (of type str)"),
    (RMSprop, {"rho": None}, "`rho` must be a float between [0, 1). Received: rho=None "
     "(of type NoneType)"),
    (Adam, {"beta_1": True}, "`beta_1` must be a float between [0, 1). Received: beta_1=True "
     "(of type bool)"),
    (Adam, {"epsilon": "1e-7"}, "`epsilon` must be a finite float > 0. Received: "
     "epsilon='1e-7' (of type str)"),
    (Adam, {"amsgrad": "yes"}, "`amsgrad` must be a bool (True or False). Received: "
     "amsgrad='yes' (of type str)"),
    (SGD, {"nesterov": "False"}, "`nesterov` must be a bool (True or False). Received: "
     "nesterov='False' (of type str)"),
    (RMSprop, {"centered": 2}, "`centered` must be a bool (True or False). Received: "
     "centered=2 (of type int)"),
    (SGD, {"weight_decay": "0.1"}, "`weight_decay` must be a finite float >= 0 (or None). "
     "Received: weight_decay='0.1' (of type str)"),
    (SGD, {"clipnorm": [1.0]}, "`clipnorm` must be a finite float > 0 (or None). "
     "Received: clipnorm=[1.0] (of type list)"),
]  # fmt: skip


@pytest.mark.parametrize(("cls", "kwargs", "message"), TYPE_ERRORS)
def test_settings_of_the_wrong_type_are_refused(
    cls: type[optimizers.Optimizer], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(TypeError, match=re.escape(message) + "$"):
        cls(**kwargs)


def test_the_learning_rate_keeps_keras_type_error_wording() -> None:
    with pytest.raises(ValueError, match=r"should be float.*Received instead: learning_rate=0\.1$"):
        SGD(learning_rate="0.1")


def test_setting_a_bad_learning_rate_is_refused() -> None:
    optimizer = SGD(learning_rate=0.1)
    with pytest.raises(ValueError, match=re.escape(RATE + "-0.5") + "$"):
        optimizer.learning_rate = -0.5
    assert optimizer.learning_rate == 0.1


def test_a_config_with_a_bad_setting_is_refused() -> None:
    config = Adam().get_config()
    config["beta_1"] = 1.0
    with pytest.raises(ValueError, match=re.escape("Received: beta_1=1.0") + "$"):
        Adam.from_config(config)
    with pytest.raises(ValueError, match=re.escape("Received: rho=1.5") + "$"):
        optimizers.get({"class_name": "RMSprop", "config": {"rho": 1.5}})


GOOD = [
    (SGD, {"learning_rate": 0}),
    (SGD, {"learning_rate": 0.0, "momentum": 1.0, "nesterov": np.bool_(True)}),
    (SGD, {"momentum": 0, "nesterov": 1}),
    (RMSprop, {"rho": 0.0, "momentum": 1, "epsilon": 1e-12, "centered": True}),
    (RMSprop, {"rho": np.float32(0.95), "epsilon": np.float64(1e-6)}),
    (Adam, {"beta_1": 0.0, "beta_2": 0.0, "amsgrad": True}),
    (Adam, {"learning_rate": np.int64(1), "beta_1": np.float32(0.5)}),
    (AdamW, {"weight_decay": None}),
    (AdamW, {"weight_decay": 0}),
    (SGD, {"clipnorm": 1e-9}),
    (SGD, {"global_clipnorm": np.float32(2.0)}),
    (SGD, {"clipvalue": float("inf")}),
]


@pytest.mark.parametrize(("cls", "kwargs"), GOOD)
def test_edge_settings_that_can_be_right_still_work(
    cls: type[optimizers.Optimizer], kwargs: dict[str, Any]
) -> None:
    optimizer = cls(**kwargs)
    w = np.ones(3)
    optimizer.apply([np.array([0.5, -0.5, 0.0])], [w])
    assert np.isfinite(w).all()


def _steps(learning_rate: Any, count: int = 3) -> np.ndarray:
    optimizer = SGD(learning_rate=learning_rate)
    w = np.ones(2)
    for _ in range(count):
        optimizer.apply([np.ones(2)], [w])
    return w


def test_a_schedule_that_goes_negative_stops_at_that_step() -> None:
    schedule = schedules.PiecewiseConstantDecay([1], [0.1, -0.1])
    with pytest.raises(ValueError) as err:
        _steps(schedule)
    assert str(err.value) == (
        "The learning rate at step 2 is -0.1, from the schedule PiecewiseConstantDecay: "
        "a learning rate must be a finite float >= 0 (a negative rate trains uphill, a NaN "
        "or infinite one makes every weight NaN)."
    )


def test_a_callable_rate_that_gives_nan_is_refused_before_any_update() -> None:
    def rate() -> float:
        return math.nan

    optimizer = SGD(learning_rate=rate)
    w = np.ones(2)
    with pytest.raises(ValueError) as err:
        optimizer.apply([np.ones(2)], [w])
    assert str(err.value) == (
        "The learning rate at step 0 is nan, from the callable rate: a learning rate must "
        "be a finite float >= 0 (a negative rate trains uphill, a NaN or infinite one makes "
        "every weight NaN)."
    )
    assert w.tolist() == [1.0, 1.0] and optimizer.iterations == 0


def test_schedules_and_callables_stay_valid() -> None:
    np.testing.assert_allclose(_steps(schedules.ExponentialDecay(0.1, 1, 0.5)), [0.825, 0.825])
    np.testing.assert_allclose(_steps(lambda: 0.1), [0.7, 0.7])
    np.testing.assert_allclose(_steps(schedules.CosineDecay(0.1, 2)), [0.85, 0.85])


def test_exponential_decay_refuses_a_negative_decay_rate() -> None:
    message = "Argument `decay_rate` must be a finite float >= 0. Received: decay_rate=-0.5"
    with pytest.raises(ValueError, match=re.escape(message) + "$"):
        schedules.ExponentialDecay(0.1, 10, -0.5)
    with pytest.raises(TypeError, match=re.escape("decay_rate='0.5' (of type str)") + "$"):
        schedules.ExponentialDecay(0.1, 10, "0.5")
    assert schedules.ExponentialDecay(0.1, 10, 0)(0) == 0.1


def test_fit_with_a_schedule_gone_nan_says_so() -> None:
    from rnn import layers

    model = Sequential([layers.Input((3,)), layers.Dense(1)])
    model.compile(optimizer=SGD(learning_rate=lambda: float("nan")), loss="mse")
    with pytest.raises(ValueError, match=r"^The learning rate at step 0 is nan, from the callable"):
        model.fit(np.ones((4, 3)), np.ones((4, 1)), verbose=0)
