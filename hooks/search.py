"""MkDocs hook: the lessons win the site's search.

- The whole-course notebook repeats every lesson, so it would come first for most
  queries, ahead of the lesson that teaches the term: it is left out of the search index
  (its lessons are all in it).
- nbconvert marks each notebook heading with a permalink of its own, ``<a
  class="anchor-link">¶</a>``, which the search index would take for part of the heading
  (a stray "¶" in results). It becomes a permalink of the kind the Markdown pages have,
  ``class="headerlink"``, which Material styles and its search leaves out.
"""

from __future__ import annotations

import re
from typing import Any

# Notebook pages (src paths) left out of the search index.
NOT_SEARCHED = {"notebooks/course.py"}

_ANCHOR_LINK = re.compile(r'<a class="anchor-link"')


def notebook_permalinks(html: str) -> str:
    """nbconvert's heading permalinks, made Material's (``class="headerlink"``)."""
    return _ANCHOR_LINK.sub('<a class="headerlink"', html)


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    if page.file.src_uri in NOT_SEARCHED:
        page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
    if page.file.src_uri.endswith(".py"):
        html = notebook_permalinks(html)
    return html
