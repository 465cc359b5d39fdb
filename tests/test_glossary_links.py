"""hooks/glossary.py: the first use of each glossary term on a lesson links to its entry.

The unit tests run the hook's functions on small samples; the last tests run them on the
real glossary and lessons, converted with Python-Markdown as MkDocs converts them (no site
is built), and check where the links land with the standard library's HTML parser.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import markdown
import pytest
from mkdocs.structure.files import File, Files

from hooks import glossary

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


SMALL_GLOSSARY = r"""# Glossary

Some words.

<!-- Lessons link to these entries by their ids. -->

## Batch

Several sequences processed together, stacked along a first axis: an array of shape
`(batch, timesteps, features)`. Each sequence in a batch has its own state.

## BPTT (backpropagation through time)

Backpropagation applied to the RNN [unrolled](what-is-an-rnn.md) over its timesteps.
The same weights serve at every step.

## Hidden state

See *state*. Keras and PyTorch call the state \(h_t\), the hidden state; see [One
notation, four conventions](notation.md).

## Cell

In an LSTM or GRU, the step's computation.

## Cell state

The LSTM's second state.

## Cross-entropy

The loss for a choice among classes. A model that is sure and right scores 0.

## `return_sequences`

Whether a recurrent layer returns the state after **every** timestep or only the last.

## State

The vector an RNN carries from one step to the next, \(s_t\) or \(\hat y\) or
\(\sqrt{6 / (\text{fan-in} + \text{fan-out})}\).

## Truncated BPTT

BPTT that stops each gradient after \(k\) steps back.

## Feature

