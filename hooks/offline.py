"""MkDocs hooks that keep the site offline and self-contained.

- MathJax 3 is copied into the built site from the ``django-static-mathjax`` wheel,
  so no page loads it from a CDN and no third-party JavaScript is committed here. Only
  what the pages can load is copied (`MATHJAX_PARTS`): about 8 MB of the wheel's 24.
- nbconvert's own MathJax 2 and Mermaid loaders (which point at a CDN) are removed
  from notebook pages; the site's MathJax typesets notebooks too.
- Every notebook (a jupytext percent-format ``.py`` file) is also offered as a real
  ``.ipynb`` beside its page, for download.
- Every lesson page is offered as a notebook too, generated from the page when the site
  is built (``tools/course_notebook.py``: `page_notebook`), written beside it
  (``numpy-rnn/numpy-rnn.ipynb``) and linked by a button at the top of the page. Nothing
  of it is committed; the tests execute each one.
"""

from __future__ import annotations

import logging
import posixpath
import re
import shutil
import sys
from importlib import resources
from pathlib import Path
from typing import Any

if __package__ != "hooks":  # loaded by MkDocs from its path, with only hooks/ on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # MkDocs takes it off again
from hooks import cache
from tools import course_notebook

log = logging.getLogger("mkdocs.hooks.offline")

DOWNLOAD_LABEL = "Download this page as a notebook"
# The lesson pages' notebooks of the current build: the page's path in docs/ -> the
# notebook's path in the site.
_page_notebooks: dict[str, str] = {}

MATHJAX_DEST = Path("assets") / "mathjax"

# nbconvert's base/mathjax.html.j2 macro, from its opening comment to its closing one.
_NB_MATHJAX = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)
# nbconvert's mermaid loader: a module script that imports Mermaid from a CDN.
_NB_MERMAID = re.compile(r'<script type="module">(?:(?!</script>).)*?mermaid.*?</script>', re.S)


def mathjax_source() -> Path:
    """Return the folder of MathJax 3's ES5 build shipped by ``django-static-mathjax``."""
    root = Path(str(resources.files("mathjax"))) / "static" / "mathjax" / "es5"
    if not (root / "tex-svg.js").is_file():
        raise FileNotFoundError(
            f"MathJax 3 not found at {root}: install the docs extra "
            "(pip install -e '.[docs]'), which brings django-static-mathjax"
        )
    return root


# What the site loads of MathJax: the one combined component the pages name, the TeX
# extensions its autoload may fetch for a macro, and what its context menu loads on
# demand (the accessibility explorer, with the speech rule engine it needs). The other
# combined components (CommonHTML output, MathML input, ...) are never loaded.
MATHJAX_PARTS = ("tex-svg.js", "input/tex/extensions", "ui", "a11y", "sre")


def copy_mathjax(dest: Path) -> int:
    """Copy `MATHJAX_PARTS` of MathJax into ``dest``; return the number of bytes copied."""
    source = mathjax_source()
    if dest.exists():
        shutil.rmtree(dest)
    for part in MATHJAX_PARTS:
        target = dest / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if (source / part).is_dir():
            shutil.copytree(source / part, target)
        else:
            shutil.copy2(source / part, target)
    return sum(f.stat().st_size for f in dest.rglob("*") if f.is_file())


def strip_notebook_cdn(html: str) -> str:
    """Remove nbconvert's CDN loaders (MathJax 2, Mermaid) from a page's HTML."""
    html = _NB_MATHJAX.sub("", html)
    return _NB_MERMAID.sub("", html)


def notebook_path(page_dest: str, page_src: str) -> str:
    """Where a page's notebook goes in the site: beside the page, named after its source
    (``numpy-rnn/index.html`` from ``numpy-rnn.md`` -> ``numpy-rnn/numpy-rnn.ipynb``)."""
    stem = posixpath.splitext(posixpath.basename(page_src))[0]
    return posixpath.join(posixpath.dirname(page_dest), f"{stem}.ipynb")


