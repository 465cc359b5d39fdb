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

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("RNN_CHROMIUM", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").lower() == "true"
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
    """Build the site strictly into a temporary folder and return that folder."""
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
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = text.split("\nnav:\n", 1)[1].split("\n\n", 1)[0]
    paths = []
    for source in re.findall(r":\s*(\S+\.(?:md|py))\s*$", nav, re.M):
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

    def __init__(self, browser: object, base_url: str, path: str) -> None:
        self.origin = urlparse(base_url).netloc
        self.context = browser.new_context(
            permissions=["clipboard-read", "clipboard-write"], base_url=base_url
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

    def open_page(path: str) -> Visit:
        opened.append(Visit(browser, base_url, path))
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
    ],
)
def test_search_finds(visit: object, query: str, page: str) -> None:
    v = visit("/")
    v.page.keyboard.press("/")  # Material's shortcut to the search box
    v.page.keyboard.type(query, delay=30)
    results = v.page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=10_000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any(page in (h or "") for h in hrefs), hrefs


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
