"""MkDocs hook: figures drawn from the code of the pages themselves, when the site is built.

For each page listed in `FIGURES`, the page's code runs once in the build, as the tests
run it (``hooks/pages.py``: `pages.run`, its examples up to ``## Exercises`` in one fresh
session, outputs checked). A drawing function then turns that namespace (the page's own
variables: its training history, its measurements) into an SVG, added to the site as a
generated file.

So a figure shows exactly the run that the page's code does and its tests check:
nothing is committed as a result, and nothing is computed twice in two different ways.

A drawing function's parameters are named after the page's variables it draws from
(``forecast_curves(history, scale, persistence_val_mae, climatology_val_mae)``); it
returns a matplotlib figure, and `svg` applies the style of ``hooks/figure_style.py``
around it. The course notebook draws the same figures with the same functions:
``tools/course_notebook.py`` copies each one, as written here, into a cell where the page
shows its figure, and calls it on the page's variables. So a drawing function uses only
its parameters, ``np``, matplotlib (imported inside it) and the names defined in
``figure_style.py``, and has no annotations (the notebook, without ``from __future__
import annotations``, would evaluate them).
"""

from __future__ import annotations

import inspect
import io
import logging
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

if __package__ != "hooks":  # loaded by MkDocs from its path, with only hooks/ on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # MkDocs takes it off again
from hooks import cache, figure_style, pages

log = logging.getLogger("mkdocs.hooks.figures")

INK, BLUE, GREY, ORANGE, RED = (
    figure_style.INK,
    figure_style.BLUE,
    figure_style.GREY,
    figure_style.ORANGE,
    figure_style.RED,
)
INK_ON_LIGHT, INK_ON_DARK = figure_style.INK_ON_LIGHT, figure_style.INK_ON_DARK
STYLE = {**figure_style.STYLE, "svg.hashsalt": "rnn-figures"}


# ------------------------------------------------------------------ drawing


def svg(draw: Callable[..., Any], namespace: dict[str, Any], ink: str = INK) -> bytes:
    """The figure ``draw`` makes of a page's variables (named by its parameters), as SVG,
    with its text and axes in the colour ``ink``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    arguments = [namespace[name] for name in inspect.signature(draw).parameters]
    inked = {key: ink if value == INK else value for key, value in STYLE.items()}
    # the drawing functions colour grids and legends with the module's INK
    default, globals()["INK"] = globals()["INK"], ink
    try:
        with plt.rc_context(inked):
            fig = draw(*arguments)
            buffer = io.BytesIO()
            fig.savefig(buffer, format="svg", transparent=True, metadata={"Date": None})
            plt.close(fig)
    finally:
        globals()["INK"] = default
    return buffer.getvalue()


def dark_variant(image: str) -> str:
    """The path of the dark palette's version of a figure: ``x.svg`` -> ``x-dark.svg``."""
    return image.removesuffix(".svg") + "-dark.svg"


def both_palettes(markdown: str, images: list[str]) -> str:
    """Show each generated figure of ``images`` in the version for the reader's palette.

    ``![alt](images/x.svg)`` becomes the light version, ``#only-light``, followed by the
    dark one, ``images/x-dark.svg#only-dark``, with the same alt text (Material shows one
    of them); both get the class ``plot``, which keeps them legible on a phone.
    """
    for image in images:
        pattern = re.compile(r"!\[(?P<alt>[^\]]*)\]\(" + re.escape(image) + r"\)")
        light, dark = f"{image}#only-light", f"{dark_variant(image)}#only-dark"
        markdown = pattern.sub(
            lambda m, light=light, dark=dark: (
                f"![{m['alt']}]({light}){{ .plot }}![{m['alt']}]({dark}){{ .plot }}"
            ),
            markdown,
        )
    return markdown


