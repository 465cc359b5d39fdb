"""The docs build's cache (``hooks/cache.py``, ``hooks/notebooks.py``): a result is reused
only while everything it depends on is unchanged, and a reused result is the fresh one.

Nothing here is timed: ``make docs-times`` measures the build (``tools/docs_times.py``).
"""

from __future__ import annotations

import json
import os
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hooks import cache, figures, interactive, measure, notebooks, offline
from tools import course_notebook

DOCS = Path(__file__).resolve().parents[1] / "docs"

PAGE = """# A page

Some prose.

```python
>>> x = 1 + 1
>>> x
2
```

More prose.

## Exercises

1. Do something.

    ```python
    >>> x + 1
    3
    ```
"""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Path]:
    """The cache in ``reuse`` mode (as ``mkdocs serve``), in a temporary folder; the
    state of the process (mode, digests) is put back afterwards."""
    saved = vars(cache._state).copy()
    previous = os.environ.pop(cache.ENVIRONMENT_VARIABLE, None)
    cache.set_mode("serve", tmp_path / "cache")
    yield tmp_path / "cache"
    for name in ("mode", "store", "build_code", "package", "environment"):
        if name in saved:
            setattr(cache._state, name, saved[name])
        else:
            vars(cache._state).pop(name, None)
    if previous is not None:
        os.environ[cache.ENVIRONMENT_VARIABLE] = previous


# -- what a key holds ---------------------------------------------------------------------


