"""Keras-compatible layers in NumPy.

>>> from rnn.layers import Embedding, Dense, SimpleRNN, LSTM, GRU, Bidirectional, Input
>>> from rnn.layers import Masking, Dropout, TimeDistributed
>>> from rnn.layers import RNN, SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells
>>> from rnn.layers import Add, Concatenate, add, concatenate
"""

from __future__ import annotations

from rnn.layers.core import Dense, Input, InputLayer, Masking
from rnn.layers.embedding import Embedding
from rnn.layers.gru import GRU, GRUCell
from rnn.layers.layer import Layer
from rnn.layers.lstm import LSTM, LSTMCell
from rnn.layers.merging import Add, Concatenate, add, concatenate
from rnn.layers.regularization import Dropout
from rnn.layers.rnn import RNN, StackedRNNCells
from rnn.layers.simple_rnn import SimpleRNN, SimpleRNNCell
from rnn.layers.wrappers import Bidirectional, TimeDistributed

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "Add",
    "Bidirectional",
    "Concatenate",
    "Dense",
    "Dropout",
    "Embedding",
    "GRUCell",
    "Input",
    "InputLayer",
    "LSTMCell",
    "Layer",
    "Masking",
    "SimpleRNN",
    "SimpleRNNCell",
    "StackedRNNCells",
    "TimeDistributed",
    "add",
    "concatenate",
]
