"""The MkDocs hooks: doctest blocks shown as sessions, CDN loaders removed, the figures'
style in one place."""

from __future__ import annotations

import ast
import inspect
import re
import sys
from pathlib import Path

from hooks import cache, downloads, figure_style, figures, measure, offline, pages, search, sessions

HOOKS = Path(__file__).resolve().parents[1] / "hooks"


def test_doctest_blocks_are_highlighted_as_sessions() -> None:
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
    html = (
        "<p>before</p><!-- Load mathjax -->\n"
        '<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js"></script>\n'
        "<script>MathJax.Hub.Config({})</script>\n<!-- End of mathjax configuration -->"
        '<script type="module">\n  const m = await import("https://cdnjs.example/mermaid.mjs");\n'
        "</script><p>after</p>"
    )
    assert offline.strip_notebook_cdn(html) == "<p>before</p><p>after</p>"


def test_only_the_mathjax_the_site_loads_is_copied(tmp_path: Path) -> None:
    size = offline.copy_mathjax(tmp_path / "mathjax")
    copied = {p.relative_to(tmp_path / "mathjax").as_posix() for p in tmp_path.rglob("*.js")}
    # the component the pages load, a TeX extension autoload fetches, the menu's explorer
    assert {"tex-svg.js", "input/tex/extensions/boldsymbol.js", "a11y/explorer.js"} <= copied
    # never loaded by the site: other combined components and outputs
    assert not {"tex-chtml.js", "tex-mml-svg.js", "mml-chtml.js"} & copied
    assert not any(name.startswith("output/") for name in copied)
    assert size < 10e6, f"{size / 1e6:.1f} MB of MathJax copied"


def test_mathjax_comes_from_an_installed_package() -> None:
    assert (offline.mathjax_source() / "tex-svg.js").is_file()


# -- numbered figures ---------------------------------------------------------------------


def test_figures_are_numbered_in_order_with_an_id_and_a_caption() -> None:
    html = (
        '<p>Text</p><figure class="rnn-figure"><svg></svg><figcaption>Folded.</figcaption></figure>'
        '<figure id="own" class="rnn-figure">\n<p><img src="a.svg"></p>\n'
        "<figcaption>\nDrawn.</figcaption>\n</figure>"
    )
    numbered = figures.number_figures(html)
    assert numbered == (
        '<p>Text</p><figure id="figure-1" class="rnn-figure"><svg></svg><figcaption>'
        '<span class="figure-number">Figure 1.</span> Folded.</figcaption></figure>'
        '<figure id="own" class="rnn-figure">\n<p><img src="a.svg"></p>\n'
        '<figcaption>\n<span class="figure-number">Figure 2.</span> Drawn.</figcaption>\n</figure>'
    )
    assert figures.number_figures("<p>No figure</p>") == "<p>No figure</p>"


# -- the figures' style, in one place -----------------------------------------------------


def test_mkdocs_loads_every_hook_from_its_path_and_leaves_sys_path_alone() -> None:
    """MkDocs loads each hook of mkdocs.yml from its path, with only hooks/ on sys.path:
    the hooks that import the package ``hooks`` (or ``tools``) still find it."""
    from mkdocs.config import load_config

    before = list(sys.path)
    config = load_config(str(HOOKS.parent / "mkdocs.yml"))
    assert sys.path == before
    loaded = config["hooks"]
    # imported, not hooks themselves
    shared = {"__init__.py", "pages.py", "figure_style.py", "cache.py"}
    assert set(loaded) == {f"hooks/{p.name}" for p in HOOKS.glob("*.py") if p.name not in shared}
    # the hooks loaded by path share the pages' runs with the package's modules
    assert loaded["hooks/figures.py"].pages is pages
    # ... and the build's cache, which the notebooks' hook starts
    assert loaded["hooks/notebooks.py"].cache is loaded["hooks/figures.py"].cache is cache
    assert loaded["hooks/interactive.py"].pages is pages


