"""Checks of numeric arguments, shared by the callbacks, constraints and initializers.

Each names the argument and shows what came with its repr and type, as rnn's errors do.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def received(name: str, value: Any) -> str:
    """``Received: name=<repr> (of type <type>)``."""
    return f"Received: {name}={value!r} (of type {type(value).__name__})"


def check_count(name: str, value: Any, what: str = "epochs") -> int:
    """Return a count: an int >= 0 (NumPy ints too, not bools).

    Raises
    ------
    ValueError
        For anything else, naming ``what`` is counted.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(
            f"`{name}` must be a non-negative integer ({what}). {received(name, value)}"
        )
    return int(value)


def check_number(
    name: str, value: Any, *, optional: bool = False, minimum: float | None = None
) -> Any:
    """Return a finite real number (not a bool), at least ``minimum`` (None if ``optional``).

    Raises
    ------
    TypeError
        For what is not a number.
    ValueError
        For NaN, an infinity, or a number below ``minimum``.
    """
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"`{name}` must be a number. {received(name, value)}")
    if not np.isfinite(value) or (minimum is not None and value < minimum):
        at_least = "" if minimum is None else f" >= {minimum:g}"
        raise ValueError(f"`{name}` must be a finite number{at_least}. {received(name, value)}")
    return value
