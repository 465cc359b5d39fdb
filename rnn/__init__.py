"""rnn: a recurrent neural network in NumPy, readable and tested.

The package depends on NumPy alone. Start with :mod:`rnn.functional`, the pure
forward functions, then the Keras-style layers (:mod:`rnn.layers`) and models
(:mod:`rnn.models`).
"""

from __future__ import annotations

from rnn import activations, functional, initializers, layers, models, summary
from rnn.explain import explain_params
from rnn.initializers import set_random_seed
from rnn.naming import clear_session

__all__ = [
    "activations",
    "clear_session",
    "explain_params",
    "functional",
    "initializers",
    "layers",
    "models",
    "set_random_seed",
    "summary",
]
__version__ = "0.1.0"
