"""The pages, read and run one way (``hooks/pages.py``): the tests collect them with its
parsers, and the site build runs each figure page's code with them, once per build."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import Files

from hooks import figures, interactive, pages

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    return page


def test_a_run_checks_what_the_page_shows(tmp_path: Path) -> None:
    """The build runs a page as the tests do: a doctest whose output is not the one shown
    stops it, naming the page and the line."""
    page = write(tmp_path, "# Page\n\nSome prose.\n\n```python\n>>> 1 + 1\n3\n\n```\n")
    with pytest.raises(pages.PageRunError, match=r"(?s)page\.md, line 6.*Expected:\s+3\s+Got:\s+2"):
        pages.run_examples(page)


def test_a_run_checks_output_blocks_and_raises_what_the_page_shows_raised(
    tmp_path: Path,
) -> None:
    page = write(
        tmp_path,
        "```python\nprint('hi')\n```\n\n<!-- output -->\n```text\nhi\n```\n\n"
        "```python\n>>> int('x')\nTraceback (most recent call last):\n...\n"
        "ValueError: invalid literal for int() with base 10: 'x'\n\n```\n",
    )
    pages.run_examples(page)  # passes
    raising = write(tmp_path, "Prose.\n\n```python\nx = 1\nint('x')\n```\n")
    with pytest.raises(pages.PageRunError, match=r"page\.md, line 3: ValueError: invalid"):
        pages.run_examples(raising)
    wrong = write(tmp_path, "```python\nprint('hi')\n```\n\n<!-- output -->\n```text\nho\n```\n")
    with pytest.raises(pages.PageRunError, match="differs from what the code printed"):
        pages.run_examples(wrong)


def test_a_run_starts_afresh(tmp_path: Path) -> None:
    """A fresh session, as each document of the tests: float32 and the first layer names."""
    import numpy as np

    import rnn

    rnn.config.set_floatx("float64")
    np.set_printoptions(precision=2)
    page = write(
        tmp_path,
        "```python\n>>> import numpy as np\n>>> import rnn\n"
        ">>> from rnn.layers import Dense\n>>> Dense(2).name\n'dense'\n"
        ">>> rnn.config.floatx()\n'float32'\n>>> np.get_printoptions()['precision']\n8\n\n```\n",
    )
    pages.run_examples(page)
    assert np.get_printoptions()["precision"] == 8


def test_each_page_runs_once_per_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page with a drawn figure and an interactive one runs once in a build, and the next
    build runs it again."""
    config = load_config(str(ROOT / "mkdocs.yml"))
    config.plugins._current_plugin = "hooks/figures.py"  # set by MkDocs while a hook runs

    def steps(s1, s2):  # a drawing function of what-is-an-rnn.md's variables
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots()
        ax.plot(s1, s2)
        return fig

    monkeypatch.setattr(figures, "FIGURES", {"what-is-an-rnn.md": [("images/steps.svg", steps)]})
    page = SimpleNamespace(file=SimpleNamespace(src_uri="what-is-an-rnn.md"))
    html = '<div class="interactive" data-interactive="rnn-steps"><p>fallback</p></div>'
    for _ in range(2):  # two builds
        figures.on_config(config)
        interactive.on_config(config)
        files = figures.on_files(Files([]), config)
        assert {file.src_uri for file in files} == {"images/steps.svg", "images/steps-dark.svg"}
        assert "interactive-data" in interactive.on_page_content(html, page, config, files)
        assert pages.run_counts == {"what-is-an-rnn.md": 1}


def test_the_nav_is_walked_once_for_everyone() -> None:
    nav = pages.read_config()["nav"]
    files = pages.nav_files(nav)
    assert pages.nav_pages() == [path for path in files if path.endswith(".md")]
    assert "notebooks/course.py" in files and "reference/api.md" in files
    assert not [path for path in files if "://" in path]
