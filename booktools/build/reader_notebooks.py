"""Reader notebooks and the instructors' kit, generated from the book's chapters.

    python -m booktools.build.reader_notebooks              # write notebooks/<chapter>.ipynb
    python -m booktools.build.reader_notebooks --check      # exit 1 if one is stale, missing or extra
    python -m booktools.build.reader_notebooks --kit DIR    # DIR/student/ and DIR/instructor/ notebooks

The chapters (``chapters/*.ipynb``, in ``_toc.yml``) are written in MyST
Markdown, which Jupyter and Colab show as raw text: ``{eq}`` roles, citations,
exercise and solution fences, with the solutions in the open. This script
turns every chapter into plain-Markdown notebooks:

* a READER notebook, ``notebooks/<chapter>.ipynb`` (committed; what the book's
  download button serves and its Colab button opens): a short note saying it
  is generated, then the Colab setup cell, then the chapter with its stored
  outputs, its exercises as headed sections and without their solutions, and
  a list of the works it cites;
* a STUDENT notebook, ``DIR/student/<chapter>.ipynb``: the reader notebook
  with a space for an answer after every exercise, and without solution code
  (code cells tagged ``solution`` or between ``solution-start`` and
  ``solution-end``);
* an INSTRUCTOR answer key, ``DIR/instructor/<chapter>.ipynb``: every exercise
  with its worked solution, and nothing else of the chapter.

The book's Sphinx extension (``booktools/build/sphinx_ext.py``) writes the kit into
``_build/html/kit/`` on every HTML build, and a fresh copy of each reader
notebook into ``_build/html/notebooks/``. What each construct becomes:

* ``{eq}`label``` -> the number the HTML book shows, e.g. ``(2.3)``. Every chapter,
  section, equation, figure and exercise number, and every title, is the build's:
  ``booktools.build.book_numbers`` reads them from Sphinx's environment (in a build,
  the one the extension is given; outside one, the last build's, refused when a page's
  text changed since: run ``make reader``, which builds first);
* ``$$ ... $$ (label)`` and a labelled ``{math}`` block -> ``$$ ... \\tag{2.3} $$``;
* ``{cite:p}`` -> ``(Author, year; ...)``, ``{cite:t}`` -> ``Author (year)``, and a
  "References" cell at the end lists the cited works from ``references.bib``
  with their DOI or arXiv link;
* ``{doc}`` -> the page's title in italics; ``{ref}`` -> the section's title or
  ``Exercise 2.3``; ``{numref}`` -> ``Exercise 2.3``, ``Figure 2.1``, ``Section 2.4``
  or ``Equation (2.3)``; explicit titles (``text <target>``) are kept;
* ``{exercise}`` -> ``### Exercise 2.1 (title)`` and its text; ``{solution}`` ->
  removed (reader, student) or ``#### Solution to Exercise 2.1`` (answer key);
* admonitions (``{note}``, ``{admonition} Title``, ...) -> a blockquote with a bold
  title; ``{figure}`` -> an image with a numbered caption; ``(label)=`` lines and
  ``%`` comments -> removed. Code cells, their outputs and all metadata are kept.

An unknown role, directive or label is an error naming the chapter: nothing
MyST leaks into a notebook unconverted. The output depends only on the
chapters, ``_toc.yml``, ``_config.yml``, ``references.bib`` and the build's numbers, so
the same input gives byte-identical notebooks (``--check`` compares bytes).
"""

from __future__ import annotations

import argparse
import copy
import functools
import posixpath
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from booktools import ROOT, toc
from booktools.build.book_numbers import Label, StaleBuildError, labels_from_environment
from booktools.build.book_numbers import load_numbers

READER_DIR = "notebooks"  # relative to the book's root; the Colab button opens it
GENERATOR = "booktools.build.reader_notebooks"  # run as python -m GENERATOR
MODES = ("reader", "student", "instructor")
SOLUTION_TAG = "solution"  # a code cell tagged so is solution code (as solution-start/-end)
COLAB_MARKER = "# Colab setup"  # the first line of the cell booktools/build/colab_setup_cell.py writes


class ConversionError(ValueError):
    """MyST that this converter cannot turn into plain Markdown."""


# --- the book: pages, numbers, labels, bibliography ---------------------------

@dataclass
class Page:
    docname: str  # "chapters/elbo"
    path: Path
    number: int | None = None  # chapter number as the build shows it; None outside the numbered parts
    title: str = ""  # the page's title (MyST), from the build


def _toc_pages(root: Path) -> list[Page]:
    """Every page of _toc.yml in reading order, with the chapter numbers the HTML shows
    (booktools/toc.py, which reads the table of contents with Jupyter Book's parser)."""
    try:
        return [Page(page.docname, page.path) for page in toc.toc_pages(root)]
    except toc.TocError as err:
        raise ConversionError(str(err)) from err


def _markdown_sources(page: Page) -> list[str]:
    if page.path.suffix == ".md":
        return [page.path.read_text(encoding="utf-8")]
    nb = nbformat.read(page.path, as_version=4)
    return [cell.source for cell in nb.cells if cell.cell_type == "markdown"]


