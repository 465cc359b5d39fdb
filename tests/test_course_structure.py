"""The course's structure: parts that each open with an overview, lessons that each end
with a summary and exercises, and an index of every exercise.

A reader finds their way by it: the nav groups the lessons into parts, each part's first
page says what it teaches and what it needs, and the index of exercises (built by
``hooks/exercises.py`` from the lessons themselves) lets an instructor pick exercises and
a learner come back to them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hooks import exercises, pages
from tools import course_notebook

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


NAV = pages.read_config()["nav"]
# The parts of the course: the nav's sections of lessons (not the notebooks, not the
# reference).
PARTS = [
    (title, pages)
    for title, pages in exercises.parts(NAV)
    if pages and pages[0].endswith("/index.md")
]
LESSONS = course_notebook.lesson_pages()


def links(markdown: str) -> list[str]:
    return re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", markdown)


def test_the_course_has_its_parts() -> None:
    titles = [title for title, _ in PARTS]
    assert titles == [
        "The idea",
        "In NumPy",
        "The Keras way",
        "Learning",
        "On real data",
        "Long memories",
    ]
    in_parts = [page for _, pages in PARTS for page in pages[1:]]
    assert in_parts == LESSONS  # every lesson is in a part, in the order of the nav


@pytest.mark.parametrize("title, pages", PARTS, ids=[title for title, _ in PARTS])
def test_each_part_opens_with_an_overview_of_its_lessons(title: str, pages: list[str]) -> None:
    """The overview links each lesson of its part, in order, and says what the part needs
    and what a reader can do after it; the home page links every overview."""
    overview, lessons = pages[0], pages[1:]
    text = (DOCS / overview).read_text(encoding="utf-8")
    assert text.startswith(f"# Part {[t for t, _ in PARTS].index(title) + 1}: {title}\n")
    folder = (DOCS / overview).parent
    linked = [(folder / link).resolve().relative_to(DOCS).as_posix() for link in links(text)]
    lesson_links = [link for link in linked if link in lessons]
    assert lesson_links[: len(lessons)] == lessons, f"{overview} must list its lessons in order"
    for heading in ("## In this part", "## What you need", "## What you can do after it"):
        assert heading in text, f"{overview}: no {heading!r}"
    home = (DOCS / "index.md").read_text(encoding="utf-8")
    assert f"]({overview})" in home


@pytest.mark.parametrize("page", LESSONS)
def test_each_lesson_ends_with_a_summary_and_exercises_with_solutions(page: str) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings[-2:] == ["Summary", "Exercises"], f"{page} ends with {headings[-2:]}"
    found = exercises.exercises_of(text)
    assert len(found) >= 2, page
    assert [e.number for e in found] == list(range(1, len(found) + 1)), page
    assert text.split("## Exercises", 1)[1].count('??? success "Solution"') == len(found), page


# -- the index of exercises -----------------------------------------------------------------

PAGE = """\
# A page

## Summary

- 1. not an exercise

## Exercises

1. Do this, which takes
   two lines.

    ??? success "Solution"
        ```python
        >>> 1. + 1   # a line starting with a number, inside the solution
        2.0

        ```

2. Then that.
"""


def test_the_statements_are_the_first_paragraph_of_each_item() -> None:
    assert exercises.exercises_of(PAGE) == [
        exercises.Exercise(1, "Do this, which takes two lines.", 9),
        exercises.Exercise(2, "Then that.", 18),
    ]
    assert exercises.exercises_of("# No exercises\n\n1. A list.\n") == []
    assert exercises.page_title(PAGE) == "A page"


def test_each_exercise_gets_an_id() -> None:
    import markdown

    marked = exercises.mark_exercises(PAGE)
    assert marked.splitlines()[10] == "   { #exercise-1 }"
    assert marked.endswith("2. Then that.\n   { #exercise-2 }\n")
    html = markdown.markdown(marked, extensions=["attr_list", "pymdownx.superfences"])
    assert '<p id="exercise-1">Do this, which takes\n   two lines.</p>' in html
    assert '<p id="exercise-2">Then that.</p>' in html
    assert exercises.mark_exercises("# No exercises\n\n1. A list.\n") == (
        "# No exercises\n\n1. A list.\n"
    )


def test_the_index_lists_every_exercise_of_every_lesson_in_order() -> None:
    text = exercises.index(NAV, DOCS)
    listed = re.findall(r"\*\*\[Exercise (\d+)\]\(([^)#]+)#exercise-(\d+)\)\.\*\* (.+)", text)
    expected = [
        (str(e.number), page, str(e.number), e.statement)
        for page in LESSONS
        for e in exercises.exercises_of((DOCS / page).read_text(encoding="utf-8"))
    ]
    assert listed == expected
    assert len(listed) >= 40
    # under the parts of the course, in order
    assert re.findall(r"^## (.+)$", text, re.M) == [title for title, _ in PARTS]
    page = (DOCS / exercises.INDEX_PAGE).read_text(encoding="utf-8")
    assert page.count(exercises.MARKER) == 1
