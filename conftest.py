"""Every example is a test.

sybil collects, in a fresh namespace per document:

- every ```` ```python ```` and ```` ```pycon ```` block in ``docs/**/*.md`` and ``README.md``
  (a block that starts with ``>>>`` is a doctest, checked line by line; any other
  ``python`` block must simply run);
- the ``Examples`` sections of the package's docstrings (``rnn/**/*.py``).

Before each document, NumPy's print options go back to their defaults and the
layer-name counters are reset, so no output depends on the order documents run in.
``tests/test_doc_fences.py`` makes sure no fenced block is silently skipped.
"""

from __future__ import annotations

import doctest

import numpy as np
from sybil import Sybil
from sybil.evaluators.python import PythonEvaluator
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser
from sybil.parsers.rest import DocTestParser
from sybil.sybil import SybilCollection

OPTIONFLAGS = doctest.ELLIPSIS
_DEFAULT_PRINT_OPTIONS = np.get_printoptions()


class PyconCodeBlockParser(PythonCodeBlockParser):
    """Run ```` ```pycon ```` blocks too: they are console sessions, so doctests."""

    def __init__(self, doctest_optionflags: int = 0) -> None:
        super().__init__(doctest_optionflags=doctest_optionflags)
        self.codeblock_parser = CodeBlockParser("pycon", PythonEvaluator(()))


def fresh_document(namespace: dict) -> None:
    """Start a document with NumPy's default print options and fresh layer names."""
    np.set_printoptions(**_DEFAULT_PRINT_OPTIONS)
    import rnn

    clear_session = getattr(rnn, "clear_session", None)
    if clear_session is not None:
        clear_session()


def _restore(namespace: dict) -> None:
    np.set_printoptions(**_DEFAULT_PRINT_OPTIONS)


MARKDOWN_PARSERS = [
    PythonCodeBlockParser(doctest_optionflags=OPTIONFLAGS),
    PyconCodeBlockParser(doctest_optionflags=OPTIONFLAGS),
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