class Book:
    """What the converter needs to know about the whole book, read from ``root``."""

    def __init__(self, root: Path = ROOT, *, env=None, labels=None, pages=None):
        """Numbers and titles come from a build: ``env``, Sphinx's environment (the book's
        extension passes it), else those the last HTML build saved (an error when the pages
        changed since).
        Tests may give ``labels`` and ``pages`` (docname -> (number, title)) instead."""
        self.root = Path(root)
        numbered = pages or {}
        config = yaml.safe_load((self.root / "_config.yml").read_text(encoding="utf-8"))
        self.title = str(config.get("title") or "")
        repository = config.get("repository") or {}
        self.repository_url = str(repository.get("url") or "").rstrip("/")
        self.branch = str(repository.get("branch") or "main")
        self.base_url = str((config.get("html") or {}).get("baseurl") or "").rstrip("/")
        bibfiles = config.get("bibtex_bibfiles") or ["references.bib"]
        self.bibfiles = [self.root / f for f in bibfiles]
        self.pages = {page.docname: page for page in _toc_pages(self.root)}
        if labels is None and env is not None:
            labels, numbered = labels_from_environment(env)
        elif labels is None:
            try:
                labels, numbered = load_numbers(self.root)
            except StaleBuildError as err:
                raise ConversionError(str(err)) from err
        self.labels: dict[str, Label] = dict(labels)
        for docname, page in self.pages.items():
            page.number, page.title = numbered.get(docname, (None, ""))
            page.title = page.title or docname.rsplit("/", 1)[-1]
        self._bib = None

    # The chapters that get notebooks: the .ipynb pages of _toc.yml, in order.
    def chapters(self) -> list[Page]:
        return [p for p in self.pages.values() if p.path.suffix == ".ipynb"]

    def bibliography(self):
        if self._bib is None:
            from pybtex.database import BibliographyData, parse_file

            data = BibliographyData()
            for path in self.bibfiles:
                for key, entry in parse_file(str(path)).entries.items():
                    data.add_entry(key, entry)
            self._bib = data
        return self._bib


def _first_paragraph(text: str) -> str:
    return " ".join(text.strip().split("\n\n", 1)[0].split()) if text.strip() else ""


# --- parsing MyST Markdown into blocks ------------------------------------------

FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*?)\s*$")
TARGET_RE = re.compile(r"^[ \t]*\((?P<label>[^()\s]+)\)=[ \t]*$")
COMMENT_RE = re.compile(r"^[ \t]*%")
HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)
OPTION_RE = re.compile(r"^:(?P<key>[\w-]+):(?:[ \t]+(?P<value>.*?))?[ \t]*$")
EQ_LABEL_RE = re.compile(r"^[ \t]*\((?P<label>[^()\s]+)\)[ \t]*$")


@dataclass
class Block:
    kind: str  # "text", "target", "math", "fence" or "directive"
    text: str = ""  # text: the lines; fence: the raw fence; math: the maths
    label: str | None = None  # target or equation label
    name: str = ""  # directive name
    argument: str = ""
    options: dict = field(default_factory=dict)
    body: str = ""
    indent: str = ""
    fence: str = ""  # the directive's fence (```, ::::, ...) and its info string
    info: str = ""


def _dedent(lines: list[str], indent: str) -> list[str]:
    return [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in lines]


def _split_options(lines: list[str]) -> tuple[dict, list[str]]:
    options: dict = {}
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is None:
            raise ConversionError("a directive's YAML options block is not closed by ---")
        options = yaml.safe_load("\n".join(lines[1:end])) or {}
        lines = lines[end + 1:]
    else:
        i = 0
        while i < len(lines) and (m := OPTION_RE.match(lines[i])):
            options[m.group("key")] = (m.group("value") or "").strip()
            i += 1
        lines = lines[i:]
    options = {str(k): ("" if v is None else str(v)) for k, v in options.items()}
    while lines and not lines[0].strip():
        lines = lines[1:]
    return options, lines


