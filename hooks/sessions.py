"""Show doctest blocks as console sessions.

A ```` ```python ```` block that starts with ``>>>`` is a doctest: the tests check its
output. Highlighted as plain Python, its output would be coloured like code; the
``pycon`` lexer greys the prompts and the output instead. This hook changes only how the
block is highlighted on the site: the Markdown source keeps ```` ```python ````, which is
what the tests collect.

On the page, output lines wrap where the screen is narrow (``extra.css``), so that no
result or error message hides off to the side; input lines keep their layout. A line of
a table (drawn with box characters, as a ``model.summary()``, or aligned in columns with
runs of spaces, as a gradient-check report) would fall apart if wrapped: `mark_tables`
gives such output lines the class ``go-table``, which keeps them whole.
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


# An output line (pygments' Generic.Output) that draws part of a table: box characters,
# or columns aligned with three spaces or more between two words.
_TABLE_LINE = re.compile(r'<span class="go">(?=[^<]*(?:[\u2500-\u257f]|\S {3,}\S))')


def mark_tables(html: str) -> str:
    """Give the output lines of tables the class ``go-table``."""
    return _TABLE_LINE.sub('<span class="go go-table">', html)


def on_page_markdown(markdown: str, **kwargs: object) -> str:
    return as_sessions(markdown)


def on_page_content(html: str, **kwargs: object) -> str:
    return mark_tables(html)
