"""The data checks and batching behind ``fit`` and ``evaluate``, in Keras's wording.

`~rnn.training.TrainingMixin` turns ``x`` and ``y`` into arrays of the same length
(`check_xy`), holds out a validation split (`split_validation`), and walks the
samples in mini-batches (`batches`).

Examples
--------
>>> import numpy as np
>>> from rnn._data_adapter import batches, split_validation
>>> x, y = np.arange(10), np.arange(10) * 2
>>> x_train, y_train, (x_val, y_val) = split_validation(x, y, 0.2)
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

__all__ = [
    "ArrayList",
    "batches",
    "check_batch_size",
    "check_cardinality",
    "check_validation_data",
    "check_xy",
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
    """The arrays of a model's several inputs, sliced together as one array would be.

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


def check_xy(x: Any, y: Any) -> tuple[Any, np.ndarray]:
    """``x`` and ``y`` as arrays with the same number of samples.

    Raises
    ------
    ValueError
        If one is missing, or their lengths differ (`check_cardinality`).
    """
    if x is None or y is None:
        raise ValueError("`x` and `y` must both be given: the inputs and their targets.")
    x = x if isinstance(x, ArrayList) else np.asarray(x)
    y = np.asarray(y)
    check_cardinality(x=x, y=y)
    return x, y


def check_batch_size(batch_size: int | None) -> int:
    """``batch_size`` as an int (default 32), or Keras's ``ValueError``."""
    if batch_size is None:
        return 32
    ok = isinstance(batch_size, (int, np.integer)) and not isinstance(batch_size, bool)
    if not ok or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive integer. Received: {batch_size}")
    return int(batch_size)


def check_validation_data(validation_data: Any) -> tuple[np.ndarray, np.ndarray]:
    """``validation_data`` as the pair ``(x_val, y_val)`` of arrays (see `check_xy`)."""
    if len(validation_data) != 2:
        raise ValueError(
            "`validation_data` must be a tuple `(x_val, y_val)`. "
            f"Received a sequence of length {len(validation_data)}."
        )
    return check_xy(*validation_data)


def split_validation(
    x: np.ndarray, y: np.ndarray, validation_split: float
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """Hold out the last ``validation_split`` of the samples, as Keras: ``x, y, (x_val, y_val)``."""
    if not validation_split:
        return x, y, None
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
    return x[:split_at], y[:split_at], (x[split_at:], y[split_at:])


def batches(
    samples: int, batch_size: int, order: np.ndarray | None = None
) -> Iterator[slice | np.ndarray]:
    """Return the index of each mini-batch: consecutive slices, or slices of ``order`` if given.

    There are ``ceil(samples / batch_size)`` of them; the last may be smaller.
    """
    for step in range(math.ceil(samples / batch_size)):
        batch = slice(step * batch_size, (step + 1) * batch_size)
        yield batch if order is None else order[batch]