def parse_blocks(text: str) -> list[Block]:
    """Split MyST Markdown into text, targets, display maths, code fences and directives.

    Directive bodies are kept as text (parsed again when rendered); code fences are
    kept verbatim. Nested fences follow CommonMark: a fence closes only on a line of
    at least as many of the same character.
    """
    lines = text.split("\n")
    blocks: list[Block] = []
    buf: list[str] = []

    def flush():
        if buf:
            blocks.append(Block("text", "\n".join(buf)))
            buf.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        fence = FENCE_RE.match(line)
        if fence and (fence.group("fence")[0] != "`" or "`" not in fence.group("info")):
            indent, mark, info = fence.group("indent"), fence.group("fence"), fence.group("info")
            close = re.compile(rf"^[ \t]*{re.escape(mark[0])}{{{len(mark)},}}[ \t]*$")
            j = i + 1
            while j < len(lines) and not close.match(lines[j]):
                j += 1
            body = _dedent(lines[i + 1:j], indent)
            directive = re.match(r"^\{(?P<name>[^{}\s]+)\}\s*(?P<arg>.*)$", info)
            if directive:
                flush()
                options, content = _split_options(body)
                blocks.append(Block("directive", name=directive.group("name"),
                                    argument=directive.group("arg"), options=options,
                                    body="\n".join(content).rstrip(), indent=indent,
                                    fence=mark, info=info))
            elif mark[0] == ":":
                raise ConversionError(f"a colon fence without a directive: {line.strip()!r}")
            else:
                flush()
                blocks.append(Block("fence", "\n".join(lines[i:j + 1]), indent=indent))
            i = j + 1
            continue
        stripped = line.lstrip()
        if stripped.startswith("$$"):
            rest = stripped[2:]
            if "$$" in rest:
                end_line, maths, after = i, [rest[:rest.index("$$")]], rest[rest.index("$$") + 2:]
            else:
                j = i + 1
                while j < len(lines) and "$$" not in lines[j]:
                    j += 1
                if j == len(lines):
                    raise ConversionError(f"display maths opened by $$ is not closed: {line!r}")
                cut = lines[j].index("$$")
                maths = [rest] + lines[i + 1:j] + [lines[j][:cut]]
                end_line, after = j, lines[j][cut + 2:]
            label = EQ_LABEL_RE.match(after)
            if after.strip() and not label:
                raise ConversionError(f"text after closing $$ that is not a label: {after!r}")
            flush()
            body = "\n".join(m for m in maths if m.strip())
            blocks.append(Block("math", body, label=label.group("label") if label else None,
                                indent=line[:len(line) - len(stripped)]))
            i = end_line + 1
            continue
        target = TARGET_RE.match(line)
        if target:
            flush()
            blocks.append(Block("target", label=target.group("label")))
        elif COMMENT_RE.match(line):
            pass  # a MyST comment: not shown by the book
        else:
            buf.append(line)
        i += 1
    flush()
    return blocks


# --- rendering ------------------------------------------------------------------

ROLE_NAME_RE = re.compile(r"\{(?P<name>[A-Za-z][\w:+-]*)\}$")
BACKTICKS_RE = re.compile(r"`+")
EXPLICIT_RE = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)

ADMONITIONS = {
    "note": "Note", "tip": "Tip", "hint": "Hint", "important": "Important",
    "warning": "Warning", "caution": "Caution", "attention": "Attention", "danger": "Danger",
    "error": "Error", "seealso": "See also", "admonition": None, "dropdown": None,
    "margin": None, "sidebar": None, "topic": None,
}
# Admonition-like directives whose argument is a title rather than the first line of text.
TITLED = {"admonition", "dropdown", "margin", "sidebar", "topic"}
CODE_DIRECTIVES = {"code", "code-block", "sourcecode"}


@dataclass
class Segment:
    kind: str  # "text", "exercise", "exercise-end" or "solution"
    label: str | None
    text: str = ""
    gated: bool = False  # an exercise-start: its text goes on until exercise-end
    cites: list[str] = field(default_factory=list)  # bibliography keys cited in the text


@dataclass
class Context:
    book: Book
    page: Page
    mode: str = "reader"
    citations: list[str] = field(default_factory=list)  # every key cited, in order
    gate: tuple[str, str | None] | None = None  # ("solution", label) between -start and -end
    exercise: str | None = None  # the label of the last exercise seen
    titled: bool = False  # the chapter's title has been numbered


def _where(ctx: Context) -> str:
    return ctx.page.path.relative_to(ctx.book.root).as_posix()


def _explicit(content: str) -> tuple[str | None, str]:
    m = EXPLICIT_RE.match(content.strip())
    if m and m.group("text"):
        return m.group("text"), m.group("target").strip()
    return None, content.strip()


def _label(ctx: Context, name: str, role: str) -> Label:
    label = ctx.book.labels.get(name)
    if label is None:
        raise ConversionError(f"{_where(ctx)}: {{{role}}}`{name}`: no such label in the book")
    return label


# Citations ---------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _latex_text(value: str) -> str:
    """BibTeX/LaTeX text (braces, accents, ``--``) as plain text."""
    from pybtex.richtext import Text

    return Text.from_latex(value).render(_text_backend())


@functools.lru_cache(maxsize=1)
def _text_backend():
    from pybtex.plugin import find_plugin  # slow (entry points): looked up once

    return find_plugin("pybtex.backends", "text")()


def _entry(ctx: Context, key: str):
    entries = ctx.book.bibliography().entries
    if key not in entries:
        raise ConversionError(f"{_where(ctx)}: cites {key!r}, which is not in references.bib")
    ctx.citations.append(key)
    return entries[key]


def _surnames(entry, full: bool = False) -> str:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_latex_text(" ".join(p.prelast_names + p.last_names)) for p in people]
    if not names:
        return _latex_text(entry.fields.get("key", entry.fields.get("title", "?")))
    if len(names) == 1:
        return names[0]
    if len(names) == 2 or full:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return f"{names[0]} et al."


