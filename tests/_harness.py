"""The test harness that the root ``conftest.py`` (sybil, over the pages, the README and
the docstrings) and the tests in ``tests/`` share.

- The Markdown parsers: ```` ```python ```` and ```` ```pycon ```` blocks (doctests when
  they start with ``>>>``), and ```` ```text ```` blocks announced by ``<!-- output -->``,
  which must equal what the block before them printed.
- `fresh_document`: each document starts as a new session would.
- `nudge_initial_weights`: the rounding-sized nudge of ``make robust``.
- `CELL_TIMEOUT`: how long a notebook cell may run in the tests that execute notebooks.
"""

from __future__ import annotations

import contextlib
import difflib
import doctest
import io
import re
import zlib
from collections.abc import Callable, Iterable

import numpy as np
from sybil import Document, Example, Region
from sybil.evaluators.python import PythonEvaluator
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser

OPTIONFLAGS = doctest.ELLIPSIS
_DEFAULT_PRINT_OPTIONS = np.get_printoptions()
_PRINTED = "__printed_by_last_block__"
# How long a notebook cell may run in the tests that execute notebooks: a guard against a
# cell that hangs, not a measure of speed (speed is benchmarked, not asserted). On two
# cores busy with a site build, char-rnn's training cell once took more than 120 s.
CELL_TIMEOUT = 600


class PyconCodeBlockParser(PythonCodeBlockParser):
    """Run ```` ```pycon ```` blocks too: they are console sessions, so doctests."""

    def __init__(self, doctest_optionflags: int = 0) -> None:
        super().__init__(doctest_optionflags=doctest_optionflags)
        self.codeblock_parser = CodeBlockParser("pycon", PythonEvaluator(()))


class PrintingPythonEvaluator(PythonEvaluator):
    """Run a code block and remember what it printed, for an output block after it."""

    def __call__(self, example: Example) -> object:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            result = super().__call__(example)
        example.namespace[_PRINTED] = printed.getvalue()
        return result


class PrintingPythonCodeBlockParser(PythonCodeBlockParser):
    """```` ```python ```` blocks: doctests, or code whose printed text is kept."""

    def __init__(self, doctest_optionflags: int = 0) -> None:
        super().__init__(doctest_optionflags=doctest_optionflags)
        self.codeblock_parser = CodeBlockParser("python", PrintingPythonEvaluator(()))


class OutputBlockParser:
    """A ```` ```text ```` block announced by ``<!-- output -->`` shows what the code printed.

    Long tables (such as ``model.summary()`` in the Keras 2 styles, whose blank lines a
    doctest cannot hold) are shown this way: the ```` ```python ```` block before it runs,
    and the text block must equal what it printed, line by line (trailing spaces, which a
    reader cannot see, are not compared).
    """

    pattern = re.compile(
        r"^(?P<indent>[ \t]*)<!--\s*output\s*-->[ \t]*\n(?:[ \t]*\n)*"
        r"(?P=indent)(?P<fence>`{3,})text[ \t]*\n(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$",
        re.M | re.S,
    )

    def __call__(self, document: Document) -> Iterable[Region]:
        for match in self.pattern.finditer(document.text):
            indent = len(match["indent"])
            body = [line[indent:] for line in match["body"].splitlines()]
            yield Region(match.start(), match.end(), body, self.evaluate)

    @staticmethod
    def evaluate(example: Example) -> str | None:
        printed = example.namespace.pop(_PRINTED, None)
        if printed is None:
            return "an <!-- output --> block must follow a ```python block that prints"
        expected = [line.rstrip() for line in example.parsed]
        got = [line.rstrip() for line in printed.splitlines()]
        if expected == got:
            return None
        diff = difflib.unified_diff(expected, got, "shown on the page", "printed", lineterm="")
        return "the output shown differs from what the code printed:\n" + "\n".join(diff)


def fresh_document(namespace: dict) -> None:
    """Start a document as a new session would: NumPy's default print options and a
    fresh rnn session (`rnn.config.reset_session`: layer names, float32, the generator)."""
    np.set_printoptions(**_DEFAULT_PRINT_OPTIONS)
    import rnn

    rnn.config.reset_session()


MARKDOWN_PARSERS = [
    PrintingPythonCodeBlockParser(doctest_optionflags=OPTIONFLAGS),
    PyconCodeBlockParser(doctest_optionflags=OPTIONFLAGS),
    OutputBlockParser(),
    SkipParser(),
]


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
