"""What the root ``conftest.py`` and the tests in ``tests/`` share, beside the pages'
readers (``hooks/pages.py``: sybil's parsers and `fresh_document`, which the site build
uses too).

- `nudge_initial_weights`: the rounding-sized nudge of ``make robust``.
- `CELL_TIMEOUT`: how long a notebook cell may run in the tests that execute notebooks.
- `seattle_weather`: the weather pages' features, split by year and normalised as they do.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np

# How long a notebook cell may run in the tests that execute notebooks: a guard against a
# cell that hangs, not a measure of speed (speed is benchmarked, not asserted). On two
# cores busy with a site build, char-rnn's training cell once took more than 120 s.
CELL_TIMEOUT = 600


def nudge_initial_weights(nudge: float, seed: int = 0) -> Callable[[], None]:
    """Multiply every random weight a layer creates from now on by ``1 + nudge * noise``.

    ``noise`` is standard normal, drawn from a generator seeded by ``seed`` and the
    weight's own bytes: the package's random numbers and the shuffling of ``fit`` stay as
    they were, and the same seed still gives the same weights. Whole numbers (the zeros
    of a bias, the LSTM's forget bias of ones) are exact on every machine and stay as
    they are. The nudge is at least two units in the last place of the weight's dtype,
    so float32 weights change too. This is the harness's doing: the package knows
    nothing of it. Returns the function that undoes it.
    """
    from rnn.layers.layer import Layer

    create = Layer.add_weight

    def add_weight(self: Layer, name: str, shape: object, initializer: object) -> np.ndarray:
        value = create(self, name, shape, initializer)
        drawn = value != np.round(value)
        if drawn.any():
            noise = np.random.default_rng([seed, zlib.crc32(value.tobytes())])
            scale = max(nudge, 2 * float(np.finfo(value.dtype).eps))
            value[drawn] *= 1 + scale * noise.standard_normal(int(drawn.sum()))
        return value

    Layer.add_weight = add_weight

    def undo() -> None:
        Layer.add_weight = create

    return undo


def seattle_weather() -> dict[str, object]:
    """The weather pages' data (docs/forecasting.md, docs/dropout.md), prepared as they do.

    The daily record split by year (2012-2013 training, 2014 validation, 2015 test), its
    4 measurements normalised with the training years' statistics, and the season as a
    sine and a cosine: ``features`` of shape (days, 6). Also ``tmax`` (the column in
    °C), its index ``tmax_column``, the training ``mean`` and ``std`` of every
    measurement, each ``day`` of the year, the slices ``train``, ``val`` and ``test``,
    and ``test_start``.
    """
    from rnn import datasets

    dates, values, columns, _ = datasets.load_seattle_weather()
    tmax_column = columns.index("temp_max")
    years = dates.astype("datetime64[Y]")
    start_2014, start_2015 = np.searchsorted(
        dates, np.array(["2014-01-01", "2015-01-01"], dtype="datetime64[D]")
    ).tolist()
    train = slice(0, start_2014)
    mean, std = values[train].mean(axis=0), values[train].std(axis=0)
    day = (dates - years).astype(int)
    angle = 2 * np.pi * day / 365.25
    return {
        "features": np.column_stack([(values - mean) / std, np.sin(angle), np.cos(angle)]),
        "tmax": values[:, tmax_column],
        "tmax_column": tmax_column,
        "mean": mean,
        "std": std,
        "day": day,
        "train": train,
        "val": slice(start_2014, start_2015),
        "test": slice(start_2015, None),
        "test_start": start_2015,
    }