def hidden_state(saturated, final_output_sequence):
    """numpy-rnn.md: the state over time, with the notebook's weights and with Glorot's."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True, layout="constrained")
    runs = {
        "np.random.random weights": saturated,
        "Glorot and orthogonal weights": final_output_sequence,
    }
    for ax, (title, states) in zip(axes, runs.items(), strict=True):
        image = ax.imshow(
            states.T, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest"
        )
        ax.set(title=title, xlabel="timestep")
    axes[0].set_ylabel("unit")
    bar = fig.colorbar(image, ax=axes, shrink=0.9)
    bar.set_label("state value")
    return fig


def gradient_distance(jacobian_norms):
    """vanishing-gradients.md: ||dh_T/dh_t|| against T - t, per activation and radius."""
    import matplotlib.pyplot as plt

    radii = {0.9: BLUE, 1.0: GREY, 1.1: ORANGE, 2.0: RED}
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.6), sharey=True, layout="constrained")
    for ax, activation in zip(axes, ("linear", "relu", "tanh"), strict=True):
        for radius, colour in radii.items():
            norms, _ = jacobian_norms(radius, activation)
            distance = np.arange(1, len(norms) + 1)
            ax.semilogy(distance, norms, color=colour, lw=2.2, label=f"{radius}")
        ax.set(title=activation, xlabel="distance T − t (steps)", xlim=(0, len(norms)))
        ax.grid(True, which="major", color=INK, alpha=0.25, lw=0.6)
    axes[0].set_ylabel(r"$\|\partial h_T / \partial h_t\|$ (log scale)")
    axes[0].legend(title="spectral radius", frameon=False, labelcolor=INK)
    return fig


def forecast_curves(history, scale, persistence_val_mae, climatology_val_mae):
    """forecasting.md: training and validation MAE per epoch, in °C, and the two baselines."""
    import matplotlib.pyplot as plt

    losses = history.history
    epochs = np.arange(1, len(losses["mae"]) + 1)
    fig, ax = plt.subplots(figsize=(7, 3.8), layout="constrained")
    ax.plot(
        epochs,
        np.array(losses["mae"]) * scale,
        color=BLUE,
        lw=2.2,
        marker="o",
        label="model, training data",
    )
    ax.plot(
        epochs,
        np.array(losses["val_mae"]) * scale,
        color=ORANGE,
        lw=2.2,
        marker="o",
        label="model, validation data",
    )
    ax.axhline(
        persistence_val_mae, color=GREY, lw=1.8, ls="--", label="persistence, validation data"
    )
    ax.axhline(climatology_val_mae, color=INK, lw=1.4, ls=":", label="climatology, validation data")
    ax.set(xlabel="epoch", ylabel="mean absolute error (°C)", xlim=(0.5, epochs[-1] + 0.5))
    ax.set_xticks(epochs[epochs % 2 == 0] if len(epochs) > 10 else epochs)
    ax.set_ylim(bottom=2)
    ax.grid(True, color=INK, alpha=0.25, lw=0.6)
    ax.legend(frameon=False, labelcolor=INK, loc="upper right")
    return fig


def lstm_versus_simple_rnn(histories, chance):
    """why-lstm.md: validation loss per epoch of both layers, against chance."""
    import matplotlib.pyplot as plt

    colours = {"SimpleRNN": BLUE, "LSTM": ORANGE}
    fig, ax = plt.subplots(figsize=(7, 3.8), layout="constrained")
    for name, history in histories.items():
        val = history.history["val_loss"]
        ax.plot(np.arange(1, len(val) + 1), val, color=colours[name], lw=2.2, label=name)
    ax.axhline(chance, color=GREY, lw=1.8, ls="--", label="chance: always 1")
    ax.set(xlabel="epoch", ylabel="validation loss (MSE, log scale)", yscale="log")
    ax.grid(True, which="major", color=INK, alpha=0.25, lw=0.6)
    ax.legend(frameon=False, labelcolor=INK)
    return fig


def char_curves(history, vocab):
    """char-rnn.md: the loss per epoch against the uniform guess."""
    import matplotlib.pyplot as plt

    loss = history.history["loss"]
    fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    ax.plot(np.arange(1, len(loss) + 1), loss, color=BLUE, lw=2.2, label="training loss")
    ax.axhline(
        np.log(len(vocab)),
        color=GREY,
        lw=1.8,
        ls="--",
        label="uniform guess, ln(vocabulary size)",
    )
    ax.set(xlabel="epoch", ylabel="cross-entropy (nats)")
    ax.set_ylim(bottom=0)
    ax.grid(True, color=INK, alpha=0.25, lw=0.6)
    ax.legend(frameon=False, labelcolor=INK)
    return fig


def dropout_curves(histories):
    """dropout.md: training and validation loss per epoch, without and with dropout."""
    import matplotlib.pyplot as plt

    colours = dict(zip(histories, (BLUE, ORANGE), strict=True))
    fig, ax = plt.subplots(figsize=(7, 3.8), layout="constrained")
    for name, history in histories.items():
        epochs = np.arange(1, len(history["loss"]) + 1)
        ax.plot(
            epochs,
            history["loss"],
            color=colours[name],
            lw=1.6,
            ls="--",
            label=f"{name}, training (as fit reports it)",
        )
        ax.plot(
            epochs, history["val_loss"], color=colours[name], lw=2.2, label=f"{name}, validation"
        )
    ax.set(xlabel="epoch", ylabel="loss (MSE, normalised)", xlim=(0.5, epochs[-1] + 0.5))
    ax.set_ylim(0, 0.8)
    ax.grid(True, color=INK, alpha=0.25, lw=0.6)
    ax.legend(frameon=False, labelcolor=INK, loc="upper right", fontsize="small")
    return fig


#: page -> [(generated image path, drawing function)]
FIGURES: dict[str, list[tuple[str, Callable[..., Any]]]] = {
    "numpy-rnn.md": [("images/hidden-state.svg", hidden_state)],
    "vanishing-gradients.md": [("images/gradient-distance.svg", gradient_distance)],
    "forecasting.md": [("images/forecast-losses.svg", forecast_curves)],
    "why-lstm.md": [("images/lstm-vs-simplernn.svg", lstm_versus_simple_rnn)],
    "char-rnn.md": [("images/char-rnn-loss.svg", char_curves)],
    "dropout.md": [("images/dropout-curves.svg", dropout_curves)],
}


def draw_page(path: Path, figures: list[tuple[str, Callable[..., Any]]]) -> dict[str, list[str]]:
    """Run a page's code (`pages.run`) and draw its ``figures``: each generated image's
    path -> its light and dark SVG, as text."""
    namespace = pages.run(path)
    started = time.perf_counter()
    drawn = {
        image: [svg(draw, namespace, ink).decode("utf-8") for ink in (INK_ON_LIGHT, INK_ON_DARK)]
        for image, draw in figures
    }
    log.info("Drew %s in %.1f s", ", ".join(drawn), time.perf_counter() - started)
    return drawn


def page_figures(path: Path) -> dict[str, list[str]]:
    """The figures of a page listed in `FIGURES` (see `draw_page`), from the build's cache
    when it holds the run of this page's code (``hooks/cache.py``)."""
    figures = FIGURES[path.name]
    return cache.cached(
        "figures", path.name, lambda: [cache.page_code(path)], lambda: draw_page(path, figures)
    )


