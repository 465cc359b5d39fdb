"""The MkDocs hooks: doctest blocks shown as sessions, CDN loaders removed."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

HOOKS = Path(__file__).resolve().parents[1] / "hooks"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"hooks_{name}", HOOKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_doctest_blocks_are_highlighted_as_sessions() -> None:
    sessions = load("sessions")
    page = (
        "```python\n>>> 1 + 1\n2\n```\n\n"
        "```python\nx = 1\n```\n\n"
        "    ````python\n    >>> x\n    ````\n\n"
        '```python title="t"\n>>> 1\n```\n'
    )
    assert sessions.as_sessions(page) == (
        "```pycon\n>>> 1 + 1\n2\n```\n\n"
        "```python\nx = 1\n```\n\n"
        "    ````pycon\n    >>> x\n    ````\n\n"
        '```python title="t"\n>>> 1\n```\n'
    )


def test_notebook_cdn_loaders_are_removed() -> None:
    offline = load("offline")
    html = (
        "<p>before</p><!-- Load mathjax -->\n"
        '<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js"></script>\n'
        "<script>MathJax.Hub.Config({})</script>\n<!-- End of mathjax configuration -->"
        '<script type="module">\n  const m = await import("https://cdnjs.example/mermaid.mjs");\n'
        "</script><p>after</p>"
    )
    assert offline.strip_notebook_cdn(html) == "<p>before</p><p>after</p>"


def test_mathjax_comes_from_an_installed_package() -> None:
    offline = load("offline")
    assert (offline.mathjax_source() / "tex-svg.js").is_file()
