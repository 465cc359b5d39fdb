"""``model.summary()`` as printed by four generations of Keras, byte for byte.

Styles
------
``"keras3"``
    Keras 3: a box-drawn table (drawn by `rich` in Keras), parameter counts with
    thousands separators and memory sizes (``131 (524.00 B)``). The default width
    is the one Keras 3 uses when stdout is not a terminal: 76 columns.
``"tf_keras"``
    tf.keras 2.13+ / tf_keras: ruled ASCII table, 65 columns, long cells wrapped
    onto extra lines, sizes in ``Byte``/``KB``/``MB``.
``"keras2"``
    tf.keras 2.7 to 2.12: like ``tf_keras`` with slightly different wrapping and
    no memory sizes.
``"classic"``
    Keras up to 2.6 (the notebook's output): ``_`` rules between layers, long
    cells truncated.
"""

from __future__ import annotations

import copy
import itertools
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

STYLES = ("keras3", "tf_keras", "keras2", "classic")
HEADER = ("Layer (type)", "Output Shape", "Param #")

#: width of the console Keras 3's `rich` prints to when stdout is not a terminal
CONSOLE_WIDTH = 80


def readable_size(n_bytes: float, units: Sequence[str] = ("B", "KB", "MB", "GB", "TB")) -> str:
    """Format a byte count with two decimals and a 1024 scale: ``524.00 B``, ``1.50 KB``."""
    for unit in units:
        if n_bytes / 1024 < 1:
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} {units[-1]}"


def _shape_text(shape: Any) -> str:
    if isinstance(shape, list):
        return "[" + ", ".join(_shape_text(s) for s in shape) + "]"
    return str(tuple(shape))


def _rows(model: Any, style: str) -> list[tuple[str, str, str]]:
    rows = []
    for layer in getattr(model, "operations", model.layers):
        name = f"{layer.name} ({type(layer).__name__})"
        if layer.built:
            shape = _shape_text(layer.output_shape)
            n = layer.count_params()
            params = f"{n:,}" if style == "keras3" else str(n)
        else:
            shape, params = "?", "0 (unbuilt)"
        rows.append((name, shape, params))
    return rows


def _totals(model: Any, optimizer: bool = False) -> list[tuple[str, int, int]]:
    """``(label, parameters, bytes)`` for the total, trainable and non-trainable lines.

    Weights of a layer whose ``trainable`` is False (or of a model whose ``trainable``
    is False) count as non-trainable.

    The bytes follow each weight's dtype, as in Keras: 4 per float32 parameter, 8 per
    float64 one.

    With ``optimizer`` (Keras 3), a compiled model whose optimizer has taken a step
    (it is built) adds the optimizer's variables to the total and on a line of their
    own: its step counter, its learning rate and its slots (Adam's two moments...).
    """
    # a frozen layer (or a frozen model) holds non-trainable weights, as in Keras
    trainable = [
        w for layer in model.layers if model.trainable and layer.trainable for w in layer.weights
    ]
    frozen = [
        w
        for layer in model.layers
        if not (model.trainable and layer.trainable)
        for w in layer.weights
    ]
    counts = {
        label: (sum(int(w.size) for w in ws), sum(int(w.nbytes) for w in ws))
        for label, ws in (("Trainable", trainable), ("Non-trainable", frozen))
    }
    opt = getattr(model, "optimizer", None)
    if optimizer and getattr(model, "compiled", False) and getattr(opt, "built", False):
        counts["Optimizer"] = opt._summary_params()  # type: ignore[union-attr]
    total = (sum(n for n, _ in counts.values()), sum(b for _, b in counts.values()))
    return [("Total", *total), *((label, *c) for label, c in counts.items())]


# ------------------------------------------------------------- text layout
# Text layout as `rich` does it for Keras 3's ``model.summary()``: word wrapping,
# column widths and table rows, to the character.

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

    Examples
    --------
    >>> from rnn.summary import wrap
    >>> wrap("simple_rnn (SimpleRNN)", 12, "left")
    ['simple_rnn  ', '(SimpleRNN) ']
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
    """Lay out one table row: each cell wrapped to its column, between ``bar`` borders."""
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


