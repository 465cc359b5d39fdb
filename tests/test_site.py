"""The site as a reader gets it: built strictly, offline, and checked in a real browser.

The site is built once per test session into a temporary folder (``mkdocs build
--strict``, which executes the notebooks), then

- the built HTML is checked for anything that would load from another host;
- it is served on 127.0.0.1 at a free port and every page is visited in headless
  Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright): no console errors, no
  failed requests, no request to another host, every formula typeset, search works, and
  the copy button gives code that runs.

Without Chromium the browser tests skip with a reason, except under ``CI=true``, where a
missing browser is a failure.
"""

from __future__ import annotations

import ast
import functools
import html as html_module
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("RNN_CHROMIUM", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").lower() == "true"
# The screens a reader uses: a laptop, and a phone (iPhone 14's CSS pixels).
DESKTOP = (1280, 800)
PHONE = (390, 844)
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]
# Hosts of content delivery networks and font services that must never appear.
CDN = re.compile(
    r"https?://[^\s\"'<>)]*(cdnjs|jsdelivr|unpkg|googleapis|gstatic|polyfill|"
    r"cloudflare|mathjax\.org|fonts\.|bootstrapcdn|plausible|google-analytics|"
    r"googletagmanager)",
    re.I,
)
# Attributes through which a page loads something (not plain links a reader may follow).
LOADED = re.compile(
    r"<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc=[\"']?(?P<src>[^\"' >]+)"
    r"|<link\b[^>]*\bhref=[\"']?(?P<href>[^\"' >]+)",
    re.I,
)


# -- building -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the site strictly into a temporary folder and return that folder.

    While working on the browser tests, ``RNN_TEST_SITE=<folder>`` uses a site already
    built there instead (``mkdocs build --strict --site-dir <folder>``); never under CI.
    """
    prebuilt = os.environ.get("RNN_TEST_SITE")
    if prebuilt and not IN_CI:
        return Path(prebuilt)
    site_dir = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}")
    return site_dir


def pages(site: Path) -> list[str]:
    """URL paths of every page of the built site (404 page excluded)."""
    found = []
    for html in sorted(site.rglob("index.html")):
        rel = html.parent.relative_to(site).as_posix()
        found.append("/" if rel == "." else f"/{rel}/")
    return found


def nav_pages() -> list[str]:
    """URL paths of the pages listed in mkdocs.yml's nav."""
    from hooks import pages as course_pages

    paths = []
    for source in course_pages.nav_files(course_pages.read_config()["nav"]):
        stem = source.rsplit(".", 1)[0]
        stem = stem[: -len("index")] if stem.endswith("index") else stem + "/"
        paths.append("/" + stem.lstrip("/"))
    return paths


def test_every_nav_page_is_built(site: Path) -> None:
    built = set(pages(site))
    expected = nav_pages()
    assert len(expected) >= 4
    assert set(expected) <= built, f"missing: {set(expected) - built}"


def test_no_page_loads_anything_from_another_host(site: Path) -> None:
    problems = []
    for html in sorted(site.rglob("*.html")):
        text = html.read_text(encoding="utf-8")
        where = html.relative_to(site)
        problems += [f"{where}: CDN URL {m.group(0)!r}" for m in CDN.finditer(text)]
        for match in LOADED.finditer(text):
            url = match["src"] or match["href"]
            if urlparse(url).scheme in {"http", "https"} or url.startswith("//"):
                problems.append(f"{where}: loads {url!r} from another host")
    assert not problems, "\n".join(problems)


