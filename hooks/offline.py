"""MkDocs hooks that keep the site offline and self-contained.

- MathJax 3 is copied into the built site from the ``django-static-mathjax`` wheel,
  so no page loads it from a CDN and no third-party JavaScript is committed here. Only
  what the pages can load is copied (`MATHJAX_PARTS`): about 8 MB of the wheel's 24.
- nbconvert's own MathJax 2 and Mermaid loaders (which point at a CDN) are removed
  from notebook pages; the site's MathJax typesets notebooks too.
- Every notebook (a jupytext percent-format ``.py`` file) is also offered as a real
  ``.ipynb`` beside its page, for download.
"""

from __future__ import annotations

import logging
import re
import shutil
from importlib import resources
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.offline")

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
