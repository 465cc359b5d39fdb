"""rnn.datasets: the weather series read from vega_datasets' files, text, and tasks."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from rnn import datasets


def test_seattle_temps_are_hourly_2010_in_fahrenheit() -> None:
    times, temps = datasets.load_seattle_temps()
    assert times.dtype == np.dtype("datetime64[h]")
    assert temps.dtype == np.float64
    assert times.shape == temps.shape == (8759,)
    assert str(times[0]) == "2010-01-01T00" and str(times[-1]) == "2010-12-31T23"
    steps = np.diff(times).astype(int)
    # one reading an hour, local time: the hour skipped when clocks went forward
    assert set(steps.tolist()) == {1, 2}
    assert str(times[1:][steps == 2][0]) == "2010-03-14T04"
    # plausible Seattle air temperatures in °F, warmer in summer than in winter
    assert 30 < temps.min() < temps.max() < 90
    july = temps[(times >= np.datetime64("2010-07-01T00")) & (times < np.datetime64("2010-08"))]
    january = temps[times < np.datetime64("2010-02-01T00")]
    assert july.mean() > january.mean() + 15


def test_source_and_licence_are_stated() -> None:
    load = datasets.load_seattle_temps
    assert load.SOURCE == datasets.SEATTLE_TEMPS_SOURCE
    assert load.LICENSE == datasets.SEATTLE_TEMPS_LICENSE
    assert "NOAA" in load.SOURCE and "vega_datasets" in load.SOURCE
    assert "public domain" in load.LICENSE and "MIT" in load.LICENSE
    assert "NOAA" in load.__doc__ and "MIT" in load.__doc__


def test_vega_datasets_is_read_without_importing_it() -> None:
    code = (
        "import sys; from rnn.datasets import load_seattle_temps; load_seattle_temps(); "
        "print('vega_datasets' in sys.modules, 'pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_rnn_itself_does_not_need_vega_datasets() -> None:
    code = "import sys, rnn, rnn.datasets; print(sorted(m for m in sys.modules if 'vega' in m))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_missing_package_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "vega_datasets" else real(name, *a),
    )
    with pytest.raises(ModuleNotFoundError, match=r"pip install vega_datasets") as info:
        datasets.load_seattle_temps()
    assert info.value.name == "vega_datasets"
    assert "not a dependency of rnn" in str(info.value)


def test_chronological_split_keeps_time_order() -> None:
    train, val, test = datasets.chronological_split(8759)
    assert (train.start, train.stop, val.stop, test.stop) == (0, 6131, 7445, 8759)
    assert train.stop == val.start and val.stop == test.start
    with pytest.raises(ValueError, match="add up to less than 1"):
        datasets.chronological_split(10, (0.9, 0.2))


def test_windows_stay_inside_their_part() -> None:
    series = np.arange(100.0)
    x, y = datasets.windows(series, length=24, horizon=6, part=slice(10, 60))
    assert x.shape == (60 - 10 - 24 - 6 + 1, 24, 1)
    # every window and every target lies inside the part
    assert x.min() >= 10 and y.max() <= 59
    # the target is `horizon` steps after the window's last step
    np.testing.assert_array_equal(y, x[:, -1, 0] + 6)
    features = np.stack([series, -series], axis=1)
    x2, y2 = datasets.windows(features, 5, 1, targets=series * 10)
    assert x2.shape == (95, 5, 2)
    np.testing.assert_array_equal(y2, (x2[:, -1, 0] + 1) * 10)
    with pytest.raises(ValueError, match="give targets="):
        datasets.windows(features, 5, 1)
    with pytest.raises(ValueError, match="same length"):
        datasets.windows(features, 5, 1, targets=series[:50])
    with pytest.raises(ValueError, match="contiguous"):
        datasets.windows(series, 5, 1, part=slice(0, 50, 2))


def test_zen_of_python_is_decoded_without_printing(capsys: pytest.CaptureFixture[str]) -> None:
    zen = datasets.load_zen_of_python()
    assert capsys.readouterr().out == ""
    assert len(zen) == 856
    assert "Simple is better than complex." in zen
    assert zen.endswith("Namespaces are one honking great idea -- let's do more of those!")


def test_char_vocabulary_and_sequences() -> None:
    zen = datasets.load_zen_of_python()
    vocab = datasets.char_vocabulary(zen)
    assert vocab == sorted(vocab) and len(vocab) == len(set(zen)) == 45
    ids = np.array([vocab.index(c) for c in zen])
    x, y = datasets.char_sequences(ids, length=40, step=3)
    assert x.shape == (len(range(0, len(zen) - 40, 3)), 40) and y.shape == (x.shape[0],)
    np.testing.assert_array_equal(x[1], ids[3:43])
    assert y[1] == ids[43]
    assert "".join(vocab[i] for i in x[0]) == zen[:40]
    with pytest.raises(ValueError, match="length"):
        datasets.char_sequences(ids[:5], length=5)


def test_adding_problem() -> None:
    x, y = datasets.adding_problem(500, 60, seed=3)
    assert x.shape == (500, 60, 2) and y.shape == (500, 1)
    assert x.dtype == y.dtype == np.float32
    markers = x[:, :, 1]
    assert (markers.sum(axis=1) == 2).all()
    first = markers.argmax(axis=1)
    last = 59 - markers[:, ::-1].argmax(axis=1)
    assert first.max() < 6 and last.min() >= 30
    np.testing.assert_allclose(y[:, 0], x[np.arange(500), first, 0] + x[np.arange(500), last, 0])
    # always answering 1 (the mean) gives about 1/6, the chance level
    assert abs(float(((y - 1) ** 2).mean()) - 1 / 6) < 0.03
    again, _ = datasets.adding_problem(500, 60, seed=3)
    np.testing.assert_array_equal(x, again)
    with pytest.raises(ValueError, match="at least 10"):
        datasets.adding_problem(5, 9)
