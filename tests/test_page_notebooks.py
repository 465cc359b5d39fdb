"""Every lesson page as a notebook of its own, generated when the site is built.

``hooks/offline.py`` writes each one beside its page and puts a download button at the top
of the page; ``tools/course_notebook.py`` (`page_notebook`) makes it from the page, with
the conversion the whole-course notebook uses. Here:

- every lesson page of the nav gets one, and no other page;
- its cells are the page's cells as the course notebook has them: the code exactly (as
  written to the file, formatted), the prose but for heading levels and links;
- links to other pages point at the site, or are plain text and the first cell says so;
- the first cell says what the page needs, and nothing it needs is left out;
- the hook's button links to the notebook, in a strict MkDocs build, with and without
  directory URLs, and the course notebook does not take the button for page content;
- each notebook runs on its own, in a fresh kernel, in a folder without the repository,
  and only the cells tagged ``raises-exception`` raise.

The built site's notebooks and buttons are checked in ``tests/test_site.py``.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import _harness
import jupytext
import nbformat
import pytest

from hooks import downloads, offline, pages
from tools import course_notebook

ROOT = Path(__file__).resolve().parents[1]

LESSONS = course_notebook.lesson_pages()
SITE_URL = "https://example.org/rnn/"
RAISES = "raises-exception"


@pytest.fixture(scope="module")
def course() -> list[object]:
    return course_notebook.build()


@pytest.fixture(scope="module")
def course_file() -> object:
    """The course notebook as its file has it (formatted), read back by jupytext."""
    return jupytext.reads(course_notebook.generate(), fmt="py:percent")


def of_page(cells: list[object], path: str, source: object = lambda cell: cell.source) -> list:
    """The cells of one page in the course notebook: from its anchor to the next page's."""
    starts = [i for i, cell in enumerate(cells) if source(cell).startswith('<a id="page-')]
    anchor = f'<a id="{course_notebook.Page(path, "").anchor}"></a>'
    at = next(i for i in starts if source(cells[i]).startswith(anchor))
    end = next((i for i in starts if i > at), len(cells))
    return cells[at:end]


def markdown_without_levels_and_links(cell: object, title: str) -> object:
    """A markdown cell with its headings' levels and ``title`` (which the course notebook
    adds to a heading found on other pages too) and its links' targets taken out: what
    may differ between the course notebook and a page's own."""
    if cell.kind != "markdown":
        return cell
    heading = rf"^#+ (.*?)(?: \({re.escape(title)}\))?$"
    text = re.sub(heading, r"\1", cell.source, flags=re.M)
    text = re.sub(r"(?<!!)\[((?:[^\[\]]|\[[^\]]*\])+)\]\([^)\s]+\)", r"\1", text)
    return course_notebook.Cell("markdown", text, cell.tags)


def links(cells: list[object]) -> list[str]:
    """The targets of the links (not images) of the markdown cells."""
    text = "\n\n".join(cell.source for cell in cells if cell.kind == "markdown")
    return re.findall(r"(?<!!)\[(?:[^\[\]]|\[[^\]]*\])+\]\(([^)\s]+)\)", text)


# -- which pages ---------------------------------------------------------------------------


def test_every_lesson_page_of_the_nav_and_no_other() -> None:
    config = pages.read_config()
    sections = {
        title: pages
        for entry in config["nav"]
        for title, pages in entry.items()
        if isinstance(pages, list)
    }
    lessons = [
        page
        for title, pages in sections.items()
        if title not in {"Notebooks", "Reference"}
        for entry in pages
        for page in entry.values()
        if not page.endswith("/index.md")  # each part's overview: no code, not a lesson
    ]
    assert LESSONS == lessons
    assert LESSONS[0] == "what-is-an-rnn.md" and LESSONS[-1] == "your-own-cell.md"
    assert len(LESSONS) >= 16
    assert not {"index.md", "glossary.md", "further-reading.md"} & set(LESSONS)


# -- the same cells as the course notebook -------------------------------------------------


@pytest.mark.parametrize("path", LESSONS)
def test_cells_are_the_course_notebooks(path: str, course: list[object]) -> None:
    mine = course_notebook.page_notebook(path)
    theirs = of_page(course, path)
    intro, setup, fresh_start, *body = mine
    head, course_fresh_start, *course_body = theirs
    assert setup == course[1] == course_notebook.Cell("code", course_notebook.SETUP)
    assert fresh_start == course_fresh_start
    # the title: the page's own level here, one level down in the course notebook
    title = intro.source.split("\n")[0]
    assert head.source.endswith(f"\n\n#{title}")
    # the code exactly; the prose but for heading levels and link targets
    assert [c for c in body if c.kind == "code"] == [c for c in course_body if c.kind == "code"]
    page_title = title.removeprefix("# ")
    assert [markdown_without_levels_and_links(c, page_title) for c in body] == [
        markdown_without_levels_and_links(c, page_title) for c in course_body
    ]
    assert "## " in "\n".join(c.source for c in body if c.kind == "markdown")  # headings kept