def test_a_tree_digest_follows_every_file_but_compiled_ones(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "a.py").write_text("a = 1\n")
    (tmp_path / "pkg" / "sub" / "data.csv").write_text("1,2\n")
    first = cache.tree_digest(tmp_path, ["pkg"])
    assert cache.tree_digest(tmp_path, ["pkg"]) == first
    (tmp_path / "pkg" / "__pycache__").mkdir()
    (tmp_path / "pkg" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0")
    assert cache.tree_digest(tmp_path, ["pkg"]) == first
    (tmp_path / "pkg" / "sub" / "data.csv").write_text("1,3\n")
    assert cache.tree_digest(tmp_path, ["pkg"]) != first
    (tmp_path / "pkg" / "sub" / "data.csv").write_text("1,2\n")
    (tmp_path / "pkg" / "sub" / "data.csv").rename(tmp_path / "pkg" / "data.csv")
    assert cache.tree_digest(tmp_path, ["pkg"]) != first  # a moved file counts too


def test_a_pages_code_is_its_examples_up_to_the_exercises(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    code = cache.page_code(page)
    assert "x = 1 + 1" in code and "x + 1" not in code
    page.write_text(PAGE.replace("Some prose.", "Some other prose, longer."))
    assert cache.page_code(page) == code  # prose around the code: the same run
    page.write_text(PAGE.replace(">>> x + 1\n    3", ">>> x + 2\n    4"))
    assert cache.page_code(page) == code  # the exercises do not run in the build
    page.write_text(PAGE.replace("1 + 1", "2 * 1"))
    assert cache.page_code(page) != code
    page.write_text(PAGE.replace("\n2\n```", "\n2.0\n```"))
    assert cache.page_code(page) != code  # the output the run checks counts too


def test_the_key_changes_with_the_page_the_package_the_hooks_and_the_environment(
    store: Path,
) -> None:
    base = cache.key("figures", "page.md", ["code"])
    assert cache.key("figures", "page.md", ["code"]) == base  # nothing changed: a hit
    assert cache.key("figures", "page.md", ["other code"]) != base
    assert cache.key("figures", "other.md", ["code"]) != base
    assert cache.key("interactive", "page.md", ["code"]) != base
    for part in ("package", "build_code", "environment"):
        saved = getattr(cache._state, part)
        setattr(cache._state, part, "changed")
        assert cache.key("figures", "page.md", ["code"]) != base, part
        setattr(cache._state, part, saved)
    assert cache.key("figures", "page.md", ["code"]) == base


def test_the_key_hashes_the_package_and_the_build_code_of_this_project(store: Path) -> None:
    cache._state.package = cache._state.build_code = None
    cache.key("figures", "page.md", [])
    assert cache._state.package == cache.tree_digest(cache.ROOT, ["rnn"])
    assert cache._state.build_code == cache.tree_digest(cache.ROOT, ["hooks", "tools"])
    assert "numpy=" in cache.environment() and "matplotlib=" in cache.environment()


def test_a_new_build_forgets_the_package_so_that_it_is_imported_afresh() -> None:
    probe = "rnn_docs_cache_probe"
    sys.modules[probe] = types.ModuleType(probe)
    sys.modules[f"{probe}.sub"] = types.ModuleType(f"{probe}.sub")
    sys.modules[f"{probe}_other"] = types.ModuleType(f"{probe}_other")
    try:
        cache.forget_package(probe)
        assert probe not in sys.modules and f"{probe}.sub" not in sys.modules
        assert f"{probe}_other" in sys.modules
    finally:
        for name in (probe, f"{probe}.sub", f"{probe}_other"):
            sys.modules.pop(name, None)


# -- when a result is reused ---------------------------------------------------------------


class Counter:
    """A computation that counts its runs."""

    def __init__(self, value: Any) -> None:
        self.value, self.runs = value, 0

    def __call__(self) -> Any:
        self.runs += 1
        return self.value


def test_serve_reuses_a_result_while_nothing_changed(store: Path) -> None:
    compute = Counter({"a": [1.5, "x"]})
    first = cache.cached("figures", "page.md", lambda: ["code"], compute)
    again = cache.cached("figures", "page.md", lambda: ["code"], compute)
    assert first == again == {"a": [1.5, "x"]} and compute.runs == 1
    cache.cached("figures", "page.md", lambda: ["new code"], compute)
    assert compute.runs == 2
    # one result per page and kind is kept: the older one is gone
    assert len(list((store / "figures").glob("page.md-*.json"))) == 1


def test_a_change_of_the_package_runs_the_page_again(store: Path) -> None:
    compute = Counter([1])
    cache.cached("figures", "page.md", lambda: ["code"], compute)
    cache._state.package = "rnn after an edit"
    cache.cached("figures", "page.md", lambda: ["code"], compute)
    assert compute.runs == 2


def test_build_computes_afresh_and_stores_and_off_stores_nothing(store: Path) -> None:
    compute = Counter([1])
    cache.set_mode("build", store)
    cache.cached("figures", "page.md", lambda: ["code"], compute)
    cache.cached("figures", "page.md", lambda: ["code"], compute)
    assert compute.runs == 2  # a strict build never reads the cache
    cache.set_mode("serve", store)
    cache.cached("figures", "page.md", lambda: ["code"], compute)
    assert compute.runs == 2  # ... but serve after it starts warm
    assert cache.set_mode("gh-deploy", store) == "fresh"
    assert cache.set_mode(None, store / "off") == "off"  # outside MkDocs
    os.environ[cache.ENVIRONMENT_VARIABLE] = "reuse"
    try:
        assert cache.set_mode("build", store) == "fresh"  # never looser than the command
        os.environ[cache.ENVIRONMENT_VARIABLE] = "fresh"
        assert cache.set_mode("serve", store) == "fresh"
        os.environ[cache.ENVIRONMENT_VARIABLE] = "off"
        assert cache.set_mode("serve", store / "off") == "off"
        cache.cached("figures", "page.md", lambda: ["code"], compute)
        cache.cached("figures", "page.md", lambda: ["code"], compute)
        assert compute.runs == 4 and not (store / "off").exists()
        os.environ[cache.ENVIRONMENT_VARIABLE] = "sometimes"
        with pytest.raises(ValueError, match="RNN_DOCS_CACHE"):
            cache.set_mode("serve")
    finally:
        del os.environ[cache.ENVIRONMENT_VARIABLE]


def test_a_result_whose_inputs_changed_while_it_ran_is_not_stored(store: Path) -> None:
    inputs = iter([["code"], ["code edited meanwhile"], ["code edited meanwhile"]])
    compute = Counter([1])
    cache.cached("figures", "page.md", lambda: next(inputs), compute)
    assert not list(store.rglob("*.json"))
    cache.cached("figures", "page.md", lambda: ["code"], compute)
    assert compute.runs == 2


# -- a reused result is the fresh one ------------------------------------------------------


def test_a_pages_cached_figures_are_those_of_a_fresh_run(store: Path) -> None:
    page = DOCS / "numpy-rnn.md"
    fresh = figures.draw_page(page, figures.FIGURES[page.name])
    stored = figures.page_figures(page)  # a miss: runs and stores
    reused = figures.page_figures(page)  # a hit
    assert fresh == stored == reused
    assert list(reused) == ["images/hidden-state.svg"]
    assert all(svg.startswith("<?xml") for svg in reused["images/hidden-state.svg"])


def test_an_interactive_figures_cached_data_is_that_of_a_fresh_run(store: Path) -> None:
    page = DOCS / "what-is-an-rnn.md"
    name, fresh = interactive.page_data(page)  # a miss
    _, reused = interactive.page_data(page)  # a hit, read from JSON
    assert json.dumps(reused) == json.dumps(fresh)
    html = f'<div class="interactive" data-interactive="{name}"></div>'
    assert interactive.embed(html, name, reused) == interactive.embed(html, name, fresh)


def test_a_lesson_pages_cached_notebook_is_that_of_a_fresh_one(store: Path) -> None:
    config, assets = DOCS.parent / "mkdocs.yml", offline.assets_digest(DOCS)
    cells = course_notebook.page_notebook("notation.md", config, DOCS)
    fresh = course_notebook.render_ipynb(cells)
    stored = offline.page_notebook("notation.md", config, DOCS, "", True, assets)  # a miss
    reused = offline.page_notebook("notation.md", config, DOCS, "", True, assets)  # a hit
    assert fresh == stored == reused
    online = offline.page_notebook(
        "notation.md", config, DOCS, "https://example.org/", True, assets
    )
    assert online != fresh  # the site's address is part of the key
    assert len(list((store / "page-notebook").glob("notation.md-*.json"))) == 1


def test_serve_shows_its_last_measurement_with_its_day_and_build_measures_again(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    timed = Counter({"loop": 0.04, "vectorised": 0.002, "batch": 32, "repeats": 5})
    monkeypatch.setattr(measure, "measure_speedup", timed)
    page = types.SimpleNamespace(file=types.SimpleNamespace(src_uri="numpy-rnn.md"))
    shown = measure.on_page_markdown(measure.SPEEDUP_MARKER, page, None, None)
    assert measure.on_page_markdown(measure.SPEEDUP_MARKER, page, None, None) == shown
    assert timed.runs == 1 and "20.0 times faster" in shown
    [stored] = (store / "measure").glob("*.json")
    entry = json.loads(stored.read_text())
    stored.write_text(json.dumps({**entry, "date": "2000-01-01"}))
    assert "measured on 2000-01-01" in measure.on_page_markdown(
        measure.SPEEDUP_MARKER, page, None, None
    )
    cache.set_mode("build", store)
    measure.on_page_markdown(measure.SPEEDUP_MARKER, page, None, None)
    assert timed.runs == 2


#: A notebook's table of contents: a title, and a section whose name holds HTML.
SECTION = {"level": 2, "id": "s", "name": "<code>x</code> &amp; y", "children": []}
TOC = [{"level": 1, "id": "t", "name": "Title", "children": [SECTION]}]


class FakeJupyter:
    """mkdocs-jupyter's part in a notebook page: its options, and the render it gives."""

    def __init__(self) -> None:
        self.config = {"execute": True, "allow_errors": False}
        self.runs = 0

    def should_include(self, file: Any) -> bool:
        return str(file.src_uri).endswith(".py")

    def on_pre_page(self, page: Any, config: Any, files: Any) -> Any:
        def render(config: Any, files: Any) -> None:
            from mkdocs.structure.toc import get_toc

            self.runs += 1
            page.content = f"<p>run {self.runs}</p>"
            page.toc = get_toc(TOC)
            page.title = "Title"

        page.render = render
        return page


def test_a_notebooks_cached_page_is_that_of_a_fresh_run(store: Path, tmp_path: Path) -> None:
    from mkdocs.structure.toc import get_toc

    source = tmp_path / "nb.py"
    source.write_text("# %%\nprint(1)\n")
    file = types.SimpleNamespace(src_uri="notebooks/nb.py", abs_src_path=str(source), url="nb/")
    plugin = FakeJupyter()
    fresh = notebooks.execute(plugin, file, {}, None)
    stored = notebooks.notebook_result(plugin, file, {}, None)
    reused = notebooks.notebook_result(plugin, file, {}, None)
    assert plugin.runs == 2 and reused == stored
    assert reused["title"] == fresh["title"] == "Title"
    assert str(get_toc(reused["toc"])) == str(get_toc(fresh["toc"]))
    assert fresh["content"] == "<p>run 1</p>" and reused["content"] == "<p>run 2</p>"
    source.write_text("# %%\nprint(2)\n")  # the notebook changed: it runs again
    assert notebooks.notebook_result(plugin, file, {}, None)["content"] == "<p>run 3</p>"
    plugin.config["include_source"] = False  # so did mkdocs-jupyter's options
    assert notebooks.notebook_result(plugin, file, {}, None)["content"] == "<p>run 4</p>"


def test_a_notebook_page_takes_the_result_of_its_run(store: Path, tmp_path: Path) -> None:
    source = tmp_path / "nb.py"
    source.write_text("# %%\nprint(1)\n")
    file = types.SimpleNamespace(src_uri="notebooks/nb.py", abs_src_path=str(source), url="nb/")
    plugin = FakeJupyter()

    class Files:
        def documentation_pages(self) -> list[Any]:
            return [file]

    config = {"plugins": {"mkdocs-jupyter": plugin}}
    notebooks.on_files(Files(), config)
    page = types.SimpleNamespace(file=file, title=None)
    plugin.on_pre_page(page, config, None)
    notebooks.on_pre_page(page, config, None)
    page.render(config, None)
    assert page.content == "<p>run 1</p>" and page.title == "Title"
    assert [link.title for link in page.toc] == ["Title"]
    assert page.toc.items[0].children[0].title == "<code>x</code> &amp; y"


def test_a_notebooks_error_fails_its_page(store: Path, tmp_path: Path) -> None:
    file = types.SimpleNamespace(src_uri="notebooks/nb.py", abs_src_path=str(tmp_path / "nb.py"))
    (tmp_path / "nb.py").write_text("")
    plugin = FakeJupyter()

    def failing(page: Any, config: Any, files: Any) -> Any:
        def render(config: Any, files: Any) -> None:
            raise RuntimeError("a cell raised")

        page.render = render
        return page

    plugin.on_pre_page = failing  # type: ignore[method-assign]
    file.url = "nb/"

    class Files:
        def documentation_pages(self) -> list[Any]:
            return [file]

    config = {"plugins": {"mkdocs-jupyter": plugin}}
    notebooks.on_files(Files(), config)
    page = types.SimpleNamespace(file=file, title=None)
    failing(page, config, None)
    notebooks.on_pre_page(page, config, None)
    with pytest.raises(RuntimeError, match="a cell raised"):
        page.render(config, None)
    assert not list(store.rglob("*.json"))


# -- the kernels' transport -----------------------------------------------------------------


def test_notebook_kernels_run_over_ipc(monkeypatch: pytest.MonkeyPatch, capfd: Any) -> None:
    import nbformat
    from nbconvert.nbconvertapp import NbConvertApp
    from nbconvert.preprocessors import ExecutePreprocessor

    monkeypatch.setenv("JUPYTER_CONFIG_PATH", "")
    folder = notebooks.kernel_over_ipc()
    assert os.environ["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0] == str(folder)
    app = NbConvertApp()
    app.load_config_file()  # as mkdocs-jupyter reads nbconvert's configuration
    assert app.config.KernelManager.transport == "ipc"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    ExecutePreprocessor(config=app.config, kernel_name="python3").preprocess(notebook, {})
    assert notebook.cells[0].outputs[0]["text"] == "42\n"
    assert "without encryption" not in capfd.readouterr().err


# -- the API's signatures ------------------------------------------------------------------


def test_each_signature_is_formatted_once_and_as_before() -> None:
    from hooks import signatures

    calls: list[tuple[str, int]] = []

    def get_formatter() -> Any:
        def formatter(code: str, line_length: int) -> str:
            calls.append((code, line_length))
            return code.upper()

        return formatter

    remembered = signatures.remember(get_formatter)
    assert signatures.remember(remembered) is remembered
    for _ in range(2):  # two builds
        assert remembered()("def f(a): pass", 60) == "DEF F(A): PASS"
        assert remembered()("def f(a): pass", 40) == "DEF F(A): PASS"
    assert calls == [("def f(a): pass", 60), ("def f(a): pass", 40)]
