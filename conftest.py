"""Every example is a test.

sybil collects, in a fresh namespace per document:

- every ```` ```python ```` and ```` ```pycon ```` block in ``docs/**/*.md`` and ``README.md``
  (a block that starts with ``>>>`` is a doctest, checked line by line; any other
  ``python`` block must simply run);
- every ```` ```text ```` block announced by ``<!-- output -->``, which must equal what
  the ```` ```python ```` block before it printed (for tables a doctest cannot hold);
- the ``Examples`` sections of the package's docstrings (``rnn/**/*.py``).

Before and after each document, NumPy's print options go back to their defaults, the
layer-name counters are reset and new layers are float32 again, so no output depends on
the order documents run in.
``tests/test_doc_fences.py`` makes sure no fenced block is silently skipped.
"""

from __future__ import annotations

import contextlib
import difflib
import doctest
import io
import re
from collections.abc import Iterable

import numpy as np
from sybil import Document, Example, Region, Sybil
from sybil.evaluators.python import PythonEvaluator
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser
from sybil.parsers.rest import DocTestParser
from sybil.sybil import SybilCollection

OPTIONFLAGS = doctest.ELLIPSIS
_DEFAULT_PRINT_OPTIONS = np.get_printoptions()
_PRINTED = "__printed_by_last_block__"


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
    """Start a document as a new session would: NumPy's default print options, fresh
    layer names, float32 layers."""
    np.set_printoptions(**_DEFAULT_PRINT_OPTIONS)
    import rnn

    rnn.clear_session()
    rnn.set_floatx("float32")


def _restore(namespace: dict) -> None:
    fresh_document(namespace)


MARKDOWN_PARSERS = [
    PrintingPythonCodeBlockParser(doctest_optionflags=OPTIONFLAGS),
    PyconCodeBlockParser(doctest_optionflags=OPTIONFLAGS),
    OutputBlockParser(),
    SkipParser(),
]

pytest_collect_file = SybilCollection(
    [
        Sybil(
            parsers=MARKDOWN_PARSERS,
            path="docs",
            patterns=["*.md"],
            setup=fresh_document,
            teardown=_restore,
            name="docs",
        ),
        Sybil(
            parsers=MARKDOWN_PARSERS,
            path=".",
            patterns=["README.md"],
            excludes=["*/*"],
            setup=fresh_document,
            teardown=_restore,
            name="readme",
        ),
        Sybil(
            parsers=[DocTestParser(optionflags=OPTIONFLAGS), SkipParser()],
            path="rnn",
            patterns=["*.py"],
            setup=fresh_document,
            teardown=_restore,
            name="docstrings",
        ),
    ]
).pytest()
