"""Save and load models in Keras 3's ``.keras`` format: files move between Keras and rnn.

A ``.keras`` file is a zip archive of three members, as Keras 3 writes and reads it:

* ``config.json``: the architecture. Each object is a dict
  ``{"module", "class_name", "config", "registered_name"}``; a built layer adds
  ``"build_config": {"input_shape": [...]}`` and the model adds ``"compile_config"``
  (optimizer, loss and metrics; ``{}`` when not compiled). Layer configs hold Keras's
  argument names; the dtype is a policy object
  (``{"class_name": "DTypePolicy", "config": {"name": "float32"}, ...}``) and each
  initializer an object (``{"class_name": "GlorotUniform", "config": {"seed": null}, ...}``).
* ``model.weights.h5``: an HDF5 file. An object's variables are the datasets ``0``,
  ``1``... of a group ``<path>/vars`` whose path follows the objects, not their names:
  the layers are ``layers/<class in snake case>``, numbered from the second of a class on
  (``layers/dense``, ``layers/dense_1``), and a layer's parts are its attributes
  (``layers/simple_rnn/cell/vars/0`` is the first SimpleRNN's kernel,
  ``layers/bidirectional/backward_layer/cell/vars/2`` the bias of its backward
  direction, ``layers/time_distributed/layer/vars/0`` the wrapped layer's kernel).
  After training, ``optimizer/vars`` holds the optimizer's step count (``0``), its
  learning rate (``1``) and its per-weight state (Adam: momentum and velocity of each
  trainable weight in turn).
* ``metadata.json``: the Keras version whose format the file follows and the date; rnn
  also records its own version and the settings Keras has no argument for
  (``bptt_truncate``), which Keras ignores.

`save_model` and `load_model` write and read it, `save_weights` and `load_weights` the
weights alone (an HDF5 file ``*.weights.h5`` with the same groups). HDF5 needs the
`h5py` package, which rnn does not install by default: ``pip install "rnn[h5]"`` (or
``pip install h5py``). Without it, these four functions raise ``ImportError``; the rest
of rnn, and `serialize_keras_object` / `deserialize_keras_object` here, never need it.

What is restored: the layers with their settings and weights, the model's name and
input shape and, with ``compile=True``, the optimizer (with its state: step count,
learning rate, moments), the loss and the metrics. A setting rnn does not have (a
regularizer, say) raises ``ValueError`` naming it, unless it is at Keras's default.

Examples
--------
The config a model gets in ``config.json`` (no file or h5py needed for this):

>>> import rnn
>>> from rnn.layers import Dense, Input, SimpleRNN
>>> from rnn.models import Sequential
>>> rnn.clear_session()
>>> model = Sequential([Input(shape=(3, 1)), SimpleRNN(10), Dense(1)])
>>> config = rnn.saving.serialize_keras_object(model)
>>> config["class_name"], config["build_config"]
('Sequential', {'input_shape': [None, 3, 1]})
>>> [layer["class_name"] for layer in config["config"]["layers"]]
['InputLayer', 'SimpleRNN', 'Dense']
>>> config["config"]["layers"][1]["config"]["kernel_initializer"]["class_name"]
'GlorotUniform'
>>> rnn.saving.deserialize_keras_object(config).layers[0].units
10

A file name must end as Keras wants it:

>>> model.save("model.h6")
Traceback (most recent call last):
...
ValueError: Invalid filepath extension for saving. ... Received: filepath=model.h6.
"""

from __future__ import annotations

import datetime
import inspect
import io
import json
import numbers
import os
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any

import numpy as np

from rnn._naming import to_snake_case

__all__ = [
    "KERAS_FORMAT_VERSION",
    "deserialize_keras_object",
    "load_model",
    "load_weights",
    "save_model",
    "save_weights",
    "serialize_keras_object",
]

KERAS_FORMAT_VERSION = "3.15.1"
"""The Keras release whose ``.keras`` format this module follows (in ``metadata.json``)."""

_CONFIG = "config.json"
_METADATA = "metadata.json"
_WEIGHTS = "model.weights.h5"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # as Keras dates its JSON members: files differ by content only

# Settings of rnn's layers that Keras has no argument for: kept in metadata.json.
_RNN_ONLY = ("bptt_truncate",)

# Keras's arguments that rnn's classes do not take, and the values that change nothing
# here (Keras's defaults, or what only matters for speed on a GPU): dropped on loading.
_HARMLESS = {
    "unroll": (False, True),
    "zero_output_for_mask": (False,),
    "use_cudnn": ("auto", False, True),
    "implementation": (1, 2),
    "sparse": (False,),
    "ragged": (False,),
    "optional": (False,),
    "ema_momentum": (0.99,),
    "run_eagerly": (False, True),
    "steps_per_execution": (1,),
    "jit_compile": (False, True, "auto"),
    "axis": (-1,),
    "dtype": ("float32", None),
}

# Keras's initializer classes that rnn knows by a name, with their default arguments.
_INITIALIZERS: dict[str, tuple[str, dict[str, Any]]] = {
    "Zeros": ("zeros", {}),
    "Ones": ("ones", {}),
    "GlorotUniform": ("glorot_uniform", {"seed": None}),
    "GlorotNormal": ("glorot_normal", {"seed": None}),
    "HeUniform": ("he_uniform", {"seed": None}),
    "HeNormal": ("he_normal", {"seed": None}),
    "LecunUniform": ("lecun_uniform", {"seed": None}),
    "LecunNormal": ("lecun_normal", {"seed": None}),
    "Orthogonal": ("orthogonal", {"seed": None, "gain": 1.0}),
    "RandomUniform": ("uniform", {"seed": None, "minval": -0.05, "maxval": 0.05}),
    "RandomNormal": ("random_normal", {"seed": None, "mean": 0.0, "stddev": 0.05}),
    "TruncatedNormal": ("truncated_normal", {"seed": None, "mean": 0.0, "stddev": 0.05}),
    "Identity": ("identity", {"gain": 1.0}),
    "Constant": ("constant", {"value": 0.0}),
}
_INITIALIZER_ALIASES = {"random_uniform": "RandomUniform", "normal": "RandomNormal"}
# keys of an initializer's config that only Keras 3.15 has, at their defaults
_INITIALIZER_EXTRAS = {"input_axes": None, "output_axes": None}

