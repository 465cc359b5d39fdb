"""The docs build's cache: what a page's run made, kept by the content of what it depends on.

The site build runs code: the pages with figures (``hooks/figures.py``,
``hooks/interactive.py``: `pages.run`) and the notebooks (mkdocs-jupyter, ``execute:
true``; ``hooks/notebooks.py``). Rerunning all of it for every edit made ``mkdocs serve``
take about a minute to show a one-line change of prose. This module keeps each run's
result (the SVG figures of a page, the data of an interactive figure, a notebook's HTML)
in ``.cache/docs/`` under a key that hashes everything the result depends on:

- **the page's code.** For a Markdown page, the text of the examples that `pages.run`
  runs (every code, output and skip block up to ``## Exercises``, as `pages.examples`
  reads them): an edit of the prose around them keeps the key, an edit of a block
  changes it. For a notebook, its whole file (its prose is in the HTML too).
- **the package,** every file of ``rnn/`` as it is on disk when the build starts. The
  build's own process imports ``rnn`` afresh at each build (`new_build` forgets the
  modules it had imported), so the code that runs is the code that was hashed.
- **the build's code,** every file of ``hooks/`` and ``tools/``, hashed once per process:
  MkDocs loads the hooks once, so an edit of them shows after ``mkdocs serve`` restarts,
  and the key follows the code that runs.
- **the environment:** Python's version and those of the libraries that compute or
  write the results (`DISTRIBUTIONS`), and each result's own settings (a notebook's
  mkdocs-jupyter options).

A result is stored only if none of its inputs changed while it was computed (an edit of
``rnn/`` in the middle of a run would otherwise store new output under the old key).

When it is used (`set_mode`, from the command MkDocs runs; ``RNN_DOCS_CACHE=off`` or
``fresh`` can make it stricter, never looser):

- ``mkdocs serve``: ``reuse``, results are read from the cache, and what is missing is
  computed and stored.
- ``mkdocs build``: ``fresh``, everything is computed afresh, as the strict build of the
  tests needs, and stored (so that a ``mkdocs serve`` after it starts warm).
- ``off``: nothing is read or stored (and outside MkDocs, as in the tests).
"""

from __future__ import annotations

import doctest
import hashlib
import json
import logging
import os
import platform
import re
import sys
import tempfile
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

if __package__ != "hooks":  # loaded from its path, with only hooks/ on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hooks import pages

log = logging.getLogger("mkdocs.hooks.cache")

ROOT = Path(__file__).resolve().parents[1]
DIRECTORY = ROOT / ".cache" / "docs"
#: The package the pages import: hashed, and imported afresh, at every build.
PACKAGE = "rnn"
#: The build's own code, loaded once per process: hashed once.
BUILD_CODE = ("hooks", "tools")
#: The libraries whose versions can change a result.
DISTRIBUTIONS = (
    "numpy",
    "h5py",
    "keras",
    "matplotlib",
    "sybil",
    "vega_datasets",
    "mkdocs",
    "mkdocs-jupyter",
    "nbconvert",
    "nbclient",
    "nbformat",
    "jupytext",
    "ruff",
    "ipykernel",
    "pygments",
    "markdown",
)
MODES = ("reuse", "fresh", "off")
#: The modes of MkDocs' commands; any other command (``gh-deploy``) builds fresh.
COMMAND_MODES = {"serve": "reuse", "build": "fresh"}
ENVIRONMENT_VARIABLE = "RNN_DOCS_CACHE"

T = TypeVar("T")


# ------------------------------------------------------------------ what a key hashes


def tree_digest(root: Path, parts: Iterable[str]) -> str:
    """SHA-256 of every file under ``root / part`` for each of ``parts`` (a folder or a
    file): their paths relative to ``root`` and their bytes, in sorted order. Compiled
    files (``__pycache__``) are left out."""
    digest = hashlib.sha256()
    for part in parts:
        top = root / part
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def environment() -> str:
    """Python's version and the versions of `DISTRIBUTIONS`, as one line."""

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "absent"

    versions = [f"{name}={version(name)}" for name in DISTRIBUTIONS]
    return " ".join([f"python={platform.python_version()}", *versions])


def page_code(path: Path) -> str:
    """The code a page's run depends on: each example `pages.run` runs (its code, output
    and skip blocks up to ``## Exercises``), in order, as sybil parsed it (a doctest's
    source, expected output and options; a code block's text; an output block's lines; a
    skip directive)."""

    def parsed(example: Any) -> Any:
        value = example.parsed
        if isinstance(value, doctest.Example):
            return [value.source, value.want, value.exc_msg, sorted(value.options.items())]
        return str(value) if isinstance(value, str) else value

    return json.dumps(
        [[type(e.region.evaluator).__name__, parsed(e)] for e in pages.examples(path)],
        default=repr,
    )


# ------------------------------------------------------------------ the store


def _slug(name: str) -> str:
    """A file name for the results of ``name`` (a page's path)."""
    return re.sub(r"[^A-Za-z0-9.-]+", "_", name)


