"""rnn: a recurrent neural network in NumPy, readable and tested.

The package depends on NumPy alone. Start with :mod:`rnn.functional`, the pure
forward and backward functions, then the Keras-style layers (:mod:`rnn.layers`) and models
(:mod:`rnn.models`).
"""

from __future__ import annotations

from rnn import (
    activations,
    callbacks,
    config,
    constraints,
    functional,
    gradcheck,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
    saving,
    summary,
    training,
    utils,
)
from rnn._graph import KerasTensor
from rnn.config import clear_session, floatx, set_floatx, set_random_seed
from rnn.explain import explain_params
from rnn.gradcheck import check_gradients
from rnn.models import Model, Sequential

__all__ = [
    "KerasTensor",
    "Model",
    "Sequential",
    "activations",
    "callbacks",
    "check_gradients",
    "clear_session",
    "config",
    "constraints",
    "explain_params",
    "floatx",
    "functional",
    "gradcheck",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "optimizers",
    "regularizers",
    "saving",
    "set_floatx",
    "set_random_seed",
    "summary",
    "training",
    "utils",
]
__version__ = "0.1.0"