@pytest.mark.parametrize("path", LESSONS)
def test_the_files_code_is_the_course_files_code(path: str, course_file: object) -> None:
    """As written to .ipynb, each code cell is the course notebook's, formatted the same."""
    notebook = nbformat.reads(
        course_notebook.render_ipynb(course_notebook.page_notebook(path)), as_version=4
    )
    nbformat.validate(notebook)
    assert notebook.metadata.kernelspec.name == "python3"

    def code(cells: list[object]) -> list[tuple[str, list[str]]]:
        return [
            (cell.source, cell.metadata.get("tags", []))
            for cell in cells
            if cell.cell_type == "code"
        ]

    setup = code(course_file.cells[:2])
    page = code(of_page(course_file.cells, path, lambda cell: cell.source))
    assert code(notebook.cells) == setup + page
    # the same file from the same page
    assert [cell.id for cell in notebook.cells] == [f"cell-{i}" for i in range(len(notebook.cells))]


def test_the_course_notebook_has_no_download_button() -> None:
    """The button is added to the pages' Markdown when the site is built; the notebooks
    are made from the pages' files, which do not have it."""
    label = offline.DOWNLOAD_LABEL
    assert label not in course_notebook.generate()
    for path in LESSONS:
        assert label not in (ROOT / "docs" / path).read_text(encoding="utf-8")
        assert not any(label in cell.source for cell in course_notebook.page_notebook(path))


# -- links ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", LESSONS)
def test_links_to_other_pages_lead_to_the_site(path: str) -> None:
    cells = course_notebook.page_notebook(path, site_url=SITE_URL)
    site_pages = {
        course_notebook.page_url(page.relative_to(ROOT / "docs").as_posix()): page
        for page in (ROOT / "docs").rglob("*.md")
    }
    for target in links(cells):
        if target.startswith("#"):
            continue
        assert target.startswith(("https://", "http://")), target
        if target.startswith(SITE_URL):
            where = target.removeprefix(SITE_URL).partition("#")[0]
            assert where in site_pages or where == course_notebook.package_archive(), target
    intro = cells[0].source
    assert f"[{course_notebook.read_pages([path])[path][0].title}]({SITE_URL}" in intro
    assert "plain text" not in intro


@pytest.mark.parametrize("path", LESSONS)
def test_without_the_sites_address_links_to_pages_are_plain_text(path: str) -> None:
    cells = course_notebook.page_notebook(path)
    targets = links(cells)
    assert not [t for t in targets if not t.startswith(("#", "https://", "http://"))]
    # the page links to other pages: they are plain text here, and the first cell says so
    text = (ROOT / "docs" / path).read_text(encoding="utf-8")
    links_pages = re.search(r"\]\([\w./-]+\.md(#[\w-]*)?\)", text) is not None
    assert ("Links to other pages of the course are plain text" in cells[0].source) == links_pages


def test_page_links_synthetic() -> None:
    page = course_notebook.Page("a/page.md", "Page")
    prose = course_notebook.PageProse(page, site_url="https://example.org/x")
    text = "See [b](../b.md#part), [c](c.md), [here](page.md#top), [up](#up), [out](https://x.y)."
    assert prose(text) == (
        "See [b](https://example.org/x/b/#part), [c](https://example.org/x/a/c/), "
        "[here](#top), [up](#up), [out](https://x.y)."
    )
    plain = course_notebook.PageProse(page, directory_urls=False)
    assert plain(text) == "See b, c, [here](#top), [up](#up), [out](https://x.y)."
    assert plain.plain_links == 2
    assert course_notebook.page_url("index.md") == ""
    assert course_notebook.page_url("reference/api.md") == "reference/api/"
    assert (
        course_notebook.page_url("reference/api.md", directory_urls=False) == "reference/api.html"
    )


# -- what a page needs ---------------------------------------------------------------------


def imported(code: str) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules.add(node.module.split(".")[0])
    return modules


@pytest.mark.parametrize("path", LESSONS)
def test_the_first_cell_says_what_the_page_needs(path: str) -> None:
    cells = course_notebook.page_notebook(path)
    extras = course_notebook.page_extras(cells)
    archive = course_notebook.package_archive().split("/")[-1]
    intro = cells[0].source
    assert f"```text\npip install {' '.join([archive, *extras])}\n```" in intro
    assert "`docs/" + path + "`" in intro
    code = "\n".join(c.source for c in cells if c.kind == "code")
    code = "\n".join(line for line in code.split("\n") if not line.startswith("%"))  # magics
    outside = imported(code) - set(sys.stdlib_module_names) - {"numpy", "rnn"}
    assert outside <= set(extras), f"{path} imports {outside - set(extras)}, not in {extras}"
    figures = any("plt.rc_context(STYLE)" in c.source for c in cells)
    assert ("matplotlib" in extras) == figures
    reads_vega = any(f"{name}(" in code for name in course_notebook.EXTRAS["vega_datasets"])
    assert ("vega_datasets" in extras) == reads_vega
    assert reads_vega >= (path in {"forecasting.md", "dropout.md"})  # the weather pages
    assert ("`raises-exception`" in intro) == any(RAISES in c.tags for c in cells)