def test_the_figure_hook_takes_its_style_from_figure_style() -> None:
    style = figure_style
    assert figures.STYLE == {**style.STYLE, "svg.hashsalt": "rnn-figures"}
    assert figures.INK == style.INK == style.STYLE["text.color"]
    assert (figures.BLUE, figures.GREY, figures.ORANGE, figures.RED) == (
        style.BLUE,
        style.GREY,
        style.ORANGE,
        style.RED,
    )
    # no second copy of the style in any hook
    for name in ("figures", "measure"):
        text = (HOOKS / f"{name}.py").read_text(encoding="utf-8")
        assert style.INK not in text and style.BLUE not in text, name
        assert '"axes.labelcolor"' not in text, name


def test_the_measure_hook_measures_and_draws_nothing() -> None:
    """Its gradient-norms figure showed what the vanishing-gradients page's own figure shows
    (norms of products of recurrent Jacobians against the number of steps, per radius):
    that one, drawn by hooks/figures.py from the page's code, is the only one left."""
    assert not hasattr(measure, "on_files")  # adds no generated file to the site
    assert not hasattr(measure, "STYLE") and not hasattr(measure, "GRADIENT_FIGURE")
    assert callable(measure.on_page_markdown) and measure.SPEEDUP_MARKER.startswith("<!--")
    drawn = dict(figures.FIGURES["vanishing-gradients.md"])
    assert drawn == {"images/gradient-distance.svg": figures.gradient_distance}
    docs = HOOKS.parent / "docs"
    pages = [*docs.glob("*.md"), *docs.glob("notebooks/*.py")]
    assert not [p.name for p in pages if "gradient-norms" in p.read_text(encoding="utf-8")]


def test_figure_style_holds_plain_assignments_of_literals() -> None:
    """tools/course_notebook.py copies its assignments into the notebook: nothing else runs."""
    tree = ast.parse((HOOKS / "figure_style.py").read_text(encoding="utf-8"))
    docstring, *body = tree.body
    assert isinstance(docstring, ast.Expr) and isinstance(docstring.value, ast.Constant)
    assigned: set[str] = set()
    for node in body:
        assert isinstance(node, ast.Assign), ast.dump(node)
        used = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
        assert used <= assigned, used - assigned  # only names assigned above it
        calls = [n for n in ast.walk(node.value) if isinstance(n, (ast.Call, ast.Attribute))]
        assert not calls, ast.dump(node)
        assigned |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} - used
    assert {"INK", "BLUE", "GREY", "ORANGE", "RED", "STYLE"} <= assigned
    assert "svg.hashsalt" not in figure_style.STYLE  # each hook adds its own


def test_figures_are_drawn_from_the_variables_their_parameters_name() -> None:
    import matplotlib as mpl

    def dots(values, colour):
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(2, 2))
        ax.plot(values, color=colour)
        ax.set_xlabel("label")
        return fig

    before = {key: mpl.rcParams[key] for key in figures.STYLE}
    svg = figures.svg(dots, {"colour": "#123456", "values": [1, 3, 2], "other": None})
    after = {key: mpl.rcParams[key] for key in figures.STYLE}
    text = svg.decode("utf-8")
    assert text.startswith("<?xml") and "#123456" in text
    assert figures.INK in text  # the style's ink, for the axes and the label
    assert "<dc:date>" not in text  # reproducible: no date in the file
    assert after == before  # the style applies to the drawing only
    assert figures.svg(dots, {"colour": "#123456", "values": [1, 3, 2]}) == svg
    # each drawing function of the site takes page variables, and nothing else
    for drawn in figures.FIGURES.values():
        for _, draw in drawn:
            parameters = inspect.signature(draw).parameters.values()
            assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in parameters), draw
            assert all(p.default is p.empty for p in parameters), draw


