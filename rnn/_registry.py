"""Keras names for objects: the tables behind the ``get`` functions and ``name_of``.

:func:`rnn.losses.get`, :func:`rnn.metrics.get`, :func:`rnn.optimizers.get`,
:func:`rnn.initializers.get` and :func:`rnn.activations.get` each keep a table from
names to classes or functions; this module builds such tables, looks names up in
them with Keras's error, and finds the name of an object for ``get_config``.

A name that is not in the table gets one of two answers. A name Keras 3's ``get``
knows (`KERAS_NAMES`: ``"nadam"``, ``"huber"``, ``"auc"``...) is not a typo: the error
says that Keras has it and rnn does not, and lists rnn's names. Any other name gets
Keras's "Could not interpret ... identifier", with the closest of rnn's names if one
is close (``"Did you mean 'mse'?"``).

Examples
--------
>>> from rnn._registry import lookup, name_table
>>> class MeanSquaredError:
...     default_name = "mean_squared_error"
>>> table = name_table([(MeanSquaredError, ("mse",))])
>>> list(table)
['mse', 'mean_squared_error', 'MeanSquaredError']
>>> lookup("mse", table, "loss").__name__
'MeanSquaredError'
>>> lookup("msee", table, "loss")
Traceback (most recent call last):
...
ValueError: Could not interpret loss identifier: msee. Did you mean 'mse'?
>>> lookup("huber", table, "loss")
Traceback (most recent call last):
...
ValueError: 'huber' is a Keras loss that rnn does not implement; rnn has: \
'mean_squared_error', 'mse'.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = [
    "KERAS_NAMES",
    "did_you_mean",
    "from_serialized",
    "get_object",
    "keras_only",
    "lookup",
    "name_of",
    "name_table",
    "serialized",
    "unknown_name",
]

#: The names Keras 3.15.1's ``get`` functions resolve, per module of ``keras``: the keys
#: of the table each looks a string up in (``keras.optimizers.get`` lowercases the name
#: first). Recorded by tools/keras_fixtures/gen_keras_names.py into
#: tests/fixtures/keras/names/keras_names.json; tests/test_names.py checks this copy
#: against that file. Data only: rnn imports no Keras.
KERAS_NAMES: dict[str, tuple[str, ...]] = {
    "optimizers": (
        "adadelta", "adafactor", "adagrad", "adam", "adamax", "adamw", "ftrl", "lion",
        "lossscaleoptimizer", "multioptimizer", "muon", "nadam", "optimizer",
        "optimizermap", "rmsprop", "schedulefreeadamw", "sgd",
    ),
    "losses": (
        "BCE", "BinaryCrossentropy", "BinaryFocalCrossentropy", "CTC",
        "CategoricalCrossentropy", "CategoricalFocalCrossentropy", "CategoricalHinge",
        "Circle", "CosineSimilarity", "Dice", "Hinge", "Huber", "KLD", "KLDivergence",
        "LogCosh", "Loss", "LossFunctionWrapper", "MAE", "MAPE", "MSE", "MSLE",
        "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredError",
        "MeanSquaredLogarithmicError", "Poisson", "SparseCategoricalCrossentropy",
        "SquaredHinge", "Tversky", "bce", "binary_crossentropy",
        "binary_focal_crossentropy", "categorical_crossentropy",
        "categorical_focal_crossentropy", "categorical_hinge", "circle",
        "cosine_similarity", "ctc", "dice", "hinge", "huber", "kl_divergence", "kld",
        "log_cosh", "mae", "mape", "mean_absolute_error",
        "mean_absolute_percentage_error", "mean_squared_error",
        "mean_squared_logarithmic_error", "mse", "msle", "poisson",
        "sparse_categorical_crossentropy", "squared_hinge", "tversky",
    ),
    "metrics": (
        "AUC", "Accuracy", "BCE", "BinaryAccuracy", "BinaryCrossentropy", "BinaryIoU",
        "CategoricalAccuracy", "CategoricalCrossentropy", "CategoricalHinge",
        "ConcordanceCorrelation", "CosineSimilarity", "F1Score", "FBetaScore",
        "FalseNegatives", "FalsePositives", "Hinge", "IoU", "KLDivergence",
        "LogCoshError", "MAE", "MAPE", "MSE", "MSLE", "Mean", "MeanAbsoluteError",
        "MeanAbsolutePercentageError", "MeanIoU", "MeanMetricWrapper",
        "MeanSquaredError", "MeanSquaredLogarithmicError", "Metric", "OneHotIoU",
        "OneHotMeanIoU", "PearsonCorrelation", "Poisson", "Precision",
        "PrecisionAtRecall", "R2Score", "Recall", "RecallAtPrecision",
        "RootMeanSquaredError", "SensitivityAtSpecificity", "SparseCategoricalAccuracy",
        "SparseCategoricalCrossentropy", "SparseTopKCategoricalAccuracy",
        "SpecificityAtSensitivity", "SquaredHinge", "Sum", "TopKCategoricalAccuracy",
        "TrueNegatives", "TruePositives", "accuracy", "auc", "bce", "binary_accuracy",
        "binary_crossentropy", "binary_io_u", "categorical_accuracy",
        "categorical_crossentropy", "categorical_hinge", "concordance_correlation",
        "cosine_similarity", "f1_score", "f_beta_score", "false_negatives",
        "false_positives", "hinge", "io_u", "kl_divergence", "log_cosh_error", "mae",
        "mape", "mean", "mean_absolute_error", "mean_absolute_percentage_error",
        "mean_io_u", "mean_metric_wrapper", "mean_squared_error",
        "mean_squared_logarithmic_error", "metric", "mse", "msle", "one_hot_io_u",
        "one_hot_mean_io_u", "pearson_correlation", "poisson", "precision",
        "precision_at_recall", "r2_score", "recall", "recall_at_precision",
        "root_mean_squared_error", "sensitivity_at_specificity",
        "sparse_categorical_accuracy", "sparse_categorical_crossentropy",
        "sparse_top_k_categorical_accuracy", "specificity_at_sensitivity",
        "squared_hinge", "sum", "top_k_categorical_accuracy", "true_negatives",
        "true_positives",
    ),
    "activations": (
        "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid",
        "hard_silu", "hard_swish", "hard_tanh", "leaky_relu", "linear", "log_sigmoid",
        "log_softmax", "mish", "relu", "relu6", "selu", "sigmoid", "silu",
        "soft_shrink", "softmax", "softplus", "softsign", "sparse_plus",
        "sparse_sigmoid", "sparsemax", "squareplus", "swish", "tanh", "tanh_shrink",
        "threshold",
    ),
    "initializers": (
        "Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform",
        "Identity", "IdentityInitializer", "Initializer", "LecunNormal", "LecunUniform",
        "Ones", "Orthogonal", "OrthogonalInitializer", "RandomNormal", "RandomUniform",
        "STFT", "STFTInitializer", "TruncatedNormal", "VarianceScaling", "Zeros",
        "constant", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
        "identity", "initializer", "lecun_normal", "lecun_uniform", "normal", "one",
        "ones", "orthogonal", "random_normal", "random_uniform", "stft",
        "truncated_normal", "uniform", "variance_scaling", "zero", "zeros",
    ),
    "regularizers": (
        "L1", "L1L2", "L2", "OrthogonalRegularizer", "Regularizer", "l1", "l1l2", "l2",
        "orthogonal_regularizer", "regularizer",
    ),
    "constraints": (
        "Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "constraint",
        "max_norm", "min_max_norm", "non_neg", "unit_norm",
    ),
}  # fmt: skip

#: the word of each kind in the messages, and its module in `KERAS_NAMES`
_MODULE_OF_KIND = {
    "optimizer": "optimizers",
    "loss": "losses",
    "metric": "metrics",
    "activation function": "activations",
    "activation": "activations",
    "initializer": "initializers",
    "regularizer": "regularizers",
    "constraint": "constraints",
}


def _keras_has(identifier: str, kind: str) -> bool:
    """Whether Keras's ``get`` for ``kind`` resolves the name ``identifier``."""
    module = _MODULE_OF_KIND.get(kind)
    if module is None:
        return False
    probe = identifier.lower() if module == "optimizers" else identifier
    return probe in KERAS_NAMES[module]


