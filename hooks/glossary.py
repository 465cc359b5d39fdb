"""MkDocs hook: the first use of a glossary term on a lesson page links to its entry.

A learner who meets "truncated BPTT" or "spectral radius" in the middle of a lesson
should not have to leave the page to look it up, nor hunt for the glossary. So, on every
lesson page, the first time a term of ``glossary.md`` appears in the prose it becomes a
link to the term's entry, whose ``title`` holds the entry's first sentence: hovering
shows the definition, clicking opens the whole entry. Later uses stay plain text, as a
book's glossary marks a word once, not everywhere.

- The terms are the glossary's ``## headings``, read when the site is built: a new entry
  is linked from the lessons without touching this file. A heading with a parenthesis,
  "BPTT (backpropagation through time)", gives two names for one entry.
- Only prose is linked: the text of paragraphs, list items and table or definition
  cells. Code, maths, headings, figure captions, admonition titles, buttons, links and
  the interactive figures are left as they are (see `SKIPPED_TAGS`, `SKIPPED_CLASSES`).
- Where two terms overlap, the longer wins: "hidden state" links to *Hidden state*, not
  "state" to *State*; "truncated BPTT" to *Truncated BPTT*, not "BPTT" to *BPTT*.
- A term that the page already links to the glossary by hand is not linked again.
- Some words of the glossary mean something else in places: cuDNN's "GPU kernels" are
  not Keras's kernel, the weather's temperature is not the temperature of sampling.
  `NOT_TERMS` and `NOT_LINKED_ON` list such phrases and pages, found by reading the
  linked sentences of the built site.

The HTML is walked with a small tokenizer rather than a full parser: the pages come from
Python-Markdown and the other hooks, whose HTML is regular enough, and the text between
the tags is all this hook changes.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from markdown.extensions.toc import slugify

GLOSSARY = "glossary.md"

#: Pages that are not lessons (src paths): the home page and the reference pages, which
#: list or point rather than teach. ``reference/`` pages, notebooks (``.py``) and section
#: overviews (``*/index.md``) are not lessons either: see `is_lesson`.
NOT_LESSONS = {GLOSSARY, "index.md", "further-reading.md", "exercises.md"}

#: Elements whose text is prose, and so may be linked.
PROSE_TAGS = {"p", "li", "td", "dd"}

#: Elements whose text is never linked, even inside a paragraph: code, links, headings,
#: captions and titles (a link there would catch the eye before the text does), controls.
#: The content of ``<script>`` and ``<style>`` is never taken for text (see `_MARKUP`).
SKIPPED_TAGS = {
    "a",
    "code",
    "pre",
    "kbd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "svg",
    "figcaption",
    "summary",
    "button",
    "abbr",
}

#: Classes of elements whose text is never linked: maths (``pymdownx.arithmatex``, which
#: MathJax typesets: a link inside would break the TeX), an admonition's title (a ``<p>``,
#: but a heading to the reader) and the interactive figures (``hooks/interactive.py``).
SKIPPED_CLASSES = {"arithmatex", "admonition-title", "interactive"}

#: Elements without an end tag.
VOID_TAGS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}

#: Phrases in which a term's word does not mean the glossary's term. Such a phrase is
#: matched as a term is, so that its words are used up, but it links nowhere.
NOT_TERMS: tuple[str, ...] = (
    # The notebook's "output feature space" (ingredients-to-code.md) is the state's units;
    # the glossary's Feature is a number of the input.
    "output feature",
    # cuDNN's "GPU kernels" (lstm-gru.md) are routines, not Keras's input weights.
    "GPU kernel",
)

#: Entries (ids) never linked from a page (src path), whose word means something else
#: there all along.
NOT_LINKED_ON: dict[str, set[str]] = {
    # The weather's temperature, not the temperature of sampling from a model.
    "forecasting.md": {"temperature"},
}

#: The longest title (the definition shown on hover), in characters.
TITLE_LENGTH = 160


class Entry(NamedTuple):
    """One glossary entry: its heading's id, the names it is known by, its definition."""

    id: str
    names: tuple[str, ...]
    definition: str


# ------------------------------------------------------------------ the glossary's entries


def heading_id(heading: str) -> str:
    """The id that Python-Markdown's ``toc`` extension gives a heading.

    ``toc`` slugifies the heading's text without its markup: "BPTT (backpropagation
    through time)" becomes ``bptt-backpropagation-through-time`` and "`return_sequences`"
    becomes ``return_sequences``.
    """
    return slugify(heading.replace("`", ""), "-")


def term_names(heading: str) -> tuple[str, ...]:
    """The names a heading gives its term: "GRU (gated recurrent unit)" gives two."""
    heading = heading.replace("`", "").strip()
    match = re.fullmatch(r"(?P<short>.+?)\s*\((?P<long>[^()]+)\)", heading)
    if match:
        return (match["short"], match["long"])
    return (heading,)