def download_button(page_src: str, notebook: str) -> str:
    """The Markdown of the button that downloads a page's notebook, linked from the page's
    source, so that MkDocs checks the link and writes it for the page's URL."""
    link = posixpath.relpath(notebook, posixpath.dirname(page_src) or ".")
    name = posixpath.basename(notebook)
    return (
        f"[{DOWNLOAD_LABEL}]({link})"
        f'{{ .md-button download="{name}" title="This page\'s text and code as a Jupyter '
        f'notebook, {name}" }}'
    )


def with_button(markdown: str, button: str) -> str:
    """The page's Markdown with ``button`` in a paragraph of its own after its title."""
    lines = markdown.split("\n")
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("# ")), 0)
    return "\n".join([*lines[:at], "", button, "", *lines[at:]])


def assets_digest(docs: Path) -> str:
    """The digest of the files of ``docs/`` that are not pages (images, scripts, styles)."""
    names = [p.relative_to(docs).as_posix() for p in docs.rglob("*") if p.is_file()]
    return cache.tree_digest(docs, sorted(n for n in names if not n.endswith((".md", ".py"))))


def page_notebook(
    path: str, config_path: Path, docs: Path, site_url: str, directory_urls: bool, assets: str
) -> str:
    """A lesson page's notebook (``.ipynb`` JSON, see `course_notebook.page_notebook`), from
    the build's cache (``hooks/cache.py``) when it holds the notebook of this page's text.

    Besides the page's text, the notebook reads the title of the site (``mkdocs.yml``),
    the package's version and ruff's settings (``pyproject.toml``), the images the page
    shows (``assets``: `assets_digest`, once per build) and the site's URL settings: the
    key holds them all (and, as every key, ``tools/``, ``hooks/`` and the versions of
    ruff, jupytext and nbformat).
    """

    def inputs() -> list[str | bytes]:
        return [
            (docs / path).read_bytes(),
            config_path.read_bytes(),
            (course_notebook.ROOT / "pyproject.toml").read_bytes(),
            f"{assets} {site_url} {directory_urls}",
        ]

    def generate() -> str:
        cells = course_notebook.page_notebook(
            path, config_path, docs, site_url=site_url, directory_urls=directory_urls
        )
        return course_notebook.render_ipynb(cells)

    # one result kept per page and site address: mkdocs serve's is not mkdocs build's
    return cache.cached("page-notebook", f"{path} {site_url}".rstrip(), inputs, generate)


def on_files(files: Any, config: Any) -> Any:
    """Add each lesson page's notebook to the site's files, beside the page."""
    from mkdocs.structure.files import File

    config_path = Path(config.config_file_path)
    _page_notebooks.clear()
    docs = Path(config["docs_dir"])
    assets = assets_digest(docs)
    for path in course_notebook.lesson_pages(config_path):
        page = files.get_file_from_path(path)
        if page is None:
            continue
        content = page_notebook(
            path, config_path, docs, config["site_url"] or "", config["use_directory_urls"], assets
        )
        uri = notebook_path(page.dest_uri, path)
        files.append(File.generated(config, uri, content=content))
        _page_notebooks[path] = uri
    log.info("Generated a notebook for each of %d lesson pages", len(_page_notebooks))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Put the download button under a lesson page's title (the page's file, which the
    notebooks are made from, does not have it)."""
    notebook = _page_notebooks.get(page.file.src_uri)
    if notebook is None:
        return markdown
    return with_button(markdown, download_button(page.file.src_uri, notebook))


def on_post_page(output: str, page, config) -> str:
    return strip_notebook_cdn(output)


def on_post_build(config) -> None:
    site = Path(config["site_dir"])
    copied = copy_mathjax(site / MATHJAX_DEST)
    log.info("Copied MathJax 3 (%.1f MB) into %s", copied / 1e6, site / MATHJAX_DEST)
    _write_ipynb(Path(config["docs_dir"]), site)


def _write_ipynb(docs: Path, site: Path) -> None:
    """Offer each ``docs/notebooks/*.py`` notebook as ``.ipynb`` beside its page."""
    import jupytext

    for source in sorted((docs / "notebooks").glob("*.py")):
        page_dir = site / "notebooks" / source.stem
        if page_dir.is_dir():
            notebook = jupytext.read(source)
            jupytext.write(notebook, page_dir / f"{source.stem}.ipynb")
