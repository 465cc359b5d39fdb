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


def test_seattle_temps_are_climate_averages_not_a_measured_year() -> None:
    """What the docstring says: smooth, never extreme, and documented as such."""
    _, temps = datasets.load_seattle_temps()
    assert float(temps.max()) == 75.9  # Seattle's measured record reaches 96 °F
    # at the same hour, from one day to the next, they barely change
    assert round(float(np.abs(temps[24:] - temps[:-24]).mean()), 2) == 0.16
    doc = datasets.load_seattle_temps.__doc__
    assert "climate averages" in doc and "not measurements" in doc and "75.9" in doc
    assert "30-year" in datasets.SEATTLE_TEMPS_SOURCE
    assert "not a measured record" in datasets.SEATTLE_TEMPS_SOURCE


def test_seattle_weather_is_daily_2012_to_2015_in_metric_units() -> None:
    dates, values, columns, weather = datasets.load_seattle_weather()
    assert dates.dtype == np.dtype("datetime64[D]")
    assert values.dtype == np.float64
    assert dates.shape == weather.shape == (1461,) and values.shape == (1461, 4)
    assert columns == datasets.SEATTLE_WEATHER_COLUMNS
    assert columns == ("precipitation", "temp_max", "temp_min", "wind")
    assert str(dates[0]) == "2012-01-01" and str(dates[-1]) == "2015-12-31"
    # every day once, in order, and no value missing
    assert set(np.diff(dates).astype(int).tolist()) == {1}
    assert np.isfinite(values).all()
    assert all(label for label in weather.tolist())
    precipitation, tmax, tmin, wind = values.T
    # plausible units: mm, °C, m/s (in °F or km/h these ranges would be far off)
    assert precipitation.min() == 0 and 40 < precipitation.max() < 100
    assert -10 < tmin.min() < tmax.max() < 40
    assert (tmin <= tmax).all()
    assert 0 <= wind.min() < wind.max() < 15
    # a measured record: hot days that averages smooth away, and seasons
    assert float(tmax.max()) == 35.6  # 96 °F, on 2014-08-11
    assert str(dates[tmax.argmax()]) == "2014-08-11"
    months = dates.astype("datetime64[M]").astype(int) % 12
    assert tmax[months == 6].mean() > tmax[months == 0].mean() + 12  # July vs January
    # and it varies from day to day, unlike the averages of load_seattle_temps
    assert np.abs(np.diff(tmax)).mean() > 2


def test_seattle_weather_labels_are_synthesized_and_the_docstring_says_so() -> None:
    _, values, columns, weather = datasets.load_seattle_weather()
    assert sorted(set(weather.tolist())) == ["drizzle", "fog", "rain", "snow", "sun"]
    precipitation = values[:, columns.index("precipitation")]
    # "77 days labelled 'sun' have some precipitation"
    assert int(((weather == "sun") & (precipitation > 0)).sum()) == 77
    doc = datasets.load_seattle_weather.__doc__
    assert "synthesized" in doc and "77 days" in doc
    assert "synthesized" in datasets.SEATTLE_WEATHER_SOURCE


def test_source_and_licence_are_stated() -> None:
    load = datasets.load_seattle_temps
    assert load.SOURCE == datasets.SEATTLE_TEMPS_SOURCE
    assert load.LICENSE == datasets.SEATTLE_TEMPS_LICENSE
    assert "NOAA" in load.SOURCE and "vega_datasets" in load.SOURCE
    assert "public domain" in load.LICENSE and "MIT" in load.LICENSE
    assert "NOAA" in load.__doc__ and "MIT" in load.__doc__
    load = datasets.load_seattle_weather
    assert load.SOURCE == datasets.SEATTLE_WEATHER_SOURCE
    assert load.LICENSE == datasets.SEATTLE_WEATHER_LICENSE
    assert "NOAA" in load.SOURCE and "vega_datasets" in load.SOURCE
    assert "seattle-weather.csv" in load.SOURCE
    assert "public domain" in load.LICENSE and "MIT" in load.LICENSE
    assert "NOAA" in load.__doc__ and "MIT" in load.__doc__


def test_vega_datasets_is_read_without_importing_it() -> None:
    code = (
        "import sys; from rnn.datasets import load_seattle_temps, load_seattle_weather; "
        "load_seattle_temps(); load_seattle_weather(); "
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
    for load in (datasets.load_seattle_temps, datasets.load_seattle_weather):
        with pytest.raises(ModuleNotFoundError, match=r"pip install vega_datasets") as info:
            load()
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