def test_the_extras_name_what_reads_vega_datasets_and_the_sites_archive() -> None:
    source = (ROOT / "rnn" / "datasets.py").read_text(encoding="utf-8")
    readers = {
        node.name
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef)
        and not node.name.startswith("_")
        and "_vega_data_file" in ast.unparse(node)
    }
    assert readers == course_notebook.EXTRAS["vega_datasets"]
    assert course_notebook.package_archive() == (
        f"{downloads.DOWNLOADS}/rnn-{downloads.project_version()}.tar.gz"
    )
    # where the first cell says the home page offers it
    home = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert "\n## Get the code\n" in home
    assert f"]({course_notebook.package_archive()})" in home


# -- the hook ------------------------------------------------------------------------------


def test_the_button_goes_under_the_title() -> None:
    uri = offline.notebook_path("numpy-rnn/index.html", "numpy-rnn.md")
    assert uri == "numpy-rnn/numpy-rnn.ipynb"
    assert offline.notebook_path("numpy-rnn.html", "numpy-rnn.md") == "numpy-rnn.ipynb"
    button = offline.download_button("numpy-rnn.md", uri)
    assert button.startswith(f"[{offline.DOWNLOAD_LABEL}](numpy-rnn/numpy-rnn.ipynb){{ .md-button")
    page = "# Title\n\nText.\n"
    assert offline.with_button(page, button) == f"# Title\n\n{button}\n\n\nText.\n"


SMALL_SITE = """\
site_name: Small
docs_dir: docs
strict: true
use_directory_urls: {directory_urls}
hooks:
  - {hook}
markdown_extensions:
  - attr_list
nav:
  - Home: index.md
  - Lessons:
      - One: one.md
      - Two: sub/two.md
"""


@pytest.mark.parametrize("directory_urls", [True, False])
def test_a_strict_build_writes_each_notebook_and_its_button(
    tmp_path: Path, directory_urls: bool
) -> None:
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n\n[One](one.md)\n", encoding="utf-8")
    (docs / "one.md").write_text(
        "# One\n\nSee [two](sub/two.md#more).\n\n```python\n>>> 1 + 1\n2\n\n```\n",
        encoding="utf-8",
    )
    (docs / "sub" / "two.md").write_text(
        "# Two\n\n## More\n\n```python\nx = 2\n```\n", encoding="utf-8"
    )
    (tmp_path / "mkdocs.yml").write_text(
        SMALL_SITE.format(
            directory_urls=str(directory_urls).lower(), hook=ROOT / "hooks" / "offline.py"
        ),
        encoding="utf-8",
    )
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    label = offline.DOWNLOAD_LABEL
    pages = (
        ["one/index.html", "sub/two/index.html"] if directory_urls else ["one.html", "sub/two.html"]
    )
    for page, stem in zip(pages, ["one", "two"], strict=True):
        html = (site / page).read_text(encoding="utf-8")
        assert f'href="{stem}.ipynb"' in html and label in html  # beside the page
        notebook = nbformat.reads((site / page).with_name(f"{stem}.ipynb").read_text(), 4)
        assert notebook.cells[0].source.startswith(f"# {stem.title()}\n")
        if stem == "one":
            assert "See two." in [cell.source for cell in notebook.cells]  # no site_url
            assert "1 + 1" in [cell.source for cell in notebook.cells]
    assert label not in (site / "index.html").read_text(encoding="utf-8")  # not a lesson
    assert not list(site.glob("index*.ipynb"))


# -- each runs on its own ------------------------------------------------------------------


@pytest.mark.skipif(
    importlib.util.find_spec("nbclient") is None or importlib.util.find_spec("ipykernel") is None,
    reason="needs nbclient and ipykernel (pip install -e '.[docs]')",
)
@pytest.mark.parametrize("path", LESSONS)
def test_page_notebook_runs_on_its_own(path: str, tmp_path: Path) -> None:
    """A fresh kernel, in an empty folder (a downloaded notebook has no repository beside
    it): every cell runs, and only the tagged ones raise."""
    from nbclient import NotebookClient

    notebook = nbformat.reads(
        course_notebook.render_ipynb(course_notebook.page_notebook(path)), as_version=4
    )
    NotebookClient(
        notebook, kernel_name="python3", timeout=_harness.CELL_TIMEOUT, allow_errors=False
    ).execute(cwd=str(tmp_path))
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    raised = {
        i: [output.ename for output in cell.outputs if output.output_type == "error"]
        for i, cell in enumerate(code)
    }
    tagged = {i for i, cell in enumerate(code) if RAISES in cell.metadata.get("tags", [])}
    assert {i for i, names in raised.items() if names} == tagged
    assert all(len(raised[i]) == 1 for i in tagged)
    assert all(cell.execution_count for cell in code)
