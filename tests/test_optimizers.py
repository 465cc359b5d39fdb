"""Optimizers: Keras 3's defaults, update rules, clipping and names."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from rnn import optimizers
from rnn.optimizers import SGD, Adam, AdamW, Optimizer, RMSprop

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


@pytest.mark.parametrize(
    ("identifier", "message"),
    [
        (
            "adagrad",
            "'adagrad' is a Keras optimizer that rnn does not implement; rnn has: 'adam', "
            "'adamw', 'rmsprop', 'sgd'.",
        ),
        ("Sgd", "Could not interpret optimizer identifier: Sgd. Did you mean 'sgd'?"),
        (None, "Could not interpret optimizer identifier: None"),
        (0.1, "Could not interpret optimizer identifier: 0.1"),
    ],
)
def test_unknown_optimizer(identifier: object, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        optimizers.get(identifier)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------
# Keras 3's weight decay, AdamW, schedules, variables, configs and errors, written by
# tools/keras_fixtures/gen_training_api.py: three ``apply`` steps per case (float64 with
# ``keras.config.set_floatx("float64")``, and a few in float32), the weights after each.
API = json.loads(
    (Path(__file__).parent / "fixtures" / "keras" / "training" / "optimizers_api.json").read_text(
        encoding="utf-8"
    )
)


def make(cls: str, arguments: dict) -> Optimizer:
    """The case's optimizer; a learning rate given as ``{schedule class: arguments}``."""
    arguments = dict(arguments)
    rate = arguments.get("learning_rate")
    if isinstance(rate, dict):
        ((name, schedule_arguments),) = rate.items()
        arguments["learning_rate"] = getattr(optimizers.schedules, name)(**schedule_arguments)
    return getattr(optimizers, cls)(**arguments)


@pytest.mark.parametrize("name", list(API["cases"]))
def test_weight_decay_steps_equal_keras(name: str) -> None:
    case = API["cases"][name]
    dtype = np.dtype(case["dtype"])
    optimizer = make(case["class"], case["arguments"])
    kernel, bias = np.array(API["kernel"], dtype), np.array(API["bias"], dtype)
    if name.endswith("exclude_bias"):
        optimizer.exclude_from_weight_decay(var_list=[bias])
    # float64 agrees to ~1e-9 (clipping's norms are summed in another order); the
    # required agreement is 1e-6 relative (float32: a few ulps, so also 1e-7 absolute)
    tolerance = {"rtol": 1e-6, "atol": 1e-7} if dtype == np.float32 else {"rtol": 1e-8}
    for step, (gradients, expected) in enumerate(zip(API["gradients"], case["steps"], strict=True)):
        assert optimizer.learning_rate == pytest.approx(case["learning_rates"][step], rel=1e-6)
        optimizer.apply([np.asarray(g, dtype) for g in gradients], [kernel, bias])
        assert kernel.dtype == dtype and bias.dtype == dtype
        np.testing.assert_allclose(kernel, expected["kernel"], **tolerance)
        np.testing.assert_allclose(bias, expected["bias"], **tolerance)


def test_weight_decay_is_decoupled_and_uses_the_rate_of_the_step() -> None:
    # a zero gradient: SGD moves the weight by the decay alone, w * (1 - wd * lr)
    w = np.array([2.0])
    optimizer = SGD(learning_rate=0.1, weight_decay=0.5)
    optimizer.apply([np.zeros(1)], [w])
    assert w[0] == pytest.approx(2.0 * (1 - 0.05))
    # the decay comes before the rule: Adam's step then uses the undecayed gradient
    w, plain = np.array([1.0]), np.array([1.0])
    AdamW(learning_rate=0.1, weight_decay=0.5).apply([np.ones(1)], [w])
    Adam(learning_rate=0.1).apply([np.ones(1)], [plain])
    assert w[0] == pytest.approx(plain[0] - 1.0 * 0.5 * 0.1)


def test_exclude_from_weight_decay_by_name() -> None:
    kernel, bias = np.ones(2), np.ones(2)
    optimizer = SGD(learning_rate=0.1, weight_decay=0.5)
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    optimizer.build([kernel, bias], names=["sequential/dense/kernel", "sequential/dense/bias"])
    optimizer.apply([np.zeros(2), np.zeros(2)], [kernel, bias])
    assert kernel.tolist() == [0.95, 0.95] and bias.tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="Got 1 names for 2 variables"):
        SGD().build([kernel, bias], names=["kernel"])


def test_adamw_defaults_equal_keras() -> None:
    config = AdamW().get_config()
    keras_config = API["configs"]["adamw"]["config"]
    assert config["weight_decay"] == keras_config["weight_decay"] == 0.004
    assert isinstance(AdamW(), Adam)


@pytest.mark.parametrize("name", list(API["variables"]))
def test_variables_equal_keras(name: str) -> None:
    case = API["variables"][name]
    first = make(case["class"], case["arguments"])
    assert first.name == case["name"]
    # before build: the counter and the learning rate (none with a schedule)
    assert [f"{first.name}/{n}" for n in first.variable_names] == [
        v["path"] for v in case["before_build"]
    ]
    optimizer = make(case["class"], case["arguments"])
    optimizer.build([np.array(API["kernel"], np.float32), np.array(API["bias"], np.float32)])
    described = [
        {"name": n, "shape": list(v.shape), "dtype": v.dtype.name}
        for n, v in zip(optimizer.variable_names, optimizer.variables, strict=True)
    ]
    assert described == [
        {"name": v["name"], "shape": v["shape"], "dtype": v["dtype"]}
        for v in case["bare_variables"]
    ]
    # a model's weights, named by their Keras paths
    weights = [np.zeros(shape, np.float32) for shape in case["model_weight_shapes"]]
    optimizer = make(case["class"], case["arguments"])
    optimizer.build(weights, names=case["model_weight_paths"])
    assert optimizer.variable_names == [v["name"] for v in case["model_variables"]]
    assert [list(v.shape) for v in optimizer.variables] == [
        v["shape"] for v in case["model_variables"]
    ]


