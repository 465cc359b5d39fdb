"""Show doctest blocks as console sessions.

A ```` ```python ```` block that starts with ``>>>`` is a doctest: the tests check its
output. Highlighted as plain Python, its output would be coloured like code; the
``pycon`` lexer greys the prompts and the output instead. This hook changes only how the
block is highlighted on the site: the Markdown source keeps ```` ```python ````, which is
what the tests collect.
"""

from __future__ import annotations

import re

_OPENING = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,})python[ \t]*$")


def as_sessions(markdown: str) -> str:
    """Retag ```` ```python ```` fences whose first line starts with ``>>>`` as ``pycon``."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines[:-1]):
        match = _OPENING.match(line)
        if match and lines[i + 1].startswith(match["indent"] + ">>>"):
            lines[i] = f"{match['indent']}{match['fence']}pycon"
    return "\n".join(lines)


def on_page_markdown(markdown: str, **kwargs: object) -> str:
    return as_sessions(markdown)
