"""Step 5: Keras 3's losses and metrics as functions, optimizer weight decay, AdamW,
learning-rate schedules, configs, variables and error messages (issue 13).

Run with the Keras 3 venv:
    KERAS_BACKEND=torch /work/venvs/keras3/bin/python gen_training_api.py
(`generate.sh` does this). Writes, in tests/fixtures/keras/training/:

- ``losses_api.json``: the loss functions' per-sample values (float64 inputs), the
  classes with ``axis``/``ignore_class`` (value and autograd gradient), every class's
  ``get_config``, the functions' signatures, which short names ``losses.get`` knows,
  and the error messages;
- ``metrics_api.json``: configs, ``variables`` (names, paths, shapes, dtypes), the
  history keys of ``compile(metrics=[functions])``, error messages;
- ``optimizers_api.json``: three ``apply`` steps with ``weight_decay`` (and AdamW,
  schedules, clipping, exclusions) in float64 (``keras.config.set_floatx("float64")``)
  and a few in float32; ``optimizer.variables``; the "Optimizer params" lines of
  ``model.summary()`` after ``compile`` + ``fit``; configs; error messages;
- ``schedules.json``: each schedule's values at several steps (float64), configs,
  serialized forms and error messages.

The tests (tests/test_losses.py, test_metrics.py, test_optimizers.py,
test_schedules.py) read these files and need neither Keras nor this script.
"""

import contextlib
import inspect
import io
import json
import os
import sys
import warnings

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common
import keras
import torch
from gen_training import B0, W0, gradients

OUT = common.OUT / "training"
SCHEDULES = keras.optimizers.schedules


def error_of(fn):
    """``{"type", "message"}`` of what ``fn()`` raises (None if it does not raise)."""
    try:
        fn()
    except Exception as e:
        return {"type": type(e).__name__, "message": str(e)}
    return None


def as_list(x):
    return np.asarray(keras.ops.convert_to_numpy(x), dtype=np.float64).tolist()


# ----------------------------------------------------------------------- losses

