"""Every example is a test.

sybil collects, in a fresh namespace per document, with the pages' readers of
``hooks/pages.py`` (which the site build runs its figure pages with, too):

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

With ``RNN_TEST_NUDGE`` set (``make robust`` sets it), every weight a layer creates is
multiplied by ``1 + nudge * noise``: a rounding-sized change of every starting point, as
another machine's order of sums would make, so that a printed number which only this
machine's last bits reproduce fails here too (see ``tests/robustness.py``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from sybil import Sybil
from sybil.parsers.markdown import SkipParser
from sybil.parsers.rest import DocTestParser
from sybil.sybil import SybilCollection

from hooks.pages import MARKDOWN_PARSERS, OPTIONFLAGS, fresh_document

sys.path.insert(0, str(Path(__file__).parent / "tests"))
from _harness import nudge_initial_weights


def _restore(namespace: dict) -> None:
    fresh_document(namespace)


def pytest_configure(config: pytest.Config) -> None:
    nudge = os.environ.get("RNN_TEST_NUDGE")
    if nudge:
        nudge_initial_weights(float(nudge), int(os.environ.get("RNN_TEST_NUDGE_SEED", "0")))


def pytest_report_header(config: pytest.Config) -> str:
    import threadpoolctl

    nudge = os.environ.get("RNN_TEST_NUDGE")
    blas = [
        f"{pool['internal_api']} {pool['version']} {pool.get('architecture') or ''}, "
        f"{pool['num_threads']} thread(s)"
        for pool in threadpoolctl.threadpool_info()
        if pool["user_api"] == "blas"
    ]
    return (
        f"numpy {np.__version__}; BLAS: {'; '.join(blas) or 'unknown'}; "
        f"initial weights nudged: {nudge or 'no'}"
    )


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