def test_the_code_is_offered_as_a_package_and_as_the_whole_course(tmp_path: Path) -> None:
    import io
    import subprocess
    import tarfile
    import zipfile

    version = downloads.project_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    tracked = downloads.tracked_files()
    sdist = downloads.sdist(downloads.ROOT, downloads.package_files(tracked), version)
    # the same tree gives the same bytes, whenever it is built
    assert sdist == downloads.sdist(downloads.ROOT, downloads.package_files(tracked), version)
    with tarfile.open(fileobj=io.BytesIO(sdist)) as tar:
        names = tar.getnames()
    assert f"rnn-{version}/rnn/__init__.py" in names
    assert f"rnn-{version}/pyproject.toml" in names
    assert not [name for name in names if "/tests/" in name or "/docs/" in name]
    # pip reads it: it builds the package (fetching setuptools, as any reader's pip does)
    # and installs it, here without its NumPy dependency, into a folder
    archive = tmp_path / f"rnn-{version}.tar.gz"
    archive.write_bytes(sdist)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(tmp_path / "installed"),
            str(archive),
        ],
        check=True,
    )
    assert (tmp_path / "installed" / "rnn" / "functional" / "simple_rnn.py").is_file()

    course = downloads.course_zip(downloads.ROOT, tracked, version)
    with zipfile.ZipFile(io.BytesIO(course)) as archive_zip:
        infos = {info.filename: info for info in archive_zip.infolist()}
    prefix = f"rnn-course-{version}/"
    for name in ("Makefile", "README.md", "docs/index.md", "tests/test_site.py", ".ci/run"):
        assert prefix + name in infos
    assert infos[prefix + ".ci/run"].external_attr >> 16 & 0o111  # still executable
    assert not [name for name in infos if "/.venv" in name or "/site/" in name]


def test_the_course_notebook_is_left_out_of_search_and_its_permalinks_are_material_ones() -> None:

    class Page:
        def __init__(self, src_uri: str) -> None:
            self.file = type("File", (), {"src_uri": src_uri})()
            self.meta: dict[str, object] = {}

    heading = '<h2 id="x">X<a class="anchor-link" href="#x">¶</a></h2>'
    course, lesson = Page("notebooks/course.py"), Page("bptt.md")
    assert search.on_page_content(heading, course, {}, None) == (
        '<h2 id="x">X<a class="headerlink" href="#x">¶</a></h2>'
    )
    assert course.meta["search"] == {"exclude": True}
    assert search.on_page_content(heading, lesson, {}, None) == heading
    assert "search" not in lesson.meta


def test_output_lines_that_draw_a_table_are_marked_to_keep_them_whole() -> None:
    html = (
        '<span class="gp">&gt;&gt;&gt; </span><span class="n">x</span>\n'
        '<span class="go">┏━━━━┳━━┓</span>\n'
        '<span class="go">│ dense (Dense) │ 11 │</span>\n'
        '<span class="go"> Total params: 131 (524.00 B)</span>\n'
        '<span class="go">kernel      (4, 5)      20</span>\n'
        '<span class="go">[1.0, 2.0]  # not a table: two spaces</span>\n'
    )
    marked = sessions.mark_tables(html)
    assert marked.count('class="go go-table"') == 3
    assert '<span class="go"> Total params' in marked


def test_each_figure_is_drawn_for_both_palettes_and_shown_in_the_readers() -> None:
    style = figure_style
    markdown = "Text.\n\n![A curve\nfalling](images/hidden-state.svg)\n\n![Other](images/x.svg)\n"
    shown = figures.both_palettes(markdown, ["images/hidden-state.svg"])
    assert shown == (
        "Text.\n\n![A curve\nfalling](images/hidden-state.svg#only-light){ .plot }"
        "![A curve\nfalling](images/hidden-state-dark.svg#only-dark){ .plot }\n\n"
        "![Other](images/x.svg)\n"
    )

    def contrast(one: str, other: str) -> float:
        def luminance(colour: str) -> float:
            channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
            linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
            return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

        high, low = sorted([luminance(one), luminance(other)], reverse=True)
        return (high + 0.05) / (low + 0.05)

    # WCAG's 4.5:1 for text, on Material's white and on its slate background (#1e2129)
    assert contrast(style.INK_ON_LIGHT, "#ffffff") >= 4.5
    assert contrast(style.INK_ON_DARK, "#1e2129") >= 4.5

    def draw():
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        ax.set(title="t")
        return fig

    light = figures.svg(draw, {}, style.INK_ON_LIGHT).decode()
    dark = figures.svg(draw, {}, style.INK_ON_DARK).decode()
    assert style.INK_ON_LIGHT in light and style.INK_ON_LIGHT not in dark
    assert style.INK_ON_DARK in dark
    assert figures.INK == style.INK  # the module's colour is restored after drawing