@pytest.mark.parametrize("name", list(API["variables"]))
def test_summary_optimizer_params_equal_keras(name: str) -> None:
    # Keras 3's summary after compile + fit: " Optimizer params: 60 (240.00 B)"
    case = API["variables"][name]
    line = case["summary_after_fit"][-1]
    assert line.startswith(" Optimizer params: ")
    count, size = line.removeprefix(" Optimizer params: ").split(" (")
    optimizer = make(case["class"], case["arguments"])
    assert not optimizer.built  # after compile alone Keras prints no such line
    assert not any("Optimizer" in line for line in case["summary_after_compile"])
    weights = [np.zeros(shape, np.float32) for shape in case["model_weight_shapes"]]
    optimizer.apply([np.zeros_like(w) for w in weights], weights)
    params, nbytes = optimizer._summary_params()
    assert f"{params:,}" == count
    assert f"{nbytes:.2f} B)" == size


@pytest.mark.parametrize("name", list(API["configs"]))
def test_config_equals_keras(name: str) -> None:
    case = API["configs"][name]
    config = make(case["class"], case["arguments"]).get_config()
    expected = case["config"]
    assert list(config) == list(expected)  # Keras's keys, in its order
    rate, keras_rate = config.pop("learning_rate"), dict(expected).pop("learning_rate")
    if isinstance(keras_rate, dict):
        assert rate == keras_rate
    else:  # Keras shows its float32 variable's value; rnn keeps the float given
        assert rate == pytest.approx(keras_rate, rel=1e-7)
    assert config == {k: v for k, v in expected.items() if k != "learning_rate"}
    again = type(make(case["class"], case["arguments"])).from_config(case["config"])
    assert again.get_config()["name"] == expected["name"]
    assert (
        type(optimizers.get({"class_name": case["class"], "config": expected})).__name__
        == (case["class"])
    )


@pytest.mark.parametrize("cls", [SGD, RMSprop, Adam, AdamW])
def test_explicit_arguments_equal_keras_signature(cls: type[Optimizer]) -> None:
    import inspect

    ours = [
        [p.name, p.default]
        for p in inspect.signature(cls).parameters.values()
        if p.kind is not inspect.Parameter.VAR_KEYWORD
    ]
    keras_signature = API["signatures"][cls.__name__]
    assert ours == keras_signature[: len(ours)]
    # the rest are the base class's keyword arguments, accepted through **kwargs
    base = inspect.signature(Optimizer).parameters
    assert all(name in base for name, _ in keras_signature[len(ours) :] if name != "kwargs")


def test_names_made_unique_as_keras() -> None:
    names = [make(c, {}).name for c in ["SGD", "RMSprop", "Adam", "AdamW", "Adam", "SGD"]]
    assert names == API["auto_names"]


def test_learning_rate_is_settable() -> None:
    optimizer = SGD(learning_rate=0.1)
    optimizer.learning_rate = 0.5
    w = np.zeros(1)
    optimizer.apply([np.ones(1)], [w])
    assert w.tolist() == [-0.5] and optimizer.get_config()["learning_rate"] == 0.5
    assert float(optimizer.variables[1]) == 0.5


@pytest.mark.parametrize(
    ("error", "make_it"),
    [
        ("unknown_argument", lambda: Adam(foo=1)),
        ("learning_rate_string", lambda: Adam(learning_rate="fast")),
        ("unknown_name", lambda: optimizers.get("adamm")),
        ("gradient_accumulation_steps", lambda: SGD(gradient_accumulation_steps=1)),
    ],
)
def test_errors_equal_keras(error: str, make_it: object) -> None:
    expected = API["errors"][error]
    with pytest.raises(Exception) as raised:
        make_it()  # type: ignore[operator]
    assert type(raised.value).__name__ == expected["type"]
    hint = ". Did you mean 'adam'?" if error == "unknown_name" else ""  # rnn's addition
    assert str(raised.value) == expected["message"] + hint


def test_setting_the_rate_of_a_schedule_raises_keras_type_error() -> None:
    expected = API["errors"]["set_learning_rate_of_schedule"]
    optimizer = SGD(learning_rate=optimizers.schedules.ExponentialDecay(0.1, 10, 0.5))
    with pytest.raises(TypeError) as raised:
        optimizer.learning_rate = 0.5
    assert str(raised.value) == expected["message"]
    # another schedule may replace it, as in Keras
    optimizer.learning_rate = optimizers.schedules.PiecewiseConstantDecay([5], [0.3, 0.1])
    assert optimizer.learning_rate == 0.3


def test_decay_argument_warns_as_keras() -> None:
    with pytest.warns(UserWarning) as caught:
        SGD(decay=0.1)
    assert [str(w.message) for w in caught] == API["decay_warning"]


def test_unsupported_keras_arguments_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="support neither `use_ema=True`"):
        Adam(use_ema=True)
    assert Adam(loss_scale_factor=128.0).get_config()["loss_scale_factor"] == 128.0


def test_no_gradients_is_a_no_op_as_keras() -> None:
    optimizer = SGD()
    optimizer.apply([], [])
    assert optimizer.iterations == 0 and not optimizer.built
