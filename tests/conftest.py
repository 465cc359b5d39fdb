"""What every unit test shares: a fresh rnn session, and the one list of built-in layers.

- Each test starts as a new session would (`rnn.config.reset_session`).
- `LAYER_CASES` lists every layer `rnn.layers` exports, with the arguments and the input
  to check it on. A test that takes the argument ``layer_case`` runs once per entry
  (``tests/test_testing.py`` puts each through `rnn.testing.check_layer`), and
  ``layer_cases`` is the whole list: a layer exported but not listed here fails
  ``test_every_layer_rnn_exports_is_in_the_one_list``.

The pages' readers (sybil's parsers, a fresh start) are in ``hooks/pages.py``, which the
site build uses too; the weight nudge of ``make robust`` is in ``tests/_harness.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import rnn
from rnn.layers import (
    GRU,
    LSTM,
    RNN,
    Bidirectional,
    Dense,
    Dropout,
    Embedding,
    GRUCell,
    LSTMCell,
    Masking,
    SimpleRNN,
    SimpleRNNCell,
    TimeDistributed,
)

# Each entry: the arguments of rnn.testing.check_layer. Parameter counts as Keras prints
# them in model.summary(), for the inputs given.
LAYER_CASES: list[dict[str, Any]] = [
    {
        "layer_cls": Dense,
        "init_kwargs": {"units": 3, "activation": "tanh"},
        "input_shape": (2, 4, 5),
        "expected_output_shape": (2, 4, 3),
        "expected_num_params": 5 * 3 + 3,
    },
    {
        "layer_cls": Embedding,
        "init_kwargs": {"input_dim": 10, "output_dim": 4},
        "input_data": np.array([[1, 2, 3], [4, 5, 9]]),
        "expected_output_shape": (2, 3, 4),
        "expected_num_params": 10 * 4,
    },
    {
        "layer_cls": Embedding,
        "init_kwargs": {"input_dim": 10, "output_dim": 4, "mask_zero": True},
        "input_data": np.array([[1, 2, 0], [4, 0, 0]]),
        "expected_output_shape": (2, 3, 4),
        "expected_num_params": 10 * 4,
    },
    {
        # no step all at mask_value: the finite differences of the gradient check would
        # move it off the mask (tests/test_masking.py checks the masked steps)
        "layer_cls": Masking,
        "init_kwargs": {"mask_value": 0.0},
        "input_data": np.array([[[1.0, 2.0], [0.5, 0.0]], [[0.0, 3.0], [4.0, 0.0]]]),
        "expected_output_shape": (2, 2, 2),
        "expected_num_params": 0,
    },
    {
        "layer_cls": Dropout,
        "init_kwargs": {"rate": 0.5, "seed": 1},
        "input_shape": (2, 4, 5),
        "expected_output_shape": (2, 4, 5),
        "expected_num_params": 0,
    },
    {
        "layer_cls": SimpleRNN,
        "init_kwargs": {"units": 3, "return_sequences": True},
        "input_shape": (2, 4, 5),
        "expected_output_shape": (2, 4, 3),
        "expected_num_params": 3 * 3 + 5 * 3 + 3,
    },
    {
        "layer_cls": LSTM,
        "init_kwargs": {"units": 3, "return_state": True},
        "input_shape": (2, 4, 5),
        "expected_output_shape": [(2, 3), (2, 3), (2, 3)],
        "expected_num_params": 4 * (3 * 3 + 5 * 3 + 3),
    },
    {
        # dropout is off outside training: the checks see the plain layer, and the config
        # round trip keeps the rates (tests/test_dropout.py checks training)
        "layer_cls": LSTM,
        "init_kwargs": {"units": 3, "dropout": 0.2, "recurrent_dropout": 0.1},
        "input_shape": (2, 4, 5),
        "expected_output_shape": (2, 3),
        "expected_num_params": 4 * (3 * 3 + 5 * 3 + 3),
    },
    {
        "layer_cls": GRU,
        "init_kwargs": {"units": 3},
        "input_shape": (2, 4, 5),
        "expected_output_shape": (2, 3),
        "expected_num_params": 3 * (3 * 3 + 5 * 3 + 2 * 3),
    },
    {
        "layer_cls": GRU,
        "init_kwargs": {"units": 3, "reset_after": False, "return_sequences": True},
        "input_shape": (2, 4, 5),
        "expected_output_shape": (2, 4, 3),
        "expected_num_params": 3 * (3 * 3 + 5 * 3 + 3),
    },
    {
        "layer_cls": Bidirectional,
        "init_kwargs": {"layer": LSTM(2, return_sequences=True)},
        "input_shape": (2, 4, 5),
        "expected_output_shape": (2, 4, 4),
        "expected_num_params": 2 * 4 * (2 * 2 + 5 * 2 + 2),
    },
    {
        "layer_cls": RNN,
        "init_kwargs": {"cell": SimpleRNNCell(3), "return_sequences": True},
        "input_shape": (2, 4, 5),
        "expected_output_shape": (2, 4, 3),
        "expected_num_params": 3 * 3 + 5 * 3 + 3,
    },
    {
        "layer_cls": RNN,
        "init_kwargs": {"cell": LSTMCell(3), "return_state": True, "go_backwards": True},
        "input_shape": (2, 4, 5),
        "expected_output_shape": [(2, 3), (2, 3), (2, 3)],
        "expected_num_params": 4 * (3 * 3 + 5 * 3 + 3),
    },
    {
        "layer_cls": RNN,
        "init_kwargs": {"cell": GRUCell(3, dropout=0.2, recurrent_dropout=0.1)},
        "input_shape": (2, 4, 5),
        "expected_output_shape": (2, 3),
        "expected_num_params": 3 * (3 * 3 + 5 * 3 + 2 * 3),
    },
    {
        # a list of cells is stacked (StackedRNNCells): 3 units, then 2
        "layer_cls": RNN,
        "init_kwargs": {"cell": [SimpleRNNCell(3), LSTMCell(2)], "return_sequences": True},
        "input_shape": (2, 4, 5),
        "expected_output_shape": (2, 4, 2),
        "expected_num_params": (3 * 3 + 5 * 3 + 3) + 4 * (2 * 2 + 3 * 2 + 2),
    },
    {
        "layer_cls": TimeDistributed,
        "init_kwargs": {"layer": Dense(3)},
        "input_shape": (2, 4, 5),
        "expected_output_shape": (2, 4, 3),
        "expected_num_params": 5 * 3 + 3,
    },
]


def _case_id(case: dict[str, Any]) -> str:
    def shown(value: Any) -> str:
        if isinstance(value, list):
            return "[" + ",".join(shown(v) for v in value) + "]"
        return type(value).__name__ if isinstance(value, rnn.layers.Layer) else str(value)

    arguments = ",".join(
        f"{key}={shown(value)}" for key, value in case["init_kwargs"].items() if key != "layer"
    )
    return f"{case['layer_cls'].__name__}({arguments})"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "layer_case" in metafunc.fixturenames:
        metafunc.parametrize("layer_case", LAYER_CASES, ids=[_case_id(c) for c in LAYER_CASES])


@pytest.fixture
def layer_cases() -> list[dict[str, Any]]:
    """The one list of built-in layers, as a whole."""
    return LAYER_CASES


@pytest.fixture(autouse=True)
def _fresh_session() -> None:
    """Each test starts as a new session would: `rnn.config.reset_session`."""
    rnn.config.reset_session()