class Store:
    """Results as JSON files, ``<directory>/<kind>/<name>-<key>.json``; one per name and
    kind (storing a result removes the older results of the same name and kind)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, kind: str, name: str, key: str) -> Path:
        """Where the result of ``name`` of this ``kind`` under ``key`` is kept."""
        return self.directory / kind / f"{_slug(name)}-{key}.json"

    def get(self, kind: str, name: str, key: str) -> Any | None:
        """The stored result, or ``None``."""
        try:
            return json.loads(self.path(kind, name, key).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def put(self, kind: str, name: str, key: str, value: Any) -> None:
        """Store ``value`` (JSON data) atomically, and remove the older results of ``name``."""
        target = self.path(kind, name, key)
        target.parent.mkdir(parents=True, exist_ok=True)
        for older in target.parent.glob(f"{_slug(name)}-*.json"):
            if older != target and re.fullmatch(r"[0-9a-f]{64}", older.stem[-64:]):
                older.unlink(missing_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(value, file)
        os.replace(temporary, target)


# ------------------------------------------------------------------ the build's state


class _State:
    """The cache of the running process: its mode, its store and the digests it keys by."""

    mode: str = "off"  # outside MkDocs (the tests): set_mode chooses
    store: Store = Store(DIRECTORY)
    build_code: str | None = None  # hashed once per process
    package: str | None = None  # hashed at each build
    environment: str | None = None  # read at each build


_state = _State()


def set_mode(command: str | None = None, directory: Path = DIRECTORY) -> str:
    """Choose how the cache is used, from the MkDocs ``command`` (`COMMAND_MODES`;
    ``fresh`` for another command, ``off`` for none), and return it.

    ``RNN_DOCS_CACHE`` (one of `MODES`) can only make it stricter: ``off`` turns the
    cache off, ``fresh`` makes ``mkdocs serve`` run everything afresh; no setting makes
    ``mkdocs build`` (the strict build of the tests) reuse anything.
    """
    wanted = COMMAND_MODES.get(command, "fresh") if command else "off"
    setting = os.environ.get(ENVIRONMENT_VARIABLE) or wanted
    if setting not in MODES:
        raise ValueError(f"{ENVIRONMENT_VARIABLE}={setting!r}: choose one of {', '.join(MODES)}")
    strictest = max(wanted, setting, key=MODES.index)  # MODES: the least strict first
    _state.mode, _state.store = strictest, Store(directory)
    return strictest


def mode() -> str:
    """How the cache is used now: ``reuse``, ``fresh`` or ``off``."""
    return _state.mode


def forget_package(package: str = PACKAGE) -> None:
    """Forget the modules of ``package``, so that the next import reads its files again."""
    for name in [name for name in sys.modules if name == package or name.startswith(package + ".")]:
        del sys.modules[name]


def new_build() -> None:
    """Start a build: import the package afresh, and hash it as it is now."""
    forget_package()
    _state.package = tree_digest(ROOT, [PACKAGE])
    _state.environment = environment()


def _digests() -> str:
    """The digests of the package and of the build's code, and the environment (each
    computed if not yet)."""
    if _state.build_code is None:
        _state.build_code = tree_digest(ROOT, BUILD_CODE)
    if _state.package is None:
        _state.package = tree_digest(ROOT, [PACKAGE])
    if _state.environment is None:
        _state.environment = environment()
    return f"{_state.package} {_state.build_code} {_state.environment}"


def key(kind: str, name: str, inputs: Iterable[str | bytes]) -> str:
    """The key of a result: SHA-256 of its kind, its name, its own ``inputs``, the
    package, the build's code and the environment."""
    digest = hashlib.sha256()
    for part in (kind, name, _digests(), *inputs):
        data = part.encode() if isinstance(part, str) else part
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def cached(
    kind: str, name: str, inputs: Callable[[], list[str | bytes]], compute: Callable[[], T]
) -> T:
    """The result of ``compute()`` (JSON data), from the cache when it holds it.

    Parameters
    ----------
    kind : str
        What the result is (``"figures"``, ``"interactive"``, ``"notebook"``).
    name : str
        Whose result it is: a page's path in ``docs/``.
    inputs : callable
        Returns the result's own inputs (a page's code): read before and after ``compute``.
    compute : callable
        Computes the result afresh.

    Returns
    -------
    object
        In ``reuse`` mode, the stored result if there is one; else ``compute()``, which
        is then stored, unless the mode is ``off`` or an input (the page, the package)
        changed while it ran.
    """
    if _state.mode == "off":
        return compute()
    own = inputs()
    found = key(kind, name, own)
    if _state.mode == "reuse":
        stored = _state.store.get(kind, name, found)
        if stored is not None:
            log.info("Reused the %s of %s (.cache/docs)", kind, name)
            return stored  # type: ignore[no-any-return]
    result = compute()
    if inputs() == own and tree_digest(ROOT, [PACKAGE]) == _state.package:
        _state.store.put(kind, name, found, result)
    else:
        log.info("Not caching the %s of %s: its inputs changed while it ran", kind, name)
    return result