def _closest(identifier: str, names: Iterable[str]) -> str | None:
    """Return the name of ``names`` closest to ``identifier`` (ignoring case), if one is close."""
    by_lower: dict[str, str] = {}
    for name in names:  # of "Adam" and "adam", show "adam"
        lower = name.lower()
        if lower not in by_lower or name == lower:
            by_lower[lower] = name
    # a short name is one letter from many others ("cce" from "bce"): ask for more
    cutoff = 0.75 if len(identifier) <= 4 else 0.6
    match = difflib.get_close_matches(identifier.lower(), list(by_lower), n=1, cutoff=cutoff)
    return by_lower[match[0]] if match else None


def unknown_name(
    identifier: Any,
    names: Iterable[str],
    kind: str,
    quote: bool = False,
    shown: Iterable[str] | None = None,
) -> ValueError:
    """Return the error for an ``identifier`` that is none of ``names`` (rnn's, for ``kind``).

    A name Keras has for ``kind`` (and rnn lacks, in any case of its letters) says so
    and lists ``shown`` (default: the lowercase ones of ``names``); any other value gets
    Keras's ``"Could not interpret {kind} identifier: ..."``, and for a string the
    closest of ``names`` when one is close.

    Parameters
    ----------
    identifier : object
        What was passed to ``get``.
    names : iterable of str
        The names rnn resolves.
    kind : str
        ``"optimizer"``, ``"loss"``, ``"metric"``, ``"activation function"``,
        ``"initializer"``, ``"regularizer"`` or ``"constraint"``.
    quote : bool
        Show the identifier's ``repr`` (``'glorot'``) rather than its text (``glorot``).
    shown : iterable of str, optional
        The names to list as rnn's.

    Examples
    --------
    >>> from rnn._registry import unknown_name
    >>> print(unknown_name("nadam", ["adam", "Adam", "sgd"], "optimizer"))
    'nadam' is a Keras optimizer that rnn does not implement; rnn has: 'adam', 'sgd'.
    >>> print(unknown_name("adamx", ["adam", "Adam", "sgd"], "optimizer"))
    Could not interpret optimizer identifier: adamx. Did you mean 'adam'?
    >>> print(unknown_name(0.1, ["adam"], "optimizer"))
    Could not interpret optimizer identifier: 0.1
    """
    names = list(names)
    text = repr(identifier) if quote else f"{identifier}"
    if not isinstance(identifier, str):
        return ValueError(f"Could not interpret {kind} identifier: {text}")
    error = keras_only(identifier, names, kind, shown)
    if error is not None:
        return error
    return ValueError(
        f"Could not interpret {kind} identifier: {text}{did_you_mean(identifier, names)}"
    )