def cite(ctx: Context, role: str, content: str) -> str:
    keys = [k.strip() for k in content.split(",") if k.strip()]
    if not keys:
        raise ConversionError(f"{_where(ctx)}: an empty {{{role}}} role")
    entries = [_entry(ctx, k) for k in keys]
    full = role in ("cite:ps", "cite:ts", "cite:alps", "cite:authors")
    pairs = [(_surnames(e, full), _latex_text(e.fields.get("year", "n.d."))) for e in entries]
    if role in ("cite", "cite:p", "cite:ps"):
        return "(" + "; ".join(f"{a}, {y}" for a, y in pairs) + ")"
    if role in ("cite:t", "cite:ts"):
        return ", ".join(f"{a} ({y})" for a, y in pairs)
    if role in ("cite:alp", "cite:alps"):
        return "; ".join(f"{a}, {y}" for a, y in pairs)
    if role in ("cite:author", "cite:authors"):
        return ", ".join(a for a, _ in pairs)
    if role == "cite:year":
        return ", ".join(y for _, y in pairs)
    if role == "cite:yearpar":
        return "(" + ", ".join(y for _, y in pairs) + ")"
    raise ConversionError(f"{_where(ctx)}: unsupported citation role {{{role}}}")


def _initials(person) -> str:
    parts = [_latex_text(n) for n in person.first_names + person.middle_names]
    return " ".join("-".join(f"{piece[0]}." for piece in part.split("-") if piece)
                    for part in parts if part)


def reference_entry(entry) -> str:
    """One entry of a References cell, in Markdown: authors (year). Title. Venue. Link."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = []
    for person in people:
        surname = _latex_text(" ".join(person.prelast_names + person.last_names))
        initials = _initials(person)
        names.append(f"{surname}, {initials}" if initials else surname)
    authors = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    fields = entry.fields
    parts = [f"{authors} ({_latex_text(fields.get('year', 'n.d.'))}).",
             _latex_text(fields.get("title", "")).rstrip(".") + "."]
    venue = fields.get("journal") or fields.get("booktitle") or fields.get("publisher")
    if venue:
        text = f"*{_latex_text(venue)}*"
        if fields.get("volume"):
            text += f", {_latex_text(fields['volume'])}"
            if fields.get("number"):
                text += f"({_latex_text(fields['number'])})"
        if fields.get("pages"):
            text += f", {_latex_text(fields['pages'])}"
        parts.append(text + ".")
    links = []
    if fields.get("doi"):
        doi = fields["doi"].strip()
        links.append(f"[doi:{doi}](https://doi.org/{doi})")
    if fields.get("eprint") and fields.get("archiveprefix", "").lower() == "arxiv":
        eprint = fields["eprint"].strip()
        links.append(f"[arXiv:{eprint}](https://arxiv.org/abs/{eprint})")
    if not links and fields.get("url"):
        links.append(f"<{fields['url'].strip()}>")
    return " ".join(parts + links)


def references_cell_source(ctx: Context, keys: list[str]) -> str:
    entries = ctx.book.bibliography().entries

    def order(key):
        people = entries[key].persons.get("author") or entries[key].persons.get("editor") or []
        first = _latex_text(" ".join(people[0].last_names)) if people else key
        return (first.lower(), entries[key].fields.get("year", ""), key)

    lines = [f"- {reference_entry(entries[key])}" for key in sorted(keys, key=order)]
    return "## References\n\n" + "\n".join(lines)


# Cross-references ----------------------------------------------------------------

def _page_title(ctx: Context, docname: str) -> str:
    return ctx.book.pages[docname].title


def _page_link(ctx: Context, docname: str, text: str, title: bool = True) -> str:
    """A page's title in italics (or ``text`` as written), linked when the book has a URL."""
    if ctx.book.base_url:
        return f"[{text}]({ctx.book.base_url}/{docname}.html)"
    return f"*{text}*" if title else text


def _resolve_doc(ctx: Context, target: str) -> str:
    target = re.sub(r"\.(ipynb|md)$", "", target.strip())
    if target.startswith("/"):
        docname = target.lstrip("/")
    else:
        docname = posixpath.normpath(posixpath.join(posixpath.dirname(ctx.page.docname), target))
    if docname not in ctx.book.pages:
        raise ConversionError(f"{_where(ctx)}: {{doc}}`{target}`: no such page in _toc.yml")
    return docname


def _kind_name(label: Label) -> str:
    return {"exercise": "Exercise", "figure": "Figure", "section": "Section",
            "page": "Chapter", "equation": "Equation"}.get(label.kind, "")