# ---------------------------------------------------------------------- keras3
def _keras3(
    model: Any,
    line_length: int | None,
    positions: Sequence[float] | None,
    console_width: int | None,
) -> str:
    if console_width is None:  # wide enough for the table (a notebook, a wide terminal)
        console_width = max(CONSOLE_WIDTH, line_length or 0)
    line_length = line_length or CONSOLE_WIDTH - 4
    connections = _connections(model)
    header: tuple[str, ...] = HEADER
    justify: tuple[str, ...] = ("left", "left", "right")
    if connections is None:
        widths = column_widths(line_length, positions or (0.45, 0.80, 1.0))
    else:  # a functional model that is not a plain chain
        widths = column_widths(line_length, positions or (0.3, 0.56, 0.74, 1.0))
        header, justify = (*HEADER, "Connected to"), (*justify, "left")

    def rule(left: str, fill: str, mid: str, right: str) -> str:
        return left + mid.join(fill * w for w in widths) + right

    lines = [rule("┏", "━", "┳", "┓"), *table_row(header, widths, justify, "┃", header=True)]
    lines.append(rule("┡", "━", "╇", "┩"))
    rows = _rows(model, "keras3")
    for i, row in enumerate(rows):
        if i:
            lines.append(rule("├", "─", "┼", "┤"))
        cells = row if connections is None else (*row, connections[i])
        lines += table_row(cells, widths, justify, "│", header=False)
    lines.append(rule("└", "─", "┴", "┘"))
    text = [f'Model: "{model.name}"', *[line[:console_width] for line in lines]]
    for label, n, size in _totals(model, optimizer=True):
        text.append(f" {label} params: {n:,} ({readable_size(size)})")
    out = []
    for line in text:
        out += wrap(line, console_width, None) if len(line) > console_width else [line]
    return "\n".join(out) + "\n"


def _connections(model: Any) -> list[str] | None:
    """Return the "Connected to" column of a functional model (None: Keras prints none)."""
    connections = getattr(model, "summary_connections", None)
    return None if connections is None else connections()


# ---------------------------------------------------------------------- Keras 2
def _ascii_row(fields: Sequence[str], positions: list[int], style: str) -> list[str]:
    """One table row as tf.keras prints it: wrapped (keras2, tf_keras) or cut (classic)."""
    if style == "classic":
        line = ""
        for i, field in enumerate(fields):
            if i:
                line = line[:-1] + " "
            line = (line + field)[: positions[i]]
            line += " " * (positions[i] - len(line))
        return [line]
    left = list(fields)
    lines = []
    while any(left):
        line = ""
        for col, text in enumerate(left):
            start = positions[col - 1] if col else 0
            last = col == len(positions) - 1
            space = 0 if last else 2
            cutoff = positions[col] - start - space
            if style == "tf_keras" and not last:
                cutoff -= 1
            piece = text[:cutoff]
            found = [piece.find(s) + len(s) for s in ("),", "},", "],", "',") if s in piece]
            if found:
                cutoff = min(found)
                piece = piece[:cutoff]
            if col == 0:
                line += " "
            line += piece + " " * space
            left[col] = text[cutoff:]
            line += " " * (positions[col] - len(line))
        lines.append(line)
    return lines


def _keras2(
    model: Any, line_length: int | None, positions: Sequence[float] | None, style: str
) -> str:
    if not model.built and model.layers and type(model.layers[0]).__name__ == "Embedding":
        # Keras 2's Embedding implies input_shape=(None,): such a model is built there
        model = copy.deepcopy(model)
        model.build((None, None))
    if not model.built:
        how = (
            "calling `fit()` with some data, or specify an `input_shape` argument in the "
            "first layer(s) for automatic build."
            if style == "classic"
            else "by calling the model on a batch of data."
        )
        raise ValueError(
            f"This model has not yet been built. Build the model first by calling `build()` "
            f"or {how}"
        )
    line_length = line_length or 65
    pos = list(positions or (0.45, 0.85, 1.0))
    cols = [int(line_length * p) for p in pos] if pos[-1] <= 1 else [int(p) for p in pos]
    lines = [f'Model: "{model.name}"', "_" * line_length]
    lines += _ascii_row(HEADER, cols, style)
    lines.append("=" * line_length)
    rows = _rows(model, style)
    for i, row in enumerate(rows):
        lines += _ascii_row(row, cols, style)
        if style == "classic":
            lines.append("=" * line_length if i == len(rows) - 1 else "_" * line_length)
        else:  # tf.keras prints a blank (space-filled) line after every layer
            lines.append(" " * line_length)
    if style != "classic":
        lines.append("=" * line_length)
    for label, n, size in _totals(model):
        if style == "tf_keras":  # no thousands separator, sizes in Byte/KB/MB
            text = readable_size(size, ("Byte", "KB", "MB", "GB", "TB"))
            lines.append(f"{label} params: {n} ({text})")
        else:
            lines.append(f"{label} params: {n:,}")
    lines.append("_" * line_length)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- API
