"""The dtypes layers compute in: float32 (Keras's default) or float64.

The default for new layers, `floatx`, is part of the session: see :mod:`rnn.config`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnn.config import FLOAT_DTYPES

__all__ = ["FLOAT_DTYPES", "standardize_dtype"]


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