def keras_only(
    identifier: Any, names: Iterable[str], kind: str, shown: Iterable[str] | None = None
) -> ValueError | None:
    """Return the error for a name Keras has for ``kind`` and rnn lacks, else ``None``.

    A name that is one of ``names`` in another case (``"ADAM"``) is not Keras's alone:
    ``None``. The error lists ``shown`` (default: the lowercase ones of ``names``).

    Examples
    --------
    >>> from rnn._registry import keras_only
    >>> print(keras_only("Huber", ["mse", "MeanSquaredError"], "loss"))
    'Huber' is a Keras loss that rnn does not implement; rnn has: 'mse'.
    >>> keras_only("MSE", ["mse"], "loss") is None, keras_only("msee", ["mse"], "loss") is None
    (True, True)
    """
    if not isinstance(identifier, str) or not _keras_has(identifier, kind):
        return None
    names = list(names)
    if identifier.lower() in {name.lower() for name in names}:
        return None
    listed = sorted(set(shown if shown is not None else (n for n in names if n == n.lower())))
    word = "activation" if kind == "activation function" else kind
    return ValueError(
        f"{identifier!r} is a Keras {word} that rnn does not implement; rnn has: "
        + ", ".join(repr(name) for name in listed)
        + "."
    )


def did_you_mean(identifier: str, names: Iterable[str]) -> str:
    """Return ``". Did you mean 'mse'?"`` for the closest of ``names``, or ``""``.

    Examples
    --------
    >>> from rnn._registry import did_you_mean
    >>> did_you_mean("Mse", ["mse", "mae"]), did_you_mean("xyz", ["mse", "mae"])
    (". Did you mean 'mse'?", '')
    """
    close = _closest(identifier, names)
    return f". Did you mean {close!r}?" if close is not None else ""