Y_BIN = [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
P_PROB = [[0.9, 0.2, 0.7], [0.1, 0.6, 0.3]]
LOGITS = [[2.0, -1.0, 0.5], [-3.0, 0.25, 1.5]]
ONE_HOT = [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
P_SOFT = [[0.1, 0.2, 0.7], [0.5, 0.3, 0.2]]
Y_REG = [[0.5, -1.0, 2.0], [0.0, 1.5, -0.5]]
P_REG = [[0.25, -0.5, 1.0], [0.75, 1.5, 0.5]]
# (batch 2, steps 3, classes 2) and labels (2, 3) for the axis cases
P3 = [[[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]], [[0.9, 0.1], [0.3, 0.7], [0.25, 0.75]]]
Y3 = [[[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]]

# name: (function, kwargs, y_true, y_pred)
FUNCTION_CASES = {
    "mse": ("mean_squared_error", {}, Y_REG, P_REG),
    "mae": ("mean_absolute_error", {}, Y_REG, P_REG),
    "mse_targets_without_last_axis": ("mean_squared_error", {}, [0.5, 0.0], [[0.25], [0.75]]),
    "bce": ("binary_crossentropy", {}, Y_BIN, P_PROB),
    "bce_logits_smoothing": (
        "binary_crossentropy",
        {"from_logits": True, "label_smoothing": 0.2},
        Y_BIN,
        LOGITS,
    ),
    "bce_axis0": ("binary_crossentropy", {"axis": 0}, Y_BIN, P_PROB),
    "cce": ("categorical_crossentropy", {}, ONE_HOT, P_SOFT),
    "cce_logits_smoothing": (
        "categorical_crossentropy",
        {"from_logits": True, "label_smoothing": 0.1},
        ONE_HOT,
        LOGITS,
    ),
    "cce_axis0": ("categorical_crossentropy", {"axis": 0}, ONE_HOT, P_SOFT),
    "cce_3d_axis1": ("categorical_crossentropy", {"axis": 1}, Y3, P3),
    "scce": ("sparse_categorical_crossentropy", {}, [2, 0], P_SOFT),
    "scce_logits": ("sparse_categorical_crossentropy", {"from_logits": True}, [2, 0], LOGITS),
    "scce_axis0": ("sparse_categorical_crossentropy", {"axis": 0}, [1, 0, 1], P_SOFT),
    "scce_ignore_class": (
        "sparse_categorical_crossentropy",
        {"ignore_class": 1},
        [[0, 1, 1], [1, 0, 1]],
        P3,
    ),
}

# name: (class, arguments, y_true, y_pred): value and gradient, float64
CLASS_CASES = {
    "bce_axis0": ("BinaryCrossentropy", {"axis": 0}, Y_BIN, P_PROB),
    "cce_axis0": ("CategoricalCrossentropy", {"axis": 0}, ONE_HOT, P_SOFT),
    "cce_3d_axis1_logits": ("CategoricalCrossentropy", {"axis": 1, "from_logits": True}, Y3, P3),
    "scce_axis0": ("SparseCategoricalCrossentropy", {"axis": 0}, [1, 0, 1], P_SOFT),
    "scce_ignore_class": (
        "SparseCategoricalCrossentropy",
        {"ignore_class": 1},
        [[0, 1, 1], [1, 0, 1]],
        P3,
    ),
    "scce_ignore_class_sum": (
        "SparseCategoricalCrossentropy",
        {"ignore_class": 0, "reduction": "sum"},
        [[0, 1, 1], [1, 0, 1]],
        P3,
    ),
}

LOSS_CONFIGS = {
    "MeanSquaredError": {},
    "MeanAbsoluteError": {"reduction": "sum", "name": "l1"},
    "BinaryCrossentropy": {"from_logits": True, "label_smoothing": 0.1},
    "CategoricalCrossentropy": {"axis": 1},
    "SparseCategoricalCrossentropy": {"ignore_class": 0, "axis": 1},
}

ALIAS_CANDIDATES = ["mse", "MSE", "mae", "MAE", "bce", "BCE", "cce", "CCE", "scce", "Mse"]


def loss_functions():
    cases = {}
    for name, (function, kwargs, y_true, y_pred) in FUNCTION_CASES.items():
        values = getattr(keras.losses, function)(
            torch.tensor(y_true, dtype=torch.float64 if "scce" not in name else torch.int64),
            torch.tensor(y_pred, dtype=torch.float64),
            **kwargs,
        )
        cases[name] = {
            "function": function,
            "kwargs": kwargs,
            "y_true": y_true,
            "y_pred": y_pred,
            "values": as_list(values.detach()),
        }
    return cases


def loss_classes():
    cases = {}
    for name, (cls, arguments, y_true, y_pred) in CLASS_CASES.items():
        loss = getattr(keras.losses, cls)(**arguments)
        prediction = torch.tensor(y_pred, dtype=torch.float64, requires_grad=True)
        dtype = torch.int64 if cls.startswith("Sparse") else torch.float64
        value = loss(torch.tensor(y_true, dtype=dtype), prediction)
        value.backward()
        cases[name] = {
            "class": cls,
            "arguments": arguments,
            "y_true": y_true,
            "y_pred": y_pred,
            "value": float(value.detach().numpy()),
            "gradient": prediction.grad.numpy().tolist(),
        }
    return cases


def signature(fn):
    return [
        [p.name, None if p.default is inspect.Parameter.empty else p.default]
        for p in inspect.signature(fn).parameters.values()
    ]


def losses_api():
    # float64 (Keras's losses otherwise compute in floatx, float32, whatever the inputs)
    keras.config.set_floatx("float64")
    functions, classes = loss_functions(), loss_classes()
    keras.config.set_floatx("float32")
    names = sorted(FUNCTION_CASES[n][0] for n in FUNCTION_CASES)
    aliases = {}
    for name in ALIAS_CANDIDATES:
        found = error_of(lambda name=name: keras.losses.get(name))
        aliases[name] = None if found else keras.losses.get(name).__name__
    return {
        "functions": functions,
        "classes": classes,
        "signatures": {f: signature(getattr(keras.losses, f)) for f in sorted(set(names))},
        "configs": {
            cls: {
                "arguments": arguments,
                "config": getattr(keras.losses, cls)(**arguments).get_config(),
            }
            for cls, arguments in LOSS_CONFIGS.items()
        },
        "aliases": aliases,
        "serialized": {
            "class": keras.saving.serialize_keras_object(keras.losses.MeanSquaredError()),
            "function": keras.saving.serialize_keras_object(keras.losses.mean_squared_error),
        },
        "errors": {
            "unknown_name": error_of(lambda: keras.losses.get("msee")),
            "number": error_of(lambda: keras.losses.get(3)),
            "unknown_class": error_of(
                lambda: keras.losses.get({"class_name": "Foo", "config": {}})
            ),
        },
    }


# ---------------------------------------------------------------------- metrics

METRIC_CONFIGS = {
    "Mean": {},
    "MeanSquaredError": {},
    "MeanAbsoluteError": {"dtype": "float64", "name": "l1"},
    "BinaryAccuracy": {"threshold": 0.7},
    "CategoricalAccuracy": {},
    "SparseCategoricalAccuracy": {"dtype": "float64"},
}


def metrics_api():
    configs = {}
    for cls, arguments in METRIC_CONFIGS.items():
        metric = getattr(keras.metrics, cls)(**arguments)
        configs[cls] = {
            "arguments": arguments,
            "config": metric.get_config(),
            "variables": [
                {"name": v.name, "path": v.path, "shape": list(v.shape), "dtype": v.dtype}
                for v in metric.variables
            ],
        }
    keras.utils.clear_session()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(
        "sgd",
        keras.losses.mean_squared_error,
        metrics=[
            keras.losses.mean_squared_error,
            keras.metrics.binary_accuracy,
            keras.metrics.mean_absolute_error,
            "mae",
        ],
    )
    history = model.fit(np.zeros((4, 2)), np.zeros((4, 1)), verbose=0)
    wrapper = keras.metrics.MeanMetricWrapper(keras.losses.mean_squared_error)
    return {
        "configs": configs,
        "wrapper_config": wrapper.get_config(),
        "same_functions": {
            name: getattr(keras.metrics, name) is getattr(keras.losses, name)
            for name in [
                "mean_squared_error",
                "mean_absolute_error",
                "binary_crossentropy",
                "categorical_crossentropy",
                "sparse_categorical_crossentropy",
            ]
        },
        "history_keys_of_function_metrics": sorted(history.history),
        "errors": {
            "unknown_name": error_of(lambda: keras.metrics.get("maee")),
            "number": error_of(lambda: keras.metrics.get(3)),
        },
    }


# ------------------------------------------------------------------- optimizers

# name: (class, arguments); the schedule arguments are built by `make`
DECAY_CASES = {
    "sgd_wd": ("SGD", {"learning_rate": 0.1, "weight_decay": 0.05}),
    "sgd_momentum_wd": ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "weight_decay": 0.05}),
    "sgd_nesterov_wd": (
        "SGD",
        {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05},
    ),
    "rmsprop_wd": ("RMSprop", {"learning_rate": 0.01, "weight_decay": 0.1}),
    "rmsprop_momentum_centered_wd": (
        "RMSprop",
        {"learning_rate": 0.01, "momentum": 0.5, "centered": True, "weight_decay": 0.1},
    ),
    "adam_wd": ("Adam", {"learning_rate": 0.05, "weight_decay": 0.1}),
    "adam_amsgrad_wd": ("Adam", {"learning_rate": 0.05, "amsgrad": True, "weight_decay": 0.1}),
    "adamw": ("AdamW", {}),
    "adamw_lr_wd": ("AdamW", {"learning_rate": 0.05, "weight_decay": 0.2}),
    "adamw_clipnorm": ("AdamW", {"learning_rate": 0.05, "clipnorm": 1.0}),
    "adamw_global_clipnorm": ("AdamW", {"learning_rate": 0.05, "global_clipnorm": 2.0}),
    "sgd_exponential_decay_wd": (
        "SGD",
        {
            "learning_rate": {
                "ExponentialDecay": {
                    "initial_learning_rate": 0.1,
                    "decay_steps": 2,
                    "decay_rate": 0.5,
                }
            },
            "weight_decay": 0.1,
        },
    ),
    "adamw_cosine_warmup": (
        "AdamW",
        {
            "learning_rate": {
                "CosineDecay": {
                    "initial_learning_rate": 0.0,
                    "decay_steps": 4,
                    "warmup_target": 0.1,
                    "warmup_steps": 2,
                }
            },
            "weight_decay": 0.1,
        },
    ),
    "rmsprop_piecewise_wd": (
        "RMSprop",
        {
            "learning_rate": {
                "PiecewiseConstantDecay": {"boundaries": [0, 1], "values": [0.1, 0.05, 0.01]}
            },
            "weight_decay": 0.1,
        },
    ),
}
# in float32 (Keras's default floatx), as the existing optimizer fixtures
FLOAT32_CASES = [
    "sgd_momentum_wd",
    "rmsprop_wd",
    "adamw",
    "adamw_lr_wd",
    "sgd_exponential_decay_wd",
]


def make(cls, arguments):
    arguments = dict(arguments)
    rate = arguments.get("learning_rate")
    if isinstance(rate, dict):
        ((schedule, schedule_arguments),) = rate.items()
        arguments["learning_rate"] = getattr(SCHEDULES, schedule)(**schedule_arguments)
    return getattr(keras.optimizers, cls)(**arguments)


def run_steps(cls, arguments, dtype, exclude_bias=False):
    optimizer = make(cls, arguments)
    kernel = keras.Variable(np.array(W0, dtype), dtype=dtype)
    bias = keras.Variable(np.array(B0, dtype), dtype=dtype)
    if exclude_bias:
        optimizer.exclude_from_weight_decay(var_list=[bias])
    steps, rates = [], []
    for grads in [gradients(step) for step in range(3)]:
        rates.append(float(keras.ops.convert_to_numpy(optimizer.learning_rate)))
        optimizer.apply(
            [keras.ops.convert_to_tensor(np.asarray(g, dtype)) for g in grads], [kernel, bias]
        )
        steps.append({"kernel": as_list(kernel), "bias": as_list(bias)})
    return {
        "class": cls,
        "arguments": arguments,
        "dtype": dtype,
        "steps": steps,
        "learning_rates": rates,
    }


def decay_cases():
    cases = {}
    keras.config.set_floatx("float64")
    for name, (cls, arguments) in DECAY_CASES.items():
        cases[name] = run_steps(cls, arguments, "float64")
    cases["adamw_exclude_bias"] = run_steps(
        "AdamW", {"learning_rate": 0.05, "weight_decay": 0.2}, "float64", True
    )
    keras.config.set_floatx("float32")
    for name in FLOAT32_CASES:
        cls, arguments = DECAY_CASES[name]
        cases[f"{name}_float32"] = run_steps(cls, arguments, "float32")
    return cases


VARIABLE_CASES = {
    "sgd": ("SGD", {}),
    "sgd_momentum": ("SGD", {"momentum": 0.9}),
    "rmsprop": ("RMSprop", {}),
    "rmsprop_momentum_centered": ("RMSprop", {"momentum": 0.5, "centered": True}),
    "adam": ("Adam", {}),
    "adam_amsgrad": ("Adam", {"amsgrad": True}),
    "adamw": ("AdamW", {}),
    "adam_schedule": (
        "Adam",
        {
            "learning_rate": {
                "ExponentialDecay": {
                    "initial_learning_rate": 0.1,
                    "decay_steps": 10,
                    "decay_rate": 0.5,
                }
            }
        },
    ),
}


def describe(variables):
    return [
        {"name": v.name, "path": v.path, "shape": list(v.shape), "dtype": v.dtype}
        for v in variables
    ]


def summary_tail(model):
    lines = []
    model.summary(print_fn=lambda text, line_break=True: lines.append(text))
    return [line for line in "".join(lines).splitlines() if "params:" in line]


def variables_and_summaries():
    out = {}
    for name, (cls, arguments) in VARIABLE_CASES.items():
        keras.utils.clear_session()
        # bare variables: Keras names them "variable"
        optimizer = make(cls, arguments)
        kernel = keras.Variable(np.array(W0, "float32"))
        bias = keras.Variable(np.array(B0, "float32"))
        before = describe(optimizer.variables)
        optimizer.build([kernel, bias])
        bare = describe(optimizer.variables)
        # a model's variables: named after their paths
        keras.utils.clear_session()
        model = keras.Sequential(
            [keras.Input((3, 1)), keras.layers.SimpleRNN(4), keras.layers.Dense(1)]
        )
        model.compile(optimizer=make(cls, arguments), loss="mse")
        compiled = summary_tail(model)
        model.fit(np.zeros((4, 3, 1)), np.zeros((4, 1)), verbose=0)
        out[name] = {
            "class": cls,
            "arguments": arguments,
            "name": optimizer.name,
            "before_build": before,
            "bare_variables": bare,
            "model_weight_paths": [v.path for v in model.trainable_variables],
            "model_weight_shapes": [list(v.shape) for v in model.trainable_variables],
            "model_variables": describe(model.optimizer.variables),
            "summary_after_compile": compiled,
            "summary_after_fit": summary_tail(model),
        }
    return out


CONFIG_CASES = {
    "sgd": ("SGD", {}),
    "rmsprop": ("RMSprop", {"momentum": 0.5, "weight_decay": 0.01}),
    "adam": ("Adam", {"learning_rate": 0.5, "clipnorm": 1.0}),
    "adamw": ("AdamW", {}),
    "sgd_schedule": (
        "SGD",
        {
            "learning_rate": {
                "CosineDecay": {
                    "initial_learning_rate": 0.1,
                    "decay_steps": 100,
                    "warmup_target": 0.2,
                    "warmup_steps": 10,
                }
            }
        },
    ),
}


def optimizers_api():
    keras.utils.clear_session()
    configs = {}
    for name, (cls, arguments) in CONFIG_CASES.items():
        keras.utils.clear_session()
        configs[name] = {
            "class": cls,
            "arguments": arguments,
            "config": make(cls, arguments).get_config(),
        }
    keras.utils.clear_session()
    names = [make(c, {}).name for c in ["SGD", "RMSprop", "Adam", "AdamW", "Adam", "SGD"]]
    scheduled = make(
        "SGD",
        {
            "learning_rate": {
                "ExponentialDecay": {
                    "initial_learning_rate": 0.1,
                    "decay_steps": 10,
                    "decay_rate": 0.5,
                }
            }
        },
    )

    def set_rate():
        scheduled.learning_rate = 0.5

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        keras.optimizers.SGD(decay=0.1)
    signatures = {
        c: signature(getattr(keras.optimizers, c)) for c in ["SGD", "RMSprop", "Adam", "AdamW"]
    }
    return {
        "gradients": [
            [np.asarray(g, np.float64).tolist() for g in gradients(step)] for step in range(3)
        ],
        "kernel": W0,
        "bias": B0,
        "cases": decay_cases(),
        "variables": variables_and_summaries(),
        "configs": configs,
        "signatures": signatures,
        "auto_names": names,
        "errors": {
            "unknown_argument": error_of(lambda: keras.optimizers.Adam(foo=1)),
            "learning_rate_string": error_of(lambda: keras.optimizers.Adam(learning_rate="fast")),
            "set_learning_rate_of_schedule": error_of(set_rate),
            "unknown_name": error_of(lambda: keras.optimizers.get("adamm")),
            "gradient_accumulation_steps": error_of(
                lambda: keras.optimizers.SGD(gradient_accumulation_steps=1)
            ),
        },
        "decay_warning": [str(w.message) for w in caught],
    }


# -------------------------------------------------------------------- schedules

SCHEDULE_CASES = {
    "exponential": (
        "ExponentialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5},
    ),
    "exponential_staircase": (
        "ExponentialDecay",
        {
            "initial_learning_rate": 0.1,
            "decay_steps": 10,
            "decay_rate": 0.96,
            "staircase": True,
            "name": "stairs",
        },
    ),
    "cosine": ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 100}),
    "cosine_alpha": (
        "CosineDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 100, "alpha": 0.1},
    ),
    "cosine_warmup": (
        "CosineDecay",
        {
            "initial_learning_rate": 0.0,
            "decay_steps": 100,
            "warmup_target": 0.1,
            "warmup_steps": 10,
        },
    ),
    "cosine_warmup_from_nonzero": (
        "CosineDecay",
        {
            "initial_learning_rate": 0.01,
            "decay_steps": 50,
            "alpha": 0.2,
            "warmup_target": 0.05,
            "warmup_steps": 20,
        },
    ),
    "piecewise": ("PiecewiseConstantDecay", {"boundaries": [10, 20], "values": [1.0, 0.5, 0.1]}),
    "piecewise_one_boundary": (
        "PiecewiseConstantDecay",
        {"boundaries": [3], "values": [0.3, 0.03], "name": "pc"},
    ),
}
STEPS = [0, 1, 2, 3, 4, 5, 9, 10, 11, 15, 19, 20, 21, 25, 50, 75, 99, 100, 101, 110, 120, 150, 1000]