def ref(ctx: Context, role: str, content: str) -> str:
    text, target = _explicit(content)
    if role == "doc":
        docname = _resolve_doc(ctx, target)
        return _page_link(ctx, docname, text or _page_title(ctx, docname), title=not text)
    if role == "eq":
        label = _label(ctx, target, role)
        if label.kind != "equation" or not label.number:
            raise ConversionError(f"{_where(ctx)}: {{eq}}`{target}` is not a numbered equation")
        return f"({label.number})"
    label = _label(ctx, target, role)
    elsewhere = label.docname != ctx.page.docname
    if role == "ref" and label.kind == "page":  # a label on a page's title: as {doc}
        return _page_link(ctx, label.docname, text or _page_title(ctx, label.docname),
                          title=not text)
    if role == "ref":
        if text:
            return text
        if label.kind == "exercise":
            return f"Exercise {label.number}" if label.number else f"Exercise ({label.title})"
        if label.kind == "equation":
            return f"({label.number})"
        if not label.title:
            raise ConversionError(f"{_where(ctx)}: {{ref}}`{target}` needs an explicit title")
        title = render_inline(ctx, label.title)
        if label.kind == "section" and elsewhere:
            page = _page_link(ctx, label.docname, _page_title(ctx, label.docname))
            return f"{title} (in {page})"
        return title
    if role == "numref":
        if not label.number:
            raise ConversionError(f"{_where(ctx)}: {{numref}}`{target}` has no number")
        number = f"({label.number})" if label.kind == "equation" else label.number
        if text:
            return text.replace("%s", number).replace("{number}", number).replace(
                "{name}", label.title or "")
        return f"{_kind_name(label)} {number}"
    raise AssertionError(role)


def render_role(ctx: Context, name: str, content: str) -> str:
    if name in ("eq", "doc", "ref", "numref"):
        return ref(ctx, name, content)
    if name == "cite" or name.startswith("cite:"):
        return cite(ctx, name, content)
    if name == "math":
        return f"${content}$"
    if name in ("code", "literal", "samp", "file", "command"):
        return f"`{content}`"
    if name in ("sub", "sup", "kbd"):
        return f"<{name}>{content}</{name}>"
    if name == "abbr":
        return re.sub(r"\s*\(.*\)\s*$", "", content)
    if name in ("term", "index", "guilabel", "menuselection", "emphasis", "strong"):
        text, _ = _explicit(content)
        shown = text or content
        return {"emphasis": f"*{shown}*", "strong": f"**{shown}**"}.get(name, shown)
    if name == "download":
        text, target = _explicit(content)
        return text or target
    raise ConversionError(f"{_where(ctx)}: unsupported MyST role {{{name}}}`{content}`")


def render_inline(ctx: Context, text: str) -> str:
    """Replace the roles of a piece of Markdown; other code spans are left as they are.

    A role is ``{name}`` directly followed by a code span (CommonMark: a run of n
    backticks up to the next run of exactly n).
    """
    out, last, pos = [], 0, 0
    while (opening := BACKTICKS_RE.search(text, pos)) is not None:
        n = len(opening.group(0))
        closing = re.compile(rf"(?<!`)`{{{n}}}(?!`)").search(text, opening.end())
        if closing is None:  # literal backticks
            pos = opening.end()
            continue
        role = ROLE_NAME_RE.search(text, last, opening.start())
        if role:
            out.append(text[last:role.start()])
            content = text[opening.end():closing.start()]
            out.append(render_role(ctx, role.group("name"), content.strip() if n > 1 else content))
        else:
            out.append(text[last:closing.end()])
        last = pos = closing.end()
    out.append(text[last:])
    return "".join(out)


def render_text(ctx: Context, text: str) -> str:
    out = render_inline(ctx, text)
    if not ctx.titled and ctx.page.number is not None:
        m = re.search(r"^# (.+)$", out, re.M)
        if m:
            ctx.titled = True
            out = out[:m.start()] + f"# {ctx.page.number}. {m.group(1)}" + out[m.end():]
    return out


def _math(body: str, number: str | None, indent: str = "") -> str:
    lines = [line for line in body.split("\n") if line.strip()]
    inner = "\n".join(lines).strip()
    if "\\\\" in inner and "\\begin" not in inner:
        inner = "\\begin{split}\n" + inner + "\n\\end{split}"  # as Sphinx wraps it
    if number:
        inner += f"\n\\tag{{{number}}}"
    return "\n".join(indent + line for line in ["$$", *inner.split("\n"), "$$"])


def _quote(title: str | None, body: str) -> str:
    lines = [f"**{title}**", ""] if title else []
    lines += body.split("\n") if body.strip() else []
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(f"> {line}" if line.strip() else ">" for line in lines)


def _relative_image(ctx: Context, path: str) -> str:
    if re.match(r"^[a-z]+:", path) or path.startswith("/"):
        return path
    source = posixpath.normpath(posixpath.join(posixpath.dirname(ctx.page.docname), path))
    return posixpath.relpath(source, READER_DIR)


def _join(parts: list[str]) -> str:
    return "\n\n".join(p.strip("\n") for p in parts if p.strip())


def _text_of(segments: list[Segment], *, keep_solutions: bool = False) -> str:
    return _join([s.text for s in segments
                  if s.kind in ("text", "exercise") or (keep_solutions and s.kind == "solution")])


