"""Small data sets for the course: a measured weather record, a text, and a memory task.

Nothing here downloads anything:

- :func:`load_seattle_weather` (four years of daily measurements) and
  :func:`load_seattle_temps` (a year of hourly climate averages, not measurements) read
  CSV files that the ``vega_datasets`` package ships inside its wheel. That package is
  an *extra* of the course (``pip install vega_datasets``, or the ``docs``/``test``
  extras of this project), never a dependency of ``rnn``; the files are read with the
  :mod:`csv` module, without importing ``vega_datasets`` (which would import pandas).
- :func:`load_zen_of_python` decodes the text that every Python installation carries in
  the standard-library module ``this``.
- :func:`adding_problem` generates the classic long-memory task from a seed.

The helpers :func:`windows`, :func:`chronological_split`, :func:`char_vocabulary` and
:func:`char_sequences` cut such data into the ``(samples, timesteps, features)``
arrays that recurrent layers read.
"""

from __future__ import annotations

import ast
import codecs
import csv
import importlib.util
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rnn.config import _check_seed

__all__ = [
    "SEATTLE_TEMPS_LICENSE",
    "SEATTLE_TEMPS_SOURCE",
    "SEATTLE_WEATHER_COLUMNS",
    "SEATTLE_WEATHER_LICENSE",
    "SEATTLE_WEATHER_SOURCE",
    "adding_problem",
    "char_sequences",
    "char_vocabulary",
    "chronological_split",
    "load_seattle_temps",
    "load_seattle_weather",
    "load_zen_of_python",
    "windows",
]

SEATTLE_TEMPS_SOURCE = (
    "Hourly air temperatures in Seattle, dated 2010, in degrees Fahrenheit: the file "
    "seattle-temps.csv of the vega-datasets collection (https://github.com/vega/vega-datasets), "
    "as shipped inside the wheel of the Python package vega_datasets "
    "(https://pypi.org/project/vega-datasets/). The package describes them as hourly "
    "temperatures during 2010, drawn from public-domain NOAA data "
    "(https://www.weather.gov/disclaimer); the collection's SOURCES.md describes them as "
    "30-year temperature averages for each hour, NOAA's hourly climate normals (NORMAL_HLY) "
    "of the Seattle-Tacoma International Airport station (GHCND:USW00024233). They behave "
    "as such: smooth, with a maximum of 75.9 F. They are not a measured record."
)
SEATTLE_TEMPS_LICENSE = (
    "The temperatures are NOAA data, in the public domain (a work of the US government). "
    "The vega_datasets package that ships the file is under the MIT licence; the "
    "vega-datasets collection it comes from is under the BSD 3-Clause licence."
)

SEATTLE_WEATHER_SOURCE = (
    "Daily weather measured in Seattle from 2012-01-01 to 2015-12-31, in metric units: the "
    "file seattle-weather.csv of the vega-datasets collection "
    "(https://github.com/vega/vega-datasets), as shipped inside the wheel of the Python "
    "package vega_datasets (https://pypi.org/project/vega-datasets/). The package describes "
    "it as precipitation totals, temperature extremes, wind speed and weather type recorded "
    "daily in Seattle, drawn from public-domain NOAA data (https://www.weather.gov/disclaimer). "
    "The collection's SOURCES.md gives NOAA's Climate Data Online as the origin "
    "(https://www.ncdc.noaa.gov/cdo-web/), transformed by its script scripts/weather.py from "
    "NOAA's daily summaries (PRCP, TMAX, TMIN, AWND), and says that the categorical "
    "'weather' field was synthesized from several fields of the original and that the data "
    "are intended for instructional purposes. Neither names the station."
)
SEATTLE_WEATHER_LICENSE = (
    "The measurements are NOAA data, in the public domain (a work of the US government). "
    "The vega_datasets package that ships the file is under the MIT licence; the "
    "vega-datasets collection it comes from is under the BSD 3-Clause licence."
)
#: The numeric columns of :func:`load_seattle_weather`, in the order of its ``values``.
SEATTLE_WEATHER_COLUMNS = ("precipitation", "temp_max", "temp_min", "wind")

