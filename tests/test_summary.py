"""model.summary(): the Keras 3 table and the older Keras styles.

The fixture tests compare the default widths on many models; here, narrower
and custom layouts (expected texts printed by Keras 3.15.1, torch backend,
stdout piped) and the printing API.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import rnn
from rnn.layers import GRU, LSTM, Bidirectional, Dense, Embedding, Input, SimpleRNN
from rnn.models import Sequential
from rnn.summary import STYLES, readable_size, summary_text

NAMES = {
    "Sequential": Sequential,
    "Input": Input,
    "SimpleRNN": SimpleRNN,
    "Dense": Dense,
    "Embedding": Embedding,
    "LSTM": LSTM,
    "GRU": GRU,
    "Bidirectional": Bidirectional,
}

KERAS3_CASES = [
    pytest.param(
        "Sequential([Input(shape=(None,)), Embedding(10000, 32), "
        "Bidirectional(LSTM(32, return_sequences=True)), SimpleRNN(1000), Dense(1)])",
        {"line_length": 30},
        """\
Model: "sequential"
┏━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━┓
┃ Layer      ┃ Output  ┃ Pa… ┃
┃ (type)     ┃ Shape   ┃   # ┃
┡━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━┩
│ embedding  │ (None,  │ 32… │
│ (Embeddin… │ None,   │     │
│            │ 32)     │     │
├────────────┼─────────┼─────┤
│ bidirecti… │ (None,  │ 16… │
│ (Bidirect… │ None,   │     │
│            │ 64)     │     │
├────────────┼─────────┼─────┤
│ simple_rnn │ (None,  │ 1,… │
│ (SimpleRN… │ 1000)   │     │
├────────────┼─────────┼─────┤
│ dense      │ (None,  │ 1,… │
│ (Dense)    │ 1)      │     │
└────────────┴─────────┴─────┘
 Total params: 1,402,641 (5.35 MB)
 Trainable params: 1,402,641 (5.35 MB)
 Non-trainable params: 0 (0.00 B)
""",
        id="narrow_30",
    ),
    pytest.param(
        "Sequential([Input(shape=(3, 1)), SimpleRNN(10), Dense(1)])",
        {"line_length": 40},
        """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓
┃                 ┃ Output     ┃ Param ┃
┃ Layer (type)    ┃ Shape      ┃     # ┃
┡━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩
│ simple_rnn      │ (None, 10) │   120 │
│ (SimpleRNN)     │            │       │
├─────────────────┼────────────┼───────┤
│ dense (Dense)   │ (None, 1)  │    11 │
└─────────────────┴────────────┴───────┘
 Total params: 131 (524.00 B)
 Trainable params: 131 (524.00 B)
 Non-trainable params: 0 (0.00 B)
""",
        id="narrow_40",
    ),
    pytest.param(
        "Sequential([Input(shape=(5, 3)), LSTM(4, return_state=True)])",
        {},
        """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ lstm (LSTM)                     │ [(None, 4), (None, 4), │           128 │
│                                 │ (None, 4)]             │               │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 128 (512.00 B)
 Trainable params: 128 (512.00 B)
 Non-trainable params: 0 (0.00 B)
""",
        id="return_state",
    ),
    pytest.param(
        "Sequential([Input(shape=(5, 3)), Dense(3)])",
        {"positions": [0.3, 0.5, 1.0]},
        """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape ┃                             Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ dense (Dense)       │ (None, 5, 3) │                                  12 │
└─────────────────────┴──────────────┴─────────────────────────────────────┘
 Total params: 12 (48.00 B)
 Trainable params: 12 (48.00 B)
 Non-trainable params: 0 (0.00 B)
""",
        id="positions",
    ),
]


def build(code: str) -> Sequential:
    rnn.clear_session()
    return eval(code, {"__builtins__": {}}, dict(NAMES))


@pytest.mark.parametrize(("code", "kwargs", "expected"), KERAS3_CASES)
def test_keras3_layouts(code: str, kwargs: dict[str, Any], expected: str) -> None:
    assert summary_text(build(code), console_width=80, **kwargs) == expected


def notebook() -> Sequential:
    rnn.clear_session()
    model = Sequential()
    model.add(SimpleRNN(10, input_shape=(3, 1)))
    model.add(Dense(1))
    return model


def test_summary_prints_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    model = notebook()
    model.summary()
    out = capsys.readouterr().out
    assert out == summary_text(model)
    assert out.startswith('Model: "sequential"\n┏')
    assert " Total params: 131 (524.00 B)\n" in out


def test_keras3_print_fn_gets_the_whole_text_once() -> None:
    calls: list[str] = []
    model = notebook()
    model.summary(print_fn=calls.append)
    assert calls == [summary_text(model)]


@pytest.mark.parametrize("style", ["tf_keras", "keras2", "classic"])
def test_legacy_print_fn_gets_lines(style: str) -> None:
    calls: list[str] = []
    model = notebook()
    model.summary(print_fn=calls.append, style=style)
    assert "\n".join(calls) + "\n" == summary_text(model, style=style)
    assert all("\n" not in line for line in calls)
    assert calls[0] == 'Model: "sequential"'


def test_default_widths() -> None:
    model = notebook()
    assert {len(line) for line in summary_text(model).splitlines()[1:8]} == {76}
    wide = summary_text(model, line_length=88).splitlines()
    assert len(wide[1]) == 88
    cropped = summary_text(model, line_length=88, console_width=80).splitlines()
    assert len(cropped[1]) == 80
    for style in ("tf_keras", "keras2", "classic"):
        assert summary_text(model, style=style).splitlines()[1] == "_" * 65
        assert summary_text(model, style=style, line_length=70).splitlines()[1] == "_" * 70


def test_unbuilt_model() -> None:
    rnn.clear_session()
    model = Sequential([SimpleRNN(10), Dense(1)])
    text = summary_text(model)
    assert "│ simple_rnn (SimpleRNN)          │ ?                      │   0 (unbuilt) │" in text
    assert " Total params: 0 (0.00 B)\n" in text
    for style in ("tf_keras", "keras2", "classic"):
        with pytest.raises(ValueError, match="This model has not yet been built"):
            summary_text(model, style=style)


def test_built_by_calling_shows_the_batch_size_like_keras() -> None:
    rnn.clear_session()
    model = Sequential([SimpleRNN(10), Dense(1)])
    model(np.zeros((2, 3, 1)))
    assert "│ simple_rnn (SimpleRNN)          │ (2, 10)" in summary_text(model)


def test_thousands_separators_and_sizes_per_style() -> None:
    rnn.clear_session()
    model = Sequential([Input(shape=(None,)), Embedding(10000, 32), SimpleRNN(32)])
    assert " Total params: 322,080 (1.23 MB)" in summary_text(model)
    assert "Total params: 322080 (1.23 MB)" in summary_text(model, style="tf_keras")
    assert "Non-trainable params: 0 (0.00 Byte)" in summary_text(model, style="tf_keras")
    assert "Total params: 322,080\n" in summary_text(model, style="keras2")
    assert "│       320,000 │" in summary_text(model)
    assert "320000" in summary_text(model, style="classic")


def test_readable_size() -> None:
    assert readable_size(524) == "524.00 B"
    assert readable_size(3164) == "3.09 KB"
    assert readable_size(5 * 1024**2) == "5.00 MB"
    assert readable_size(0, ("Byte", "KB")) == "0.00 Byte"


def test_unknown_style() -> None:
    with pytest.raises(ValueError, match="Unknown summary style 'keras4'"):
        summary_text(notebook(), style="keras4")
    assert STYLES == ("keras3", "tf_keras", "keras2", "classic")


def test_too_narrow() -> None:
    with pytest.raises(ValueError, match="Insufficient console width"):
        summary_text(notebook(), line_length=10)


def test_legacy_long_names_wrap_or_truncate() -> None:
    rnn.clear_session()
    model = Sequential([Input(shape=(5, 3)), Bidirectional(LSTM(4))])
    tf_keras = summary_text(model, style="tf_keras").splitlines()
    assert tf_keras[4].startswith(" bidirectional (Bidirection  (None, 8)")
    assert tf_keras[5].startswith(" al)")
    keras2 = summary_text(model, style="keras2").splitlines()
    assert keras2[4].startswith(" bidirectional (Bidirectiona  (None, 8)")
    classic = summary_text(model, style="classic").splitlines()
    assert classic[4].startswith("bidirectional (Bidirectional (None, 8)")


def test_absolute_positions_in_legacy_styles() -> None:
    text = summary_text(notebook(), style="classic", positions=[30, 50, 65])
    assert (
        text.splitlines()[4] == "simple_rnn (SimpleRNN)        (None, 10)          120" + " " * 12
    )


def test_sizes_follow_each_weights_dtype_like_keras() -> None:
    # Keras 3.15.1 and tf_keras print 8 bytes per float64 parameter, 4 per float32 one
    rnn.clear_session()
    model = Sequential(
        [Input(shape=(3, 1)), SimpleRNN(10, dtype="float64"), Dense(1, dtype="float64")]
    )
    assert (
        summary_text(model)
        == """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ simple_rnn (SimpleRNN)          │ (None, 10)             │           120 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ (None, 1)              │            11 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 131 (1.02 KB)
 Trainable params: 131 (1.02 KB)
 Non-trainable params: 0 (0.00 B)
"""
    )
    assert "Total params: 131 (1.02 KB)\n" in summary_text(model, style="tf_keras")
    # mixed: 120 float64 and 11 float32 parameters, 120 * 8 + 11 * 4 = 1004 bytes
    mixed = Sequential([Input(shape=(3, 1)), SimpleRNN(10, dtype="float64"), Dense(1)])
    assert " Total params: 131 (1004.00 B)\n" in summary_text(mixed)
    assert " Trainable params: 131 (1004.00 B)\n" in summary_text(mixed)
    assert "Total params: 131 (1004.00 Byte)\n" in summary_text(mixed, style="tf_keras")
    big = Sequential([Input(shape=(3, 1)), SimpleRNN(1000, dtype="float64"), Dense(1)])
    assert " Total params: 1,003,001 (7.65 MB)\n" in summary_text(big)
    assert "Total params: 1003001 (7.65 MB)\n" in summary_text(big, style="tf_keras")


def test_frozen_layers_count_as_non_trainable_like_keras() -> None:
    """Keras 3.15.1 and tf_keras 2.21 print these totals for the notebook's model with
    its SimpleRNN frozen (``model.layers[0].trainable = False``)."""
    rnn.clear_session()
    model = Sequential([Input(shape=(3, 1)), SimpleRNN(10), Dense(1)])
    model.layers[0].trainable = False
    assert summary_text(model).splitlines()[-3:] == [
        " Total params: 131 (524.00 B)",
        " Trainable params: 11 (44.00 B)",
        " Non-trainable params: 120 (480.00 B)",
    ]
    assert summary_text(model, style="tf_keras").splitlines()[-4:-1] == [
        "Total params: 131 (524.00 Byte)",
        "Trainable params: 11 (44.00 Byte)",
        "Non-trainable params: 120 (480.00 Byte)",
    ]
    model.layers[0].trainable = True
    model.trainable = False
    assert summary_text(model).splitlines()[-2] == " Trainable params: 0 (0.00 B)"