def summary_text(
    model: Any,
    style: str = "keras3",
    line_length: int | None = None,
    positions: Sequence[float] | None = None,
    console_width: int | None = None,
) -> str:
    """Return the summary of ``model`` as one string, ending with a newline.

    Parameters
    ----------
    model : Sequential
        The model to describe.
    style : {"keras3", "tf_keras", "keras2", "classic"}
        Which Keras version's ``model.summary()`` to reproduce.
    line_length : int, optional
        Table width; default 76 for ``"keras3"``, 65 for the others.
    positions : sequence of float, optional
        Right edges of the columns, as fractions of ``line_length`` (older
        styles also accept absolute positions).
    console_width : int, optional
        ``"keras3"`` only: width of the console `rich` prints to. Keras 3 crops the
        table and wraps the ``Model:`` line at this width; a piped script or CI log
        has 80 columns. Default: 80, or ``line_length`` if that is wider (what a
        notebook or a wide terminal shows).

    Returns
    -------
    str
        Exactly what that Keras version prints.

    Raises
    ------
    ValueError
        Unknown style; or an unbuilt model in the older styles (as Keras 2 does).

    Examples
    --------
    >>> import rnn
    >>> from rnn.models import Sequential
    >>> from rnn.layers import SimpleRNN, Dense
    >>> from rnn.summary import summary_text
    >>> rnn.clear_session()
    >>> model = Sequential([SimpleRNN(10, input_shape=(3, 1)), Dense(1)])
    >>> text = summary_text(model, style="classic")  # the notebook's Keras 2 layout
    >>> print(text, end="")  # doctest: +NORMALIZE_WHITESPACE
    Model: "sequential"
    _________________________________________________________________
    Layer (type)                 Output Shape              Param #
    =================================================================
    simple_rnn (SimpleRNN)       (None, 10)                120
    _________________________________________________________________
    dense (Dense)                (None, 1)                 11
    =================================================================
    Total params: 131
    Trainable params: 131
    Non-trainable params: 0
    _________________________________________________________________
    """
    if style == "keras3":
        return _keras3(model, line_length, positions, console_width)
    if style in STYLES and hasattr(model, "summary_connections"):
        raise ValueError(
            f"style={style!r} prints Sequential models only; a functional model's summary "
            "is printed in Keras 3's style (style='keras3')."
        )
    if style in STYLES:
        return _keras2(model, line_length, positions, style)
    raise ValueError(f"Unknown summary style {style!r}; expected one of {', '.join(STYLES)}.")


def print_summary(
    model: Any,
    line_length: int | None = None,
    positions: Sequence[float] | None = None,
    print_fn: Callable[..., Any] | None = None,
    style: str = "keras3",
    console_width: int | None = None,
) -> None:
    """Print the summary (see :func:`summary_text`) or pass it to ``print_fn``.

    As in Keras, ``"keras3"`` hands ``print_fn`` the whole text at once; the
    older styles call it once per line.
    """
    text = summary_text(
        model,
        style=style,
        line_length=line_length,
        positions=positions,
        console_width=console_width,
    )
    if style == "keras3":
        if print_fn is None:
            sys.stdout.write(text)
        else:
            print_fn(text)
        return
    for line in text.splitlines():
        (print_fn or print)(line)
