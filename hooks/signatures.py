"""MkDocs hook: each signature of the API reference formatted once per process.

mkdocstrings (``separate_signature: true``) formats every long signature of the API page
with ``ruff format``, one subprocess per signature: some 240 of them, 10 s or more of
every build on a busy machine. Formatting is a pure function of the signature's text, the
line length and ruff (the same in one process), so ``mkdocs serve`` formats each
signature once and reuses the text at every rebuild; the page is the same.

mkdocstrings has no option for this: the hook wraps the formatter its Python handler
returns (a private function, ``_get_formatter``, checked to exist; without it, nothing
changes).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("mkdocs.hooks.signatures")


def remember(get_formatter: Callable[[], Callable[[str, int], str]]) -> Any:
    """``get_formatter`` (returns a formatter of a signature's code and line length)
    whose formatter remembers what it formatted."""
    if getattr(get_formatter, "remembers", False):
        return get_formatter

    @functools.lru_cache(maxsize=1)
    def remembering() -> Callable[[str, int], str]:
        return functools.lru_cache(maxsize=None)(get_formatter())

    remembering.remembers = True  # type: ignore[attr-defined]
    return remembering


def on_startup(command: str, dirty: bool) -> None:
    try:
        from mkdocstrings_handlers.python._internal import rendering
    except ImportError:
        return
    if callable(getattr(rendering, "_get_formatter", None)):
        rendering._get_formatter = remember(rendering._get_formatter)
    else:
        log.info("mkdocstrings has no _get_formatter: signatures are formatted at each build")
