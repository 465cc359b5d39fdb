"""What every unit test shares: it starts in a fresh rnn session.

A test's ``import conftest`` finds this file, not the root ``conftest.py`` (pytest loads
both as ``conftest``): the two names of the root one that tests use, its Markdown parsers
and its weight nudge, are offered here too, until they move to a module of their own.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import rnn

_spec = importlib.util.spec_from_file_location(
    "_root_conftest", Path(__file__).parents[1] / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_root = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_root)

MARKDOWN_PARSERS = _root.MARKDOWN_PARSERS
nudge_initial_weights = _root.nudge_initial_weights


@pytest.fixture(autouse=True)
def _fresh_session() -> None:
    """Each test starts as a new session would: `rnn.config.reset_session`."""
    rnn.config.reset_session()
