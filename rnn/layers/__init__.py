"""Keras-compatible layers in NumPy.

>>> from rnn.layers import Embedding, Dense, SimpleRNN, LSTM, GRU, Bidirectional, Input
"""

from __future__ import annotations

from rnn.layers.base import Layer
from rnn.layers.core import Dense, Input, InputLayer
from rnn.layers.embedding import Embedding
from rnn.layers.recurrent import GRU, LSTM, RNN, SimpleRNN
from rnn.layers.wrappers import Bidirectional

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "Bidirectional",
    "Dense",
    "Embedding",
    "Input",
    "InputLayer",
    "Layer",
    "SimpleRNN",
]
