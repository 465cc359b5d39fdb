"""Models, with Keras 3's API and summary: `Model`, `Sequential` and the functional API.

`Sequential` is a plain stack of layers. ``Model(inputs, outputs)`` is Keras's functional
API (a `Functional` model): layers called on the `KerasTensor` of `Input`, for models with
several inputs or outputs, branches, shared layers, or states passed from one recurrent
layer to another. Both are `Model`s, as in Keras 3.
"""

from __future__ import annotations

from rnn.models.functional import Functional
from rnn.models.model import Model
from rnn.models.sequential import Sequential
from rnn.saving import load_model, save_model  # Keras's keras.models.load_model, save_model

__all__ = ["Functional", "Model", "Sequential", "load_model", "save_model"]