def name_table(entries: Iterable[tuple[Any, Sequence[str]]]) -> dict[str, Any]:
    """Each class under its aliases, then its Keras name (``default_name``) and class name.

    Parameters
    ----------
    entries : iterable of (class, aliases)
        The classes, each with a ``default_name`` attribute, and extra names
        such as ``("mse", "MSE")``.
    """
    table: dict[str, Any] = {}
    for cls, aliases in entries:
        for name in (*aliases, cls.default_name, cls.__name__):
            table[name] = cls
    return table


def lookup(
    identifier: Any,
    table: Mapping[str, T],
    kind: str,
    quote: bool = False,
    shown: Iterable[str] | None = None,
) -> T:
    """Return ``table[identifier]`` for a known name, else raise `unknown_name`'s error.

    Parameters
    ----------
    identifier : object
        What was passed to ``get``; anything but a known name is an error.
    table : mapping of str to object
    kind : str
        The word in the message: ``"Could not interpret {kind} identifier: ..."``.
    quote : bool
        Show the identifier's ``repr`` (``'glorot'``) rather than its text (``glorot``).
    shown : iterable of str, optional
        rnn's names to list for a Keras name rnn lacks (default: the lowercase keys).

    Raises
    ------
    ValueError
        For a Keras name rnn does not implement (saying so, with rnn's names), else in
        Keras's wording, with the closest known name when one is close.
    """
    if isinstance(identifier, str) and identifier in table:
        return table[identifier]
    raise unknown_name(identifier, table, kind, quote, shown)


def name_of(obj: Any, table: Mapping[str, Any]) -> str:
    """Return the first name of ``obj`` in ``table``, else its ``__name__`` (or its ``repr``)."""
    for name, entry in table.items():
        if entry is obj:
            return name
    return getattr(obj, "__name__", repr(obj))


def serialized(obj: Any, module: str) -> dict[str, Any]:
    """Keras 3's serialized form of an object with ``get_config``, as configs hold it.

    Examples
    --------
    >>> from rnn._registry import serialized
    >>> class NonNeg:
    ...     def get_config(self):
    ...         return {}
    >>> serialized(NonNeg(), "keras.constraints")
    {'module': 'keras.constraints', 'class_name': 'NonNeg', 'config': {}, 'registered_name': None}
    """
    return {
        "module": module,
        "class_name": type(obj).__name__,
        "config": obj.get_config(),
        "registered_name": None,
    }


def from_serialized(
    config: Mapping[str, Any],
    classes: Mapping[str, Any],
    kind: str,
    custom_objects: Mapping[str, Any] | None = None,
) -> Any:
    """Make the object of a `serialized` form: its class (your own first) ``from_config``.

    Raises
    ------
    ValueError
        For a class in neither ``custom_objects`` nor ``classes``, in Keras's wording
        (``"Could not interpret {kind} identifier: {config}"``); a class Keras has and
        rnn lacks (``"OrthogonalRegularizer"``) says so, listing rnn's classes.
    """
    name = config.get("class_name")
    cls = (custom_objects or {}).get(str(name)) or classes.get(str(name))
    if cls is None:
        error = keras_only(name, classes, kind, shown=classes)
        raise error or ValueError(f"Could not interpret {kind} identifier: {dict(config)}")
    return cls.from_config(dict(config.get("config") or {}))


def get_object(
    identifier: Any, table: Mapping[str, Any], base: type, kind: str, classes: Mapping[str, Any]
) -> Any:
    """Keras's ``get`` for a family of classes (constraints, regularizers).

    None gives None; a serialized dict its object (`from_serialized`); a name in
    ``table`` its class with the defaults; a subclass of ``base`` an instance; any other
    callable itself.

    Raises
    ------
    ValueError
        For anything else, in Keras's wording (see `lookup` for names).
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return from_serialized(identifier, classes, kind)
    if isinstance(identifier, str):
        return lookup(identifier, table, kind)()
    if isinstance(identifier, type) and issubclass(identifier, base):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {kind} identifier: {identifier}")
