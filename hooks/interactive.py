"""MkDocs hook: the numbers of the interactive figures, computed from the pages' own code.

Two pages hold a container that ``docs/javascripts/interactive.js`` turns into a figure:

- ``vanishing-gradients.md``, ``<div class="interactive" data-interactive="gradient-explorer">``:
  the norm of ``dh_T/dh_t`` against the distance, with a slider for the spectral radius of
  the recurrent matrix and a choice of activation and of input strength;
- ``what-is-an-rnn.md``, ``<div class="interactive" data-interactive="rnn-steps">``: the
  page's three-step hand example, one step at a time.

For each, the hook takes the page's run of this build (``hooks/pages.py``: `pages.run`,
shared with ``hooks/figures.py``, so a page with both kinds of figure runs once), computes the
figure's numbers with the page's own functions and variables, and embeds them as JSON in a
``<script type="application/json">`` at the start of the container. The browser only looks
values up and draws; it computes nothing that the page's code does not. The container's
own content is the fallback, which stays where JavaScript does not run (and in the course
notebook, which copies the container as it is).
"""

from __future__ import annotations

import json
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
from hooks import cache, pages

log = logging.getLogger("mkdocs.hooks.interactive")

#: The gradient explorer's choices. The radii are the slider's positions (0.5 to 2.0 in
#: steps of 0.05: the page's 0.9, 1.0, 1.1 and 2.0 among them); strength 1 gives the page's
#: inputs, 0.1 the inputs ten times weaker of its section on how hard the inputs drive the
#: units.
RADII = tuple(round(0.5 + 0.05 * i, 2) for i in range(31))
ACTIVATIONS = ("tanh", "linear", "relu")
STRENGTHS = (1.0, 0.1)
DEFAULT = {"radius": 1.1, "activation": "tanh", "strength": "1.0"}
#: The distances of the page's table (``n[[0, 9, 49, 99]]``), read out under the plot.
READOUT = (1, 10, 50, 100)
#: log10 of the norms is embedded to this many decimals (a step of 2 %, well under a pixel).
DECIMALS = 2


# ------------------------------------------------------------------ the figures' data


def gradient_explorer_data(namespace: dict[str, Any]) -> dict[str, Any]:
    """The gradient explorer's curves, measured by the page's own ``jacobian_norms``.

    Parameters
    ----------
    namespace
        The variables of ``vanishing-gradients.md`` after its code ran; the function
        ``jacobian_norms(radius, activation, strength)`` is used.

    Returns
    -------
    dict
        ``radii``, ``activations``, ``strengths`` (the choices, strengths as keys such as
        ``"1.0"``), ``default`` (the setting shown first), ``steps`` (the number of
        distances), ``readout`` (the distances read out), ``log10_range`` (the plot's
        vertical axis: every curve, rounded out to multiples of 10) and
        ``curves[activation][strength][i]`` for radius ``RADII[i]``, with
        ``log10`` (the norm at distances 1 .. steps, as log10), ``at`` (the norms at the
        readout distances, formatted as the page's table does) and ``per_step`` (the
        average factor per step over the last half). ``strength`` is a strength's key,
        or ``"any"`` when the curves of every strength are identical (linear and
        ReLU: the states scale with the inputs, and the slopes do not change).
    """
    jacobian_norms = namespace["jacobian_norms"]
    curves: dict[str, dict[str, list[dict[str, Any]]]] = {}
    steps, low, high = 0, np.inf, -np.inf
    for activation in ACTIVATIONS:
        measured = {
            strength: [jacobian_norms(radius, activation, strength)[0] for radius in RADII]
            for strength in STRENGTHS
        }
        steps = len(measured[STRENGTHS[0]][0])
        logs = np.log10(np.array(list(measured.values())))
        low, high = min(low, logs.min()), max(high, logs.max())
        first = measured[STRENGTHS[0]]
        if all(np.array_equal(np.array(first), np.array(other)) for other in measured.values()):
            measured = {"any": first}
        curves[activation] = {
            str(strength): [_curve(norms) for norms in norms_per_radius]
            for strength, norms_per_radius in measured.items()
        }
    return {
        "radii": list(RADII),
        "activations": list(ACTIVATIONS),
        "strengths": [str(strength) for strength in STRENGTHS],
        "default": DEFAULT,
        "steps": steps,
        "readout": list(READOUT),
        "log10_range": [int(np.floor(low / 10) * 10), int(np.ceil(high / 10) * 10)],
        "curves": curves,
    }


