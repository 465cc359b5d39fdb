"""Text layout as `rich` does it for Keras 3's ``model.summary()``: word wrapping,
column widths and table rows, to the character.

Examples
--------
>>> from rnn.rich_layout import wrap
>>> wrap("simple_rnn (SimpleRNN)", 12, "left")
['simple_rnn  ', '(SimpleRNN) ']
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

__all__ = ["column_widths", "table_row", "wrap"]

_TRAILING_SPACE = re.compile(r"\s+$")
_WORD = re.compile(r"\s*\S+\s*")


def _break_points(text: str, width: int, fold: bool) -> list[int]:
    """Offsets where word wrapping at ``width`` starts new lines.

    A word longer than a line is cut into line-sized pieces if ``fold``, else
    put on a line of its own (to be truncated with an ellipsis).
    """
    breaks, offset = [], 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width and fold:
            pieces = [word[i : i + width] for i in range(0, len(word), width)]
            for piece in pieces[:-1]:
                if start:
                    breaks.append(start)
                start += len(piece)
            if start:
                breaks.append(start)
            offset = len(pieces[-1])
        elif length > width or (offset and start):
            if start:
                breaks.append(start)
            offset = len(word)
    return breaks


def wrap(text: str, width: int, justify: str | None) -> list[str]:
    """Wrap ``text`` into lines of ``width`` cells, padded if ``justify`` is given.

    Table cells (``justify`` given) truncate over-long words with an ellipsis;
    plain lines (``justify=None``) fold them, as `rich` does.
    """
    breaks = _break_points(text, width, fold=justify is None)
    bounds = [0, *breaks, len(text)]
    lines = []
    for start, end in itertools.pairwise(bounds):
        line = text[start:end]
        if len(line) > width:  # drop trailing spaces beyond the width
            trailing = _TRAILING_SPACE.search(line)
            if trailing:
                line = line[: len(line) - min(len(trailing.group()), len(line) - width)]
        if justify == "right":
            line = line.rstrip()
        if len(line) > width:
            line = line[: width - 1] + "…"
        if justify == "left":
            line = line.ljust(width)
        elif justify == "right":
            line = line.rjust(width)
        lines.append(line)
    return lines


def column_widths(line_length: int, positions: Sequence[float]) -> list[int]:
    """Column widths (padding included, borders excluded) as `rich` lays them out."""
    widths, current = [], 0
    for pos in positions:
        width = int(pos * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width)
        current += width
    widths = [w + 2 for w in widths]  # each column asks for one space of padding per side
    available = line_length - (len(widths) + 1)  # minus the vertical borders
    excess = sum(widths) - available
    if excess > 0:  # shrink the columns evenly, rounding half to even like `rich`
        remaining, count = excess, len(widths)
        for i, width in enumerate(widths):
            cut = min(width, round(remaining / count))
            widths[i] = width - cut
            remaining -= cut
            count -= 1
    return widths


def table_row(
    cells: Sequence[str], widths: list[int], justify: Sequence[str], bar: str, header: bool
) -> list[str]:
    """The lines of one table row: each cell wrapped to its column, between ``bar`` borders."""
    wrapped = [wrap(c, w - 2, j) for c, w, j in zip(cells, widths, justify, strict=True)]
    height = max(len(w) for w in wrapped)
    for col, lines in enumerate(wrapped):
        blank = [" " * (widths[col] - 2)] * (height - len(lines))
        # header cells sit at the bottom of their row, body cells at the top
        wrapped[col] = blank + lines if header else lines + blank
    return [
        bar + bar.join(f" {wrapped[c][i]} " for c in range(len(widths))) + bar
        for i in range(height)
    ]
