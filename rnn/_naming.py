"""Layer and model names the way Keras 3 gives them.

Keras 3 names an object after its class in snake case (``SimpleRNN`` becomes
``simple_rnn``) and appends a counter the second time a name is taken
(``simple_rnn``, ``simple_rnn_1``, ...). The counters are global to the session
and are taken when the object is constructed; :func:`clear_session` resets them.
"""

from __future__ import annotations

import re
from collections import defaultdict

_counters: defaultdict[str, int] = defaultdict(int)


def to_snake_case(name: str) -> str:
    """Convert a class name to the snake case Keras uses for default names.

    Parameters
    ----------
    name : str
        A class name such as ``"SimpleRNN"``.

    Returns
    -------
    str
        The snake-case prefix, e.g. ``"simple_rnn"``.

    Examples
    --------
    >>> from rnn._naming import to_snake_case
    >>> [to_snake_case(n) for n in ["SimpleRNN", "LSTM", "GRU", "InputLayer", "Dense"]]
    ['simple_rnn', 'lstm', 'gru', 'input_layer', 'dense']
    """
    name = re.sub(r"\W+", "", name)
    # a capital followed by lower case starts a word: "SimpleRNN" -> "Simple_RNN"
    name = re.sub(r"(?<=.)([A-Z][a-z]+)", r"_\1", name)
    # a lower-case letter followed by a capital ends a word: "RNNCell" stays handled above
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


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
    >>> from rnn._naming import unique_name
    >>> rnn.clear_session()
    >>> unique_name("dense"), unique_name("dense"), unique_name("lstm")
    ('dense', 'dense_1', 'lstm')
    """
    count = _counters[prefix]
    _counters[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"


def auto_name(class_name: str) -> str:
    """Return the default name for a new object of class ``class_name``."""
    return unique_name(to_snake_case(class_name))


def clear_session() -> None:
    """Reset the name counters, like ``keras.backend.clear_session()``.

    After this, the next ``SimpleRNN`` is called ``simple_rnn`` again.

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
    _counters.clear()