def render_directive(ctx: Context, block: Block) -> list[Segment]:
    name, options, arg = block.name, block.options, block.argument.strip()
    indent = block.indent
    if name == "exercise":
        return [Segment("exercise", options.get("label"), _exercise_heading(ctx, block)
                        + "\n\n" + _text_of(render_markdown(ctx, block.body)))]
    if name == "exercise-start":
        return [Segment("exercise", options.get("label"), _exercise_heading(ctx, block),
                        gated=True)]
    if name == "exercise-end":
        return [Segment("exercise-end", ctx.exercise)]
    if name in ("solution", "solution-start"):
        label = _label(ctx, arg, name)
        if label.kind != "exercise":
            raise ConversionError(f"{_where(ctx)}: {{{name}}} {arg}: not an exercise label")
        heading = f"#### Solution to {_exercise_name(label)}"
        if name == "solution-start":
            ctx.gate = ("solution", arg)
            return [Segment("solution", arg, heading)]
        body = _text_of(render_markdown(ctx, block.body))
        return [Segment("solution", arg, heading + "\n\n" + body)]
    if name == "solution-end":
        if not ctx.gate:
            raise ConversionError(f"{_where(ctx)}: solution-end without solution-start")
        ctx.gate = None
        return []
    if name == "math":
        label = options.get("label") or options.get("name")
        number = ctx.book.labels[label].number if label else None
        return [Segment("text", None, _math(block.body, number, indent))]
    if name in ADMONITIONS:
        title = render_inline(ctx, arg) if name in TITLED and arg else ADMONITIONS[name]
        body = block.body if name in TITLED or not arg else arg + "\n" + block.body
        quoted = _quote(title, _text_of(render_markdown(ctx, body)))
        return [Segment("text", None, "\n".join(indent + line for line in quoted.split("\n")))]
    if name in ("figure", "image"):
        caption = _first_paragraph(block.body) if name == "figure" else ""
        alt = options.get("alt") or caption or posixpath.basename(arg)
        image = f"{indent}![{alt}]({_relative_image(ctx, arg)})"
        if not caption:
            return [Segment("text", None, image)]
        label = ctx.book.labels.get(options.get("name", ""))
        number = label.number if label else None
        rest = block.body.strip().split("\n\n", 1)[1:] if "\n\n" in block.body.strip() else []
        cap = render_inline(ctx, caption)
        text = f"{image}\n\n{indent}*Figure {number}: {cap}*" if number else f"{image}\n\n*{cap}*"
        if rest:
            text += "\n\n" + _text_of(render_markdown(ctx, rest[0]))
        return [Segment("text", None, text)]
    if name in CODE_DIRECTIVES:
        fence = "`" * max(3, _longest_backticks(block.body) + 1)
        lines = [f"{fence}{arg}", *block.body.split("\n"), fence]
        return [Segment("text", None, "\n".join(indent + line for line in lines))]
    raise ConversionError(f"{_where(ctx)}: unsupported MyST directive {{{name}}}"
                          f" (add it to {GENERATOR})")


def _longest_backticks(text: str) -> int:
    return max((len(m) for m in re.findall(r"`+", text)), default=0)


def _exercise_name(label: Label) -> str:
    return f"Exercise {label.number}" if label.number else f"Exercise ({label.title})"


def _exercise_heading(ctx: Context, block: Block) -> str:
    label = block.options.get("label")
    if not label or label not in ctx.book.labels:
        raise ConversionError(f"{_where(ctx)}: an exercise needs a :label: that the book "
                              "knows (its number comes from the build)")
    ctx.exercise = label
    number = ctx.book.labels[label].number
    title = render_inline(ctx, block.argument.strip())
    name = f"Exercise {number}" if number else "Exercise"
    return f"### {name} ({title})" if title else f"### {name}"


def render_markdown(ctx: Context, text: str) -> list[Segment]:
    """Convert MyST Markdown to segments of plain Markdown (exercises, solutions, text)."""
    segments: list[Segment] = []
    for block in parse_blocks(text):
        start = len(ctx.citations)
        if block.kind == "directive":
            produced = render_directive(ctx, block)
        elif block.kind == "text":
            produced = [Segment("text", None, render_text(ctx, block.text))]
        elif block.kind == "math":
            number = ctx.book.labels[block.label].number if block.label else None
            produced = [Segment("text", None, _math(block.text, number, block.indent))]
        elif block.kind == "fence":
            produced = [Segment("text", None, block.text)]
        else:  # a (label)= target: the book shows nothing
            produced = []
        if ctx.gate is not None:  # between solution-start and solution-end
            produced = [Segment("solution", ctx.gate[1], s.text) if s.kind == "text" else s
                        for s in produced]
        for segment in produced:
            segment.cites = ctx.citations[start:]
        segments.extend(produced)
    return segments


def convert_markdown(book: Book, page: Page, text: str, mode: str = "reader") -> str:
    """One piece of a page's MyST Markdown in plain Markdown (solutions kept for "instructor")."""
    segments = render_markdown(Context(book, page, mode), text)
    return _text_of(segments, keep_solutions=mode == "instructor")


def solution_texts(book: Book, page: Page) -> dict[str, str]:
    """``{exercise label: its worked solution in plain Markdown}`` for one chapter."""
    ctx = Context(book, page, "instructor")
    solutions: dict[str, list[str]] = {}
    for source in _markdown_sources(page):
        for segment in render_markdown(ctx, source):
            if segment.kind == "solution":
                solutions.setdefault(segment.label, []).append(segment.text)
    return {label: _join(texts) for label, texts in solutions.items()}


# --- notebooks -------------------------------------------------------------------