def test_no_web_fonts_and_local_mathjax(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis" not in home
    assert (site / "assets" / "mathjax" / "tex-svg.js").is_file()
    page = (site / "numpy-rnn" / "index.html").read_text(encoding="utf-8")
    assert 'src="../assets/mathjax/tex-svg.js"' in page
    assert 'class="arithmatex"' in page


def test_notebook_was_executed_and_is_offered_for_download(site: Path) -> None:
    page_dir = site / "notebooks" / "first-rnn"
    html = (page_dir / "index.html").read_text(encoding="utf-8")
    # outputs of the executed cells are on the page, figures embedded as images
    assert "largest difference:" in html
    assert "data:image/png;base64," in html
    # both downloads the page links to exist
    for name in ("first-rnn.ipynb", "first-rnn.py"):
        assert f'href="{name}"' in html
        assert (page_dir / name).is_file()
    notebook = json.loads((page_dir / "first-rnn.ipynb").read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4
    assert any("simple_rnn_forward" in "".join(c["source"]) for c in notebook["cells"])


# -- serving and browsing -----------------------------------------------------------------


def documented_defaults(html: str) -> dict[str, dict[str, str]]:
    """The defaults the API page shows: ``{object id: {parameter: default as shown}}``.

    mkdocstrings writes each object under a heading whose id is its dotted path, and its
    parameters as rows of a table whose last column holds the default (``required``
    when there is none).
    """
    shown: dict[str, dict[str, str]] = {}
    parts = re.split(r'<h[2-5] id="(rnn\.[\w.]+)" class="doc doc-heading"', html)
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        table = re.search(r"<table>.*?<th>Default</th>.*?</table>", body, re.S)
        if table is None:
            continue
        rows = re.findall(r'<tr class="doc-section-item">(.*?)</tr>', table[0], re.S)
        for row in rows:
            cells = re.findall(r"<td>(.*?)</td>", row, re.S)
            parameter = re.sub(r"<[^>]+>", "", cells[0]).strip()
            default = html_module.unescape(re.sub(r"<[^>]+>", "", cells[-1]).strip())
            shown.setdefault(name, {})[parameter] = default
    return shown


@pytest.mark.parametrize("notebook", ["first-rnn", "course"])
def test_notebook_figures_are_transparent(site: Path, notebook: str) -> None:
    """A notebook's plots sit on the page's background (no white block in dark mode)."""
    import base64
    import io

    import matplotlib.image

    html = (site / "notebooks" / notebook / "index.html").read_text(encoding="utf-8")
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert images
    for data in images:
        pixels = matplotlib.image.imread(io.BytesIO(base64.b64decode(data)))
        assert pixels.shape[2] == 4 and pixels[0, 0, 3] == 0, "an opaque corner"


def test_the_api_page_shows_every_default_as_the_code_has_it(site: Path) -> None:
    """Each default in the API page's parameter tables is the one of the real signature
    (a docstring entry that names two parameters once gave both the first one's)."""
    import importlib
    import inspect

    shown = documented_defaults((site / "reference" / "api" / "index.html").read_text())
    assert len(shown) > 20 and "rnn.optimizers.Adam" in shown
    checked, wrong = 0, []
    for name, parameters in shown.items():
        module_name, _, attribute = name.rpartition(".")
        try:
            obj = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError):
            owner, _, method = module_name.rpartition(".")
            obj = getattr(getattr(importlib.import_module(owner), method), attribute)
        signature = inspect.signature(obj)
        for parameter, default in parameters.items():
            real = signature.parameters.get(parameter.lstrip("*"))
            if real is None:
                wrong.append(f"{name}({parameter}): not a parameter of the code")
                continue
            if real.kind in (real.VAR_POSITIONAL, real.VAR_KEYWORD):
                continue
            expected = "required" if real.default is real.empty else real.default
            try:
                same = (expected == "required" and default == "required") or (
                    default != "required" and ast.literal_eval(default) == expected
                )
            except (ValueError, SyntaxError):
                same = default == repr(expected)
            checked += 1
            if not same:
                wrong.append(f"{name}({parameter}): page {default}, code {expected!r}")
    assert checked > 100
    assert wrong == [], "\n".join(wrong)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    """Serve the built site on 127.0.0.1 at a free port."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    reason = None
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra brings it
        reason = "playwright is not installed (pip install -e '.[test]')"
    if reason:
        if IN_CI:
            pytest.fail(f"browser tests are required under CI=true: {reason}")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class Visit:
    """One page opened in a fresh browser context, with everything it did recorded."""

    def __init__(
        self,
        browser: object,
        base_url: str,
        path: str,
        width: int = DESKTOP[0],
        scheme: str = "light",
    ) -> None:
        self.origin = urlparse(base_url).netloc
        self.context = browser.new_context(
            permissions=["clipboard-read", "clipboard-write"],
            base_url=base_url,
            viewport={"width": width, "height": PHONE[1] if width <= PHONE[0] else DESKTOP[1]},
            color_scheme=scheme,
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.foreign: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.on("response", self._response)
        self.page.on("request", self._request)
        self.page.goto(base_url + path, wait_until="networkidle")

    def _console(self, message: object) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text}")

    def _response(self, response: object) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.url} (HTTP {response.status})")

    def _request(self, request: object) -> None:
        url = urlparse(request.url)
        if url.scheme in {"http", "https"} and url.netloc != self.origin:
            self.foreign.append(request.url)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: object, base_url: str) -> Iterator[object]:
    opened: list[Visit] = []

    def open_page(path: str, width: int = DESKTOP[0], scheme: str = "light") -> Visit:
        opened.append(Visit(browser, base_url, path, width, scheme))
        return opened[-1]

    yield open_page
    for v in opened:
        v.close()


def _typeset(visit: Visit) -> None:
    """Wait until MathJax has typeset the page, if the page has any maths."""
    page = visit.page
    if page.locator(".arithmatex, .jp-RenderedMarkdown").count() == 0:
        return
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("() => MathJax.startup.promise")


@pytest.mark.browser
@pytest.mark.parametrize("path", nav_pages())
def test_page_is_clean_and_its_maths_is_typeset(visit: object, path: str) -> None:
    v = visit(path)
    _typeset(v)
    assert v.errors == [], "\n".join(v.errors)
    assert v.failed == [], "\n".join(v.failed)
    assert v.foreign == [], f"requests to other hosts: {v.foreign}"
    # every arithmatex element became MathJax output; no raw TeX delimiters are left
    raw = v.page.evaluate(
        """() => [...document.querySelectorAll('.arithmatex')]
                 .filter(e => !e.querySelector('mjx-container'))
                 .map(e => e.textContent.slice(0, 60))"""
    )
    assert raw == [], f"maths left untypeset: {raw}"
    text = v.page.inner_text("article")
    assert "\\(" not in text and "$$" not in text
    # images loaded
    broken = v.page.evaluate(
        "() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
        ".map(i => i.src.slice(0, 80))"
    )
    assert broken == []


# Output lines as pygments marks them in a console session: results, tracebacks, the
# exception's name and its message (the name's next sibling).
OUTPUT_LINES = ".highlight .go, .highlight .gt, .highlight .gr, .highlight .gr + .n"


@pytest.mark.browser
@pytest.mark.parametrize("width", [DESKTOP[0], PHONE[0]], ids=["desktop", "phone"])
@pytest.mark.parametrize("path", nav_pages())
def test_every_equation_and_every_output_line_is_visible(
    visit: object, path: str, width: int
) -> None:
    """What a reader sees at desktop and phone widths: each display equation at its full
    size (Material's CSS once shrank them to 1 px on phones), the page not wider than the
    screen, and no output line hidden off to the side of its code block (tables drawn
    with box characters may scroll on a phone, but not on a laptop)."""
    v = visit(path, width=width, scheme="dark" if width == PHONE[0] else "light")
    _typeset(v)
    shrunk = v.page.evaluate(
        """() => [...document.querySelectorAll('div.arithmatex mjx-container > svg')]
            .filter(svg => svg.getClientRects().length)
            .map(svg => {
              const shown = svg.getBoundingClientRect().width;
              svg.style.setProperty('max-width', 'none', 'important');
              const full = svg.getBoundingClientRect().width;
              svg.style.removeProperty('max-width');
              return [shown, full, svg.closest('.arithmatex').textContent.slice(0, 50)];
            })
            .filter(([shown, full]) => full < 8 || shown < 0.99 * full)"""
    )
    assert shrunk == [], f"display equations shown smaller than their size: {shrunk}"
    overflow = v.page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the page is {overflow} px wider than the screen"
    hidden = v.page.evaluate(
        """([selector, tablesMayScroll]) => [...document.querySelectorAll(selector)]
            .filter(line => !(tablesMayScroll && line.classList.contains('go-table')))
            .filter(line => {
              const box = line.closest('code').getBoundingClientRect();
              return [...line.getClientRects()].some(r => r.right > box.right + 1);
            })
            .map(line => line.textContent.trim().slice(0, 70))""",
        [OUTPUT_LINES, width == PHONE[0]],
    )
    assert hidden == [], f"output lines hidden off to the side at {width} px: {hidden}"


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [DESKTOP[0], PHONE[0]], ids=["desktop", "phone"])
def test_figures_fit_the_palette_and_stay_legible(visit: object, width: int, scheme: str) -> None:
    """Each figure drawn from a page's code shows in the version for the reader's palette
    (its text in a grey that reads on that background), and at no less than 60 % of its
    size, so that its 11-point labels stay legible on a phone."""
    from hooks import figures as hook

    figures = hook.FIGURES
    for page, drawn in figures.items():
        v = visit("/" + page.removesuffix(".md") + "/", width=width, scheme=scheme)
        for image, _ in drawn:
            shown = v.page.evaluate(
                """(name) => [...document.querySelectorAll('img.plot')]
                    .filter(img => img.getAttribute('src').includes(name))
                    .filter(img => img.getClientRects().length)
                    .map(img => [img.getAttribute('src'),
                                 img.getBoundingClientRect().width / img.naturalWidth])""",
                image.removesuffix(".svg").rsplit("/", 1)[1],
            )
            assert len(shown) == 1, (page, shown)
            src, scale = shown[0]
            wanted = "-dark.svg#only-dark" if scheme == "dark" else ".svg#only-light"
            assert src.endswith(wanted), (page, src)
            assert scale >= 0.6, f"{src} shown at {scale:.0%} of its size at {width} px"


@pytest.mark.browser
@pytest.mark.parametrize("width", [DESKTOP[0], PHONE[0]], ids=["desktop", "phone"])
def test_the_home_page_starts_the_course_above_the_fold(visit: object, width: int) -> None:
    v = visit("/", width=width)
    button = v.page.get_by_role("link", name="Start the course")
    box = button.bounding_box()
    assert box is not None and box["y"] + box["height"] <= v.page.viewport_size["height"]
    button.click()
    v.page.wait_for_url("**/what-is-an-rnn/")


@pytest.mark.browser
def test_notebook_tables_stay_whole_and_cells_fit_a_phone(visit: object) -> None:
    """A summary table in a notebook keeps its lines ("120" never breaks into "12" over
    "0"), and on a phone the code cells get the width, without the prompt column."""
    v = visit("/notebooks/course/")
    tables = v.page.locator(".jp-OutputArea-output pre", has_text="Param #")
    assert tables.count() >= 1
    style = tables.first.evaluate(
        "pre => { const s = getComputedStyle(pre); return [s.whiteSpace, s.wordBreak]; }"
    )
    assert style == ["pre", "normal"]
    lines = tables.first.inner_text().splitlines()
    assert any(re.search(r"\b120\b", line) for line in lines), lines
    phone = visit("/notebooks/first-rnn/", width=PHONE[0])
    widths = phone.page.evaluate(
        """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-editor')]
            .filter(e => e.getClientRects().length)
            .map(e => e.getBoundingClientRect().width / document.documentElement.clientWidth)"""
    )
    assert widths and min(widths) > 0.8, widths


@pytest.mark.browser
def test_notebook_maths_is_typeset(visit: object) -> None:
    v = visit("/notebooks/first-rnn/")
    _typeset(v)
    markdown = v.page.locator(".jp-RenderedMarkdown")
    assert markdown.count() > 3
    assert v.page.locator(".jp-RenderedMarkdown mjx-container").count() >= 1
    assert "$" not in v.page.inner_text(".jp-Notebook").split("Hidden state")[0]


@pytest.mark.browser
@pytest.mark.parametrize(
    ("query", "page"),
    [
        ("timesteps", "numpy-rnn/"),
        ("parameter", "counting-parameters/"),
        ("LSTM", "lstm-gru/"),
        ("vanishing", "vanishing-gradients/"),
        ("hidden state", "glossary/"),
        ("bptt", "bptt/"),
    ],
)
def test_search_finds(visit: object, query: str, page: str) -> None:
    """The page that teaches the term is found, a lesson comes first (not the whole-course
    notebook, which repeats every lesson), and no result shows a permalink sign."""
    v = visit("/")
    v.page.keyboard.press("/")  # Material's shortcut to the search box
    v.page.keyboard.type(query, delay=30)
    results = v.page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=10_000)
    hrefs = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
    assert any(page in h for h in hrefs), hrefs
    assert not [h for h in hrefs if "notebooks/course/" in h], hrefs
    assert "¶" not in v.page.locator(".md-search-result").inner_text()


@pytest.mark.browser
def test_copied_doctests_run_as_a_script(visit: object, tmp_path: Path) -> None:
    """Copy every doctest block of the NumPy page with its button; the code runs."""
    v = visit("/numpy-rnn/")
    highlights = v.page.locator("article .highlight")
    sessions = v.page.evaluate(
        """() => [...document.querySelectorAll('article .highlight')]
                 .map((block, i) => [i, block.querySelector('code')?.textContent ?? ''])
                 .filter(([, text]) => /^>>> /m.test(text))
                 .map(([i]) => i)"""
    )
    assert len(sessions) >= 8
    script = []
    for i in sessions:
        block = highlights.nth(i)
        if "Traceback" in block.inner_text():
            continue  # an example that shows an error on purpose
        if not block.is_visible():
            continue  # inside a closed exercise solution
        block.hover()
        block.locator("button.md-code__button[data-md-type=copy]").click()
        copied = v.page.evaluate("() => navigator.clipboard.readText()")
        assert ">>>" not in copied and "\n..." not in copied, copied
        script.append(copied)
    assert len(script) >= 6
    first = script[0]
    assert first.startswith("import numpy as np\n"), first
    assert "(100, 32)" not in "".join(script)  # outputs are not copied
    path = tmp_path / "copied.py"
    path.write_text("\n".join(script), encoding="utf-8")
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    # pasted line by line into the interactive prompt, it runs too
    result = subprocess.run(
        [sys.executable, "-c", PASTE_INTO_PROMPT, str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


# Feeds a file to Python's interactive console one line at a time, as a paste into the
# `python` prompt does, and fails on the first error the console reports.
PASTE_INTO_PROMPT = """
import code, sys
class Console(code.InteractiveConsole):
    def write(self, data):
        sys.stderr.write(data)
        sys.exit(1)
console = Console()
for line in open(sys.argv[1], encoding="utf-8").read().splitlines():
    console.push(line)
console.push("")
"""


# -- interactive figures (docs/javascripts/interactive.js, data from hooks/interactive.py) -

VIEWPORTS = [(1280, 800), (390, 844)]


def _at_width(visit: Visit, width: int, height: int) -> None:
    """Set the viewport; the figures redraw at the new width."""
    visit.page.set_viewport_size({"width": width, "height": height})
    visit.page.wait_for_function(
        """w => [...document.querySelectorAll('.interactive svg')]
                .every(svg => svg.getBoundingClientRect().right <= w)""",
        arg=width,
    )


def _figure_box(visit: Visit, figure: str) -> dict[str, float]:
    """The drawn SVG of a figure: visible, of a real size, within the viewport's width."""
    svg = visit.page.locator(f'.interactive[data-interactive="{figure}"] svg')
    assert svg.count() == 1
    svg.scroll_into_view_if_needed()
    assert svg.is_visible()
    box = svg.bounding_box()
    width = visit.page.viewport_size["width"]
    assert box["width"] > 200 and box["height"] > 150, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    # nothing on the page is wider than the screen
    assert visit.page.evaluate("() => document.documentElement.scrollWidth") <= width
    return box


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_gradient_explorer_follows_its_controls(visit: object, width: int, height: int) -> None:
    v = visit("/vanishing-gradients/")
    _at_width(v, width, height)
    root = v.page.locator('.interactive[data-interactive="gradient-explorer"]')
    assert "needs JavaScript" not in root.inner_text()  # the fallback was replaced
    _figure_box(v, "gradient-explorer")
    curve = root.locator("path.interactive__curve")
    readout = root.locator(".interactive__readout")
    slider = root.get_by_label("Spectral radius of R")

    def shown() -> tuple[str, str, str]:
        return curve.get_attribute("d"), readout.inner_text(), root.locator("output").inner_text()

    # the page's setting first: tanh, radius 1.1, the table's inputs, and the table's numbers
    first = shown()
    assert first[2] == "1.10" and len(first[0]) > 200
    assert "2.3e-19" in first[1] and "0.649" in first[1]
    # the keyboard moves the slider by one step of 0.05, and the curve and numbers follow
    slider.focus()
    v.page.keyboard.press("ArrowRight")
    moved = shown()
    assert moved[2] == "1.15" and slider.get_attribute("aria-valuetext") == "1.15"
    assert moved[0] != first[0] and moved[1] != first[1]
    v.page.keyboard.press("ArrowLeft")
    assert shown() == first
    # another activation: linear at radius 1.1, the table's row
    root.get_by_label("linear").check()
    linear = shown()
    assert linear[0] != first[0]
    assert "2.5e+04" in linear[1] and "1.103" in linear[1]
    assert "changes nothing" in linear[1]  # linear units scale with their inputs
    # tanh with inputs ten times weaker: the strength table's row
    root.get_by_label("tanh").check()
    root.get_by_label("10× weaker").check()
    weaker = shown()
    assert weaker[0] not in (first[0], linear[0])
    assert "1.3e+00" in weaker[1] and "1.014" in weaker[1]
    # the slider set by value, as a script or a screen reader would
    slider.evaluate("s => { s.value = s.max; s.dispatchEvent(new Event('input')); }")
    assert shown()[2] == "2.00" and shown()[0] != weaker[0]
    assert v.errors == [], "\n".join(v.errors)
    assert v.failed == [] and v.foreign == []


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_rnn_steps_step_through_the_hand_example(visit: object, width: int, height: int) -> None:
    v = visit("/what-is-an-rnn/")
    _at_width(v, width, height)
    root = v.page.locator('.interactive[data-interactive="rnn-steps"]')
    assert "needs JavaScript" not in root.inner_text()
    _figure_box(v, "rnn-steps")
    previous = root.get_by_role("button", name="Previous step")
    following = root.get_by_role("button", name="Next step")
    status = root.locator(".interactive__status")
    numbers = root.locator("table")

    def current() -> str:
        return root.locator(".interactive__step.is-current").get_attribute("data-step")

    # step 1: the page's numbers, s0 = 0 in, s1 out
    assert status.inner_text() == "Step 1 of 3" and current() == "1"
    assert previous.is_disabled() and following.is_enabled()
    text = numbers.inner_text()
    assert "[0.5, 0.2, -0.6]" in text and "[0.4621, 0.1974, -0.537]" in text
    assert "[-0.0038]" in text
    # the next button shows step 2: s1 goes in, s2 comes out, the diagram follows
    following.click()
    assert status.inner_text() == "Step 2 of 3" and current() == "2"
    text = numbers.inner_text()
    assert "[0.4621, 0.1974, -0.537]" in text and "[-0.0951, 0.6126, 0.3914]" in text
    # the keyboard works too; at the last step the focus moves to the other button
    following.focus()
    v.page.keyboard.press("Enter")
    assert status.inner_text() == "Step 3 of 3" and current() == "3"
    assert "[0.2196, 0.846, -0.3366]" in numbers.inner_text()
    assert following.is_disabled()
    assert v.page.evaluate("() => document.activeElement.textContent").startswith("◀")
    v.page.keyboard.press("Enter")
    assert status.inner_text() == "Step 2 of 3"
    assert v.errors == [], "\n".join(v.errors)
    assert v.failed == [] and v.foreign == []


@pytest.mark.browser
def test_interactive_figures_follow_the_dark_scheme(visit: object) -> None:
    """Drawn with the theme's colours: Material's palette toggle changes them."""
    v = visit("/vanishing-gradients/")

    def colours() -> list[str]:
        return v.page.evaluate(
            """() => [document.body.dataset.mdColorScheme,
                      getComputedStyle(document.querySelector('.interactive svg text')).fill,
                      getComputedStyle(document.querySelector('.interactive__curve')).stroke]"""
        )

    light = colours()
    v.page.get_by_title("Switch to dark mode").click()
    dark = colours()
    assert light[0] == "default" and dark[0] == "slate"
    assert light[1] != dark[1]  # the text follows the scheme
    assert "0, 0, 0" not in dark[1] and "none" not in (light[2], dark[2])
    assert v.errors == [], "\n".join(v.errors)


def test_interactive_figures_have_their_data_and_a_fallback(site: Path) -> None:
    """Each container holds its data for the script, and text for a reader without it."""
    for page, figure in [
        ("vanishing-gradients", "gradient-explorer"),
        ("what-is-an-rnn", "rnn-steps"),
    ]:
        html = (site / page / "index.html").read_text(encoding="utf-8")
        opening = f'<div class="interactive" data-interactive="{figure}">'
        assert html.count(opening) == 1, page
        inside = html.split(opening, 1)[1].split("</div>", 1)[0]
        data = re.match(
            r'<script type="application/json" class="interactive-data">(.*?)</script>', inside, re.S
        )
        assert data, page
        assert json.loads(data[1])
        assert "Interactive figure" in inside[data.end() :], page


class _Figures(HTMLParser):
    """The figures of a page's article, and what it shows outside of a figure."""

    def __init__(self) -> None:
        super().__init__()
        self.captions: list[str] = []  # each figure's caption text, in order
        self.ids: list[str | None] = []
        self.outside: list[str] = []  # pictures (img, svg, interactive) outside a figure
        self.figure = self.caption = False
        self.svg_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "figure":
            self.figure = True
            self.ids.append(attributes.get("id"))
            self.captions.append("")
        elif tag == "figcaption" and self.figure:
            self.caption = True
        picture = tag == "img" or (tag == "svg" and not self.svg_depth)
        picture = picture or "interactive" in (attributes.get("class") or "").split()
        if picture and not self.figure:
            self.outside.append(f"<{tag} {attributes.get('src') or attributes.get('class')}>")
        if tag == "svg":
            self.svg_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self.figure = self.caption = False
        elif tag == "figcaption":
            self.caption = False
        elif tag == "svg":
            self.svg_depth -= 1

    def handle_data(self, data: str) -> None:
        if self.caption:
            self.captions[-1] += data


def test_every_figure_is_numbered_and_captioned(site: Path) -> None:
    """Every picture on a lesson page (a drawing, a generated plot, an interactive figure)
    is a figure, numbered in order on its page, with a caption a reader can cite
    ("Figure 2. ...") and an id to link to (#figure-2)."""
    counted = 0
    for path in nav_pages():
        if path.startswith("/notebooks/"):
            continue  # a notebook's plots are its cells' outputs
        page = (site / path.strip("/") / "index.html").read_text(encoding="utf-8")
        article = page.split("<article", 1)[1].split("</article>", 1)[0]
        parser = _Figures()
        parser.feed("<article" + article)
        assert parser.outside == [], f"{path}: pictures outside a figure: {parser.outside}"
        for number, (caption, figure_id) in enumerate(
            zip(parser.captions, parser.ids, strict=True), 1
        ):
            caption = " ".join(caption.split())
            assert caption.startswith(f"Figure {number}. "), (path, caption)
            assert len(caption) > len(f"Figure {number}. ") + 20, (path, caption)
            assert figure_id == f"figure-{number}", (path, figure_id)
        counted += len(parser.captions)
    assert counted >= 10


def test_the_index_of_exercises_leads_to_each_exercise(site: Path) -> None:
    """Each entry of the index of exercises links to an element of its page with that id:
    the exercise itself, numbered as on its page."""
    index = (site / "exercises" / "index.html").read_text(encoding="utf-8")
    targets = re.findall(r'href="\.\./([\w-]+)/#(exercise-\d+)"', index)
    assert len(targets) >= 40
    for page, anchor in targets:
        html = (site / page / "index.html").read_text(encoding="utf-8")
        exercises = html.split('<h2 id="exercises"', 1)[1]
        assert f'<p id="{anchor}">' in exercises, f"{page}/#{anchor} is not an exercise there"


def test_lessons_link_glossary_terms_to_entries_that_exist(site: Path) -> None:
    """hooks/glossary.py links terms at their first use in each lesson; every link leads to
    an entry of the built glossary, and carries its definition for a reader to hover."""
    from tools import course_notebook

    glossary = (site / "glossary" / "index.html").read_text(encoding="utf-8")
    entries = set(re.findall(r'<h2 id="([^"]+)"', glossary))
    for path in course_notebook.lesson_pages():
        html = (site / path.removesuffix(".md") / "index.html").read_text(encoding="utf-8")
        links = re.findall(
            r'<a class="glossary-link" href="\.\./glossary/#([^"]+)" title="([^"]+)"', html
        )
        assert len(links) >= 3, path
        assert {entry for entry, _ in links} <= entries, path
        assert len({entry for entry, _ in links}) == len(links), f"{path}: an entry twice"


def test_every_lesson_page_offers_its_own_notebook(site: Path) -> None:
    """Each lesson page has a notebook of its own beside it, which a button at the top of
    the page downloads; the home page, the glossary and the further reading do not."""
    from tools import course_notebook

    lessons = course_notebook.lesson_pages()
    assert len(lessons) >= 16
    for path in lessons:
        stem = path.removesuffix(".md")
        html = (site / stem / "index.html").read_text(encoding="utf-8")
        button = re.search(
            rf'<a class="md-button" download="{stem}.ipynb" href="{stem}.ipynb"', html
        )
        assert button, path
        assert button.start() < html.find("<h2"), path  # at the top, before any section
        notebook = json.loads((site / stem / f"{stem}.ipynb").read_text(encoding="utf-8"))
        assert notebook["nbformat"] == 4
        assert notebook["cells"][0]["source"][0].startswith("# ")
        assert any(cell["cell_type"] == "code" for cell in notebook["cells"])
    for other in ("index.html", "glossary/index.html", "further-reading/index.html"):
        assert "Download this page as a notebook" not in (site / other).read_text(encoding="utf-8")
    assert (site / course_notebook.package_archive()).is_file()  # what the notebooks install
