"""The data checks and batching behind ``fit`` and ``evaluate``, in Keras's wording.

`~rnn.training.TrainingMixin` turns ``x``, ``y`` and the sample weights into arrays
of the same length (`check_xy`), turns a ``class_weight`` into sample weights
(`class_weight_to_sample_weight`), holds out a validation split (`split_validation`),
and walks the samples in mini-batches (`batches`).

Examples
--------
>>> import numpy as np
>>> from rnn._data_adapter import batches, split_validation
>>> x, y = np.arange(10), np.arange(10) * 2
>>> (x_train, y_train, _), (x_val, y_val, _) = split_validation((x, y, None), 0.2)
>>> x_train.tolist(), x_val.tolist()
([0, 1, 2, 3, 4, 5, 6, 7], [8, 9])
>>> [x_train[b].tolist() for b in batches(len(x_train), 3)]
[[0, 1, 2], [3, 4, 5], [6, 7]]
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

#: ``(x, y, sample_weight)``: inputs, targets, and the weights or None
Arrays = tuple[np.ndarray, np.ndarray, "np.ndarray | None"]

__all__ = [
    "ArrayList",
    "Arrays",
    "as_array",
    "batches",
    "check_batch_size",
    "check_cardinality",
    "check_finite",
    "check_int",
    "check_shuffle",
    "check_validation_data",
    "check_validation_split",
    "check_xy",
    "class_weight_to_sample_weight",
    "describe_shape",
    "split_validation",
]


def check_cardinality(**arrays: np.ndarray) -> int:
    """Return the common number of samples (first axis), or raise Keras's error.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn._data_adapter import check_cardinality
    >>> check_cardinality(x=np.zeros((10, 3)), y=np.zeros(7))
    Traceback (most recent call last):
    ...
    ValueError: Data cardinality is ambiguous. Make sure all arrays contain the same number \
