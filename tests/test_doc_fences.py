"""No code block on the site is silently skipped.

sybil runs only fences written exactly ```` ```python ```` or ```` ```pycon ````. A block
tagged ```` ```py ````, ```` ```python3 ````, ```` ```python title="x" ```` or
```` ```{.python} ```` renders like Python on the site but is never run, so it could show
anything. These tests parse every page with the same sybil configuration the test run
uses and check that every Python-looking fence yields at least one collected example,
and that every ``skip`` directive gives its reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sybil import Document

from hooks import pages

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]

# An opening fence, possibly indented or inside a list item or block quote.
FENCE = re.compile(r"^(?P<prefix>(?:[ \t]*>)*[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)$")
PYTHON_TAGS = {"py", "python", "python3", "pycon", "ipython", "py3"}
RUN_AS_IS = {"python", "pycon"}
SKIP = re.compile(r"<!--\s*skip:\s*(?P<args>.*?)\s*-->")


def python_fences(text: str) -> list[tuple[int, str]]:
    """Return ``(line number, info string)`` of each opening fence tagged as Python."""
    fences = []
    open_fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        match = FENCE.match(line)
        if match is None:
            continue
        fence, info = match["fence"], match["info"].strip()
        if open_fence is not None:
            if fence[0] == open_fence[0] and len(fence) >= len(open_fence) and not info:
                open_fence = None
            continue
        open_fence = fence
        language = re.split(r"[\s{}.,=]+", info.lstrip("{."), maxsplit=1)[0].lower()
        if language in PYTHON_TAGS:
            fences.append((number, info))
    return fences


def collected_lines(path: Path) -> set[int]:
    """Line numbers (1-based) on which sybil starts an example, with the test-run parsers."""
    document = Document.parse(str(path), *pages.MARKDOWN_PARSERS)
    return {example.line for example in document.examples()}


def test_documents_are_found() -> None:
    assert (ROOT / "docs" / "index.md") in DOCUMENTS
    assert len(DOCUMENTS) >= 3


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_python_fence_runs(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    starts = sorted(collected_lines(path))
    problems = []
    for number, info in python_fences(text):
        where = f"{path.relative_to(ROOT)}:{number}"
        if info not in RUN_AS_IS:
            problems.append(
                f"{where}: fence tagged {info!r} is never run by the tests; "
                "write exactly ```python (or ```pycon) with no attributes"
            )
            continue
        # a code block starts on its opening fence, a doctest on its first prompt
        end = next((n for n in starts if n >= number), None)
        closing = _closing_line(lines, number)
        if end is None or end > closing:
            problems.append(f"{where}: ```{info} block yields no example to run")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_skips_give_a_reason(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    bad = [
        f"{path.relative_to(ROOT)}: <!-- skip: {m['args']} --> needs a quoted reason, "
        'e.g. <!-- skip: next "needs a GPU" -->'
        for m in SKIP.finditer(text)
        if m["args"].split(maxsplit=1)[0] in {"next", "start"}
        and not re.search(r"""["'].+["']""", m["args"])
    ]
    assert not bad, "\n".join(bad)


def _closing_line(lines: list[str], opening: int) -> int:
    """Line number of the fence that closes the block opened on line ``opening``."""
    fence = FENCE.match(lines[opening - 1])["fence"]
    for number in range(opening + 1, len(lines) + 1):
        match = FENCE.match(lines[number - 1])
        if match and match["fence"][0] == fence[0] and len(match["fence"]) >= len(fence):
            if not match["info"].strip():
                return number
    return len(lines) + 1


def test_the_guard_catches_silent_fences(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```py\nprint(1)\n```\n\n"
        '```python title="x.py"\nprint(2)\n```\n\n'
        "- item\n\n    ```{.python}\n    print(3)\n    ```\n\n"
        "```python\nprint(4)\n```\n\n"
        "```text\nnot python\n```\n",
        encoding="utf-8",
    )
    text = page.read_text(encoding="utf-8")
    assert [info for _, info in python_fences(text)] == [
        "py",
        'python title="x.py"',
        "{.python}",
        "python",
    ]
    # only the plain ```python block is collected
    assert collected_lines(page) == {15}