# Arguments of Keras 3's layers that rnn's do not take: a config naming one is Keras's.
_KERAS_ONLY_KEYS = frozenset(_HARMLESS) - {"axis"} | {
    "quantization_config",
    "lora_rank",
    "lora_alpha",
}

# How Keras orders an optimizer's per-weight state in ``optimizer/vars``: the names in
# one tuple alternate weight by weight; the tuples follow each other.
_SLOT_BLOCKS: dict[str, tuple[tuple[str, ...], ...]] = {
    "Adam": (("momentum", "velocity"), ("velocity_hat",)),
    "AdamW": (("momentum", "velocity"), ("velocity_hat",)),
}


# ---------------------------------------------------------------------------- h5py


def _h5py(doing: str) -> Any:
    """Import h5py, or raise ImportError saying how to install it."""
    try:
        import h5py
    except ImportError as error:
        raise ImportError(
            f"h5py must be installed in order to {doing}: rnn keeps weights in Keras's "
            'HDF5 layout. Install it with `pip install "rnn[h5]"` (or `pip install h5py`).'
        ) from error
    return h5py


# ------------------------------------------------------------------- rnn -> Keras


def _policy(dtype: Any) -> dict[str, Any]:
    return {
        "module": "keras",
        "class_name": "DTypePolicy",
        "config": {"name": str(dtype)},
        "registered_name": None,
    }


def _keras_object(module: str, class_name: str, config: Any) -> dict[str, Any]:
    return {"module": module, "class_name": class_name, "config": config, "registered_name": None}


def _initializer_to_keras(value: Any) -> Any:
    """Return an rnn initializer (a name, or an object) as Keras writes it."""
    if isinstance(value, str):
        class_name = _INITIALIZER_ALIASES.get(value)
        if class_name is None:
            class_name = next((k for k, (n, _) in _INITIALIZERS.items() if n == value), None)
        if class_name is None:
            return value  # a name Keras knows as well (initializers.get takes names)
        return _keras_object("keras.initializers", class_name, dict(_INITIALIZERS[class_name][1]))
    if isinstance(value, dict):
        return _with_module(value, "keras.initializers")
    if hasattr(value, "get_config"):
        return _keras_object("keras.initializers", type(value).__name__, value.get_config())
    return value


def _with_module(value: Any, module: str) -> Any:
    """``{"class_name", "config"}`` (rnn's nested form) as a Keras object, with its module."""
    if isinstance(value, dict) and "class_name" in value and "module" not in value:
        return _keras_object(module, value["class_name"], value.get("config", {}))
    return value


def _own_build(layer: Any) -> bool:
    """Whether Keras records a ``build_config`` for the layer: it builds weights or parts."""
    from rnn.layers import Layer

    return type(layer).build is not Layer.build


