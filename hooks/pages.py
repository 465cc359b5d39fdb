"""The course's pages, read and run one way: by the tests, the site build and the notebooks.

- **Reading.** `MARKDOWN_PARSERS` are sybil's parsers for the pages: ```` ```python ````
  and ```` ```pycon ```` blocks (doctests when they start with ``>>>``), ```` ```text ````
  blocks announced by ``<!-- output -->``, which must equal what the block before them
  printed, and sybil's ``<!-- skip: ... -->`` directives. The root ``conftest.py`` collects
  every page with them; `run` below runs a page with them.
- **A fresh start.** `fresh_document` starts a page as a new session would: NumPy's
  default print options and a fresh rnn session (`rnn.config.reset_session`).
- **Running a page once per build.** `run` evaluates a page's examples in order, up to its
  ``## Exercises`` heading, in one fresh namespace, exactly as the tests do (a doctest's
  output is checked; a block that prints before an output block is compared with it),
  and returns the namespace. The figures (``hooks/figures.py``) and the interactive
  figures (``hooks/interactive.py``) are made from that namespace. Within one build a
  page runs once, however many hooks use it (`new_build` forgets the runs of the last
  build).
- **The nav.** `nav_files` walks the nav of ``mkdocs.yml`` (or of a loaded config): the one
  walker the notebooks, the exercise index and the tests share.

``hooks`` is a package, imported from the project's root (``from hooks import pages``)
by the tests, by ``tools/`` and by the hooks themselves. (MkDocs loads each hook of
``mkdocs.yml`` from its path, with only ``hooks/`` on ``sys.path`` while it loads: a hook
that imports another module of ``hooks`` puts the root there first, and MkDocs takes it
off again.)
"""

from __future__ import annotations

import contextlib
import difflib
import doctest
import io
import logging
import re
import time
import unittest
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from sybil import Document, Example, Region
from sybil.evaluators.python import PythonEvaluator
from sybil.example import SybilFailure
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser

ROOT = Path(__file__).resolve().parents[1]
MKDOCS_YML = ROOT / "mkdocs.yml"

log = logging.getLogger("mkdocs.hooks.pages")

OPTIONFLAGS = doctest.ELLIPSIS
_DEFAULT_PRINT_OPTIONS = np.get_printoptions()
_PRINTED = "__printed_by_last_block__"
EXERCISES = re.compile(r"^## Exercises\b", re.M)


# ------------------------------------------------------------------ sybil's parsers


class PyconCodeBlockParser(PythonCodeBlockParser):
    """Run ```` ```pycon ```` blocks too: they are console sessions, so doctests."""

    def __init__(self, doctest_optionflags: int = 0) -> None:
        super().__init__(doctest_optionflags=doctest_optionflags)
        self.codeblock_parser = CodeBlockParser("pycon", PythonEvaluator(()))


class PrintingPythonEvaluator(PythonEvaluator):
    """Run a code block and remember what it printed, for an output block after it."""

    def __call__(self, example: Example) -> object:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            result = super().__call__(example)
        example.namespace[_PRINTED] = printed.getvalue()
        return result


class PrintingPythonCodeBlockParser(PythonCodeBlockParser):
    """```` ```python ```` blocks: doctests, or code whose printed text is kept."""

    def __init__(self, doctest_optionflags: int = 0) -> None:
        super().__init__(doctest_optionflags=doctest_optionflags)
        self.codeblock_parser = CodeBlockParser("python", PrintingPythonEvaluator(()))


class OutputBlockParser:
    """A ```` ```text ```` block announced by ``<!-- output -->`` shows what the code printed.

    Long tables (such as ``model.summary()`` in the Keras 2 styles, whose blank lines a
    doctest cannot hold) are shown this way: the ```` ```python ```` block before it runs,
    and the text block must equal what it printed, line by line (trailing spaces, which a
    reader cannot see, are not compared).
    """

    pattern = re.compile(
        r"^(?P<indent>[ \t]*)<!--\s*output\s*-->[ \t]*\n(?:[ \t]*\n)*"
        r"(?P=indent)(?P<fence>`{3,})text[ \t]*\n(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$",
        re.M | re.S,
    )

    def __call__(self, document: Document) -> Iterable[Region]:
        for match in self.pattern.finditer(document.text):
            indent = len(match["indent"])
            body = [line[indent:] for line in match["body"].splitlines()]
            yield Region(match.start(), match.end(), body, self.evaluate)

    @staticmethod
    def evaluate(example: Example) -> str | None:
        printed = example.namespace.pop(_PRINTED, None)
        if printed is None:
            return "an <!-- output --> block must follow a ```python block that prints"
        expected = [line.rstrip() for line in example.parsed]
        got = [line.rstrip() for line in printed.splitlines()]
        if expected == got:
            return None
        diff = difflib.unified_diff(expected, got, "shown on the page", "printed", lineterm="")
        return "the output shown differs from what the code printed:\n" + "\n".join(diff)