def on_config(config: Any) -> Any:
    pages.new_build()
    return config


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    docs = Path(config["docs_dir"])
    for page in FIGURES:
        if not (docs / page).is_file():
            continue
        for image, (light, dark) in page_figures(docs / page).items():
            files.append(File.generated(config, image, content=light.encode("utf-8")))
            files.append(File.generated(config, dark_variant(image), content=dark.encode("utf-8")))
    return files


_FIGURE = re.compile(r"<figure\b(?P<attributes>[^>]*)>(?P<body>.*?)</figure>", re.S)


def number_figures(html: str) -> str:
    """Number the figures of a page in order, as a book does.

    Every ``<figure>`` gets the id ``figure-N`` (unless it has one), so a figure can be
    linked to, and its ``<figcaption>`` starts with "Figure N." in a ``span`` of class
    ``figure-number``. Drawn, static and interactive figures count alike.
    """
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        attributes, body = match["attributes"], match["body"]
        if not re.search(r"\bid=", attributes):
            attributes = f' id="figure-{count}"{attributes}'
        label = f'<span class="figure-number">Figure {count}.</span> '
        body = re.sub(r"<figcaption([^>]*)>\s*", lambda m: f"{m.group(0)}{label}", body, count=1)
        return f"<figure{attributes}>{body}</figure>"

    return _FIGURE.sub(number, html)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return both_palettes(markdown, [image for image, _ in FIGURES.get(page.file.src_uri, [])])


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    return number_figures(html)