#: The TeX of the glossary's formulas, in plain text (a title cannot hold typeset maths).
TEX_SYMBOLS = {
    r"^\top": "ᵀ",
    r"\sigma": "σ",
    r"\eta": "η",
    r"\rho": "ρ",
    r"\partial": "∂",
    r"\odot": "⊙",
    r"\pm": "±",
    r"\sum": "Σ",
    r"\ln": "ln",
    r"\,": " ",
}


def tex_to_text(tex: str) -> str:
    r"""A short TeX formula as plain text: ``\hat y`` becomes "ŷ", ``\sqrt{a}`` "√(a)"."""
    text = re.sub(r"\\(?:text|mathrm)\{([^{}]*)\}", r"\1", tex)
    text = re.sub(r"\\sqrt\{([^{}]*)\}", r"√(\1)", text)
    text = re.sub(r"\\hat\s*(\w)", "\\1\u0302", text)  # a combining circumflex
    text = re.sub(r"\\tilde\s*(\w)", "\\1\u0303", text)  # a combining tilde
    for command, symbol in TEX_SYMBOLS.items():
        text = text.replace(command, symbol)
    return text.replace("{", "").replace("}", "").replace("\\", "")


def plain_text(markdown: str) -> str:
    """A sentence of Markdown as plain text: no links, emphasis, code marks or TeX."""
    text = re.sub(r"\\\((.*?)\\\)", lambda m: tex_to_text(m[1]), markdown, flags=re.S)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](url) -> text
    text = re.sub(r"\*\*?([^*]+)\*\*?", r"\1", text)  # **bold**, *italic*
    text = text.replace("`", "")
    return " ".join(text.split())


def shorten(text: str, limit: int = TITLE_LENGTH) -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary, with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def definition(body: str) -> str:
    """The first sentence of an entry's text, as plain text, for a link's ``title``.

    A pointer that starts an entry ("See *state*.") defines nothing on its own: the first
    sentence that is not one is taken. A closing "; see ..." is dropped too, as the
    pages it names are not links in a title.
    """
    paragraph = re.split(r"\n\s*\n", body.strip(), maxsplit=1)[0]
    # A sentence ends at a full stop followed by a capital, code or maths.
    sentences = [plain_text(s) for s in re.split(r"(?<=\.)\s+(?=[A-Z`\\])", paragraph)]
    sentence = next((s for s in sentences if not s.startswith("See ")), sentences[0])
    sentence = re.sub(r"; see .*$", ".", sentence)
    return shorten(sentence)


def glossary_entries(markdown: str) -> list[Entry]:
    """The entries of a glossary: one per ``## heading``, in the page's order."""
    markdown = re.sub(r"<!--.*?-->", "", markdown, flags=re.S)
    parts = re.split(r"^## +(.+?) *$", markdown, flags=re.M)
    # parts: [text before the first entry, heading, body, heading, body, ...]
    return [
        Entry(heading_id(heading), term_names(heading), definition(body))
        for heading, body in zip(parts[1::2], parts[2::2], strict=True)
    ]


# ------------------------------------------------------------------ finding terms in text


def is_code_like(word: str) -> bool:
    """Whether a word is matched exactly: an abbreviation (BPTT), a name (cuDNN), code."""
    return any(c.isupper() for c in word[1:]) or "_" in word


def name_pattern(name: str) -> str:
    """A regular expression for a name and its simple plural.

    Ordinary words match in any case ("State" at the start of a sentence, "state" in
    it); abbreviations and code names only as written ("GRU", not "gru"). The words of a
    name may be joined by any whitespace (a line break, in the HTML) or by a hyphen
    ("Glorot-uniform kernels"). The last word takes an "s" or "es" ("units", "batches",
    "LSTMs"), or "ies" for a final "y" ("cross-entropies").
    """
    *first, last = name.split()
    if last.endswith("y"):
        stem, ending = last[:-1], "(?:y|ies)"
    else:
        stem, ending = last, "(?:e?s)?"
    words = [(re.escape(word), word) for word in first] + [(re.escape(stem) + ending, last)]
    return r"(?:\s+|-)".join(
        pattern if is_code_like(word) else f"(?i:{pattern})" for pattern, word in words
    )


class Terms(NamedTuple):
    """Every name of every entry in one regular expression.

    ``pattern`` has one named group per name (``t0``, ``t1``, ...); ``targets`` maps a
    group's name to the entry it links to, or to None for a phrase of `NOT_TERMS`.
    """

    pattern: re.Pattern[str]
    targets: dict[str, Entry | None]


