"""Output blocks (``<!-- output -->`` before a ```` ```text ```` fence) are checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from sybil import Document
from sybil.example import SybilFailure

from hooks import pages


def run(tmp_path: Path, text: str) -> int:
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    document = Document.parse(str(page), *pages.MARKDOWN_PARSERS)
    examples = list(document.examples())
    for example in examples:
        example.evaluate()
    return len(examples)


PAGE = """
```python
print("a   ")
print()
print("b")
```

<!-- output -->
```text
{shown}
```
"""


def test_matching_output_passes(tmp_path: Path) -> None:
    assert run(tmp_path, PAGE.format(shown="a\n\nb")) == 2


def test_indented_output_in_an_admonition_passes(tmp_path: Path) -> None:
    page = "??? note\n" + "".join(
        f"    {line}\n" if line else "\n" for line in PAGE.format(shown="a\n\nb").splitlines()
    )
    assert run(tmp_path, page) == 2


@pytest.mark.parametrize("shown", ["a\nb", "a\n\nc", "a\n\nb\nextra"])
def test_wrong_output_fails_with_a_diff(tmp_path: Path, shown: str) -> None:
    with pytest.raises(SybilFailure, match="differs from what the code printed"):
        run(tmp_path, PAGE.format(shown=shown))


def test_output_without_code_before_it_fails(tmp_path: Path) -> None:
    with pytest.raises(SybilFailure, match="must follow"):
        run(tmp_path, "<!-- output -->\n```text\nhello\n```\n")


def test_a_wrong_doctest_output_names_the_file_and_line(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("Text.\n\n```python\n>>> 1 + 1\n3\n\n```\n", encoding="utf-8")
    document = Document.parse(str(page), *pages.MARKDOWN_PARSERS)
    (example,) = document.examples()
    with pytest.raises(SybilFailure) as failure:
        example.evaluate()
    message = str(failure.value)
    assert f"{page}, line 4" in message
    assert "Expected:\n    3\nGot:\n    2" in message