def _layer_to_keras(
    entry: dict[str, Any], layer: Any, extras: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Return an rnn config entry ``{"class_name", "config", ...}`` in Keras's form.

    ``layer`` is the object (for its build shape and its parts), or None.
    ``extras`` collects the settings Keras has no argument for, by layer name.
    """
    from rnn import layers

    class_name = entry["class_name"]
    config = dict(entry["config"])
    if class_name == "InputLayer":
        shape = config.get("batch_shape") or (config.get("batch_size"), *config["shape"])
        keras_config = {
            "batch_shape": list(shape),
            "dtype": str(config.get("dtype") or "float32"),
            "sparse": False,
            "name": config["name"],
        }
        out = {k: v for k, v in entry.items() if k not in ("class_name", "config")}
        return {**_keras_object("keras.layers", "InputLayer", keras_config), **out}
    if isinstance(layer, layers.Bidirectional):
        # Keras writes the two directions (named forward_... and backward_...)
        config["layer"] = {"class_name": _class_name(layer.forward_layer)}
        config["backward_layer"] = {"class_name": _class_name(layer.backward_layer)}
        config["layer"]["config"] = layer.forward_layer.get_config()
        config["backward_layer"]["config"] = layer.backward_layer.get_config()
    rnn_only = {key: config.pop(key) for key in _RNN_ONLY if key in config}
    if rnn_only:
        extras[config.get("name", "")] = rnn_only
    keras_config = {}
    for key, value in config.items():
        part = None if layer is None else _part(layer, key)
        if key == "dtype" and isinstance(value, str):
            value = _policy(value)
        elif key.endswith("_initializer"):
            value = _initializer_to_keras(value)
        elif key.endswith("_regularizer"):
            value = _with_module(value, "keras.regularizers")
        elif key.endswith("_constraint"):
            value = _with_module(value, "keras.constraints")
        elif key in ("layer", "backward_layer", "cell") and isinstance(value, dict):
            value = _layer_to_keras(value, part, extras)
        elif key == "cells" and isinstance(value, list):
            cells = list(part) if part is not None else [None] * len(value)
            value = [_layer_to_keras(v, c, extras) for v, c in zip(value, cells, strict=True)]
        keras_config[key] = value
    known = getattr(layers, class_name, None) is type(layer) or layer is None
    out = _keras_object(
        "keras.layers" if known else type(layer).__module__, class_name, keras_config
    )
    if not known:
        out["registered_name"] = class_name
    for key, value in entry.items():  # e.g. a functional model's "name", "inbound_nodes"
        if key not in ("class_name", "config", "module", "registered_name"):
            out[key] = value
    if layer is not None and layer.built and _own_build(layer):
        shape = getattr(layer, "_build_shape", None)
        if shape is not None:
            out["build_config"] = {"input_shape": list(shape)}
    return out


def _part(layer: Any, key: str) -> Any:
    """Return the object behind a nested config key: a wrapper's layer, an RNN's cell."""
    from rnn import layers

    if isinstance(layer, layers.Bidirectional):
        return {"layer": layer.forward_layer, "backward_layer": layer.backward_layer}.get(key)
    return getattr(layer, key, None) if key in ("layer", "cell", "cells") else None


def _class_name(layer: Any) -> str:
    """Return the class name a layer is saved under."""
    return type(layer).__name__


def _is_model(obj: Any) -> bool:
    """Whether ``obj`` is a model: it lists ``layers`` and has ``get_config``."""
    return hasattr(obj, "layers") and hasattr(obj, "get_config") and hasattr(obj, "weights")


def _model_to_keras(model: Any) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Return the model's ``config.json`` and the settings Keras has no argument for."""
    config = dict(model.get_config())
    extras: dict[str, dict[str, Any]] = {}
    by_name = {layer.name: layer for layer in model.layers}
    operations = ("keras.src.ops.numpy",)  # a functional model's mask operations
    entries = [
        entry
        if entry.get("module") in operations
        else _layer_to_keras(entry, by_name.get(entry["config"].get("name")), extras)
        for entry in config.pop("layers")
    ]
    class_name = type(model).__name__
    functional = class_name in ("Model", "Functional")
    keras_config: dict[str, Any] = {
        "name": config.pop("name", model.name),
        "trainable": bool(getattr(model, "trainable", True)),
        **({} if functional else {"dtype": _policy(getattr(model, "dtype", None) or "float32")}),
        "layers": entries,
        **config,
    }
    if functional:  # as Keras 3 writes it
        out = _keras_object("keras.src.models.functional", "Functional", keras_config)
        out["registered_name"] = "Functional"
        out["build_config"] = {"input_shape": None}
        out["compile_config"] = _compile_config(model)
        return out, extras
    out = _keras_object("keras", class_name, keras_config)
    shape = getattr(model, "input_shape", None) if model.built else None
    if isinstance(shape, tuple):
        if class_name == "Sequential":
            keras_config["build_input_shape"] = list(shape)
        out["build_config"] = {"input_shape": list(shape)}
    out["compile_config"] = _compile_config(model)
    return out, extras


def _compile_config(model: Any) -> dict[str, Any]:
    """Keras's ``compile_config``: ``{}`` before ``compile``."""
    if not getattr(model, "compiled", False):
        return {}
    optimizer = model.optimizer
    loss = getattr(model, "loss", None)
    metrics = list(getattr(model, "_metric_ids", ()) or ())
    return {
        "optimizer": None if optimizer is None else _optimizer_to_keras(optimizer),
        "loss": _loss_or_metric_to_keras(loss, "keras.losses"),
        "loss_weights": None,
        "metrics": [_loss_or_metric_to_keras(m, "keras.metrics") for m in metrics] or None,
        "weighted_metrics": None,
        "run_eagerly": False,
        "steps_per_execution": 1,
        "jit_compile": False,
    }


def _optimizer_to_keras(optimizer: Any) -> dict[str, Any]:
    config = dict(optimizer.get_config())
    rate = config.get("learning_rate")
    if rate is not None and not isinstance(rate, numbers.Real):
        config["learning_rate"] = _serialize_plain(rate, "keras.optimizers.schedules")
    return _keras_object("keras.optimizers", type(optimizer).__name__, config)


def _loss_or_metric_to_keras(obj: Any, module: str) -> Any:
    if obj is None or isinstance(obj, str):
        return obj
    return _serialize_plain(obj, module)


def _serialize_plain(obj: Any, module: str) -> Any:
    """Return a loss, a metric or a schedule (``get_config``) in Keras's form."""
    if isinstance(obj, dict):
        return _with_module(obj, module)
    if callable(obj) and not hasattr(obj, "get_config"):
        name = getattr(obj, "__name__", repr(obj))
        return {"module": "builtins", "class_name": "function", "config": name}
    config = obj.get_config() if hasattr(obj, "get_config") else {"name": obj.name}
    return _keras_object(module, type(obj).__name__, config)


def serialize_keras_object(obj: Any) -> dict[str, Any]:
    """Return a model's or a layer's config in Keras 3's serialized form (``config.json``).

    Parameters
    ----------
    obj : Sequential or Layer
        A model (its whole ``config.json``) or a single layer.

    Returns
    -------
    dict
        ``{"module", "class_name", "config", "registered_name"}``, with ``build_config``
        for a built layer or model and ``compile_config`` for a model.

    Examples
    --------
    >>> import rnn
    >>> from rnn.layers import Dense
    >>> rnn.clear_session()
    >>> layer = Dense(2)
    >>> layer.build((None, 3))
    >>> entry = rnn.saving.serialize_keras_object(layer)
    >>> entry["module"], entry["class_name"], entry["build_config"]
    ('keras.layers', 'Dense', {'input_shape': [None, 3]})
    >>> entry["config"]["dtype"]["config"], entry["config"]["bias_initializer"]["class_name"]
    ({'name': 'float32'}, 'Zeros')
    """
    if _is_model(obj):
        return _model_to_keras(obj)[0]
    entry = {"class_name": _class_name(obj), "config": obj.get_config()}
    return _layer_to_keras(entry, obj, {})


# ------------------------------------------------------------------- Keras -> rnn


def _accepted(target: Any) -> set[str] | None:
    """Return the keywords a class's constructor (through ``**kwargs``) or a method takes.

    None when it takes any keyword.
    """
    if isinstance(target, type):
        chain = [c.__dict__["__init__"] for c in target.__mro__ if "__init__" in c.__dict__]
    else:
        chain = [target]
    names: set[str] = set()
    for function in chain:
        if function is object.__init__:
            break
        parameters = list(inspect.signature(function).parameters.values())
        names |= {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        if getattr(function, "__qualname__", "") == "Layer.__init__":
            names |= {"input_dim", "batch_input_shape"}  # Layer takes them from **kwargs
            break
        if not any(p.kind is p.VAR_KEYWORD for p in parameters):
            break
    else:
        if not isinstance(target, type):
            return None
    return names - {"self"}


def _drop_unsupported(
    config: dict[str, Any], accepted: set[str] | None, what: str
) -> dict[str, Any]:
    """Drop Keras's arguments rnn lacks when they change nothing; raise for the others."""
    if accepted is None:
        return config
    out = {}
    for key, value in config.items():
        if key in accepted:
            out[key] = value
        elif value is None or value is False or value in _HARMLESS.get(key, ()):
            continue
        else:
            raise ValueError(
                f"{what} sets `{key}={value!r}`, which rnn does not support: rnn's "
                "class has no such argument. Change it in Keras before saving, or "
                "leave it at its default."
            )
    return out


def _initializer_from_keras(value: Any, where: str) -> Any:
    """Return a Keras initializer (a name or an object) as rnn takes it."""
    from rnn import initializers

    if not isinstance(value, dict):
        return value
    class_name = value.get("class_name")
    config = {
        k: v
        for k, v in (value.get("config") or {}).items()
        if not (k in _INITIALIZER_EXTRAS and v is None)
    }
    known = _INITIALIZERS.get(str(class_name))
    if known is not None:
        name, defaults = known
        differs = {k: v for k, v in config.items() if k != "seed" and defaults.get(k) != v}
        if not differs:
            return name
    own = getattr(initializers, str(class_name), None)
    if isinstance(own, type):
        return own(**config)
    raise ValueError(
        f"{where}: rnn has no initializer {class_name!r} (the file's "
        f"{value!r}). Known: {sorted(_INITIALIZERS)}."
    )


def _plain_from_keras(value: Any) -> Any:
    """Return a Keras object as rnn's nested ``{"class_name", "config"}`` (or a name)."""
    if isinstance(value, dict) and "class_name" in value:
        if value["class_name"] == "function":
            return value.get("config")
        return {"class_name": value["class_name"], "config": value.get("config", {})}
    return value


def _layer_from_keras(
    entry: dict[str, Any],
    custom_objects: dict[str, Any] | None,
    extras: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """Return a Keras layer entry as rnn's ``{"class_name", "config"}`` (other keys kept)."""
    from rnn import layers

    class_name = entry["class_name"]
    config = dict(entry.get("config") or {})
    cls = (custom_objects or {}).get(class_name) or getattr(layers, class_name, None)
    name = config.get("name", "?")
    where = f"Layer '{name}' ({class_name})"
    rest = {
        k: v
        for k, v in entry.items()
        if k not in ("class_name", "config", "module", "registered_name", "build_config")
    }
    if class_name == "InputLayer":
        dtype = config.pop("dtype", None)
        if isinstance(dtype, dict):
            dtype = dtype.get("config", {}).get("name")
        if cls is not None and "dtype" in inspect.signature(cls.__init__).parameters:
            config["dtype"] = dtype
        if "batch_input_shape" in config:  # Keras 2's name
            config["batch_shape"] = config.pop("batch_input_shape")
        keys = {"batch_shape", "shape", "batch_size", "name", "dtype"}
        return {
            "class_name": class_name,
            "config": _drop_unsupported(config, keys, where),
            **rest,
        }
    out: dict[str, Any] = {}
    for key, value in config.items():
        if key == "dtype" and isinstance(value, dict):
            value = value.get("config", {}).get("name")
        elif key.endswith("_initializer"):
            value = _initializer_from_keras(value, where)
        elif key.endswith(("_regularizer", "_constraint")) or key == "activation":
            value = _plain_from_keras(value)
        elif key in ("layer", "backward_layer", "cell") and isinstance(value, dict):
            value = _layer_from_keras(value, custom_objects, extras)
        elif key == "cells" and isinstance(value, list):
            value = [_layer_from_keras(v, custom_objects, extras) for v in value]
        out[key] = value
    out.update(extras.get(name, {}))
    accepted: set[str] | None = None if cls is None else _accepted(cls)
    if class_name == "Bidirectional":
        out = _bidirectional_from_keras(out, accepted, where)
    out = _drop_unsupported(out, accepted, where)
    return {"class_name": class_name, "config": out, **rest}


def _is_keras_form(value: Any) -> bool:
    """Whether a config holds Keras 3's serialized form anywhere (objects with a ``module``)."""
    if isinstance(value, dict):
        return "module" in value or any(_is_keras_form(v) for v in value.values())
    if isinstance(value, list):
        return any(_is_keras_form(v) for v in value)
    return False


def _config_type_error(owner: str, config: Any) -> TypeError:
    return TypeError(
        f"{owner}.from_config expects a dict, the output of get_config(). "
        f"Received: config={config!r} (of type {type(config).__name__})"
    )


def _layer_config_from_keras(cls: type, config: Any) -> dict[str, Any]:
    """Return a layer's config as ``cls`` takes it: Keras 3's ``get_config()`` translated.

    Keras writes the dtype as a policy and initializers with their module, and adds
    arguments rnn does not have at their defaults (``quantization_config=None``): those
    are dropped, and one set to anything else is refused by name. A config rnn wrote
    comes back unchanged.
    """
    if not isinstance(config, dict):
        raise _config_type_error(cls.__name__, config)
    if not (_is_keras_form(config) or _KERAS_ONLY_KEYS & set(config)):
        return config
    name = cls.__name__
    return _layer_from_keras({"class_name": name, "config": config}, {name: cls}, {})["config"]


def _model_config_from_keras(cls: type, config: Any, custom_objects: dict[str, Any] | None) -> Any:
    """Check a model's config; make the model here when it is Keras 3's form (else None).

    Raises
    ------
    ValueError
        For a config that is not a dict with a list of ``layers``, in Keras's wording.
    """
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise ValueError(
            f"A {cls.__name__} model configuration must be a dictionary containing the "
            f"'name' and 'layers' keys. Received: config={config}"
        )
    if cls.__name__ == "Functional":
        missing = [k for k in ("input_layers", "output_layers") if k not in config]
        if missing:
            raise ValueError(
                "A Functional model configuration must be a dictionary containing the "
                f"'layers', 'input_layers' and 'output_layers' keys; it lacks "
                f"{' and '.join(repr(k) for k in missing)}. Received keys: {sorted(config)}"
            )
    if not _is_keras_form(config["layers"]):
        return None
    if "name" not in config:
        config = {**config, "name": None}
    class_name = "Functional" if "input_layers" in config else cls.__name__
    return _model_from_keras(
        {"class_name": class_name, "config": config}, {class_name: cls, **(custom_objects or {})}
    )


def _bidirectional_from_keras(
    config: dict[str, Any], accepted: set[str] | None, where: str
) -> dict[str, Any]:
    """Keras names the wrapped layer ``forward_...`` and writes its mirror as ``backward_layer``.

    rnn makes both directions from the wrapped layer: the backward one is dropped when it
    is that mirror, and kept when it is a layer of its own (``backward_layer=``).
    """
    forward = config["layer"]
    forward["config"]["name"] = forward["config"]["name"].removeprefix("forward_")
    backward = config.get("backward_layer")
    if backward is not None:
        a = {k: v for k, v in forward["config"].items() if k not in ("name", "go_backwards")}
        b = {k: v for k, v in backward["config"].items() if k not in ("name", "go_backwards")}
        mirror = (
            backward["class_name"] == forward["class_name"]
            and a == b
            and backward["config"].get("go_backwards") != forward["config"].get("go_backwards")
        )
        if mirror:  # rnn makes it from the wrapped layer, as Keras does by default
            config = {k: v for k, v in config.items() if k != "backward_layer"}
    return config


def _model_class(class_name: str, custom_objects: dict[str, Any] | None) -> Any:
    from rnn import models

    cls = (custom_objects or {}).get(class_name)
    if cls is None and class_name in ("Functional", "Model"):
        cls = getattr(models, "Model", None)
        if cls is None:
            raise ValueError(
                f"This file holds a functional Keras model (class {class_name}); this "
                "version of rnn loads Sequential models only."
            )
    if cls is None:
        cls = getattr(models, class_name, None)
    if cls is None:
        raise TypeError(
            f"Could not locate class '{class_name}'. Make sure custom classes are passed "
            "in `custom_objects`."
        )
    return cls


def _model_from_keras(
    config: dict[str, Any],
    custom_objects: dict[str, Any] | None = None,
    extras: dict[str, dict[str, Any]] | None = None,
) -> Any:
    """Make the rnn model of a Keras ``config.json`` (not compiled, weights not loaded)."""
    extras = extras or {}
    inner = config["config"]
    if not isinstance(inner, dict) or "layers" not in inner or "name" not in inner:
        raise ValueError(
            "A Sequential model configuration must be a dictionary containing the 'name' "
            f"and 'layers' keys. Received: config={inner}"
        )
    inner = dict(inner)
    cls = _model_class(config["class_name"], custom_objects)
    trainable = inner.pop("trainable", True)
    inner.pop("dtype", None)
    build_shape = inner.pop("build_input_shape", None)
    inner["layers"] = [_layer_from_keras(e, custom_objects, extras) for e in inner["layers"]]
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        model = cls.from_config(inner, custom_objects=custom_objects)
    else:
        model = cls.from_config(inner)
    model.trainable = bool(trainable)
    shape = build_shape or (config.get("build_config") or {}).get("input_shape")
    if shape and not model.built:
        model.build(tuple(shape))
    return model


def deserialize_keras_object(
    config: dict[str, Any], custom_objects: dict[str, Any] | None = None
) -> Any:
    """Make an rnn model or layer from Keras 3's serialized form (`serialize_keras_object`).

    Parameters
    ----------
    config : dict
        ``{"module", "class_name", "config", ...}``, e.g. the content of ``config.json``
        or one of its layers.
    custom_objects : dict, optional
        Your own classes by name, as in Keras.

    Returns
    -------
    Sequential or Layer
        Built when the config says so; the weights are new (see `load_model`).

    Raises
    ------
    ValueError
        For a setting rnn does not support, naming it, or a config that is not a dict
        with ``class_name`` and ``config`` (Keras's wording).
    TypeError
        For a class rnn does not know, in Keras's wording.

    Examples
    --------
    >>> import rnn
    >>> entry = {"module": "keras.layers", "class_name": "LSTM", "registered_name": None,
    ...          "config": {"name": "lstm", "units": 4, "kernel_regularizer": None,
    ...                     "dtype": {"module": "keras", "class_name": "DTypePolicy",
    ...                               "config": {"name": "float32"}, "registered_name": None}},
    ...          "build_config": {"input_shape": [None, 5, 2]}}
    >>> layer = rnn.saving.deserialize_keras_object(entry)
    >>> layer.name, layer.units, layer.built, layer.count_params()
    ('lstm', 4, True, 112)
    >>> entry["config"]["kernel_regularizer"] = {"module": "keras.regularizers",
    ...     "class_name": "L2", "config": {"l2": 0.01}, "registered_name": None}
    >>> rnn.saving.deserialize_keras_object(entry).kernel_regularizer.get_config()
    {'l2': 0.01}
    >>> dense = {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
    ...          "config": {"name": "dense", "units": 2, "lora_rank": 4}}
    >>> rnn.saving.deserialize_keras_object(dense)
    Traceback (most recent call last):
    ...
    ValueError: Layer 'dense' (Dense) sets `lora_rank=4`, which rnn does not support: ...
    """
    from rnn.layers.layer import deserialize_layer

    if not (isinstance(config, dict) and "class_name" in config and "config" in config):
        raise ValueError(
            "The provided configuration is not a valid Keras configuration. Expected a "
            "dictionary containing a 'class_name' and a 'config' key. "
            f"Received: config={config!r}"
        )
    inner = config["config"]
    if config["class_name"] in ("Sequential", "Functional", "Model") or (
        isinstance(inner, dict) and "layers" in inner
    ):
        return _model_from_keras(config, custom_objects)
    entry = _layer_from_keras(config, custom_objects, {})
    layer = deserialize_layer(entry, custom_objects)
    shape = (config.get("build_config") or {}).get("input_shape")
    if shape and not layer.built:
        layer.build(tuple(shape))
    return layer


# ------------------------------------------------------------------ the weights file


def _children(obj: Any) -> list[tuple[str, Any]]:
    """Return the parts of ``obj`` that keep variables, under Keras's attribute names."""
    from rnn import layers

    if isinstance(obj, layers.Bidirectional):
        return [("backward_layer", obj.backward_layer), ("forward_layer", obj.forward_layer)]
    if isinstance(obj, layers.TimeDistributed):
        return [("layer", obj.layer)]
    if isinstance(obj, layers.RNN):
        return [("cell", obj.cell)]
    if isinstance(obj, layers.StackedRNNCells):
        return [("cells", list(obj.cells))]
    if _is_model(obj):
        return [("layers", list(obj.layers))]
    return []


def _all_weights(obj: Any) -> list[np.ndarray]:
    if isinstance(obj, list):
        return [w for item in obj for w in _all_weights(item)]
    return list(getattr(obj, "weights", []))


def _variable_groups(obj: Any, path: str = "") -> Iterator[tuple[str, Any, list[Any]]]:
    """``(group path, owner, [(name, array), ...])`` of ``obj`` and its parts, in Keras's order.

    Each object's own variables are those none of its parts holds.
    """
    children = _children(obj)
    held = {id(w) for _, child in children for w in _all_weights(child)}
    names = list(getattr(obj, "weight_names", []) or [])
    weights = _all_weights(obj)
    if len(names) != len(weights):
        names = [str(i) for i in range(len(weights))]
    own = [(n.rsplit("/", 1)[-1], w) for n, w in zip(names, weights, strict=True)]
    yield path, obj, [(n, w) for n, w in own if id(w) not in held]
    for attribute, child in children:
        where = f"{path}/{attribute}" if path else attribute
        if isinstance(child, list):
            used: dict[str, int] = {}
            for item in child:
                base = to_snake_case(type(item).__name__)
                used[base] = used.get(base, -1) + 1
                name = base if used[base] == 0 else f"{base}_{used[base]}"
                yield from _variable_groups(item, f"{where}/{name}")
        else:
            yield from _variable_groups(child, where)


def _vars_path(path: str) -> str:
    return f"{path}/vars" if path else "vars"


def _trainable_weights(model: Any) -> list[np.ndarray]:
    """Return the weights the optimizer updates, in the model's order."""
    weights = list(model.weights)
    flags = model._trainable() if hasattr(model, "_trainable") else [True] * len(weights)
    return [w for w, t in zip(weights, flags, strict=True) if t]


def _slot_blocks(optimizer: Any) -> list[tuple[str, ...]]:
    slots = tuple(optimizer.slot_names()) if hasattr(optimizer, "slot_names") else ()
    blocks = _SLOT_BLOCKS.get(type(optimizer).__name__, tuple((s,) for s in slots))
    kept = [tuple(s for s in block if s in slots) for block in blocks]
    return [block for block in kept if block]


def _optimizer_arrays(optimizer: Any) -> list[np.ndarray]:
    """Return the optimizer's variables in Keras's order: step count, rate, state."""
    arrays = [np.asarray(optimizer.iterations, dtype=np.int32)]
    if isinstance(optimizer.learning_rate, numbers.Real):
        arrays.append(np.asarray(optimizer.learning_rate, dtype=np.float32))
    if optimizer.built:
        for block in _slot_blocks(optimizer):
            for slots in optimizer._slots:
                arrays += [slots[name] for name in block]
    return arrays


def _write_weights(h5file: Any, model: Any) -> None:
    for path, owner, own in _variable_groups(model):
        group = h5file.create_group(_vars_path(path))
        group.attrs["name"] = owner.name
        for i, (_, array) in enumerate(own):
            group.create_dataset(str(i), data=np.asarray(array))
    optimizer = getattr(model, "optimizer", None) if getattr(model, "compiled", False) else None
    if optimizer is not None:
        group = h5file.create_group("optimizer/vars")
        group.attrs["name"] = optimizer.name
        for i, array in enumerate(_optimizer_arrays(optimizer)):
            group.create_dataset(str(i), data=np.asarray(array))


def _stored(h5file: Any, path: str) -> list[np.ndarray]:
    key = _vars_path(path)
    if key not in h5file:
        return []
    group = h5file[key]
    return [np.asarray(group[str(i)]) for i in range(len(group.keys()))]


def _read_weights(h5file: Any, model: Any, skip_mismatch: bool = False) -> None:
    """Check every stored variable against the model's, then copy them in place."""
    failed: list[tuple[Any, str]] = []
    copies: list[tuple[np.ndarray, np.ndarray]] = []
    for path, owner, own in _variable_groups(model):
        values = _stored(h5file, path)
        if len(values) != len(own):
            failed.append(
                (
                    owner,
                    f"Layer '{owner.name}' expected {len(own)} variables, but received "
                    f"{len(values)} variables during loading. "
                    f"Expected: {[n for n, _ in own]}",
                )
            )
            continue
        wrong = [(n, w, v) for (n, w), v in zip(own, values, strict=True) if w.shape != v.shape]
        if wrong:
            n, w, v = wrong[0]
            failed.append(
                (
                    owner,
                    "The shape of the target variable and the shape of the target value in "
                    f"`variable.assign(value)` must match. variable.shape={w.shape}, "
                    f"Received: value.shape={v.shape}. Target variable: {owner.name}/{n}",
                )
            )
            continue
        copies += [(w, v) for (_, w), v in zip(own, values, strict=True)]
    if failed:
        message = (
            f"A total of {len(failed)} objects could not be loaded. Example error message "
            f"for object {failed[0][0]!r}:\n\n{failed[0][1]}\n\n"
            f"List of objects that could not be loaded:\n[{', '.join(repr(o) for o, _ in failed)}]"
        )
        if not skip_mismatch:
            raise ValueError(message)
        warnings.warn(message, stacklevel=3)
        bad = {id(o) for o, _ in failed}
        copies = [c for c in copies if id(c[0]) not in bad]
    for target, value in copies:
        target[...] = value.astype(target.dtype, copy=False)
    if getattr(model, "compiled", False) and getattr(model, "optimizer", None) is not None:
        if "optimizer/vars" in h5file:
            _read_optimizer(model, _stored(h5file, "optimizer"))


def _read_optimizer(model: Any, values: list[np.ndarray]) -> None:
    """Restore the optimizer's step count, learning rate and per-weight state."""
    optimizer = model.optimizer
    has_rate = isinstance(optimizer.learning_rate, numbers.Real)
    head = 1 + has_rate
    trainable = _trainable_weights(model)
    blocks = _slot_blocks(optimizer)
    full = head + len(trainable) * sum(len(block) for block in blocks)
    if len(values) not in (head, full):
        warnings.warn(
            f"Skipping variable loading for optimizer '{optimizer.name}', because it has "
            f"{full} variables whereas the saved optimizer has {len(values)} variables. ",
            stacklevel=4,
        )
        return
    optimizer.iterations = int(values[0])
    if has_rate:
        optimizer.learning_rate = float(values[1])
    if len(values) == head and full != head:
        return  # saved before its first step: the state is made at the first step
    optimizer.build(trainable)
    position = head
    for block in blocks:
        for slots in optimizer._slots:
            for name in block:
                slots[name][...] = values[position].astype(slots[name].dtype, copy=False)
                position += 1


# ------------------------------------------------------------------------- compile


def _compile_from_keras(model: Any, config: dict[str, Any]) -> None:
    """Compile ``model`` as ``compile_config`` says (optimizer, loss, metrics)."""
    from rnn import losses, metrics, optimizers

    config = dict(config)
    optimizer = _object_from_keras(config.pop("optimizer", None), optimizers, "optimizer")
    loss = _loss_or_metric_from_keras(config.pop("loss", None), losses, "loss")
    listed = config.pop("metrics", None)
    if listed is not None and not isinstance(listed, list):
        listed = [listed]
    metric_ids = None
    if listed is not None:
        metric_ids = [_loss_or_metric_from_keras(m, metrics, "metric") for m in listed]
    arguments: dict[str, Any] = {"loss": loss, "metrics": metric_ids}
    if optimizer is not None:
        arguments["optimizer"] = optimizer
    for key, value in config.items():
        arguments[key] = value
    accepted = _accepted(model.compile)
    arguments = _drop_unsupported(arguments, accepted, "The file's `compile_config`")
    model.compile(**arguments)


def _object_from_keras(value: Any, module: Any, kind: str) -> Any:
    """Return an optimizer (or a schedule) from its Keras form, by class name."""
    if value is None or isinstance(value, str):
        return value
    class_name = value["class_name"]
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type):
        raise ValueError(f"Could not interpret {kind} identifier: {class_name}")
    config = dict(value.get("config") or {})
    rate = config.get("learning_rate")
    if isinstance(rate, dict):
        schedules = getattr(module, "schedules", module)
        config["learning_rate"] = _object_from_keras(rate, schedules, "learning rate schedule")
    where = f"The file's {kind} {class_name}"
    return cls(**_drop_unsupported(config, _accepted(cls), where))


def _loss_or_metric_from_keras(value: Any, module: Any, kind: str) -> Any:
    """Return a loss or metric from its Keras form: a name or an object."""
    if isinstance(value, list):
        return [_loss_or_metric_from_keras(v, module, kind) for v in value]
    if isinstance(value, dict) and "class_name" in value:
        if value["class_name"] == "function":
            return value["config"]
        return _object_from_keras(value, module, kind)
    return value


# ----------------------------------------------------------------- file names, zip


def _path_str(filepath: Any) -> str:
    return os.fspath(filepath) if isinstance(filepath, (str, os.PathLike)) else str(filepath)


def _metadata(extras: dict[str, dict[str, Any]]) -> dict[str, Any]:
    import rnn

    rnn_part: dict[str, Any] = {"version": rnn.__version__}
    if extras:
        rnn_part["layer_settings"] = extras
    return {
        "keras_version": KERAS_FORMAT_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        "rnn": rnn_part,
    }


def _weights_bytes(model: Any) -> bytes:
    h5py = _h5py("save a model")
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5file:
        _write_weights(h5file, model)
    return buffer.getvalue()


def _write_zip(target: Any, members: list[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, _ZIP_DATE), data)


def save_model(model: Any, filepath: Any, overwrite: bool = True) -> None:
    """Save ``model`` as a Keras 3 ``.keras`` file, which Keras and rnn both load.

    ``model.save(filepath)`` does the same.

    Parameters
    ----------
    model : Sequential
        Built or not (an unbuilt model is saved with a warning, as in Keras: it has no
        weights yet). Compiled, its optimizer, loss and metrics are saved too, and after
        training the optimizer's state.
    filepath : str, os.PathLike or binary file object
        Must end in ``.keras``.
    overwrite : bool
        With False, an existing file is left as it is and ``FileExistsError`` is raised
        (Keras asks instead).

    Raises
    ------
    ValueError
        For another extension (Keras's message; Keras's legacy ``.h5`` format is not
        written by rnn).
    ImportError
        Without h5py.

    Examples
    --------
    See :mod:`rnn.saving` and the course page *Saving and loading a model*.
    """
    if not isinstance(filepath, io.IOBase):
        path = _path_str(filepath)
        if path.endswith((".h5", ".hdf5")):
            raise ValueError(
                "rnn saves models in Keras 3's native format only: use a `.keras` "
                "extension (the legacy HDF5 `.h5` format of Keras 2 is not written). "
                f"Received: filepath={path}"
            )
        if not path.endswith(".keras"):
            raise ValueError(
                "Invalid filepath extension for saving. Please add either a `.keras` "
                "extension for the native Keras format (recommended) or a `.h5` extension. "
                "Use `model.export(filepath)` if you want to export a SavedModel for use with "
                f"TFLite/TFServing/etc. Received: filepath={path}."
            )
        if not overwrite and os.path.exists(path):
            raise FileExistsError(f"{path} already exists and overwrite=False.")
    if not model.built:
        warnings.warn(
            "You are saving a model that has not yet been built. It might not contain any "
            "weights yet. Consider building the model first by calling it on some data.",
            stacklevel=2,
        )
    config, extras = _model_to_keras(model)
    members = [
        (_METADATA, json.dumps(_metadata(extras)).encode()),
        (_CONFIG, json.dumps(config).encode()),
        (_WEIGHTS, _weights_bytes(model)),
    ]
    _write_zip(filepath, members)


def _check_load_path(filepath: Any) -> str:
    """Keras's checks of a ``load_model`` path; returns it."""
    path = _path_str(filepath)
    if path.endswith(".keras") and os.path.isfile(path) and zipfile.is_zipfile(path):
        return path
    if os.path.isdir(path) and os.path.exists(os.path.join(path, _CONFIG)):
        return path
    if path.endswith((".h5", ".hdf5")):
        raise ValueError(
            "rnn loads Keras 3's native `.keras` files only; the legacy HDF5 format "
            "(`.h5`) of Keras 2 is not supported. Load the file in Keras and save it with "
            f"`model.save('model.keras')`. Received: filepath={path}"
        )
    if path.endswith(".keras"):
        raise ValueError(
            f"File not found: filepath={path}. Please ensure the file is an accessible "
            "`.keras` zip file."
        )
    raise ValueError(
        f"File format not supported: filepath={path}. Keras 3 only supports V3 `.keras` "
        "files, legacy H5 format files (`.h5` extension). Note that the legacy SavedModel "
        "format is not supported by `load_model()` in Keras 3. In order to reload a "
        "TensorFlow SavedModel as an inference-only layer in Keras 3, use "
        f"`keras.layers.TFSMLayer({path}, call_endpoint='serving_default')` (note that "
        "your `call_endpoint` might have a different name)."
    )


def _read_members(source: Any) -> tuple[bytes, bytes | None, bytes | None]:
    """``config.json``, ``metadata.json`` (or None) and ``model.weights.h5`` (or None)."""
    if not isinstance(source, io.IOBase) and os.path.isdir(_path_str(source)):
        folder = _path_str(source)

        def read(name: str) -> bytes | None:
            path = os.path.join(folder, name)
            if not os.path.exists(path):
                return None
            with open(path, "rb") as file:
                return file.read()

        config = read(_CONFIG)
        assert config is not None
        return config, read(_METADATA), read(_WEIGHTS)
    with zipfile.ZipFile(source) as archive:
        names = archive.namelist()
        config = archive.read(_CONFIG)
        metadata = archive.read(_METADATA) if _METADATA in names else None
        weights = archive.read(_WEIGHTS) if _WEIGHTS in names else None
        if weights is None and "model.weights.npz" in names:
            raise ValueError(
                "This file keeps its weights as model.weights.npz (Keras's "
                "`weights_format='npz'`); rnn reads model.weights.h5 only."
            )
    return config, metadata, weights


def load_model(
    filepath: Any,
    custom_objects: dict[str, Any] | None = None,
    compile: bool = True,
    safe_mode: bool = True,
) -> Any:
    """Load a model from a Keras 3 ``.keras`` file (written by Keras or by rnn).

    Parameters
    ----------
    filepath : str, os.PathLike or binary file object
        A ``.keras`` file (or a folder Keras wrote with ``zipped=False``).
    custom_objects : dict, optional
        Your own layer classes by name, as in Keras.
    compile : bool
        Compile the model as it was saved (optimizer with its state, loss, metrics).
    safe_mode : bool
        Accepted for Keras compatibility: rnn never runs code from a file.

    Returns
    -------
    Sequential
        Built, with the saved weights; compiled if it was and ``compile`` is True.

    Raises
    ------
    ValueError
        For a path Keras would refuse (Keras's messages), a setting rnn does not
        support (naming it), or weights that do not fit.
    ImportError
        Without h5py.

    Examples
    --------
    See :mod:`rnn.saving` and the course page *Saving and loading a model*.
    """
    if not isinstance(filepath, io.IOBase):
        filepath = _check_load_path(filepath)
    h5py = _h5py("load a model")
    config_bytes, metadata_bytes, weights = _read_members(filepath)
    config = json.loads(config_bytes)
    metadata = json.loads(metadata_bytes) if metadata_bytes else {}
    extras = (metadata.get("rnn") or {}).get("layer_settings") or {}
    model = _model_from_keras(config, custom_objects, extras)
    compile_config = config.get("compile_config")
    if compile and compile_config:
        _compile_from_keras(model, compile_config)
    if weights is None:
        raise ValueError("Expected a model.weights.h5 or model.weights.npz file.")
    with h5py.File(io.BytesIO(weights), "r") as h5file:
        _read_weights(h5file, model)
    return model


def save_weights(model: Any, filepath: Any, overwrite: bool = True) -> None:
    """Save the weights alone (and the optimizer's state) to a ``.weights.h5`` file.

    ``model.save_weights(filepath)`` does the same. The groups are those of
    ``model.weights.h5`` inside a ``.keras`` file, so Keras's ``load_weights`` reads it.

    Raises
    ------
    ValueError
        If the name does not end in ``.weights.h5`` or the model is not built (Keras's
        messages).
    ImportError
        Without h5py.
    """
    path = _path_str(filepath)
    if not path.endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: filepath={path}")
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} already exists and overwrite=False.")
    if not model.built:
        raise ValueError(
            "You are saving a model that has not yet been built. Try building the model "
            "first by calling it on some data or by using `build()`."
        )
    h5py = _h5py("save a model")
    with h5py.File(path, "w") as h5file:
        _write_weights(h5file, model)


def load_weights(model: Any, filepath: Any, skip_mismatch: bool = False) -> None:
    """Load weights saved by `save_weights` (or Keras's) or those of a ``.keras`` file.

    ``model.load_weights(filepath)`` does the same. The model must have the saved
    architecture: the weights are matched by position (layers of each class in order),
    not by name. A compiled model also gets the optimizer's saved state.

    Parameters
    ----------
    skip_mismatch : bool
        Warn about the layers whose weights do not fit and leave them as they are,
        instead of raising.

    Raises
    ------
    ValueError
        For another extension, an unbuilt model, or weights that do not fit (Keras's
        messages; nothing is changed then).
    ImportError
        Without h5py.
    """
    path = _path_str(filepath)
    if not model.built:
        raise ValueError(
            "You are loading weights into a model that has not yet been built. Try "
            "building the model first by calling it on some data or by using `build()`."
        )
    if not path.endswith((".weights.h5", ".keras")):
        raise ValueError(
            f"File format not supported: filepath={path}. Keras 3 only supports V3 "
            "`.keras` files, `.weights.h5` files, legacy H5 format files (`.h5` "
            "extension), or Orbax checkpoints."
        )
    h5py = _h5py("load weights")
    if path.endswith(".keras"):
        with zipfile.ZipFile(path) as archive:
            data = archive.read(_WEIGHTS)
        source: Any = io.BytesIO(data)
    else:
        source = path
    with h5py.File(source, "r") as h5file:
        _read_weights(h5file, model, skip_mismatch)
