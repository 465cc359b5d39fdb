"""rnn: a recurrent neural network in NumPy, readable and tested.

The package depends on NumPy alone. Start with :mod:`rnn.functional`, the pure
forward functions, then the Keras-style layers and models.
"""

from __future__ import annotations

from rnn import activations, functional

__all__ = ["activations", "functional"]
__version__ = "0.1.0"
