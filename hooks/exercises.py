"""MkDocs hook: the index of the course's exercises, and an id for each exercise.

Every lesson ends with a ``## Exercises`` section: a numbered list whose items each state
a task and fold a tested solution under it. The index page, ``docs/exercises.md``, lists
them all in the order of the nav, under the parts of the course, each with its statement
and a link to it on its page: an instructor picks exercises from it, and a learner comes
back to them. The statements are written once, on their pages; the index reads them.

- On the index page, the line ``<!-- exercises: index -->`` becomes the list.
- On a lesson page, each exercise (an item of the numbered list under the Exercises
  heading) gets the id ``exercise-N`` on its statement, which the index links to.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, NamedTuple

if __package__ != "hooks":  # loaded by MkDocs from its path, with only hooks/ on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # MkDocs takes it off again
from hooks import pages

INDEX_PAGE = "exercises.md"
MARKER = "<!-- exercises: index -->"

_HEADING = re.compile(r"^## +(?P<title>.+?) *$", re.M)
_ITEM = re.compile(r"^(?P<number>\d+)\. +(?P<first>.*)$")
_FENCE = re.compile(r"^ *(```|~~~)")


class Exercise(NamedTuple):
    """One exercise of a page: its number there, its statement (Markdown, on one line) and
    the index of the statement's last line in the page's lines."""

    number: int
    statement: str
    last_line: int


def exercises_of(markdown: str) -> list[Exercise]:
    """The exercises of a page: the items of the numbered list under ``## Exercises``.

    An exercise's statement is its item's first paragraph; its lines after the first are
    indented by one to three spaces, and what is indented by four or more (the folded
    solution) is not part of it.
    """
    lines = markdown.splitlines()
    found: list[Exercise] = []
    in_section = in_fence = False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
        if in_fence:
            continue
        heading = _HEADING.match(line)
        if heading:
            in_section = heading["title"] == "Exercises"
        item = _ITEM.match(line) if in_section else None
        if item is None:
            continue
        statement, last = [item["first"]], i
        while last + 1 < len(lines) and re.match(r"^ {1,3}\S", lines[last + 1]):
            last += 1
            statement.append(lines[last].strip())
        found.append(Exercise(int(item["number"]), " ".join(statement), last))
    return found


def page_title(markdown: str) -> str:
    """The page's level-1 heading, as written (code spans kept)."""
    match = re.search(r"^# +(?P<title>.+?) *$", markdown, re.M)
    return match["title"] if match else ""


def parts(nav: list[Any]) -> list[tuple[str, list[str]]]:
    """The nav's sections, each with its Markdown pages, in order (nested sections are
    read into their part)."""

    found = []
    for entry in nav:
        if isinstance(entry, dict):
            for title, value in entry.items():
                if isinstance(value, list):
                    found.append((title, [p for p in pages.nav_files(value) if p.endswith(".md")]))
    return found


def index(nav: list[Any], docs: Path) -> str:
    """The Markdown of the index: for each part of the course, each page that has
    exercises, with each exercise's statement and a link to it."""
    out: list[str] = []
    for part, paths in parts(nav):
        entries = []
        for path in paths:
            markdown = (docs / path).read_text(encoding="utf-8")
            exercises = exercises_of(markdown)
            if not exercises:
                continue
            entries.append(f"### [{page_title(markdown)}]({path}#exercises)\n")
            entries += [
                f"- **[Exercise {e.number}]({path}#exercise-{e.number}).** {e.statement}"
                for e in exercises
            ]
            entries.append("")
        if entries:
            out += [f"## {part}\n", *entries]
    return "\n".join(out).rstrip("\n") + "\n"


def mark_exercises(markdown: str) -> str:
    """Give each exercise's statement the id ``exercise-N``, with an attribute list
    (``{ #exercise-2 }``) on a line after it.

    The ids are written in the Markdown, not added to the HTML afterwards, so that MkDocs
    knows them when it checks the links of the index (``--strict`` fails on a link to an
    anchor a page does not have).
    """
    lines = markdown.splitlines(keepends=True)
    for exercise in reversed(exercises_of(markdown)):
        at = exercise.last_line
        if not lines[at].endswith("\n"):
            lines[at] += "\n"
        lines.insert(at + 1, f"   {{ #exercise-{exercise.number} }}\n")
    return "".join(lines)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if page.file.src_uri == INDEX_PAGE:
        return markdown.replace(MARKER, index(config["nav"], Path(config["docs_dir"])))
    return mark_exercises(markdown)