MARKDOWN_PARSERS = [
    PrintingPythonCodeBlockParser(doctest_optionflags=OPTIONFLAGS),
    PyconCodeBlockParser(doctest_optionflags=OPTIONFLAGS),
    OutputBlockParser(),
    SkipParser(),
]


def fresh_document(namespace: dict[str, Any]) -> None:
    """Start a document as a new session would: NumPy's default print options and a
    fresh rnn session (`rnn.config.reset_session`: layer names, float32, the generator)."""
    np.set_printoptions(**_DEFAULT_PRINT_OPTIONS)
    import rnn

    rnn.config.reset_session()


# ------------------------------------------------------------------ running a page


class PageRunError(RuntimeError):
    """A page's code failed, or printed something else than the page shows."""


def read(text: str, path: str = "<page>") -> Document:
    """A page's text as the tests read it: a sybil document parsed by `MARKDOWN_PARSERS`."""
    document = Document(text, path)
    for parser in MARKDOWN_PARSERS:
        for region in parser(document):
            document.add(region)
    return document


def examples(path: Path, until: re.Pattern[str] | None = EXERCISES) -> list[Example]:
    """The examples sybil reads in a page, in order, up to the first match of ``until``
    (``## Exercises``; ``None``: the whole page)."""
    document = read(path.read_text(encoding="utf-8"), str(path))
    match = until.search(document.text) if until is not None else None
    end = match.start() if match else len(document.text)
    return [example for example in document.examples() if example.start < end]


def source(example: Example) -> str | None:
    """The Python code an example runs: a doctest example's source or a code block's text;
    ``None`` for an output block or a skip directive."""
    parsed = example.parsed
    if isinstance(parsed, doctest.Example):
        return parsed.source
    if isinstance(parsed, str):
        return str(parsed)
    return None


def run_examples(path: Path, until: re.Pattern[str] | None = EXERCISES) -> dict[str, Any]:
    """Run a page's examples (see `examples`) in a fresh session; return its namespace.

    Raises
    ------
    PageRunError
        If an example fails as the tests would report it: it raised, or its output is
        not the one the page shows. The message names the page and the line.
    """
    found = examples(path, until)
    namespace = found[0].namespace if found else {}
    fresh_document(namespace)
    namespace.setdefault("__name__", f"page:{path.name}")
    try:
        for example in found:
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    example.evaluate()
            except unittest.SkipTest:  # a block after a skip directive with a reason
                continue
            except SybilFailure as failure:  # its message names the page and the line
                raise PageRunError(str(failure)) from failure
            except Exception as error:
                where = f"{path}, line {example.line}"
                raise PageRunError(f"{where}: {type(error).__name__}: {error}") from error
    finally:
        np.set_printoptions(**_DEFAULT_PRINT_OPTIONS)
    namespace.pop(_PRINTED, None)
    return namespace


#: This build's runs: (page path, page text) -> namespace. See `run` and `new_build`.
_runs: dict[tuple[str, str], dict[str, Any]] = {}
#: How many times each page ran since the last `new_build` (the tests check "once").
run_counts: dict[str, int] = {}


def run(path: Path) -> dict[str, Any]:
    """The namespace of a page's code after it ran (see `run_examples`), once per build.

    The hooks of one build that need the same page share one run of it; a page whose text
    changed runs again.
    """
    text = path.read_text(encoding="utf-8")
    key = (str(path.resolve()), text)
    if key not in _runs:
        started = time.perf_counter()
        _runs[key] = run_examples(path)
        run_counts[path.name] = run_counts.get(path.name, 0) + 1
        log.info("Ran the code of %s in %.1f s", path.name, time.perf_counter() - started)
    return _runs[key]


def new_build() -> None:
    """Forget the runs of the last build: each build runs the pages' code afresh."""
    _runs.clear()
    run_counts.clear()


# ------------------------------------------------------------------ the nav


def read_config(config_path: Path = MKDOCS_YML) -> dict[str, Any]:
    """``mkdocs.yml`` as data, its ``!!python/...`` and ``!`` tags read as ``None``."""
    import yaml

    class Loader(yaml.SafeLoader):
        """A safe loader that reads the tags MkDocs configs use as None."""

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *args: None)
    Loader.add_multi_constructor("!", lambda *args: None)
    return yaml.load(config_path.read_text(encoding="utf-8"), Loader=Loader) or {}


def nav_files(nav: Any) -> list[str]:
    """The files a nav (or a part of one) lists, in order: pages and notebooks, relative
    to docs/; links to other sites are left out."""
    found: list[str] = []
    for entry in nav if isinstance(nav, list) else [nav]:
        for value in entry.values() if isinstance(entry, dict) else [entry]:
            if isinstance(value, (list, dict)):
                found += nav_files(value)
            elif isinstance(value, str) and "://" not in value:
                found.append(value)
    return found


def nav_pages(config_path: Path = MKDOCS_YML) -> list[str]:
    """The Markdown pages of the nav of ``mkdocs.yml``, in order."""
    return [
        path for path in nav_files(read_config(config_path).get("nav", [])) if path.endswith(".md")
    ]