def _is_setup_cell(cell) -> bool:
    return cell.cell_type == "code" and cell.source.startswith(COLAB_MARKER)


def _figure_caption(ctx: Context, cell) -> str | None:
    """The book's numbered caption of a figure made by a code cell (myst-nb metadata
    ``mystnb: figure: {name, caption}``), as an italic line to follow the cell."""
    figure = (cell.metadata.get("mystnb") or {}).get("figure") or {}
    if not figure.get("caption"):
        return None
    label = ctx.book.labels.get(figure.get("name") or "")
    number = f" {label.number}" if label is not None and label.number else ""
    text = "".join(s.text for s in render_markdown(ctx, figure["caption"]))
    return f"*Figure{number}: {text.strip()}*"


def _with_id(cell, cell_id: str, nb) -> dict:
    """``cell`` with a fixed id where the notebook format has ids (nbformat >= 4.5)."""
    if nb.nbformat_minor >= 5:
        cell["id"] = cell_id
    else:
        cell.pop("id", None)
    return cell


def _markdown_cell(source: str, cell_id: str, nb) -> dict:
    return _with_id(nbformat.v4.new_markdown_cell(source), cell_id, nb)


def _code_cell(source: str, cell_id: str, nb) -> dict:
    return _with_id(nbformat.v4.new_code_cell(source), cell_id, nb)


def _safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)[:64]


def _note(ctx: Context, mode: str) -> str:
    book, page = ctx.book, ctx.page
    source = page.path.relative_to(book.root).as_posix()
    what = f"chapter {page.number}" if page.number is not None else f"the page {page.title!r}"
    kind = {"reader": "This notebook is", "student": "This student notebook is",
            "instructor": "This answer key is for"}[mode]
    book_link = f"[{book.title}]({book.base_url})" if book.base_url else book.title
    repo = f" The book and its source: <{book.repository_url}>." if book.repository_url else ""
    about = {
        "reader": "The exercises' worked solutions are left out; the book has them, hidden "
                  "until opened.",
        "student": "The exercises are here, their solutions are not: write your answers in "
                   "the cells after each exercise.",
        "instructor": "It holds every exercise of the chapter with its worked solution. "
                      "Not for students.",
    }[mode]
    run = (" On Colab, run the first code cell first: it installs what the chapter needs."
           if mode != "instructor" else "")
    return (f"*{kind} {what} of the book* **{book_link}**, *generated from `{source}` by "
            f"`{GENERATOR}` (edit the chapter, not this file).*{repo} {about}{run}")