def schedules_api():
    keras.config.set_floatx("float64")
    cases = {}
    for name, (cls, arguments) in SCHEDULE_CASES.items():
        schedule = getattr(SCHEDULES, cls)(**arguments)
        cases[name] = {
            "class": cls,
            "arguments": arguments,
            "steps": STEPS,
            "values": [float(keras.ops.convert_to_numpy(schedule(step))) for step in STEPS],
            "config": schedule.get_config(),
            "serialized": SCHEDULES.serialize(schedule),
        }
    keras.config.set_floatx("float32")
    return {
        "cases": cases,
        "signatures": {
            c: signature(getattr(SCHEDULES, c))
            for c in ["ExponentialDecay", "CosineDecay", "PiecewiseConstantDecay"]
        },
        "errors": {
            "exponential_decay_steps": error_of(lambda: SCHEDULES.ExponentialDecay(0.1, 0, 0.5)),
            "cosine_decay_steps": error_of(lambda: SCHEDULES.CosineDecay(0.1, -1)),
            "piecewise_lengths": error_of(
                lambda: SCHEDULES.PiecewiseConstantDecay([1, 2], [1.0, 0.5])
            ),
            "base_call": error_of(lambda: SCHEDULES.LearningRateSchedule()(0)),
            "base_config": error_of(lambda: SCHEDULES.LearningRateSchedule().get_config()),
        },
    }


def write(name, body):
    document = {
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "torch": torch.__version__.split("+")[0],
        **body,
    }
    path = OUT / name
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(common.REPO)}")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with contextlib.redirect_stderr(io.StringIO()):
        write("losses_api.json", losses_api())
        write("metrics_api.json", metrics_api())
        write("schedules.json", schedules_api())
        write("optimizers_api.json", optimizers_api())


if __name__ == "__main__":
    main()
