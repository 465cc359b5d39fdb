"""The interactive figures' numbers (hooks/interactive.py) are the pages' own numbers.

The hook runs a page's code when the site is built and embeds what its figure shows as
JSON; the browser only looks values up. Here that data is checked against an independent
computation with ``rnn`` and NumPy, and against what the pages' doctests print.
"""

from __future__ import annotations

import doctest
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from hooks import interactive, pages
from rnn.functional import simple_rnn_forward

ROOT = Path(__file__).resolve().parents[1]
HOOKS = ROOT / "hooks"
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def hook() -> ModuleType:
    return interactive


@pytest.fixture(scope="module")
def explorer(hook: ModuleType) -> dict[str, Any]:
    name, data = hook.page_data(DOCS / "vanishing-gradients.md")
    assert name == "gradient-explorer"
    return data


@pytest.fixture(scope="module")
def steps(hook: ModuleType) -> dict[str, Any]:
    name, data = hook.page_data(DOCS / "what-is-an-rnn.md")
    assert name == "rnn-steps"
    return data


def curve(data: dict[str, Any], radius: float, activation: str, strength: str) -> dict[str, Any]:
    """The embedded curve for one setting, looked up as interactive.js does."""
    by_strength = data["curves"][activation]
    rows = by_strength.get(strength, by_strength.get("any"))
    return rows[data["radii"].index(radius)]


# -- the gradient explorer ----------------------------------------------------------------


def independent_norms(radius: float, activation: str, strength: float) -> np.ndarray:
    """||dh_T/dh_{T-d}|| for d = 1 .. 100, as vanishing-gradients.md measures it (same
    sizes and seeds), written out again with ``rnn`` and NumPy: the Jacobian is built by
    multiplying the one-step Jacobians D_k R^T from the last step back."""
    units, features, steps = 32, 8, 100
    W = np.random.default_rng(0).standard_normal((units, units))
    R = W * (radius / np.abs(np.linalg.eigvals(W)).max())
    rng = np.random.default_rng(1)
    K = rng.standard_normal((features, units)) / np.sqrt(features)
    x = rng.standard_normal((steps, features))
    h = simple_rnn_forward(strength * x, K, R, activation=activation)
    slope = {"linear": np.ones_like(h), "relu": (h > 0) * 1.0, "tanh": 1 - h**2}[activation]
    jacobian, norms = np.eye(units), []
    for t in range(steps - 1, -1, -1):
        jacobian = jacobian @ np.diag(slope[t]) @ R.T
        norms.append(np.linalg.norm(jacobian, 2))
    return np.array(norms)


# The page's figure and tables (radii 0.9 to 2.0, strength 1; tanh at 1.1, strength 0.1),
# and a few other positions of the slider.
SETTINGS = [
    *[(r, a, 1.0) for r in (0.9, 1.0, 1.1, 2.0) for a in ("linear", "relu", "tanh")],
    (1.1, "tanh", 0.1),
    (0.5, "relu", 1.0),
    (1.45, "tanh", 0.1),
    (1.75, "linear", 0.1),
]


@pytest.mark.parametrize(("radius", "activation", "strength"), SETTINGS)
def test_explorer_curves_are_the_measured_norms(
    explorer: dict[str, Any], radius: float, activation: str, strength: float
) -> None:
    embedded = curve(explorer, radius, activation, str(strength))
    norms = independent_norms(radius, activation, strength)
    # log10 to 2 decimals: within half a step of 0.01 (and a hair for the float rounding)
    assert np.abs(np.array(embedded["log10"]) - np.log10(norms)).max() <= 0.005 + 1e-9
    assert embedded["at"] == [f"{norms[d - 1]:.1e}" for d in (1, 10, 50, 100)]
    assert embedded["per_step"] == f"{(norms[99] / norms[49]) ** (1 / 50):.3f}"


def test_explorer_readouts_are_the_numbers_the_page_prints(explorer: dict[str, Any]) -> None:
    page = (DOCS / "vanishing-gradients.md").read_text(encoding="utf-8")
    # the table "Below, at and above 1": activation, radius, d = 1, 10, 50, 100, per step
    rows = re.findall(
        r"^(linear|relu|tanh) +([\d.]+) +(\S+) +(\S+) +(\S+) +(\S+) +([\d.]+)$", page, re.M
    )
    assert len(rows) == 12
    for activation, radius, *at, per_step in rows:
        embedded = curve(explorer, float(radius), activation, "1.0")
        assert (embedded["at"], embedded["per_step"]) == (at, per_step), (activation, radius)
    # the table of input strengths at radius 1.1 (tanh): ||dh_T/dh_0|| and the factor per step
    rows = re.findall(r"^ +(1\.0|0\.1) +[\d.]+ +(\S+) +([\d.]+)$", page, re.M)
    assert [strength for strength, *_ in rows] == ["1.0", "0.1"]
    for strength, last, per_step in rows:
        embedded = curve(explorer, 1.1, "tanh", strength)
        assert (embedded["at"][-1], embedded["per_step"]) == (last, per_step), strength


