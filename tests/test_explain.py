"""rnn.explain_params: every formula evaluates to the layer's real count."""

from __future__ import annotations

import re

import pytest

import rnn
from rnn.explain import ParamExplanation, explain_params
from rnn.layers import GRU, LSTM, Bidirectional, Dense, Embedding, Input, SimpleRNN
from rnn.layers.layer import Layer
from rnn.models import Sequential

RECURRENT = [
    SimpleRNN(10),
    SimpleRNN(7, use_bias=False),
    LSTM(32),
    LSTM(5, use_bias=False),
    GRU(32),
    GRU(32, reset_after=False),
    GRU(6, use_bias=False),
    Bidirectional(LSTM(16)),
    Bidirectional(SimpleRNN(4)),
    Bidirectional(GRU(8, reset_after=False)),
]


def evaluate(formula: str) -> int:
    assert re.fullmatch(r"[0-9*+() ]+", formula), formula
    return int(eval(formula, {"__builtins__": {}}))


def torch_formula(line: str) -> tuple[str, int]:
    """Split 'nn.LSTM(4, 32): 4*32*(32 + 4 + 2) = 4,864' into formula and value."""
    formula, value = line.split(": ", 1)[1].rsplit(" = ", 1)
    return formula, int(value.replace(",", ""))


@pytest.mark.parametrize("layer", RECURRENT, ids=lambda layer: repr(layer))
def test_recurrent_formulas_evaluate_to_the_count(layer: Layer) -> None:
    model = Sequential([Input(shape=(5, 3)), layer])
    item = explain_params(model).layers[0]
    assert evaluate(item.numbers) == item.count == layer.count_params()
    assert item.torch is not None
    formula, value = torch_formula(item.torch)
    assert evaluate(formula) == value


@pytest.mark.parametrize(
    ("layer", "torch_count"),
    [
        # PyTorch: gates * h * (h + f + 2) with two bias vectors, per direction
        (SimpleRNN(10), 10 * (10 + 3 + 2)),
        (LSTM(32), 4 * 32 * (32 + 3 + 2)),
        (GRU(32), 3 * 32 * (32 + 3 + 2)),
        (GRU(32, reset_after=False), 3 * 32 * (32 + 3 + 2)),
        (LSTM(5, use_bias=False), 4 * 5 * (5 + 3)),
        (Bidirectional(LSTM(16)), 2 * 4 * 16 * (16 + 3 + 2)),
    ],
    ids=lambda v: repr(v) if not isinstance(v, int) else str(v),
)
def test_pytorch_counts(layer: Layer, torch_count: int) -> None:
    Sequential([Input(shape=(5, 3)), layer])
    _, value = torch_formula(explain_params(layer).layers[0].torch or "")
    assert value == torch_count


def test_gru_reset_after_matches_pytorch_exactly() -> None:
    layer = GRU(12)
    Sequential([Input(shape=(5, 3)), layer])
    item = explain_params(layer).layers[0]
    assert torch_formula(item.torch or "")[1] == item.count


def test_notebook_model_text() -> None:
    rnn.clear_session()
    model = Sequential([SimpleRNN(10, input_shape=(3, 1)), Dense(1)])
    text = str(explain_params(model))
    assert "simple_rnn (SimpleRNN): 10*10 + 1*10 + 10 = 120" in text
    assert "dense (Dense): 10*1 + 1 = 11" in text
    assert text.endswith("Total: 120 + 11 = 131")
    assert repr(explain_params(model)) == text


def test_dense_embedding_and_totals() -> None:
    rnn.clear_session()
    model = Sequential(
        [Input(shape=(None,)), Embedding(10000, 32), SimpleRNN(32), Dense(1, use_bias=False)]
    )
    explanation = explain_params(model)
    assert isinstance(explanation, ParamExplanation)
    numbers = [item.numbers for item in explanation.layers]
    assert numbers == ["10000*32", "32*32 + 32*32 + 32", "32*1"]
    assert explanation.total == model.count_params() == 322_112
    assert "Total: 320,000 + 2,080 + 32 = 322,112" in str(explanation)
    assert explanation.layers[0].torch is None


def test_bidirectional_doubles() -> None:
    layer = Bidirectional(LSTM(16))
    Sequential([Input(shape=(6, 3)), layer])
    item = explain_params(layer).layers[0]
    assert item.numbers == "2*4*(16*16 + 3*16 + 16)"
    assert item.count == 2 * 4 * (16 * 16 + 3 * 16 + 16)


def test_single_layer_has_no_total_line() -> None:
    rnn.clear_session()
    layer = Dense(4)
    layer.build((None, 3))
    assert str(explain_params(layer)) == "dense (Dense): 3*4 + 4 = 16\n    features*units + units"


def test_unbuilt_raises_keras_message() -> None:
    rnn.clear_session()
    with pytest.raises(ValueError, match="isn't built"):
        explain_params(Sequential([SimpleRNN(3)]))
    with pytest.raises(ValueError, match="You tried to call `count_params` on layer 'lstm'"):
        explain_params(LSTM(3))


def test_pytorch_modules_agree() -> None:
    torch = pytest.importorskip("torch")
    cases = [
        (SimpleRNN(10), torch.nn.RNN(3, 10)),
        (LSTM(8, use_bias=False), torch.nn.LSTM(3, 8, bias=False)),
        (GRU(6), torch.nn.GRU(3, 6)),
        (Bidirectional(LSTM(4)), torch.nn.LSTM(3, 4, bidirectional=True)),
    ]
    for layer, module in cases:
        Sequential([Input(shape=(5, 3)), layer])
        _, value = torch_formula(explain_params(layer).layers[0].torch or "")
        assert value == sum(p.numel() for p in module.parameters())
