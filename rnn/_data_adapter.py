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
from collections.abc import Iterator
from typing import Any

import numpy as np

#: ``(x, y, sample_weight)``: inputs, targets, and the weights or None
Arrays = tuple[np.ndarray, np.ndarray, "np.ndarray | None"]

__all__ = [
    "ArrayList",
    "Arrays",
    "batches",
    "check_batch_size",
    "check_cardinality",
    "check_validation_data",
    "check_xy",
    "class_weight_to_sample_weight",
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


def check_xy(x: Any, y: Any, sample_weight: Any = None) -> Arrays:
    """``x``, ``y`` and ``sample_weight`` (or None) as arrays with the same number of samples.

    ``x`` may be an `ArrayList` (a model's several inputs), kept as it is.

    Raises
    ------
    ValueError
        If ``x`` or ``y`` is missing, or the lengths differ (`check_cardinality`).
    """
    if x is None or y is None:
        raise ValueError("`x` and `y` must both be given: the inputs and their targets.")
    x = x if isinstance(x, ArrayList) else np.asarray(x)
    y = y if isinstance(y, ArrayList) else np.asarray(y)
    if sample_weight is None:
        check_cardinality(x=x, y=y)
        return x, y, None
    weight = np.asarray(sample_weight, dtype=np.float64)
    check_cardinality(x=x, y=y, sample_weight=weight)
    return x, y, weight


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
        message Keras 3 (its NumPy conversion) gives, followed by what it got.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn._data_adapter import class_weight_to_sample_weight
    >>> class_weight_to_sample_weight(np.array([0, 1, 2, 1]), {1: 3.0}).tolist()
    [1.0, 3.0, 1.0, 3.0]
    >>> class_weight_to_sample_weight(np.eye(3)[[2, 0]], {0: 0.5, 2: 2.0}).tolist()
    [2.0, 0.5]
    """
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
    return np.array([float(class_weight.get(int(k), 1.0)) for k in labels], dtype=np.float64)


def check_batch_size(batch_size: int | None) -> int:
    """``batch_size`` as an int (default 32), or Keras's ``ValueError``."""
    if batch_size is None:
        return 32
    ok = isinstance(batch_size, (int, np.integer)) and not isinstance(batch_size, bool)
    if not ok or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive integer. Received: {batch_size}")
    return int(batch_size)


def check_validation_data(validation_data: Any) -> Arrays:
    """``(x_val, y_val)`` or ``(x_val, y_val, sample_weight_val)`` as arrays (see `check_xy`).

    Raises
    ------
    ValueError
        For any other tuple, in Keras 3's words.
    """
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError(
            "Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
            f"`(x, y, sample_weight)`, found: {validation_data}"
        )
    return check_xy(*validation_data)


def split_validation(data: Arrays, validation_split: float) -> tuple[Arrays, Arrays | None]:
    """Hold out the last ``validation_split`` of the samples, as Keras: ``train, val``.

    ``data`` is ``(x, y, sample_weight)``; the weights (if any) are split with them.
    """
    x = data[0]
    if not validation_split:
        return data, None
    if not 0 < validation_split < 1:
        raise ValueError(
            "`validation_split` must be between 0 and 1. "
            f"Received: validation_split={validation_split}"
        )
    split_at = math.floor(len(x) * (1.0 - validation_split))
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
