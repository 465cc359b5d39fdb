"""MkDocs hook: the notebook pages run once per content, alongside the rest of the build.

mkdocs-jupyter executes each notebook (``docs/notebooks/*.py``, ``execute: true``,
``allow_errors: false``) when its page renders, in a Jupyter kernel of its own; its own
cache (``cache: false``) would key a notebook by its bytes alone, missing the package it
imports. This hook changes three things, and nothing of what the pages show:

- **Sooner.** The notebooks start when the build's files are known (`on_files`), in a
  thread that waits on their kernel, so that they execute while this process runs the
  pages' code for the figures and renders the other pages; each page takes its HTML when
  it renders. They run one after the other (in the order of the site's files), with
  mkdocs-jupyter's own code (its ``on_pre_page`` and render, on a stand-in page). An
  error in a notebook fails the build when its page renders, as before.
- **Once per content.** A notebook's HTML, table of contents and title are kept by the
  build's cache (``hooks/cache.py``), keyed by the notebook's file, mkdocs-jupyter's
  options, the package, the hooks and the environment: ``mkdocs serve`` reuses it while
  none of them changes, ``mkdocs build`` executes afresh.
- **Over IPC.** The kernels listen on Unix sockets in a private temporary folder, not
  on TCP ports of the machine: nothing else can connect to them, and the kernel no
  longer warns that it runs over TCP without encryption. (mkdocs-jupyter reads
  nbconvert's configuration files; `kernel_over_ipc` puts one first on Jupyter's path.)

It also starts the build's cache: `on_startup` chooses its mode from the command
(``serve`` or ``build``), `on_config` starts each build (``rnn`` imported and hashed
afresh).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
import types
from pathlib import Path
from typing import Any

if __package__ != "hooks":  # loaded by MkDocs from its path, with only hooks/ on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # MkDocs takes it off again
from hooks import cache

log = logging.getLogger("mkdocs.hooks.notebooks")

PLUGIN = "mkdocs-jupyter"
_ipc_folder: str | None = None


# ------------------------------------------------------------------ the kernels' transport


def kernel_over_ipc() -> Path:
    """Make the notebooks' kernels listen on Unix sockets: a private temporary folder
    holds an nbconvert configuration (``KernelManager.transport = "ipc"``, the sockets
    in that folder) and goes first on ``JUPYTER_CONFIG_PATH``. Return the folder (one per
    process, removed at exit)."""
    global _ipc_folder
    if _ipc_folder is None:
        _ipc_folder = tempfile.mkdtemp(prefix="rnn-docs-kernel-")  # readable by us alone
        atexit.register(shutil.rmtree, _ipc_folder, True)
        settings = {"KernelManager": {"transport": "ipc", "ip": f"{_ipc_folder}/kernel"}}
        (Path(_ipc_folder) / "jupyter_nbconvert_config.json").write_text(json.dumps(settings))
    paths = os.environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep)
    if paths[0] != _ipc_folder:
        os.environ["JUPYTER_CONFIG_PATH"] = os.pathsep.join([_ipc_folder, *filter(None, paths)])
    return Path(_ipc_folder)


# ------------------------------------------------------------------ a notebook's result


def toc_tokens(toc: Any) -> list[dict[str, Any]]:
    """A table of contents (MkDocs' ``AnchorLink`` items) as the tokens ``get_toc`` reads."""
    return [
        {"level": a.level, "id": a.id, "name": a.title, "children": toc_tokens(a.children)}
        for a in toc
    ]


def execute(plugin: Any, file: Any, config: Any, files: Any) -> dict[str, Any]:
    """A notebook page rendered by mkdocs-jupyter (executed), as JSON data: its HTML
    ``content``, its ``toc`` (tokens) and its ``title`` (``None`` if it sets none)."""
    page = types.SimpleNamespace(file=file, abs_url=file.url, content=None, toc=[])
    plugin.on_pre_page(page, config, files)  # gives the stand-in mkdocs-jupyter's render
    started = time.perf_counter()
    page.render(config, files)
    log.info("Executed %s in %.1f s", file.src_uri, time.perf_counter() - started)
    title = vars(page).get("title")
    return {"content": page.content, "toc": toc_tokens(page.toc), "title": title}


def notebook_result(plugin: Any, file: Any, config: Any, files: Any) -> dict[str, Any]:
    """`execute`, through the build's cache: keyed by the notebook's file and
    mkdocs-jupyter's options (and what every key holds: the package, the hooks)."""
    options = json.dumps(dict(plugin.config), sort_keys=True, default=str)
    return cache.cached(
        "notebook",
        file.src_uri,
        lambda: [Path(file.abs_src_path).read_bytes(), options],
        lambda: execute(plugin, file, config, files),
    )


class _Runs:
    """This build's notebooks, run in order in a background thread."""

    def __init__(self) -> None:
        self.results: dict[str, dict[str, Any]] = {}
        self.errors: dict[str, BaseException] = {}
        self.done: dict[str, threading.Event] = {}

    def start(self, plugin: Any, notebooks: list[Any], config: Any, files: Any) -> None:
        self.done = {file.src_uri: threading.Event() for file in notebooks}

        def work() -> None:
            for file in notebooks:
                try:
                    self.results[file.src_uri] = notebook_result(plugin, file, config, files)
                except BaseException as error:  # raised again when the page renders
                    self.errors[file.src_uri] = error
                finally:
                    self.done[file.src_uri].set()

        threading.Thread(target=work, name="notebooks", daemon=True).start()

    def result(self, src_uri: str) -> dict[str, Any]:
        self.done[src_uri].wait()
        if src_uri in self.errors:
            raise self.errors[src_uri]
        return self.results[src_uri]


_runs = _Runs()


def _is_notebook(file: Any, plugin: Any) -> bool:
    """Whether mkdocs-jupyter renders ``file``: it wrapped it as a ``NotebookFile``
    (asking ``should_include`` again would read every Markdown page with jupytext)."""
    if not type(plugin).__module__.startswith("mkdocs_jupyter"):
        return bool(plugin.should_include(file))
    from mkdocs_jupyter.plugin import NotebookFile

    return isinstance(file, NotebookFile)


# ------------------------------------------------------------------ MkDocs' events


def on_startup(command: str, dirty: bool) -> None:
    mode = cache.set_mode(command)
    log.info("The build's cache (.cache/docs): %s", mode)


def on_config(config: Any) -> Any:
    cache.new_build()
    kernel_over_ipc()
    return config


def on_files(files: Any, config: Any) -> Any:
    plugin = config["plugins"].get(PLUGIN)
    if plugin is None or not plugin.config["execute"]:
        return files
    # the files mkdocs-jupyter took as notebooks (its on_files ran before this one)
    notebooks = [file for file in files.documentation_pages() if _is_notebook(file, plugin)]
    _runs.start(plugin, notebooks, config, files)
    return files


def on_pre_page(page: Any, config: Any, files: Any) -> Any:
    """Give a notebook page (after mkdocs-jupyter gave it its render) the result of its
    run of this build."""
    if page.file.src_uri not in _runs.done or "render" not in vars(page):
        return page
    from mkdocs.structure.toc import get_toc

    def render(config: Any, files: Any) -> None:
        result = _runs.result(page.file.src_uri)
        page.content, page.toc = result["content"], get_toc(result["toc"])
        if result["title"] is not None:
            page.title = result["title"]

    page.render = render
    return page
