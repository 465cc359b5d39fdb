"""Helpers with the names of ``keras.utils``: `pad_sequences` and `set_random_seed`.

Text and most real sequences come in different lengths, and a model trains on one
array: `pad_sequences` pads them (or cuts them) to one length, as Keras's
``keras.utils.pad_sequences`` does, and a `~rnn.layers.Masking` layer (or
``Embedding(mask_zero=True)``) makes the recurrent layers skip the padding.

Examples
--------
>>> import rnn
>>> rnn.utils.pad_sequences([[1], [2, 3], [4, 5, 6]], padding="post")
array([[1, 0, 0],
       [2, 3, 0],
       [4, 5, 6]], dtype=int32)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from rnn.config import set_random_seed

__all__ = ["pad_sequences", "set_random_seed"]


def _where(name: str, value: Any) -> str:
    return f"{name}={value!r} (of type {type(value).__name__})"


def _check_side(name: str, value: Any) -> str:
    """Return ``padding`` or ``truncating`` (``"pre"`` or ``"post"``), or raise Keras's error."""
    if isinstance(value, str) and value in ("pre", "post"):
        return value
    kind = "Padding" if name == "padding" else "Truncating"
    raise ValueError(
        f'{kind} type "{value}" not understood: expected "pre" or "post". '
        f"Received: {_where(name, value)}."
    )


def pad_sequences(
    sequences: Iterable[Any],
    maxlen: int | None = None,
    dtype: Any = "int32",
    padding: str = "pre",
    truncating: str = "pre",
    value: Any = 0.0,
) -> np.ndarray:
    """Pad (or truncate) sequences to one length, as ``keras.utils.pad_sequences``.

    Each sequence (a list of numbers, or of feature vectors: an array of shape
    ``(length, features...)``) becomes one row of the result, of length ``maxlen``
    (default: the longest sequence). Shorter sequences are filled with ``value``,
    before them (``padding="pre"``, the default) or after (``"post"``); longer ones
    lose their first steps (``truncating="pre"``) or their last (``"post"``).

    Parameters
    ----------
    sequences : iterable of sequences
        E.g. a list of lists of token ids, or a list of arrays of shape
        ``(length, features)``; empty sequences become all padding.
    maxlen : int, optional
        The length of every row; default the longest sequence's.
    dtype : str or numpy.dtype
        The dtype of the result: ``"int32"`` (default, for token ids, as Keras), or
        ``"float32"`` for sequences of real numbers.
    padding, truncating : {"pre", "post"}
        Where to pad and where to cut.
    value : float
        The padding value.

    Returns
    -------
    numpy.ndarray, shape (len(sequences), maxlen, features...)

    Raises
    ------
    ValueError
        If ``sequences`` is not iterable or holds an item that is not (in Keras's
        words), the sequences' items have different shapes (in Keras's words),
        ``padding`` or ``truncating`` is not ``"pre"`` or ``"post"``, ``maxlen`` is not
        positive, a string ``value`` meets a numeric ``dtype`` (Keras's words), or an
        integer ``dtype`` would cut the decimals of the sequences or of ``value``
        (where Keras truncates them silently: pass ``dtype="float32"``).
    TypeError
        If ``maxlen`` is not an integer (or None).

    Examples
    --------
    >>> from rnn.utils import pad_sequences
    >>> sequences = [[1], [2, 3], [4, 5, 6]]
    >>> pad_sequences(sequences)
    array([[0, 0, 1],
           [0, 2, 3],
           [4, 5, 6]], dtype=int32)
    >>> pad_sequences(sequences, maxlen=2)
    array([[0, 1],
           [2, 3],
           [5, 6]], dtype=int32)
    >>> pad_sequences(sequences, maxlen=2, truncating="post", padding="post", value=-1)
    array([[ 1, -1],
           [ 2,  3],
           [ 4,  5]], dtype=int32)

    Sequences of feature vectors, for a recurrent layer with a `~rnn.layers.Masking`
    layer in front:

    >>> import numpy as np
    >>> x = pad_sequences([np.ones((2, 3)), np.ones((4, 3))], padding="post", dtype="float32")
    >>> x.shape, x[0, :, 0].tolist()
    ((2, 4, 3), [1.0, 1.0, 0.0, 0.0])

    Real numbers need a float ``dtype`` (Keras would cut them to integers):

    >>> pad_sequences([[0.5, 1.5], [2.5]])
    Traceback (most recent call last):
    ...
    ValueError: Sequence 0 holds values that are not integers (e.g. 0.5), which dtype='int32' \
would truncate: pass dtype='float32' for sequences of real numbers.
    """
    padding = _check_side("padding", padding)
    truncating = _check_side("truncating", truncating)
    if maxlen is not None:
        message = (
            f"`maxlen` must be a positive integer or None. Received: {_where('maxlen', maxlen)}."
        )
        if isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)):
            raise TypeError(message)
        if maxlen < 1:
            raise ValueError(message)
        maxlen = int(maxlen)
    if isinstance(sequences, (str, bytes)) or not isinstance(sequences, Iterable):
        raise ValueError(
            f"`sequences` must be iterable. Received: {_where('sequences', sequences)}."
        )
    items = list(sequences)
    target = np.dtype(dtype)
    textual = target.kind in "OSU"
    if isinstance(value, str) and not textual:
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
            "You should set `dtype=object` for variable length strings."
        )
    integer = target.kind in "iub"
    if integer and not isinstance(value, str) and not float(value).is_integer():  # nan, inf
        raise ValueError(
            f"The padding value={value!r} is not an integer, which dtype={dtype!r} cannot "
            "hold: pass a float dtype (e.g. dtype='float32') or an integer value."
        )
    arrays: list[np.ndarray] = []
    feature_shape: tuple[int, ...] | None = None
    for position, item in enumerate(items):
        if isinstance(item, (str, bytes)):
            raise ValueError(
                f"`sequences` must be a list of sequences of numbers. Found a string: "
                f"{item!r} at position {position}: turn text into sequences of token ids "
                "first."
            )
        try:
            len(item)
        except TypeError:
            raise ValueError(
                "`sequences` must be a list of iterables. Found non-iterable: "
                f"{item!r} (of type {type(item).__name__}) at position {position}. For one "
                "sequence, pass [sequence]."
            ) from None
        array = np.asarray(item, dtype=object if textual else None)
        if len(item) and feature_shape is None:
            feature_shape = array.shape[1:]
        arrays.append(array)
    feature_shape = feature_shape or ()
    length = maxlen if maxlen is not None else max((len(a) for a in arrays), default=0)
    result = np.full((len(arrays), length, *feature_shape), value, dtype=target)
    for position, array in enumerate(arrays):
        if not len(array):
            continue
        if array.shape[1:] != feature_shape:
            raise ValueError(
                f"Shape of sample {array.shape[1:]} of sequence at position {position} is "
                f"different from expected shape {feature_shape}"
            )
        if integer and array.dtype.kind in "fc":
            fractional = array[~np.isfinite(array) | (array != np.round(array))]
            if fractional.size:
                raise ValueError(
                    f"Sequence {position} holds values that are not integers (e.g. "
                    f"{fractional.flat[0].item()!r}), which dtype={dtype!r} would truncate: "
                    "pass dtype='float32' for sequences of real numbers."
                )
        kept = array[-length:] if truncating == "pre" else array[:length]
        if padding == "pre":
            result[position, length - len(kept) :] = kept
        else:
            result[position, : len(kept)] = kept
    return result