def _curve(norms: np.ndarray) -> dict[str, Any]:
    """One curve: log10 of the norms, the page's readouts and the factor per step."""
    half = len(norms) // 2
    per_step = (norms[-1] / norms[half - 1]) ** (1 / (len(norms) - half))
    return {
        "log10": np.round(np.log10(norms), DECIMALS).tolist(),
        "at": [f"{norms[d - 1]:.1e}" for d in READOUT],
        "per_step": f"{per_step:.3f}",
    }


def rnn_steps_data(namespace: dict[str, Any]) -> dict[str, Any]:
    """The three steps of the hand example of ``what-is-an-rnn.md``, with their parts.

    Parameters
    ----------
    namespace
        The variables of the page after its code ran: ``U``, ``W``, ``V``, the sequence
        ``xs`` and the states ``s0``, ``s1``, ... that its steps computed.

    Returns
    -------
    dict
        ``steps``: for each step t = 1 .. T, ``x`` (the input x_t), ``previous``
        (s_{t-1}), ``input_part`` (U x_t), ``memory_part`` (W s_{t-1}), ``sum``,
        ``state`` (the page's s_t) and ``output`` (V s_t), rounded to 4 decimals as the
        page prints them.
    """
    U, W, V, xs = (np.asarray(namespace[name]) for name in ("U", "W", "V", "xs"))
    states = [np.asarray(namespace[f"s{t}"]) for t in range(len(xs) + 1)]
    steps = []
    for t, x in enumerate(xs, start=1):
        input_part, memory_part = U @ x, W @ states[t - 1]
        total = input_part + memory_part
        if not np.allclose(np.tanh(total), states[t], rtol=0, atol=1e-12):
            raise ValueError(f"what-is-an-rnn.md: s{t} is not tanh(U x_{t} + W s_{t - 1})")
        parts = {
            "x": x,
            "previous": states[t - 1],
            "input_part": input_part,
            "memory_part": memory_part,
            "sum": total,
            "state": states[t],
            "output": V @ states[t],
        }
        steps.append({name: _rounded(value) for name, value in parts.items()})
    return {"steps": steps}


def _rounded(values: np.ndarray) -> list[float]:
    """Rounded to 4 decimals as the page prints them, without negative zeros."""
    return (np.round(np.asarray(values, dtype=float), 4) + 0.0).tolist()


#: page -> (the container's data-interactive name, the function that computes its data)
INTERACTIVE: dict[str, tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "vanishing-gradients.md": ("gradient-explorer", gradient_explorer_data),
    "what-is-an-rnn.md": ("rnn-steps", rnn_steps_data),
}


# ------------------------------------------------------------------ embedding


def container(name: str) -> re.Pattern[str]:
    """The opening tag of the container ``<div ... data-interactive="name" ...>``."""
    return re.compile(rf"<div\b[^>]*\bdata-interactive=\"{re.escape(name)}\"[^>]*>")


def embed(html: str, name: str, data: dict[str, Any]) -> str:
    """``html`` with ``data`` as JSON at the start of the container called ``name``.

    Raises
    ------
    ValueError
        If the page has no such container.
    """
    match = container(name).search(html)
    if match is None:
        raise ValueError(f'no <div data-interactive="{name}"> on the page')
    text = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    script = f'<script type="application/json" class="interactive-data">{text}</script>'
    return html[: match.end()] + script + html[match.end() :]


def page_data(path: Path) -> tuple[str, dict[str, Any]]:
    """The container name of a page listed in `INTERACTIVE` and its data, from its code."""
    name, compute = INTERACTIVE[path.name]
    data = cache.cached(
        "interactive", path.name, lambda: [cache.page_code(path)], lambda: compute(pages.run(path))
    )
    return name, data


def on_config(config: Any) -> Any:
    pages.new_build()
    return config


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    source = page.file.src_uri
    if source not in INTERACTIVE:
        return html
    name = INTERACTIVE[source][0]
    if container(name).search(html) is None:
        log.warning('%s has no <div data-interactive="%s">: no interactive figure', source, name)
        return html
    started = time.perf_counter()
    name, data = page_data(Path(config["docs_dir"]) / source)
    log.info(
        "Computed the data of the interactive figure of %s in %.1f s",
        source,
        time.perf_counter() - started,
    )
    return embed(html, name, data)