One of the numbers that describe a single timestep.
"""

ENTRIES = glossary.glossary_entries(SMALL_GLOSSARY)
TERMS = glossary.compile_terms(ENTRIES, not_terms=("output feature",))


def link(html: str, not_linked: tuple[str, ...] = ()) -> str:
    return glossary.link_first_uses(html, TERMS, "../glossary/", not_linked)


def links(html: str) -> list[tuple[str, str]]:
    """The glossary links of a page, as (entry id, linked text) pairs."""
    found = re.finditer(
        r'<a class="glossary-link" href="[^"#]*#([^"]+)"[^>]*>(.*?)</a>', html, re.S
    )
    return [(m[1], m[2]) for m in found]


# -- the terms, from the glossary's headings -----------------------------------------------


def test_terms_ids_and_definitions_come_from_the_headings() -> None:
    assert [(e.id, e.names) for e in ENTRIES] == [
        ("batch", ("Batch",)),
        ("bptt-backpropagation-through-time", ("BPTT", "backpropagation through time")),
        ("hidden-state", ("Hidden state",)),
        ("cell", ("Cell",)),
        ("cell-state", ("Cell state",)),
        ("cross-entropy", ("Cross-entropy",)),
        ("return_sequences", ("return_sequences",)),
        ("state", ("State",)),
        ("truncated-bptt", ("Truncated BPTT",)),
        ("feature", ("Feature",)),
    ]
    definitions = {e.id: e.definition for e in ENTRIES}
    # the first sentence, as plain text: no code marks, links, emphasis or TeX delimiters
    assert definitions["batch"] == (
        "Several sequences processed together, stacked along a first axis: an array of "
        "shape (batch, timesteps, features)."
    )
    assert definitions["bptt-backpropagation-through-time"] == (
        "Backpropagation applied to the RNN unrolled over its timesteps."
    )
    assert definitions["return_sequences"] == (
        "Whether a recurrent layer returns the state after every timestep or only the last."
    )
    # a pointer ("See state.") is skipped, and so is a closing "; see ..."
    assert definitions["hidden-state"] == "Keras and PyTorch call the state h_t, the hidden state."
    # TeX as plain text
    assert definitions["state"] == (
        "The vector an RNN carries from one step to the next, s_t or y\u0302 or "
        "√(6 / (fan-in + fan-out))."
    )


def test_a_long_definition_is_cut_at_a_word() -> None:
    text = "word " * 60
    short = glossary.shorten(text.strip(), 40)
    assert len(short) <= 40 and short.endswith("word…")
    assert glossary.shorten("A short one.", 40) == "A short one."


def test_lesson_pages() -> None:
    assert glossary.is_lesson("bptt.md")
    for page in (
        "index.md",
        "glossary.md",
        "further-reading.md",
        "reference/api.md",
        "notebooks/course.py",
        "learning/index.md",
    ):
        assert not glossary.is_lesson(page), page


# -- linking the first use of each term ---------------------------------------------------


def test_a_link_points_to_the_entry_and_shows_its_definition() -> None:
    assert link("<p>A batch of sequences.</p>") == (
        '<p>A <a class="glossary-link" href="../glossary/#batch" title="Several sequences '
        "processed together, stacked along a first axis: an array of shape (batch, "
        'timesteps, features).">batch</a> of sequences.</p>'
    )


def test_the_longest_term_at_a_place_wins() -> None:
    html = link("<p>The hidden state, then truncated BPTT, then the state and BPTT.</p>")
    assert links(html) == [
        ("hidden-state", "hidden state"),
        ("truncated-bptt", "truncated BPTT"),
        ("state", "state"),
        ("bptt-backpropagation-through-time", "BPTT"),
    ]
    # two names that start at the same word, the shorter first in the glossary
    assert links(link("<p>The cell state of a cell.</p>")) == [
        ("cell-state", "cell state"),
        ("cell", "cell"),
    ]
    # a term already linked still takes its words: "state" is not linked inside it
    assert links(link("<p>A hidden state, another hidden state.</p>")) == [
        ("hidden-state", "hidden state")
    ]


def test_plurals_line_breaks_and_long_forms() -> None:
    html = link(
        "<p>Two batches, three states, both cross-entropies,\n"
        "and backpropagation\nthrough time.</p>"
    )
    assert links(html) == [
        ("batch", "batches"),
        ("state", "states"),
        ("cross-entropy", "cross-entropies"),
        ("bptt-backpropagation-through-time", "backpropagation\nthrough time"),
    ]


def test_abbreviations_and_code_names_keep_their_case_ordinary_words_do_not() -> None:
    assert links(link("<p>bptt and Return_Sequences are not names.</p>")) == []
    assert links(link("<p>BPTT, then State.</p>")) == [
        ("bptt-backpropagation-through-time", "BPTT"),
        ("state", "State"),
    ]


def test_whole_words_only() -> None:
    html = "<p>A statement, a batched run, a multi-state machine, a feature-rich tool.</p>"
    assert links(link(html)) == []


def test_only_the_first_use_is_linked() -> None:
    html = link("<p>The state, the state.</p><ul><li>A state.</li></ul>")
    assert links(html) == [("state", "state")]


@pytest.mark.parametrize(
    "element",
    [
        "<p>The <code>state</code> here.</p>",
        '<p>The <a href="bptt.md">state</a> here.</p>',
        "<h2>The state</h2>",
        '<p>The <span class="arithmatex">\\(\\text{state}\\)</span>.</p>',
        '<div class="arithmatex">\\[\\text{state}\\]</div>',
        "<figure><figcaption>The state.</figcaption></figure>",
        "<details><summary>The state</summary><p>Hidden.</p></details>",
        '<div class="admonition"><p class="admonition-title">State</p></div>',
        '<div class="interactive"><p>The state.</p><button>state</button></div>',
        "<pre><code>state = 0</code></pre>",
        "<pre>state = 0</pre>",
        "<button>Next state</button>",
        "<p><script>let state = 0; if (1 < 2) {}</script></p>",
        "<p><svg><text>state</text></svg></p>",
    ],
)
def test_no_link_outside_prose(element: str) -> None:
    # the term is used first in the element, inside a list item (prose) where it is still
    # not linked, then in a paragraph, where it is
    html = link(f"<ul><li>{element}</li></ul><p>The state.</p>")
    assert html.startswith(f"<ul><li>{element}</li></ul>")
    assert links(html) == [("state", "state")]


def test_text_outside_paragraphs_lists_and_cells_is_not_linked() -> None:
    html = "<div>The state.</div><table><tr><th>state</th><td>batch</td></tr></table>"
    assert links(link(html)) == [("batch", "batch")]


def test_a_term_linked_by_hand_is_not_linked_again() -> None:
    by_hand = '<p>The <a href="../glossary/#state">state</a> and the state.</p>'
    assert link(by_hand) == by_hand
    # as Python-Markdown writes the link, before MkDocs makes it a URL
    by_hand = '<p>The <a href="glossary.md#state">state</a> and the state.</p>'
    assert link(by_hand) == by_hand


def test_excluded_phrases_and_terms_are_not_linked() -> None:
    html = link("<p>The output features, then the features.</p>")
    assert links(html) == [("feature", "features")]
    assert links(link("<p>A batch.</p>", not_linked=("batch",))) == []


def test_the_hook_links_relative_to_the_page() -> None:
    config = {"docs_dir": str(DOCS), "site_dir": "site", "use_directory_urls": True}
    files = Files([File(p, str(DOCS), "site", True) for p in ("glossary.md", "bptt.md")])
    page = SimpleNamespace(file=files.get_file_from_path("bptt.md"))
    html = glossary.on_page_content("<p>The state.</p>", page=page, config=config, files=files)
    assert links(html) == [("state", "state")]
    assert 'href="../glossary/#state"' in html
    page = SimpleNamespace(file=files.get_file_from_path("glossary.md"))
    html = "<p>The state.</p>"
    assert glossary.on_page_content(html, page=page, config=config, files=files) == html


# -- the real glossary and lessons --------------------------------------------------------

REAL_GLOSSARY = (DOCS / "glossary.md").read_text(encoding="utf-8")
REAL_ENTRIES = glossary.glossary_entries(REAL_GLOSSARY)


def test_every_id_is_the_one_the_toc_extension_gives_the_heading() -> None:
    converted = markdown.markdown(REAL_GLOSSARY, extensions=["toc"])
    toc_ids = re.findall(r'<h2 id="([^"]+)"', converted)
    assert [e.id for e in REAL_ENTRIES] == toc_ids
    assert len(REAL_ENTRIES) >= 40
    for entry in REAL_ENTRIES:
        assert entry.names and all(entry.names), entry
        assert 0 < len(entry.definition) <= glossary.TITLE_LENGTH, entry
        # plain text: no Markdown or TeX left
        assert not re.search(r"[`*\\{}]|\]\(", entry.definition), entry


EXTENSIONS = [
    "toc",
    "tables",
    "admonition",
    "def_list",
    "pymdownx.details",
    "pymdownx.superfences",
    "pymdownx.arithmatex",
    "attr_list",
    "md_in_html",
]

LESSONS = sorted(
    path.relative_to(DOCS).as_posix()
    for path in DOCS.rglob("*.md")
    if glossary.is_lesson(path.relative_to(DOCS).as_posix())
)

#: Where a glossary link must never be, by element and by class.
FORBIDDEN_TAGS = {"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "script", "style"}
FORBIDDEN_TAGS |= {"svg", "figcaption", "summary", "button"}
FORBIDDEN_CLASSES = {"arithmatex", "interactive", "admonition-title"}
PROSE = {"p", "li", "td", "dd"}
VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area", "embed"}


class LinkPlaces(HTMLParser):
    """Each glossary link of a page with the elements around it, as (tag, classes) pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, set[str]]] = []
        self.links: list[tuple[str, list[tuple[str, set[str]]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        if tag == "a" and "glossary-link" in classes:
            self.links.append((dict(attrs)["href"], list(self.open)))
        if tag not in VOID:
            self.open.append((tag, classes))

    def handle_endtag(self, tag: str) -> None:
        names = [name for name, _ in self.open]
        if tag in names:
            del self.open[len(names) - 1 - names[::-1].index(tag) :]


def test_the_lessons_are_found() -> None:
    assert {"what-is-an-rnn.md", "bptt.md", "forecasting.md", "why-lstm.md"} <= set(LESSONS)
    assert not {"glossary.md", "index.md", "further-reading.md"} & set(LESSONS)


@pytest.mark.parametrize("page", LESSONS)
def test_each_lesson_links_its_terms_in_its_prose_only(page: str) -> None:
    source = (DOCS / page).read_text(encoding="utf-8")
    html = markdown.markdown(
        source,
        extensions=EXTENSIONS,
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )
    terms = glossary.compile_terms(REAL_ENTRIES)
    not_linked = glossary.NOT_LINKED_ON.get(page, ())
    linked = glossary.link_first_uses(html, terms, "../glossary/", not_linked)
    parser = LinkPlaces()
    parser.feed(linked)
    ids = [href.split("#")[1] for href, _ in parser.links]
    assert len(ids) >= 3, f"{page}: only {ids}"
    assert len(ids) == len(set(ids)), f"{page}: an entry linked twice"
    assert set(ids) <= {e.id for e in REAL_ENTRIES}
    assert not set(ids) & glossary.linked_ids(html), f"{page}: a term linked by hand relinked"
    assert not set(ids) & set(not_linked)
    for href, around in parser.links:
        tags = {tag for tag, _ in around}
        classes = set().union(*(c for _, c in around))
        assert tags & PROSE, f"{page}: {href} outside prose, in {around}"
        assert not tags & FORBIDDEN_TAGS, f"{page}: {href} inside {tags & FORBIDDEN_TAGS}"
        assert not classes & FORBIDDEN_CLASSES, f"{page}: {href} inside {classes}"
    # the page's text is unchanged: only links were added
    unlinked = re.sub(r'<a class="glossary-link" [^>]*>(.*?)</a>', r"\1", linked, flags=re.S)
    assert unlinked == html