_INSTALL_HINT = (
    "pip install vega_datasets  (or, in this project: pip install -e '.[docs]'); "
    "it is an optional extra for the course's data, not a dependency of rnn"
)


def _vega_data_file(name: str) -> Path:
    """Path of ``name`` inside the installed ``vega_datasets`` package, not imported."""
    spec = importlib.util.find_spec("vega_datasets")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"The data set {name!r} is read from the package vega_datasets, which is not "
            f"installed. Install it with: {_INSTALL_HINT}",
            name="vega_datasets",
        )
    for location in spec.submodule_search_locations:
        package = Path(location)
        index = package / "local_datasets.json"
        relative = f"_data/{name}"
        if index.is_file():
            files = json.loads(index.read_text(encoding="utf-8"))
            relative = files.get(name.rsplit(".", 1)[0], relative)
        if (package / relative).is_file():
            return package / relative
    raise FileNotFoundError(
        f"The installed vega_datasets package has no file {name!r} (looked in "
        f"{list(spec.submodule_search_locations)}). Reinstall it with: {_INSTALL_HINT}"
    )


def load_seattle_temps() -> tuple[np.ndarray, np.ndarray]:
    """Hourly temperatures in Seattle dated 2010: 8,759 *climate averages*, not measurements.

    The file is ``seattle-temps.csv`` from the vega-datasets collection, as shipped in
    the wheel of the PyPI package ``vega_datasets`` (version 0.9.0 has it). It is read
    with the :mod:`csv` module; ``vega_datasets`` itself is never imported.

    What it is: the package describes it as hourly temperatures in Seattle during 2010,
    drawn from public-domain NOAA data (see `SEATTLE_TEMPS_SOURCE`), but the values
    behave like long-term averages for each hour of the year, and the collection's own
    list of sources says so: 30-year averages (NOAA's hourly climate normals) of the
    Seattle-Tacoma airport station. They are smooth (from one day to the next, at the
    same hour, they change by 0.16 °F on average) and never extreme: their maximum is
    75.9 °F, where the measured daily record of :func:`load_seattle_weather` reaches
    96 °F. Use them as a typical year, not as weather to forecast; for a measured
    record, use :func:`load_seattle_weather`. The values are in degrees Fahrenheit, one
    per hour of local time (so 2 a.m. on 14 March, when clocks went forward, is missing).

    Licence: the data are public domain (US government work); the package is MIT
    licensed (see `SEATTLE_TEMPS_LICENSE`). The function's ``SOURCE`` and ``LICENSE``
    attributes hold the same texts.

    Returns
    -------
    times : numpy.ndarray of datetime64[h], shape (8759,)
        The hour of each reading, local time.
    temperatures : numpy.ndarray of float64, shape (8759,)
        Air temperature in °F.

    Raises
    ------
    ModuleNotFoundError
        If ``vega_datasets`` is not installed; the message says how to install it.

    Examples
    --------
    >>> from rnn.datasets import load_seattle_temps
    >>> times, temps = load_seattle_temps()
    >>> times.shape, temps.shape
    ((8759,), (8759,))
    >>> str(times[0]), float(temps[0])
    ('2010-01-01T00', 39.4)
    >>> float(temps.max())                  # a climate average: no hot day in a year
    75.9
    """
    path = _vega_data_file("seattle-temps.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        if [h.strip() for h in header] != ["date", "temp"]:
            raise ValueError(f"{path}: expected the columns 'date,temp', found {header}")
        rows = [row for row in reader if row]
    # "2010/01/01 00:00" -> "2010-01-01T00:00"
    stamps = [date.replace("/", "-").replace(" ", "T") for date, _ in rows]
    times = np.array(stamps, dtype="datetime64[m]").astype("datetime64[h]")
    temperatures = np.array([float(temp) for _, temp in rows])
    return times, temperatures


load_seattle_temps.SOURCE = SEATTLE_TEMPS_SOURCE  # type: ignore[attr-defined]
load_seattle_temps.LICENSE = SEATTLE_TEMPS_LICENSE  # type: ignore[attr-defined]


def load_seattle_weather() -> tuple[np.ndarray, np.ndarray, tuple[str, ...], np.ndarray]:
    """Daily weather measured in Seattle, 2012 to 2015: 1,461 days, four numbers a day.

    The file is ``seattle-weather.csv`` from the vega-datasets collection, as shipped in
    the wheel of the PyPI package ``vega_datasets`` (version 0.9.0 has it). It is read
    with the :mod:`csv` module; ``vega_datasets`` itself is never imported.

    Source: NOAA's daily summaries, as the collection transformed them (see
    `SEATTLE_WEATHER_SOURCE`): one row per day from 2012-01-01 to 2015-12-31, no day and
    no value missing. Unlike :func:`load_seattle_temps`, these are measurements of each
    day, with the weather's ups and downs: the hottest day reached 35.6 °C (96 °F).

    The ``weather`` labels (``'drizzle'``, ``'fog'``, ``'rain'``, ``'snow'``, ``'sun'``)
    were *synthesized* by the collection from several of NOAA's fields: they are not
    measurements, and they disagree with the precipitation column on many days (77 days
    labelled ``'sun'`` have some precipitation). Use them with care.

    Licence: the data are public domain (US government work); the package is MIT
    licensed (see `SEATTLE_WEATHER_LICENSE`). The function's ``SOURCE`` and ``LICENSE``
    attributes hold the same texts.

    Returns
    -------
    dates : numpy.ndarray of datetime64[D], shape (1461,)
        The day of each row.
    values : numpy.ndarray of float64, shape (1461, 4)
        The measurements, one column each, in the order of ``columns``.
    columns : tuple of str
        ``('precipitation', 'temp_max', 'temp_min', 'wind')``: the day's precipitation
        in mm, its highest and lowest air temperature in °C, and its average wind speed
        in m/s.
    weather : numpy.ndarray of str, shape (1461,)
        The synthesized weather label of each day (see above).

    Raises
    ------
    ModuleNotFoundError
        If ``vega_datasets`` is not installed; the message says how to install it.

    Examples
    --------
    >>> from rnn.datasets import load_seattle_weather
    >>> dates, values, columns, weather = load_seattle_weather()
    >>> dates.shape, values.shape, weather.shape
    ((1461,), (1461, 4), (1461,))
    >>> columns
    ('precipitation', 'temp_max', 'temp_min', 'wind')
    >>> str(dates[0]), values[0].tolist(), str(weather[0])
    ('2012-01-01', [0.0, 12.8, 5.0, 4.7], 'drizzle')
    >>> float(values[:, columns.index("temp_max")].max())
    35.6
    """
    path = _vega_data_file("seattle-weather.csv")
    expected = ["date", *SEATTLE_WEATHER_COLUMNS, "weather"]
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        if [h.strip() for h in header] != expected:
            raise ValueError(f"{path}: expected the columns {','.join(expected)}, found {header}")
        rows = [row for row in reader if row]
    # "2012/01/01" -> "2012-01-01"
    dates = np.array([row[0].replace("/", "-") for row in rows], dtype="datetime64[D]")
    values = np.array([[float(v) for v in row[1:5]] for row in rows])
    weather = np.array([row[5] for row in rows])
    return dates, values, SEATTLE_WEATHER_COLUMNS, weather


load_seattle_weather.SOURCE = SEATTLE_WEATHER_SOURCE  # type: ignore[attr-defined]
load_seattle_weather.LICENSE = SEATTLE_WEATHER_LICENSE  # type: ignore[attr-defined]


def _is_int(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _check_int(value: object, name: str, at_least: int) -> int:
    """Return ``value`` as an int if it is an integer of at least ``at_least``, else raise."""
    if not _is_int(value):
        raise TypeError(
            f"`{name}` must be an integer. Received: {name}={value!r} "
            f"(of type {type(value).__name__})"
        )
    if value < at_least:  # type: ignore[operator]
        raise ValueError(f"`{name}` must be at least {at_least}. Received: {name}={value!r}")
    return int(value)  # type: ignore[call-overload]


def chronological_split(
    n: int, fractions: Sequence[float] = (0.7, 0.15)
) -> tuple[slice, slice, slice]:
    """Cut ``range(n)`` into training, validation and test parts, in time order.

    A forecaster must be judged on a future it has not seen: the training part is the
    oldest, the test part the most recent. Never shuffle a series before splitting it.

    Parameters
    ----------
    n : int
        Length of the series.
    fractions : (float, float)
        Shares of the training and validation parts; the test part is the rest.

    Returns
    -------
    train, validation, test : slice

    Raises
    ------
    TypeError
        If ``n`` is not an integer, or ``fractions`` is not two numbers.
    ValueError
        If ``n`` is less than 1; if the fractions are not positive (the validation
        share may be 0, for no validation part) or add up to 1 or more; or if ``n`` is
        too short for them: a part that should have rows would have none (the message
        gives the sizes).

    Examples
    --------
    >>> from rnn.datasets import chronological_split
    >>> chronological_split(100)
    (slice(0, 70, None), slice(70, 85, None), slice(85, 100, None))
    """
    n = _check_int(n, "n", 1)
    numbers = (
        isinstance(fractions, (list, tuple, np.ndarray))
        and len(fractions) == 2
        and all(
            isinstance(f, (int, float, np.integer, np.floating))
            and not isinstance(f, (bool, np.bool_))
            for f in fractions
        )
    )
    if not numbers:
        raise TypeError(
            "`fractions` must be two numbers, the shares of the training and validation "
            f"parts, such as (0.7, 0.15). Received: fractions={fractions!r}"
        )
    train, validation = (float(f) for f in fractions)
    if not (0 < train and 0 <= validation and train + validation < 1):
        raise ValueError(
            f"fractions must be positive and add up to less than 1, got {tuple(fractions)}"
        )
    a, b = int(n * train), int(n * (train + validation))
    sizes = {"train": a, "validation": b - a, "test": n - b}
    empty = [
        name
        for name, size in sizes.items()
        if size == 0 and (name, validation) != ("validation", 0)
    ]
    if empty:
        parts = ", ".join(f"{name} {size}" for name, size in sizes.items())
        raise ValueError(
            f"chronological_split({n}, {tuple(fractions)}) leaves the {' and '.join(empty)} "
            f"part{'s' if len(empty) > 1 else ''} empty (rows: {parts}): give a longer "
            "series or larger fractions."
        )
    return slice(0, a), slice(a, b), slice(b, n)


def windows(
    features: np.ndarray,
    length: int,
    horizon: int,
    part: slice | None = None,
    targets: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Sliding windows of the past, each paired with the value ``horizon`` steps after it.

    Window ``i`` holds the rows ``s, ..., s + length - 1`` of ``features``; its target
    is ``targets[s + length - 1 + horizon]``: ``horizon`` steps after the window's last
    row. Only rows inside ``part`` are used, the target's included, so windows cut from
    the training part never peek at validation data.

    Parameters
    ----------
    features : numpy.ndarray, shape (timesteps,) or (timesteps, features)
    length : int
        Timesteps per window.
    horizon : int
        How far after the window's last step the target lies (1: the next step).
    part : slice, optional
        The rows to use, e.g. one of :func:`chronological_split`'s parts.
    targets : numpy.ndarray, shape (timesteps,), optional
        The series to predict; by default ``features`` (which must then be 1-D).

    Returns
    -------
    x : numpy.ndarray, shape (samples, length, features)
    y : numpy.ndarray, shape (samples,)

    Raises
    ------
    TypeError
        If ``length`` or ``horizon`` is not an integer, or ``part`` not a slice.
    ValueError
        If ``features`` is not 1-D or 2-D; ``targets`` is missing for several features
        or has another length; ``length`` is less than 1; ``horizon`` is negative, or
        0 without ``targets`` (the target would be the window's own last value);
        ``part`` is not contiguous; or the part is too short for one window and its
        target (the message gives the sizes).

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.datasets import windows
    >>> x, y = windows(np.arange(10.0), length=3, horizon=2)
    >>> x.shape, y.shape
    ((6, 3, 1), (6,))
    >>> x[0, :, 0].tolist(), float(y[0])
    ([0.0, 1.0, 2.0], 4.0)
    >>> windows(np.arange(10.0), 3, 2, part=slice(5, 10))[1].tolist()
    [9.0]
    """
    features = np.asarray(features)
    if features.ndim not in (1, 2):
        raise ValueError(
            "features must have shape (timesteps,) or (timesteps, features). "
            f"Received: an array of shape {features.shape}"
        )
    own = targets is None
    if targets is None:
        if features.ndim != 1:
            raise ValueError("give targets= when features has more than one column")
        targets = features
    targets = np.asarray(targets)
    if features.ndim == 1:
        features = features[:, np.newaxis]
    if targets.ndim == 0 or len(targets) != len(features):
        raise ValueError(
            f"features and targets must have the same length, got {len(features)} and "
            f"{len(targets) if targets.ndim else 'a scalar'}"
        )
    length = _check_int(length, "length", 1)
    if not _is_int(horizon):
        _check_int(horizon, "horizon", 1)
    if horizon < 0 or (horizon == 0 and own):
        raise ValueError(
            "`horizon` must be at least 1: the target lies `horizon` steps after the "
            "window's last step"
            + (" (0 would make it that step itself)" if horizon == 0 else "")
            + f". Received: horizon={horizon!r}"
        )
    if part is not None and not isinstance(part, slice):
        raise TypeError(
            "`part` must be a slice of the rows, such as one of chronological_split's "
            f"parts. Received: part={part!r} (of type {type(part).__name__})"
        )
    start, stop, step = (part or slice(None)).indices(len(features))
    if step != 1:
        raise ValueError("part must be a contiguous slice")
    rows = max(stop - start, 0)
    if rows < length + horizon:
        where = "the series has" if part is None else f"the part (rows {start} to {stop}) has"
        raise ValueError(
            f"A window of length {length} and its target {horizon} step(s) later need "
            f"{length + horizon} rows, but {where} {rows}: give a shorter `length` or "
            "`horizon`, or more rows."
        )
    starts = np.arange(start, stop - length - horizon + 1)
    x = features[starts[:, np.newaxis] + np.arange(length)]
    y = targets[starts + length - 1 + horizon]
    return x, y


def load_zen_of_python() -> str:
    """Return the Zen of Python (PEP 20), as the standard-library module ``this`` stores it.

    ``import this`` prints the text; to get it without printing, this function reads
    the module's source, takes the string ``s`` and decodes it with ROT13, the
    letter-rotation cipher it is stored in. Every Python installation has it.

    Returns
    -------
    str
        856 characters, 19 aphorisms after a title line.

    Examples
    --------
    >>> from rnn.datasets import load_zen_of_python
    >>> zen = load_zen_of_python()
    >>> zen.splitlines()[0]
    'The Zen of Python, by Tim Peters'
    >>> zen.splitlines()[2]
    'Beautiful is better than ugly.'
    """
    spec = importlib.util.find_spec("this")
    if spec is None or spec.origin is None:  # pragma: no cover - part of every CPython
        raise ModuleNotFoundError("the standard-library module 'this' was not found")
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "s"
        ):
            return codecs.decode(ast.literal_eval(node.value), "rot13")
    raise ValueError(f"{spec.origin} has no string 's'")  # pragma: no cover


def char_vocabulary(text: str) -> list[str]:
    """Return the distinct characters of ``text``, sorted: ``vocab[i]`` has id ``i``.

    Sorting makes the ids the same on every run and every machine (a ``set`` has no
    fixed order).

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    ValueError
        If ``text`` is empty.

    Examples
    --------
    >>> from rnn.datasets import char_vocabulary
    >>> char_vocabulary("hello world")
    [' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w']
    """
    if not isinstance(text, str):
        raise TypeError(
            f"char_vocabulary reads a text, a str. Received: {type(text).__name__}"
            + (f" of length {len(text)}" if hasattr(text, "__len__") else "")
        )
    if not text:
        raise ValueError("char_vocabulary got an empty text: it has no characters.")
    return sorted(set(text))


def char_sequences(ids: Sequence[int], length: int, step: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Every run of ``length`` ids (one every ``step``), each with the id that follows it.

    Parameters
    ----------
    ids : sequence of int, shape (n,)
        An encoded text.
    length : int
        Characters the network reads before predicting the next one.
    step : int
        Distance between the starts of consecutive runs.

    Returns
    -------
    x : numpy.ndarray of int64, shape (samples, length)
    y : numpy.ndarray of int64, shape (samples,)

    Raises
    ------
    TypeError
        If ``ids`` are not integers (encode the text first), or ``length`` or ``step``
        is not an integer.
    ValueError
        If ``ids`` is not one sequence, ``length`` or ``step`` is less than 1, or there
        are not more than ``length`` ids (a run and the id after it).

    Examples
    --------
    >>> from rnn.datasets import char_sequences
    >>> x, y = char_sequences([0, 1, 2, 3, 4, 5], length=4)
    >>> x.tolist(), y.tolist()
    ([[0, 1, 2, 3], [1, 2, 3, 4]], [4, 5])
    """
    if isinstance(ids, str):
        raise TypeError(
            "char_sequences reads ids, not the text: encode it first, e.g. "
            "ids = [vocab.index(c) for c in text] with vocab = char_vocabulary(text)."
        )
    given = np.asarray(ids)
    if given.ndim != 1:
        raise ValueError(
            f"ids must be one sequence of ids, shape (n,). Received: shape {given.shape}"
        )
    if given.size and given.dtype.kind not in "iu":
        if given.dtype.kind != "f" or not np.all(np.mod(given, 1) == 0):
            raise TypeError(
                f"ids must be integers (a text encoded as ids). Received: dtype {given.dtype}"
            )
    array = given.astype(np.int64)
    length = _check_int(length, "length", 1)
    step = _check_int(step, "step", 1)
    if len(array) <= length:
        raise ValueError(
            f"char_sequences needs more ids than `length` (a run of `length` ids and the "
            f"id after it): got length={length} and {len(array)} ids"
        )
    starts = np.arange(0, len(array) - length, step)
    return array[starts[:, np.newaxis] + np.arange(length)], array[starts + length]


def adding_problem(
    samples: int, timesteps: int, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Make the adding problem (Hochreiter and Schmidhuber, 1997): a test of long memory.

    Each sequence has two features per step: a random number in [0, 1), and a marker
    that is 1 at exactly two steps and 0 elsewhere. The target is the sum of the two
    marked numbers. The first marker lies in the first tenth of the sequence, the
    second in its second half. The answer is read after the last step, so the network
    must hold the first number from its marker to the end: at least
    ``timesteps - timesteps // 10`` steps (54 of 60), while it reads the other numbers.
    Always answering 1 (the mean of the target) gives a mean squared error of about 1/6:
    that is chance.

    Parameters
    ----------
    samples, timesteps : int
        ``timesteps`` must be at least 10.
    seed : int, optional
        Seed of the generator; the same seed gives the same data.

    Returns
    -------
    x : numpy.ndarray of float32, shape (samples, timesteps, 2)
    y : numpy.ndarray of float32, shape (samples, 1)

    Raises
    ------
    TypeError
        If ``samples`` or ``timesteps`` is not an integer.
    ValueError
        If ``samples`` is less than 1, ``timesteps`` less than 10, or ``seed`` neither
        None nor a non-negative integer.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.datasets import adding_problem
    >>> x, y = adding_problem(4, 20, seed=0)
    >>> x.shape, y.shape
    ((4, 20, 2), (4, 1))
    >>> x[:, :, 1].sum(axis=1).tolist()
    [2.0, 2.0, 2.0, 2.0]
    >>> bool(np.allclose(y[:, 0], (x[:, :, 0] * x[:, :, 1]).sum(axis=1)))
    True
    """
    samples = _check_int(samples, "samples", 1)
    if not _is_int(timesteps):
        _check_int(timesteps, "timesteps", 10)
    if timesteps < 10:
        raise ValueError(f"timesteps must be at least 10, got {timesteps}")
    rng = np.random.default_rng(_check_seed(seed, allow_none=True))
    x = np.zeros((samples, timesteps, 2), dtype=np.float32)
    x[:, :, 0] = rng.uniform(0, 1, (samples, timesteps))
    rows = np.arange(samples)
    x[rows, rng.integers(0, timesteps // 10, samples), 1] = 1
    x[rows, rng.integers(timesteps // 2, timesteps, samples), 1] = 1
    y = (x[:, :, 0] * x[:, :, 1]).sum(axis=1, keepdims=True, dtype=np.float32)
    return x, y