def compile_terms(entries: Iterable[Entry], not_terms: Iterable[str] = NOT_TERMS) -> Terms:
    """One regular expression that finds any term, the longest where several start."""
    names: list[tuple[str, Entry | None]] = [(n, e) for e in entries for n in e.names]
    names += [(phrase, None) for phrase in not_terms]
    # The search finds the leftmost match, so "hidden state" is found before the "state"
    # in it. Where two names start at the same word, the regular expression takes the
    # first alternative that matches: the longer names come first.
    names.sort(key=lambda item: len(item[0]), reverse=True)
    targets = {f"t{i}": entry for i, (_, entry) in enumerate(names)}
    alternatives = "|".join(f"(?P<t{i}>{name_pattern(n)})" for i, (n, _) in enumerate(names))
    # Whole words only: no letter, digit, underscore or hyphen just before or after
    # ("state" is not in "statement", "normal matrix" is not in "non-normal matrix").
    pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")
    return Terms(pattern, targets)


# ------------------------------------------------------------------ linking a page

# A piece of HTML that is not text: a comment, a script or style element with its
# content (which is not HTML), or a tag (whose quoted attributes may hold a ">").
_MARKUP = re.compile(
    r"<!--.*?-->"
    r"|<(?P<raw>script|style)\b.*?</(?P=raw)\s*>"
    r"|<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>",
    re.S | re.I,
)
_TAG = re.compile(r"<(?P<end>/?)(?P<name>[A-Za-z][\w:-]*)")
_CLASS = re.compile(r"""\sclass\s*=\s*(?:"(?P<q2>[^"]*)"|'(?P<q1>[^']*)')""")
_GLOSSARY_HREF = re.compile(r"""href=["'](?:[^"'#]*/)?glossary(?:\.md|\.html)?/?#(?P<id>[^"']+)""")


def linked_ids(html: str) -> set[str]:
    """The ids of the glossary entries a page already links to."""
    return {match["id"] for match in _GLOSSARY_HREF.finditer(html)}


def _kind(tag: str, name: str) -> str | None:
    """How an element's text is treated: "prose" may be linked, "skip" never is."""
    match = _CLASS.search(tag)
    classes = set((match["q2"] or match["q1"] or "").split()) if match else set()
    if name in SKIPPED_TAGS or classes & SKIPPED_CLASSES:
        return "skip"
    if name in PROSE_TAGS:
        return "prose"
    return None


def link_first_uses(
    html: str, terms: Terms, glossary_url: str, not_linked: Iterable[str] = ()
) -> str:
    """Link the first use of each term in the prose of ``html`` to its glossary entry.

    Parameters
    ----------
    html
        A page's content, as MkDocs hands it to ``on_page_content``.
    terms
        The glossary's terms, from `compile_terms`.
    glossary_url
        The glossary's address relative to the page, such as ``../glossary/``.
    not_linked
        Ids of entries not to link on this page (see `NOT_LINKED_ON`).
    """
    linked = linked_ids(html) | set(not_linked)
    # The open elements, innermost last, as (name, kind) pairs.
    open_elements: list[tuple[str, str | None]] = []

    def link(match: re.Match[str]) -> str:
        entry = terms.targets[match.lastgroup]
        if entry is None or entry.id in linked:
            return match[0]
        linked.add(entry.id)
        href = html_lib.escape(f"{glossary_url}#{entry.id}")
        title = html_lib.escape(entry.definition)
        return f'<a class="glossary-link" href="{href}" title="{title}">{match[0]}</a>'

    def text(piece: str) -> str:
        kinds = {kind for _, kind in open_elements}
        if "prose" in kinds and "skip" not in kinds:
            return terms.pattern.sub(link, piece)
        return piece

    out: list[str] = []
    position = 0
    for markup in _MARKUP.finditer(html):
        out.append(text(html[position : markup.start()]))
        out.append(markup[0])
        position = markup.end()
        tag = _TAG.match(markup[0])
        if tag is None or markup["raw"]:  # a comment, a script, a style, a doctype
            continue
        name = tag["name"].lower()
        if tag["end"]:
            # Close the element and any left open inside it; ignore a stray end tag.
            names = [n for n, _ in open_elements]
            if name in names:
                del open_elements[len(names) - 1 - names[::-1].index(name) :]
        elif name not in VOID_TAGS and not markup[0].endswith("/>"):
            open_elements.append((name, _kind(markup[0], name)))
    out.append(text(html[position:]))
    return "".join(out)


# ------------------------------------------------------------------ the hook


def is_lesson(src_uri: str) -> bool:
    """Whether a page (by its path in ``docs/``) is a lesson, whose terms are linked."""
    return (
        src_uri.endswith(".md")
        and src_uri not in NOT_LESSONS
        and not src_uri.startswith("reference/")
        and not src_uri.endswith("/index.md")
    )


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    glossary = files.get_file_from_path(GLOSSARY)
    if glossary is None or not is_lesson(page.file.src_uri):
        return html
    entries = glossary_entries((Path(config["docs_dir"]) / GLOSSARY).read_text(encoding="utf-8"))
    return link_first_uses(
        html,
        compile_terms(entries),
        glossary.url_relative_to(page.file),
        NOT_LINKED_ON.get(page.file.src_uri, ()),
    )