of samples.'x' sizes: 10
    'y' sizes: 7
    <BLANKLINE>
    """
    sizes = {name: (a.shape[0] if a.ndim else 1) for name, a in arrays.items()}
    if len(set(sizes.values())) > 1:
        detail = "".join(f"'{name}' sizes: {size}\n" for name, size in sizes.items())
        raise ValueError(
            "Data cardinality is ambiguous. Make sure all arrays contain the same number "
            "of samples." + detail
        )
    return next(iter(sizes.values()))


class ArrayList:
    """The arrays of a model's several inputs (or targets), sliced together as one array.

    ``len()`` is the number of samples and ``data[index]`` takes the same samples of
    every array, so batching and validation splits treat them as one.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn._data_adapter import ArrayList
    >>> data = ArrayList([np.zeros((10, 3, 2)), np.ones((10, 4))])
    >>> len(data), [a.shape for a in data[2:5].arrays]
    (10, [(3, 3, 2), (3, 4)])
    """

    ndim = 1

    def __init__(self, arrays: Any) -> None:
        self.arrays = [np.asarray(a) for a in arrays]
        check_cardinality(**{f"x[{i}]": a for i, a in enumerate(self.arrays)})

    def __len__(self) -> int:
        return len(self.arrays[0])

    @property
    def shape(self) -> tuple[int]:
        """``(samples,)``: what the cardinality checks read."""
        return (len(self),)

    def __getitem__(self, index: Any) -> ArrayList:
        return ArrayList([a[index] for a in self.arrays])


def check_xy(
    x: Any,
    y: Any,
    sample_weight: Any = None,
    *,
    names: tuple[str, str, str] = ("x", "y", "sample_weight"),
    expected: str | None = None,
    ndim: int | None = None,
) -> Arrays:
    """``x``, ``y`` and ``sample_weight`` (or None) as arrays with the same number of samples.

    ``x`` may be an `ArrayList` (a model's several inputs), kept as it is. Each is
    converted by `as_array`, under its name in ``names``; ``expected`` describes what
    ``x`` should be, and ``ndim`` (if known) is the number of axes the model's input has.

    Raises
    ------
    ValueError
        If ``x`` or ``y`` is missing, is a scalar, holds sequences of different lengths,
        has not the model's number of axes, or the lengths differ (`check_cardinality`).
    TypeError
        If one is a dict or a generator (see `as_array`).
    """
    if x is None or y is None:
        raise ValueError("`x` and `y` must both be given: the inputs and their targets.")
    if not isinstance(x, ArrayList):
        x = as_array(x, names[0], expected)
        if ndim is not None and x.ndim != ndim:
            raise ValueError(
                f"Received an invalid value for `{names[0]}`, expected "
                f"{expected or f'an array with {ndim} axes'}. Received: {names[0]} of shape "
                f"{x.shape}{_from_list(x)}."
            )
    if not isinstance(y, ArrayList):
        y = as_array(y, names[1], "a NumPy array of targets, one per sample")
    if sample_weight is None:
        check_cardinality(x=x, y=y)
        return x, y, None
    weight = as_array(sample_weight, names[2], "a NumPy array of weights, one per sample")
    weight = weight.astype(np.float64, copy=False)
    check_cardinality(x=x, y=y, sample_weight=weight)
    return x, y, weight


def _from_list(array: np.ndarray) -> str:
    """Empty, or a hint for an array of numbers that has one axis."""
    if array.ndim == 1 and array.dtype.kind in "biuf":
        return " (a flat list or 1-D array of numbers: one number per sample)"
    return ""


def _received(name: str, value: Any) -> str:
    """``name=<repr> (of type <type>)``, the way errors here show what came."""
    return f"{name}={value!r} (of type {type(value).__name__})"


def _ragged_message(name: str, items: Any) -> str | None:
    """Return what to say of a list whose items make no rectangular array (None if they do)."""
    try:
        shapes = [np.shape(item) for item in items]
    except ValueError:  # an item is itself ragged
        return (
            f"`{name}` holds nested sequences of different lengths, which make no "
            "rectangular array: pad them to one length, e.g. with "
            f"rnn.utils.pad_sequences({name}, padding='post'), and add a Masking layer "
            "(or Embedding(mask_zero=True)) so that the model skips the padding."
        )
    if len(set(shapes)) < 2:
        return None
    if all(len(s) >= 1 for s in shapes) and len({s[1:] for s in shapes}) == 1:
        lengths = sorted({s[0] for s in shapes})
        span = (
            f"{lengths[0]} and {lengths[1]} timesteps"
            if len(lengths) == 2
            else f"{len(lengths)} lengths, from {lengths[0]} to {lengths[-1]} timesteps"
        )
        floats = any(np.asarray(item).dtype.kind == "f" for item in items)
        dtype = ", dtype='float32'" if floats else ""
        return (
            f"`{name}` holds sequences of different lengths ({span}): pad them "
            f"to one length, e.g. rnn.utils.pad_sequences({name}, padding='post'{dtype}), "
            "and add a Masking layer (or Embedding(mask_zero=True)) so that the model "
            "skips the padding."
        )
    first = shapes[0]
    other = next(i for i, s in enumerate(shapes) if s != first)
    return (
        f"`{name}` holds arrays of different shapes, {first} at index 0 and {shapes[other]} "
        f"at index {other}, which make no rectangular array: every sample needs the same "
        "shape."
    )


def describe_shape(batch_shape: Any) -> str:
    """Describe an input: ``"a NumPy array of shape (batch, 5, 3)"`` for ``(None, 5, 3)``.

    Examples
    --------
    >>> from rnn._data_adapter import describe_shape
    >>> describe_shape((None, 5, 3)), describe_shape((None,))
    ('a NumPy array of shape (batch, 5, 3)', 'a NumPy array of shape (batch,)')
    """
    axes = ["batch", *(str(d) for d in tuple(batch_shape)[1:])]
    return f"a NumPy array of shape ({', '.join(axes)}{',' if len(axes) == 1 else ''})"


def as_array(
    value: Any,
    name: str = "x",
    expected: str | None = None,
    dtype: Any = None,
    scalar: bool = False,
) -> np.ndarray:
    """``value`` as one NumPy array, or an error saying what was expected and what came.

    Parameters
    ----------
    value : array_like
        An array, or (nested) lists of numbers.
    name : str
        How the error calls it: ``"x"``, ``"y"``, ``"inputs"``...
    expected : str, optional
        What the caller expects, e.g. ``"a NumPy array of shape (batch, 5, 3)"``.
    dtype : optional
        The dtype to convert to (default: NumPy's choice).
    scalar : bool
        Accept a single value (a layer's call may; data for ``fit`` may not).

    Raises
    ------
    ValueError
        For None, a scalar (unless ``scalar``), or sequences of different lengths
        (ragged data; the message says how to pad them).
    TypeError
        For a dict or a generator (or another iterator).

    Examples
    --------
    >>> import numpy as np
    >>> from rnn._data_adapter import as_array
    >>> as_array([[1, 2], [3, 4]]).shape
    (2, 2)
    >>> as_array([np.zeros((3, 2)), np.zeros((5, 2))])
    Traceback (most recent call last):
    ...
    ValueError: `x` holds sequences of different lengths (3 and 5 timesteps): pad them to \
one length, e.g. rnn.utils.pad_sequences(x, padding='post', dtype='float32'), and add a \
Masking layer (or Embedding(mask_zero=True)) so that the model skips the padding.
    """
    if isinstance(value, np.ndarray) and (value.ndim or scalar):  # the common case, fast
        return value if dtype is None else np.asarray(value, dtype=dtype)
    expected = expected or "a NumPy array of shape (samples, ...)"
    invalid = f"Received an invalid value for `{name}`, expected {expected}. Received: "
    if value is None:
        raise ValueError(invalid + f"{_received(name, value)}.")
    if isinstance(value, Mapping):
        raise TypeError(
            invalid + f"a dict with keys {list(value)}. A dict of arrays by input (or "
            "output) name is for a functional model (rnn.Model) with those names."
        )
    if isinstance(value, Iterator):
        raise TypeError(
            invalid + f"{_received(name, value)}. rnn takes arrays, not generators or "
            "datasets: collect the batches into one array first, e.g. "
            "np.concatenate(list(batches))."
        )
    try:
        array = np.asarray(value) if dtype is None else np.asarray(value, dtype=dtype)
    except ValueError:
        message = _ragged_message(name, value) if isinstance(value, (list, tuple)) else None
        if message is None:
            raise
        raise ValueError(message) from None
    if array.ndim == 0 and not scalar:
        raise ValueError(
            invalid + f"{_received(name, value)}, a single value without a batch axis."
        )
    return array


def class_weight_to_sample_weight(y: Any, class_weight: dict[int, float]) -> np.ndarray:
    """One weight per sample, the weight of its class, as Keras 3 turns ``class_weight``.

    The class of a sample is its label (rounded), or the position of the largest
    value of a one-hot (or probability) target; classes not in ``class_weight``
    weigh 1.

    Parameters
    ----------
    y : numpy.ndarray, shape (samples,), (samples, 1) or (samples, classes)
    class_weight : dict of int to float

    Returns
    -------
    numpy.ndarray, shape (samples,)

    Raises
    ------
    TypeError
        When a sample has more than one class (e.g. a sequence of labels), with the
        message Keras 3 (its NumPy conversion) gives, followed by what it got; for a
        ``class_weight`` that is not a dict, or a key that is not an integer class.
    ValueError
        For a weight that is not a finite number >= 0, or a class that no sample has
        (a misspelt key would otherwise change nothing, silently).

    Examples
    --------
    >>> import numpy as np
    >>> from rnn._data_adapter import class_weight_to_sample_weight
    >>> class_weight_to_sample_weight(np.array([0, 1, 2, 1]), {1: 3.0}).tolist()
    [1.0, 3.0, 1.0, 3.0]
    >>> class_weight_to_sample_weight(np.eye(3)[[2, 0]], {0: 0.5, 2: 2.0}).tolist()
    [2.0, 0.5]
    """
    if not isinstance(class_weight, Mapping):
        raise TypeError(
            "`class_weight` must be a dict of integer classes to weights, e.g. "
            f"{{0: 1.0, 1: 5.0}}. Received: {_received('class_weight', class_weight)}."
        )
    for key, weight in class_weight.items():
        if isinstance(key, bool) or not isinstance(key, (int, np.integer)):
            raise TypeError(
                "`class_weight`'s keys must be integer classes (the labels, or the "
                f"positions of the one-hot columns). Received the key {key!r} "
                f"(of type {type(key).__name__})."
            )
        if (
            isinstance(weight, bool)
            or not isinstance(weight, (int, float, np.integer, np.floating))
            or not np.isfinite(weight)
            or weight < 0
        ):
            raise ValueError(
                "`class_weight`'s weights must be finite numbers >= 0. Received "
                f"class_weight[{key!r}]={weight!r} (of type {type(weight).__name__})."
            )
    labels = np.asarray(y)
    if labels.ndim > 1:
        if labels.shape[-1] != 1:
            labels = np.argmax(labels, axis=-1)
        else:
            labels = np.squeeze(labels, axis=-1)
    labels = np.round(labels).astype(np.int64)
    if labels.ndim > 1:
        raise TypeError(
            "only 0-dimensional arrays can be converted to Python scalars: `class_weight` "
            "needs one class per sample, but targets of shape "
            f"{np.shape(y)} give {labels.shape[1:]} classes per sample. "
            "Pass `sample_weight` instead."
        )
    unseen = sorted(int(k) for k in class_weight if int(k) not in set(labels.tolist()))
    if unseen and len(unseen) == len(class_weight):
        raise ValueError(
            f"`class_weight` weighs the classes {unseen}, but no sample has any of them "
            f"(the targets' classes are {sorted(set(labels.tolist()))}): it would change "
            "nothing."
        )
    return np.array([float(class_weight.get(int(k), 1.0)) for k in labels], dtype=np.float64)


def check_int(
    value: Any, name: str, minimum: int = 1, type_error: type[Exception] = TypeError
) -> int:
    """``value`` as an int of at least ``minimum``, or an error naming ``name`` and the value.

    NumPy integers are accepted; bools, floats (even ``2.0``, as Keras) and strings are not.

    Raises
    ------
    TypeError
        (or ``type_error``) If ``value`` is not an integer.
    ValueError
        If it is smaller than ``minimum``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn._data_adapter import check_int
    >>> check_int(np.int64(3), "epochs")
    3
    >>> check_int(2.5, "epochs")
    Traceback (most recent call last):
    ...
    TypeError: `epochs` must be a positive integer. Received: epochs=2.5 (of type float).
    """
    what = {0: "a non-negative integer", 1: "a positive integer"}.get(
        minimum, f"an integer of at least {minimum}"
    )
    message = f"`{name}` must be {what}. Received: {_received(name, value)}."
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise type_error(message)
    if value < minimum:
        raise ValueError(message)
    return int(value)


def check_batch_size(batch_size: Any, name: str = "batch_size", default: int = 32) -> int:
    """``batch_size`` as an int (``default`` for None), or a ``ValueError`` (as Keras).

    Examples
    --------
    >>> from rnn._data_adapter import check_batch_size
    >>> check_batch_size(None), check_batch_size(8)
    (32, 8)
    >>> check_batch_size(0)
    Traceback (most recent call last):
    ...
    ValueError: `batch_size` must be a positive integer. Received: batch_size=0 (of type int).
    """
    if batch_size is None:
        return default
    return check_int(batch_size, name, 1, type_error=ValueError)


def check_shuffle(shuffle: Any) -> bool:
    """``shuffle`` as a bool, or a ``TypeError`` naming what came."""
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(
            f"`shuffle` must be True or False. Received: {_received('shuffle', shuffle)}."
        )
    return bool(shuffle)


def check_validation_split(validation_split: Any) -> float:
    """``validation_split`` as a float, or a ``TypeError`` for anything but a number."""
    number = isinstance(validation_split, (int, float, np.integer, np.floating))
    if isinstance(validation_split, (bool, np.bool_)) or not number:
        raise TypeError(
            "`validation_split` must be a float between 0 and 1. "
            f"Received: {_received('validation_split', validation_split)}."
        )
    return float(validation_split)


_ADVICE = {
    "x": "Fill or drop them (np.nan_to_num, or a Masking layer with a finite mask_value).",
    "y": "Fill them (np.nan_to_num) or drop those samples from both the inputs and the targets.",
    "sample_weight": "Give those samples a finite weight (0 leaves a sample out).",
}


def check_finite(effect: str, **named: Any) -> None:
    """Raise a ``ValueError`` if an array in ``named`` holds NaN or an infinity.

    ``named`` maps how the error names each array to the array (an `ArrayList` is
    checked array by array; None and non-float arrays are skipped); a name's advice is
    chosen by its kind, given after two underscores (``validation_x__x``). ``effect``
    says what the NaN would do.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn._data_adapter import check_finite
    >>> x = np.zeros((4, 3, 2))
    >>> x[1, 2, 0] = np.nan
    >>> check_finite("the loss would be NaN", x=x)
    Traceback (most recent call last):
    ...
    ValueError: `x` holds 1 NaN value, the first at x[1, 2, 0]: the loss would be NaN. Fill \
or drop them (np.nan_to_num, or a Masking layer with a finite mask_value).
    """
    for key, data in named.items():
        name, _, kind = key.partition("__")
        kind = kind or name
        arrays = data.arrays if isinstance(data, ArrayList) else [data]
        for i, array in enumerate(arrays):
            if array is None or array.dtype.kind not in "fc":
                continue
            finite = np.isfinite(array)
            if finite.all():
                continue
            label = name if len(arrays) == 1 else f"{name}[{i}]"
            nan = int(np.count_nonzero(np.isnan(array)))
            inf = array.size - int(np.count_nonzero(finite)) - nan
            counts = [
                f"{n} {what} value{'s' if n > 1 else ''}"
                for n, what in ((nan, "NaN"), (inf, "infinite"))
                if n
            ]
            first = np.unravel_index(int(np.argmin(finite)), array.shape)
            where = ", ".join(str(int(k)) for k in first)
            raise ValueError(
                f"`{label}` holds {' and '.join(counts)}, the first at {label}[{where}]: "
                f"{effect}. {_ADVICE.get(kind, _ADVICE['x'])}"
            )


def check_validation_data(validation_data: Any) -> Arrays:
    """``(x_val, y_val)`` or ``(x_val, y_val, sample_weight_val)`` as arrays (see `check_xy`).

    Raises
    ------
    ValueError
        For any other tuple, in Keras 3's words; the errors of `check_xy`, naming
        ``validation_data[0]`` (the inputs), ``[1]`` or ``[2]``.
    """
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError(
            "Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
            f"`(x, y, sample_weight)`, found: {validation_data}"
        )
    names = ("validation_data[0]", "validation_data[1]", "validation_data[2]")
    return check_xy(*validation_data, names=names)


def split_validation(data: Arrays, validation_split: float) -> tuple[Arrays, Arrays | None]:
    """Hold out the last ``validation_split`` of the samples, as Keras: ``train, val``.

    ``data`` is ``(x, y, sample_weight)``; the weights (if any) are split with them.

    Raises
    ------
    TypeError
        If ``validation_split`` is not a number (`check_validation_split`).
    ValueError
        If it is not between 0 and 1, or leaves no sample on one side.
    """
    x = data[0]
    fraction = check_validation_split(validation_split)
    if not fraction:
        return data, None
    if not 0 < fraction < 1:
        raise ValueError(
            "`validation_split` must be between 0 and 1. "
            f"Received: validation_split={validation_split}"
        )
    split_at = math.floor(len(x) * (1.0 - fraction))
    if split_at in (0, len(x)):
        raise ValueError(
            f"Training data contains {len(x)} samples, which is not sufficient to split it "
            "into a validation and training set as specified by "
            f"`validation_split={validation_split}`. Either provide more data, or a "
            "different value for the `validation_split` argument."
        )
    x, y, w = data
    train = (x[:split_at], y[:split_at], None if w is None else w[:split_at])
    return train, (x[split_at:], y[split_at:], None if w is None else w[split_at:])


def batches(
    samples: int, batch_size: int, order: np.ndarray | None = None
) -> Iterator[slice | np.ndarray]:
    """Return the index of each mini-batch: consecutive slices, or slices of ``order`` if given.

    There are ``ceil(samples / batch_size)`` of them; the last may be smaller.
    """
    for step in range(math.ceil(samples / batch_size)):
        batch = slice(step * batch_size, (step + 1) * batch_size)
        yield batch if order is None else order[batch]
