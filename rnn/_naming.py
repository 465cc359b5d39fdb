"""Layer and model names the way Keras 3 gives them.

Keras 3 names an object after its class in snake case (``SimpleRNN`` becomes
``simple_rnn``) and appends a counter the second time a name is taken
(``simple_rnn``, ``simple_rnn_1``, ...). The counters are global to the session
and are taken when the object is constructed; they live in :mod:`rnn.config`, and
:func:`rnn.clear_session` resets them.
"""

from __future__ import annotations

import re

from rnn.config import unique_name


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


def auto_name(class_name: str) -> str:
    """Return the default name for a new object of class ``class_name``."""
    return unique_name(to_snake_case(class_name))