def convert_chapter(book: Book, page: Page, mode: str = "reader"):
    """The reader or student notebook, or the instructor's answer key, of one chapter."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    nb = nbformat.read(page.path, as_version=4)
    ctx = Context(book, page, mode)
    out = nbformat.v4.new_notebook()
    out.nbformat, out.nbformat_minor = nb.nbformat, nb.nbformat_minor
    out.metadata = copy.deepcopy(nb.metadata)
    out.metadata["vaebook_generated"] = {"from": page.path.relative_to(book.root).as_posix(),
                                         "by": GENERATOR, "kind": mode}
    setup = [c for c in nb.cells if _is_setup_cell(c)]
    cells = [_markdown_cell(_note(ctx, mode), f"vaebook-{mode}-note", nb)]
    if mode != "instructor":
        cells += [copy.deepcopy(c) for c in setup[:1]]
    exercises: dict[str, list] = {}  # instructor: label -> cells (exercise, solution, code)
    order: list[str] = []
    cited: list[str] = []  # the keys cited by the text the notebook keeps
    title = ""
    for cell in nb.cells:
        if any(cell is s for s in setup):
            continue
        if cell.cell_type == "code":
            in_solution = ctx.gate is not None or SOLUTION_TAG in cell.metadata.get("tags", [])
            label = ctx.gate[1] if ctx.gate else ctx.exercise
            if in_solution:
                if mode == "instructor" and label:
                    exercises.setdefault(label, []).append(copy.deepcopy(cell))
                continue
            if mode != "instructor":
                cells.append(copy.deepcopy(cell))
                caption = _figure_caption(ctx, cell)
                if caption:
                    cells.append(_markdown_cell(caption, f"{cell.get('id', 'cell')}-caption", nb))
            continue
        if cell.cell_type != "markdown":
            if mode != "instructor":
                cells.append(copy.deepcopy(cell))
            continue
        segments = render_markdown(ctx, cell.source)
        if not title:
            m = re.search(r"^# (.+)$", _text_of(segments), re.M)
            title = m.group(1) if m else ""
        if mode == "instructor":
            for s in segments:
                if s.kind in ("exercise", "solution") and s.label:
                    if s.label not in exercises:
                        order.append(s.label)
                    exercises.setdefault(s.label, []).append(s.text)
                    cited += s.cites
            continue
        cited += [key for s in segments if s.kind != "solution" for key in s.cites]
        cells.extend(_reader_cells(segments, cell, mode, nb))
    if mode == "instructor":
        cells += _answer_key_cells(ctx, title, order, exercises, nb)
    if ctx.gate is not None:
        raise ConversionError(f"{_where(ctx)}: solution-start {ctx.gate[1]} has no solution-end")
    if cited:
        cells.append(_markdown_cell(references_cell_source(ctx, sorted(set(cited))),
                                    f"vaebook-{mode}-references", nb))
    out.cells = cells
    nbformat.validate(out)
    return out


def _reader_cells(segments: list[Segment], cell, mode: str, nb) -> list:
    """The cells that one chapter Markdown cell becomes (reader: one; student: split)."""
    groups: list[tuple[str, list[Segment]]] = [("", [])]
    for s in segments:
        if s.kind == "solution":
            continue
        groups[-1][1].append(s)
        if mode == "student" and s.kind in ("exercise", "exercise-end") and s.label:
            if s.gated:
                continue  # a gated exercise's answer space comes after exercise-end
            groups.append((s.label, []))
    out = []
    for i, (label, group) in enumerate(groups):
        if label:  # answer space for the exercise that ends the previous group
            out.append(_markdown_cell("**Your answer.**", _safe_id(f"answer-{label}"), nb))
            out.append(_code_cell("", _safe_id(f"answer-{label}-code"), nb))
        text = _text_of(group)
        if not text.strip():
            continue
        new = copy.deepcopy(cell)
        new.source = text
        if i and "id" in new:
            new["id"] = _safe_id(f"{cell.get('id', 'cell')}-{i}")
        out.append(new)
    return out


def _answer_key_cells(ctx: Context, title: str, order: list[str], exercises: dict, nb) -> list:
    cells = [_markdown_cell(f"# Answer key: {title}", "vaebook-key-title", nb)]
    for label in order:
        parts = exercises[label]
        texts = [p for p in parts if isinstance(p, str)]
        if not any(t.lstrip().startswith("#### Solution") for t in texts):
            texts.append("#### Solution\n\n*The book gives no worked solution to this exercise.*")
        cells.append(_markdown_cell(_join(texts), _safe_id(f"key-{label}"), nb))
        cells += [p for p in parts if not isinstance(p, str)]
    return cells


def write_notebook(nb) -> str:
    return nbformat.writes(nb) + "\n"


def reader_path(book: Book, page: Page) -> Path:
    return book.root / READER_DIR / f"{page.path.stem}.ipynb"


def generate(book: Book, mode: str = "reader") -> dict[str, str]:
    """``{chapter file name: notebook text}`` for every chapter of the book."""
    stems = [page.path.stem for page in book.chapters()]
    if len(set(stems)) != len(stems):
        raise ConversionError(f"two chapters share a file name: {stems}")
    return {f"{page.path.stem}.ipynb": write_notebook(convert_chapter(book, page, mode))
            for page in book.chapters()}


def write_kit(out_dir: Path, book: Book | None = None) -> list[Path]:
    """Write ``out_dir/student/<chapter>.ipynb`` and ``out_dir/instructor/<chapter>.ipynb``."""
    book = book or Book()
    written = []
    for mode in ("student", "instructor"):
        target = Path(out_dir) / mode
        target.mkdir(parents=True, exist_ok=True)
        for name, text in generate(book, mode).items():
            (target / name).write_text(text, encoding="utf-8")
            written.append(target / name)
    return written


def stale_reader_notebooks(book: Book | None = None) -> list[str]:
    """Reader notebooks that are missing, out of date, or for no chapter (relative paths)."""
    book = book or Book()
    expected = generate(book, "reader")
    directory = book.root / READER_DIR
    stale = [f"{READER_DIR}/{name}" for name, text in expected.items()
             if not (directory / name).is_file()
             or (directory / name).read_text(encoding="utf-8") != text]
    if directory.is_dir():
        stale += [f"{READER_DIR}/{p.name}" for p in sorted(directory.glob("*.ipynb"))
                  if p.name not in expected]
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a reader notebook is stale or missing")
    parser.add_argument("--kit", type=Path, metavar="DIR",
                        help="write the student notebooks and answer keys into DIR instead")
    args = parser.parse_args(argv)
    try:
        book = Book()
        if args.kit:
            for path in write_kit(args.kit, book):
                print(f"wrote   {path}")
            return 0
        if args.check:
            stale = stale_reader_notebooks(book)
            for name in stale:
                print(f"STALE   {name}")
            if stale:
                print(f"run: python -m {GENERATOR}")
            else:
                print(f"ok      {len(book.chapters())} reader notebooks in {READER_DIR}/")
            return 1 if stale else 0
        directory = book.root / READER_DIR
        directory.mkdir(exist_ok=True)
        expected = generate(book, "reader")
        for name, text in expected.items():
            path = directory / name
            changed = not path.is_file() or path.read_text(encoding="utf-8") != text
            if changed:
                path.write_text(text, encoding="utf-8")
            print(f"{'updated' if changed else 'ok     '} {READER_DIR}/{name}")
        for extra in sorted(directory.glob("*.ipynb")):
            if extra.name not in expected:
                extra.unlink()
                print(f"removed {READER_DIR}/{extra.name} (no such chapter)")
        return 0
    except ConversionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