def test_explorer_choices_and_axis(explorer: dict[str, Any]) -> None:
    radii = explorer["radii"]
    assert radii[0] == 0.5 and radii[-1] == 2.0 and len(radii) == 31
    assert {0.9, 1.0, 1.1, 2.0} <= set(radii)  # the page's radii are positions of the slider
    assert np.allclose(np.diff(radii), 0.05)
    assert explorer["activations"] == ["tanh", "linear", "relu"]
    assert explorer["strengths"] == ["1.0", "0.1"]
    default = explorer["default"]
    assert default["radius"] in radii and default["strength"] in explorer["strengths"]
    assert explorer["steps"] == 100 and explorer["readout"] == [1, 10, 50, 100]
    low, high = explorer["log10_range"]
    values = [
        v
        for by_strength in explorer["curves"].values()
        for rows in by_strength.values()
        for row in rows
        for v in row["log10"]
    ]
    assert low <= min(values) and max(values) <= high
    assert low % 10 == 0 and high % 10 == 0 and min(values) - low < 10 and high - max(values) < 10


def test_explorer_stores_a_curve_once_when_the_strength_changes_nothing(
    explorer: dict[str, Any],
) -> None:
    # linear and ReLU states scale with their inputs, so their slopes do not change
    curves = explorer["curves"]
    assert list(curves["linear"]) == list(curves["relu"]) == ["any"]
    assert list(curves["tanh"]) == ["1.0", "0.1"]
    for activation in ("linear", "relu"):
        assert np.allclose(
            independent_norms(1.3, activation, 0.1), independent_norms(1.3, activation, 1.0)
        )
    assert curves["tanh"]["1.0"] != curves["tanh"]["0.1"]
    for rows in (*curves["linear"].values(), *curves["tanh"].values()):
        assert len(rows) == len(explorer["radii"])
        assert all(len(row["log10"]) == explorer["steps"] for row in rows)


# -- the three steps by hand --------------------------------------------------------------


def test_steps_are_the_states_the_page_computes(steps: dict[str, Any]) -> None:
    page = pages.run(DOCS / "what-is-an-rnn.md")
    U, W, V, xs = page["U"], page["W"], page["V"], page["xs"]
    # independently: the package's forward pass, with its weights in Keras's layout
    states = simple_rnn_forward(xs[None], kernel=U.T, recurrent_kernel=W.T)[0]
    previous = np.vstack([np.zeros(W.shape[0]), states[:-1]])
    assert len(steps["steps"]) == len(xs) == 3
    for t, step in enumerate(steps["steps"]):
        expected = {
            "x": xs[t],
            "previous": previous[t],
            "input_part": U @ xs[t],
            "memory_part": W @ previous[t],
            "sum": U @ xs[t] + W @ previous[t],
            "state": states[t],
            "output": V @ states[t],
        }
        assert set(step) == set(expected)
        for name, value in expected.items():
            np.testing.assert_allclose(step[name], value, rtol=0, atol=5e-5 + 1e-12)
            assert step[name] == np.round(value, 4).tolist(), (t + 1, name)


def test_steps_show_the_numbers_the_page_prints(steps: dict[str, Any]) -> None:
    page = (DOCS / "what-is-an-rnn.md").read_text(encoding="utf-8")
    printed = {}
    for example in doctest.DocTestParser().get_examples(page.split("## Exercises")[0]):
        match = re.match(r"(s[123])\.round\(4\)", example.source)
        if match:
            shown = eval(example.want, {"array": np.array})  # the output the page shows
            printed[match[1]] = shown[0] if isinstance(shown, tuple) else shown
        if example.source.startswith("[(V @ s).round(4)"):
            printed["outputs"] = eval(example.want, {"array": np.array})
    assert set(printed) == {"s1", "s2", "s3", "outputs"}
    for t, step in enumerate(steps["steps"], start=1):
        assert step["state"] == printed[f"s{t}"].tolist()
        assert step["output"] == printed["outputs"][t - 1].tolist()
    assert steps["steps"][0]["input_part"] == [0.5, 0.2, -0.6]  # U @ xs[0], as printed


# -- embedding ----------------------------------------------------------------------------


def test_embed_puts_the_data_at_the_start_of_the_container(hook: ModuleType) -> None:
    html = '<p>a</p>\n<div class="interactive" data-interactive="demo">\n<p>fallback</p>\n</div>'
    out = hook.embed(html, "demo", {"text": "</script>", "values": [1.5, -2]})
    opening = '<div class="interactive" data-interactive="demo">'
    assert out.startswith("<p>a</p>\n" + opening + '<script type="application/json"')
    script = re.search(r"<script[^>]*>(.*?)</script>", out, re.S)[1]
    assert json.loads(script) == {"text": "</script>", "values": [1.5, -2]}
    assert out.endswith("</script>\n<p>fallback</p>\n</div>")  # the fallback is kept
    with pytest.raises(ValueError, match="other"):
        hook.embed(html, "other", {})


@pytest.mark.parametrize(
    ("page", "name"),
    [("vanishing-gradients.md", "gradient-explorer"), ("what-is-an-rnn.md", "rnn-steps")],
)
def test_each_page_holds_its_container_with_a_fallback(
    hook: ModuleType, page: str, name: str
) -> None:
    assert hook.INTERACTIVE[page][0] == name
    text = (DOCS / page).read_text(encoding="utf-8")
    assert len(hook.container(name).findall(text)) == 1
    block = text.split(f'data-interactive="{name}">', 1)[1].split("</div>", 1)[0]
    assert "Interactive figure" in block and len(block.split()) > 20  # a sentence to read
    assert "<script" not in block


def test_mkdocs_lists_the_hook_and_the_script() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "\n  - hooks/interactive.py\n" in config
    assert "\n  - javascripts/interactive.js\n" in config
    assert (DOCS / "javascripts" / "interactive.js").is_file()
