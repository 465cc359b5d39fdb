"""The session's state, in one place, like ``keras.config``.

A session has three pieces of state: the default dtype of new layers (`floatx`), the
random generator that initializes weights and shuffles ``fit``'s batches (reseeded by
`set_random_seed`), and the counters that name layers and models (``dense``,
``dense_1``, ...; reset by `clear_session`). `reset_session` resets all three: what a
new Python process would start with. Every fresh start (each page and docstring of the
tests, each page run by the build's figures, each page of the course notebook, each unit
test) calls it.

Examples
--------
>>> import rnn
>>> from rnn.layers import Dense
>>> rnn.config.set_floatx("float64")
>>> Dense(1).name, rnn.config.floatx()
('dense', 'float64')
>>> rnn.config.reset_session()
>>> Dense(1).name, rnn.config.floatx()
('dense', 'float32')
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

__all__ = [
    "clear_session",
    "floatx",
    "global_rng",
    "reset_session",
    "set_floatx",
    "set_random_seed",
    "unique_name",
]

#: the dtypes rnn's layers compute in, Keras's default first
FLOAT_DTYPES = ("float32", "float64")

_floatx = FLOAT_DTYPES[0]
_rng: np.random.Generator = np.random.default_rng()
_name_counters: defaultdict[str, int] = defaultdict(int)


# ------------------------------------------------------------------------ floatx


def floatx() -> str:
    """Return the default dtype of new layers, ``"float32"`` unless `set_floatx` changed it.

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
    value : str
        ``"float32"`` or ``"float64"``: layers created afterwards (without ``dtype=``)
        compute in this dtype. A NumPy dtype (``np.float64``) is taken for its name.

    Raises
    ------
    ValueError
        For any other value (``"float16"``, ``"int32"``, ``None``, a number...), in
        Keras's words, with the type of a value that is not a string (rnn's layers
        compute in float32 or float64 only); the default is then unchanged.

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
    >>> rnn.set_floatx("float16")
    Traceback (most recent call last):
    ...
    ValueError: Unknown `floatx` value: float16. Expected one of {'float32', 'float64'}
    """
    global _floatx
    name = value
    if value is not None and not isinstance(value, str):  # np.float64, np.dtype("float32")
        try:
            name = np.dtype(value).name
        except (TypeError, ValueError):
            pass
    if name not in FLOAT_DTYPES:
        accepted = "{" + ", ".join(repr(d) for d in FLOAT_DTYPES) + "}"
        shown = value if value is None or isinstance(value, (str, type)) else repr(value)
        kind = (
            "" if value is None or isinstance(value, str) else f" (of type {type(value).__name__})"
        )
        raise ValueError(f"Unknown `floatx` value: {shown}{kind}. Expected one of {accepted}")
    _floatx = name


# -------------------------------------------------------------------- random seed


def set_random_seed(seed: int) -> None:
    """Seed the generator that initializes weights, like ``keras.utils.set_random_seed``.

    The same generator shuffles the batches of ``fit``.

    Parameters
    ----------
    seed : int
        Any non-negative integer (a NumPy integer too).

    Raises
    ------
    ValueError
        If ``seed`` is not an integer (``None``, a float, a string, a bool: Keras's
        wording), or is negative. ``None`` does not unseed the generator: call
        `reset_session` for that.

    Examples
    --------
    >>> import numpy as np
    >>> import rnn
    >>> from rnn.layers import Dense
    >>> rnn.set_random_seed(0)
    >>> a = Dense(2)(np.ones((1, 3))).tolist()
    >>> rnn.set_random_seed(0)
    >>> a == Dense(2)(np.ones((1, 3))).tolist()
    True
    """
    global _rng
    _rng = np.random.default_rng(_check_seed(seed))


def _check_seed(seed: Any, allow_none: bool = False) -> int | None:
    """Return ``seed`` as an int if it is a non-negative integer (None if allowed), or raise."""
    if seed is None and allow_none:
        return None
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, (bool, np.bool_)):
        hint = (
            ". `set_random_seed(None)` does not unseed the generator: "
            "`rnn.config.reset_session()` starts an unseeded one"
            if seed is None
            else ""
        )
        raise ValueError(
            "Expected `seed` argument to be an integer. "
            f"Received: seed={seed!r} (of type {type(seed).__name__}){hint}"
        )
    if seed < 0:
        raise ValueError(
            f"Expected `seed` argument to be a non-negative integer. Received: seed={int(seed)}"
        )
    return int(seed)


def global_rng() -> np.random.Generator:
    """Return the session's generator (reseeded by `set_random_seed`)."""
    return _rng


# ------------------------------------------------------------------------- names


def unique_name(prefix: str) -> str:
    """Take the next free name for ``prefix``: ``prefix``, then ``prefix_1``, ...

    Parameters
    ----------
    prefix : str
        The base name, already in snake case.

    Returns
    -------
    str
        A name not handed out before in this session.

    Examples
    --------
    >>> import rnn
    >>> from rnn.config import unique_name
    >>> rnn.clear_session()
    >>> unique_name("dense"), unique_name("dense"), unique_name("lstm")
    ('dense', 'dense_1', 'lstm')
    """
    count = _name_counters[prefix]
    _name_counters[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"


def clear_session() -> None:
    """Reset the name counters, like ``keras.backend.clear_session()``.

    After this, the next ``SimpleRNN`` is called ``simple_rnn`` again. The dtype and the
    random generator stay as they are (`reset_session` resets them too).

    Examples
    --------
    >>> import rnn
    >>> from rnn.layers import Dense
    >>> rnn.clear_session()
    >>> Dense(1).name, Dense(1).name
    ('dense', 'dense_1')
    >>> rnn.clear_session()
    >>> Dense(1).name
    'dense'
    """
    _name_counters.clear()


# ------------------------------------------------------------------ a fresh start


def reset_session(seed: int | None = None) -> None:
    """Start afresh, as a new Python process would: every piece of the session's state.

    - the name counters (`clear_session`): the next ``Dense`` is ``dense`` again;
    - the default dtype: ``"float32"`` again (`set_floatx`);
    - the random generator: a new one, unseeded (different numbers in each session,
      as in a new process), or seeded with ``seed`` (`set_random_seed`).

    Parameters
    ----------
    seed : int, optional
        Seed the new generator with this.

    Raises
    ------
    ValueError
        If ``seed`` is neither None nor a non-negative integer (see `set_random_seed`);
        the session is then left as it was.

    Examples
    --------
    >>> import numpy as np
    >>> import rnn
    >>> from rnn.layers import Dense
    >>> rnn.set_floatx("float64")
    >>> rnn.config.reset_session(seed=0)
    >>> layer = Dense(2)
    >>> layer.name, layer.dtype
    ('dense', 'float32')
    >>> first = layer(np.ones((1, 3))).tolist()
    >>> rnn.config.reset_session(seed=0)
    >>> first == Dense(2)(np.ones((1, 3))).tolist()
    True
    """
    global _floatx, _rng
    seed = _check_seed(seed, allow_none=True)
    clear_session()
    _floatx = FLOAT_DTYPES[0]
    _rng = np.random.default_rng(seed)
