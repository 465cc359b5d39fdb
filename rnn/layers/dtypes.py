"""The dtypes layers compute in: float32 (Keras's default) or float64, and the default."""

from __future__ import annotations

from typing import Any

import numpy as np

FLOAT_DTYPES = ("float32", "float64")
_floatx = "float32"


def standardize_dtype(dtype: Any) -> str:
    """Return ``"float32"`` or ``"float64"`` for a name or NumPy dtype.

    Raises
    ------
    ValueError
        For anything else (other dtypes, Keras dtype policies): rnn's layers compute
        in float32 or float64 only.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.layers.dtypes import standardize_dtype
    >>> standardize_dtype("float64"), standardize_dtype(np.float32)
    ('float64', 'float32')
    >>> standardize_dtype("float16")
    Traceback (most recent call last):
    ...
    ValueError: rnn's layers compute in 'float32' or 'float64', got dtype='float16'
    """
    try:
        name = None if dtype is None else np.dtype(dtype).name
    except (TypeError, ValueError):
        name = None
    if name not in FLOAT_DTYPES:
        raise ValueError(f"rnn's layers compute in 'float32' or 'float64', got dtype={dtype!r}")
    return name


def floatx() -> str:
    """The default dtype of new layers, ``"float32"`` unless `set_floatx` changed it.

    Examples
    --------
    >>> import rnn
    >>> rnn.floatx()
    'float32'
    """
    return _floatx


def set_floatx(value: Any) -> None:
    """Set the default dtype of new layers, like ``keras.config.set_floatx``.

    Parameters
    ----------
    value : {"float32", "float64"}
        Layers created afterwards (without ``dtype=``) compute in this dtype.

    Raises
    ------
    ValueError
        For any other dtype.

    Examples
    --------
    >>> import numpy as np
    >>> import rnn
    >>> from rnn.layers import Dense
    >>> rnn.set_floatx("float64")
    >>> Dense(2)(np.ones((1, 3))).dtype
    dtype('float64')
    >>> rnn.set_floatx("float32")   # back to the default
    >>> Dense(2)(np.ones((1, 3))).dtype
    dtype('float32')
    """
    global _floatx
    _floatx = standardize_dtype(value)
