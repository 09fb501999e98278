"""The reader notebooks (notebooks/), the instructors' kit and the converter that makes them.

booktools/build/reader_notebooks.py turns each chapter's MyST Markdown into plain Markdown. These
tests check the committed reader notebooks (current, free of MyST, every reference and
citation resolved, code and outputs those of the chapter), the student notebooks and answer
keys, and the converter itself on small pieces of a small book made in a temporary
directory. Nothing here executes a notebook: nbval runs the chapters, and the reader notebooks'
code cells are checked to be the chapters' (so they are not run a second time).
"""

from __future__ import annotations

import copy
import json
import re
import types
from pathlib import Path

import nbformat
import pytest

from booktools.build import reader_notebooks as rn

ROOT = Path(__file__).resolve().parents[1]

# The chapters, from _toc.yml; their numbers come from the build (the `book` fixture).
CHAPTERS = [page for page in rn._toc_pages(ROOT) if page.path.suffix == ".ipynb"]
IDS = [page.path.stem for page in CHAPTERS]


@pytest.fixture(scope="module")
def book(built_book) -> rn.Book:
    """The book with the numbers of this test run's build (tests/conftest.py)."""
    return rn.Book(ROOT)

# MyST that Jupyter and Colab would show as raw text.
MYST = {
    "a role ({name}`...`)": re.compile(r"\{[A-Za-z][\w:+-]*\}`"),
    "a directive fence": re.compile(r"^[ \t]*(`{3,}|~{3,}|:{3,})[ \t]*\{", re.M),
    "a (label)= target": re.compile(r"^[ \t]*\([^()\s]+\)=[ \t]*$", re.M),
    "a :label: option": re.compile(r"^[ \t]*:label:", re.M),
    "an equation label after $$": re.compile(r"\$\$[ \t]*\([^()\s]+\)[ \t]*$", re.M),
}


def markdown(nb) -> str:
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def myst_left(text: str) -> list[str]:
    return [f"{what}: {m.group(0)!r} in ...{text[max(0, m.start() - 60):m.end() + 20]!r}"
            for what, pattern in MYST.items() for m in pattern.finditer(text)]


def chapter_markdown(page) -> str:
    return "\n\n".join(rn._markdown_sources(page))


@pytest.fixture(scope="module")
def kit(tmp_path_factory, book) -> Path:
    out = tmp_path_factory.mktemp("kit")
    rn.write_kit(out, book)
    return out


# --- the committed reader notebooks ---------------------------------------------------

def test_every_chapter_in_the_toc_has_a_reader_notebook(book):
    assert CHAPTERS, "_toc.yml lists no chapter notebook"
    missing = [page.docname for page in CHAPTERS if not rn.reader_path(book, page).is_file()]
    assert not missing, (f"no reader notebook for {missing}: "
                         f"run `.venv/bin/python {rn.GENERATOR}`")


def test_reader_notebooks_are_current(book):
    stale = rn.stale_reader_notebooks(book)
    assert not stale, (f"stale reader notebooks {stale} (a chapter, _toc.yml, _config.yml or "
                       f"references.bib changed): run `.venv/bin/python {rn.GENERATOR}`")


def test_check_command_exits_0_when_current(capsys, book):
    assert rn.main(["--check"]) == 0, capsys.readouterr().out


@pytest.mark.parametrize("page", CHAPTERS, ids=IDS)
def test_reader_notebook_has_no_myst(page, book):
    nb = nbformat.read(rn.reader_path(book, page), as_version=4)
    found = myst_left(markdown(nb))
    assert not found, f"{page.path.stem}: MyST left in the reader notebook:\n" + "\n".join(found)


@pytest.mark.parametrize("mode", ["student", "instructor"])
def test_kit_notebooks_have_no_myst(kit, mode):
    for page in CHAPTERS:
        nb = nbformat.read(kit / mode / f"{page.path.stem}.ipynb", as_version=4)
        found = myst_left(markdown(nb))
        assert not found, f"{mode}/{page.path.stem}: MyST left:\n" + "\n".join(found)


@pytest.mark.parametrize("page", CHAPTERS, ids=IDS)
def test_every_equation_reference_maps_to_a_number(page, book):
    source = chapter_markdown(page)
    text = markdown(nbformat.read(rn.reader_path(book, page), as_version=4))
    for label in re.findall(r"\{eq\}`([^`]+)`", source):
        known = book.labels.get(label)
        assert known and known.kind == "equation" and known.number, (
            f"{page.path.stem}: {{eq}}`{label}` is no numbered equation of the book")
    own = [name for name, label in book.labels.items()
           if label.kind == "equation" and label.docname == page.docname]
    labelled = re.findall(r"\$\$[ \t]*\(([^()\s]+)\)[ \t]*$", source, re.M)
    labelled += re.findall(r"^[`:]{3,}\{math\}[^\n]*\n(?::\w+:.*\n)*?:label:\s*(\S+)", source, re.M)
    assert sorted(own) == sorted(labelled)
    for name in own:
        number = book.labels[name].number
        chapter = book.pages[page.docname].number
        assert number.startswith(f"{chapter}."), (name, number, chapter)
        assert f"\\tag{{{number}}}" in text, f"{page.path.stem}: equation {name} lost its number"
    refs = set(re.findall(r"\{eq\}`([^`]+)`", source))
    for name in refs:
        assert f"({book.labels[name].number})" in text, (page.path.stem, name)


def _built_html(html_book: Path, page) -> Path:
    """The chapter's page in the book built in this test run (tests/conftest.py)."""
    return html_book / f"{page.docname}.html"


@pytest.mark.parametrize("page", CHAPTERS, ids=IDS)
def test_numbers_read_from_the_build_are_those_it_shows(page, html_book, book):
    """booktools.build.book_numbers reads the build's environment right: the equation and
    exercise numbers it gives are those the same build's HTML shows."""
    html = _built_html(html_book, page)
    text = html.read_text(encoding="utf-8")
    shown = {m.group(2): m.group(1) for m in re.finditer(
        r'<span class="eqno">\(([0-9.]+)\)<a class="headerlink" href="#equation-([^"]+)"', text)}
    shown |= {m.group(1): m.group(2) for m in re.finditer(
        r'<div class="exercise admonition" id="([^"]+)">\s*<p class="admonition-title">'
        r'<span class="caption-number">Exercise ([0-9.]+) ', text)}
    ours = {name: label.number for name, label in book.labels.items()
            if label.docname == page.docname and label.kind in ("equation", "exercise")}
    assert shown == ours


def _bib_keys(book) -> set[str]:
    return set(book.bibliography().entries)


@pytest.mark.parametrize("page", CHAPTERS, ids=IDS)
def test_every_cited_key_is_in_references_bib(page, book):
    source = chapter_markdown(page)
    keys = {k.strip() for roles in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", source)
            for k in roles.split(",")}
    known = _bib_keys(book)
    assert not keys - known, f"{page.path.stem} cites {sorted(keys - known)}"
    nb = nbformat.read(rn.reader_path(book, page), as_version=4)
    if keys:
        references = nb.cells[-1].source
        assert references.startswith("## References"), f"{page.path.stem}: no References cell"
        entries = [line for line in references.split("\n") if line.startswith("- ")]
        assert 0 < len(entries) <= len(keys)
        for key in keys:
            fields = book.bibliography().entries[key].fields
            if fields.get("doi") and rn._latex_text(fields["title"]) in references:
                assert f"https://doi.org/{fields['doi']}" in references, key


@pytest.mark.parametrize("page", CHAPTERS, ids=IDS)
def test_reader_notebook_keeps_the_chapter_code_and_outputs(page, book):
    chapter = nbformat.read(page.path, as_version=4)
    reader = nbformat.read(rn.reader_path(book, page), as_version=4)
    assert reader.cells[0].cell_type == "markdown" and "generated" in reader.cells[0].source
    assert reader.cells[1].cell_type == "code" and rn._is_setup_cell(reader.cells[1]), (
        "the Colab setup cell must come first")
    code = [c for c in chapter.cells if c.cell_type == "code"
            and rn.SOLUTION_TAG not in c.metadata.get("tags", [])]
    kept = [c for c in reader.cells if c.cell_type == "code"]
    assert [c.source for c in kept] == [c.source for c in code]
    assert [c.outputs for c in kept] == [c.outputs for c in code]
    assert [c.metadata for c in kept] == [c.metadata for c in code]
    assert reader.metadata["kernelspec"] == chapter.metadata["kernelspec"]


def test_generation_is_deterministic(book):
    first = rn.generate(rn.Book(ROOT), "reader")
    assert first == rn.generate(rn.Book(ROOT), "reader")
    for mode in ("student", "instructor"):
        assert rn.generate(book, mode) == rn.generate(rn.Book(ROOT), mode)


# --- the kit ----------------------------------------------------------------------------

def _solution_only_lines(book, page) -> dict[str, list[str]]:
    """Per exercise, the lines of its solution that appear nowhere else in the chapter."""
    reader = markdown(nbformat.read(rn.reader_path(book, page), as_version=4))
    elsewhere = {line.strip() for line in reader.split("\n")}
    return {label: [line.strip() for line in text.split("\n")
                    if len(line.strip()) >= 20 and line.strip() not in elsewhere]
            for label, text in rn.solution_texts(book, page).items()}


@pytest.mark.parametrize("page", CHAPTERS, ids=IDS)
def test_student_notebook_has_the_exercises_and_no_solution(kit, page, book):
    student = nbformat.read(kit / "student" / f"{page.path.stem}.ipynb", as_version=4)
    text = markdown(student)
    lines = {line.strip() for line in text.split("\n")}
    solutions = _solution_only_lines(book, page)
    assert solutions, f"{page.path.stem} has no solution"
    for label, only in solutions.items():
        assert only, f"{label}: its solution has no line of its own to look for"
        leaked = [line for line in only if line in lines]
        assert not leaked, f"{label}: solution text in the student notebook: {leaked[:3]}"
        number = book.labels[label].number
        assert f"### Exercise {number} " in text, f"{label}: exercise missing"
    assert "#### Solution" not in text
    assert [c.source for c in student.cells if c.cell_type == "code"][1:3] == [
        c.source for c in nbformat.read(page.path, as_version=4).cells
        if c.cell_type == "code" and not rn._is_setup_cell(c)][:2]


@pytest.mark.parametrize("page", CHAPTERS, ids=IDS)
def test_instructor_key_has_every_exercise_and_solution(kit, page, book):
    key = markdown(nbformat.read(kit / "instructor" / f"{page.path.stem}.ipynb", as_version=4))
    solutions = rn.solution_texts(book, page)
    exercises = [name for name, label in book.labels.items()
                 if label.kind == "exercise" and label.docname == page.docname]
    assert set(solutions) <= set(exercises)
    for name in exercises:
        assert f"### Exercise {book.labels[name].number} " in key, name
    for name, text in solutions.items():
        assert text in key, f"{page.path.stem}: the answer key lacks the solution to {name}"


# --- the book's buttons -----------------------------------------------------------------

def _sphinx_extension():
    from booktools.build import sphinx_ext

    return sphinx_ext


def test_buttons_are_retargeted_to_the_reader_notebook():
    ext = _sphinx_extension()
    theme = [  # as sphinx-book-theme 1.3 builds them for chapters/elbo.ipynb
        {"label": "download-buttons", "type": "group", "buttons": [
            {"label": "download-source-button", "url": "../_sources/chapters/elbo.ipynb",
             "text": ".ipynb", "type": "link"},
            {"label": "download-pdf-button", "type": "javascript"}]},
        {"label": "launch-buttons", "type": "group", "buttons": [
            {"text": "Binder", "url": "https://mybinder.org/v2/gh/o/r/main?urlpath=tree/./"
                                      "chapters/elbo.ipynb"},
            {"text": "Colab", "url": "https://colab.research.google.com/github/o/r/blob/main/./"
                                     "chapters/elbo.ipynb"}]},
    ]
    buttons = copy.deepcopy(theme)
    ext.retarget_buttons(buttons, "../notebooks/elbo.ipynb", "notebooks/elbo.ipynb",
                         "chapters/elbo.ipynb")
    download, launch = buttons[0]["buttons"], buttons[1]["buttons"]
    assert download[0]["url"] == "../notebooks/elbo.ipynb"
    assert download[1] == theme[0]["buttons"][1]
    assert launch[0]["url"] == ("https://mybinder.org/v2/gh/o/r/main?urlpath=tree/"
                                "notebooks/elbo.ipynb")
    assert launch[1]["url"] == ("https://colab.research.google.com/github/o/r/blob/main/"
                                "notebooks/elbo.ipynb")
    assert ext.reader_notebooks(ROOT)["chapters/elbo"] == "notebooks/elbo.ipynb"


@pytest.mark.parametrize("page", CHAPTERS, ids=IDS)
def test_built_chapter_page_serves_the_reader_notebook(page, html_book, book):
    html = _built_html(html_book, page)
    text = html.read_text(encoding="utf-8")
    name = f"{rn.READER_DIR}/{page.path.stem}.ipynb"
    assert f'href="../{name}"' in text, "the download button does not offer the reader notebook"
    assert "_sources/" + page.path.relative_to(ROOT).as_posix() not in text
    colab = re.findall(r'href="(https://colab\.research\.google\.com/[^"]+)"', text)
    assert colab and all(url == f"https://colab.research.google.com/github/"
                         f"{book.repository_url.split('github.com/')[1]}/blob/{book.branch}/{name}"
                         for url in colab), colab
    built = html_book
    assert (built / name).read_text(encoding="utf-8") == rn.reader_path(book, page).read_text(
        encoding="utf-8"), "the build serves another reader notebook than the committed one"
    for mode in ("student", "instructor"):
        assert (built / "kit" / mode / f"{page.path.stem}.ipynb").is_file()


# --- the converter, on a small book -----------------------------------------------------

SMALL_BIB = r"""
@article{doe2020thing,
  author = {Doe, Jane and Roe, Richard},
  title = {A {B}ayesian Thing},
  journal = {Journal of Things},
  volume = {3}, number = {2}, pages = {10--20},
  year = {2020},
  doi = {10.1000/thing}
}
@inproceedings{poe2019other,
  author = {Poe, Edgar A. and Moe, M. and Zoe, Z.},
  title = {Other Work},
  booktitle = {Proceedings of Other},
  year = {2019},
  eprint = {1901.00001}, archivePrefix = {arXiv}
}
"""

ONE = """# The first chapter

(sec-one-model)=
## A model

$$
a = b
$$ (eq-one-a)

$$ c = d $$ (eq-one-b)

$$
\\text{unlabelled}
$$
"""

TWO_TEXT = """# The second chapter

(sec-two-check)=
## A check

```{math}
:label: eq-two-a

e = f
```

```{note}
A note with {eq}`eq-one-a`.
```

```{figure} img/a.png
:name: fig-two-a

A caption.
```
"""

TWO_EXERCISES = """## Exercises

```{exercise} Prove it
:label: ex-two-1

Show (see {eq}`eq-two-a`) that it holds.
```

````{solution} ex-two-1
:class: dropdown

The secret proof, by {cite:t}`doe2020thing`:

```python
assert 1 + 1 == 2
```
````

```{exercise}
:label: ex-two-2

Untitled.
```
"""


def _cell(kind: str, source: str, i: int, **extra):
    make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
    cell = make(source, **extra)
    cell["id"] = f"cell-{i}"
    return cell


def _chapter(path: Path, *cells) -> None:
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [_cell(kind, source, i, **extra) for i, (kind, source, extra) in enumerate(cells)]
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


@pytest.fixture
def small(tmp_path) -> rn.Book:
    (tmp_path / "chapters").mkdir()
    (tmp_path / "_config.yml").write_text(
        "title: A Small Book\nrepository:\n  url: https://github.com/o/r\n  branch: v1\n"
        "bibtex_bibfiles: [refs.bib]\n")
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nparts:\n"
        "  - caption: Start\n    chapters:\n      - file: chapters/page\n"
        "  - caption: Main\n    numbered: true\n    chapters:\n"
        "      - file: chapters/one\n      - file: chapters/two\n")
    (tmp_path / "refs.bib").write_text(SMALL_BIB)
    (tmp_path / "intro.md").write_text("# Intro\n")
    (tmp_path / "chapters" / "page.md").write_text(
        "(page)=\n# A page\n\n(sec-page)=\n## A section of the page\n\nText.\n")
    setup = "# Colab setup (generated)\nimport sys"
    out = {"outputs": [nbformat.v4.new_output("stream", name="stdout", text="2\n")],
           "execution_count": 2}
    _chapter(tmp_path / "chapters" / "one.ipynb", ("markdown", ONE, {}),
             ("code", setup, {"execution_count": 1}), ("code", "print(1 + 1)", out))
    _chapter(tmp_path / "chapters" / "two.ipynb", ("markdown", TWO_TEXT, {}),
             ("code", setup, {}), ("markdown", TWO_EXERCISES, {}))
    return rn.Book(tmp_path, labels=SMALL_LABELS, pages=SMALL_PAGES)


# What a build of the small book numbers (Sphinx's numbers, given here so that the converter's
# tests need no build; labels_from_environment is tested on the real book's build).
SMALL_PAGES = {"intro": (None, "Intro"), "chapters/page": (None, "A page"),
               "chapters/one": (1, "The first chapter"), "chapters/two": (2, "The second chapter")}
SMALL_LABELS = {
    "page": rn.Label("page", "chapters/page", None, "A page"),
    "sec-page": rn.Label("section", "chapters/page", None, "A section of the page"),
    "sec-one-model": rn.Label("section", "chapters/one", "1.1", "A model"),
    "eq-one-a": rn.Label("equation", "chapters/one", "1.1", None),
    "eq-one-b": rn.Label("equation", "chapters/one", "1.2", None),
    "sec-two-check": rn.Label("section", "chapters/two", "2.1", "A check"),
    "eq-two-a": rn.Label("equation", "chapters/two", "2.1", None),
    "fig-two-a": rn.Label("figure", "chapters/two", "2.1", "A caption."),
    "ex-two-1": rn.Label("exercise", "chapters/two", "2.1", "Prove it"),
    "ex-two-2": rn.Label("exercise", "chapters/two", "2.2", None),
}


def convert(book: rn.Book, text: str, mode: str = "reader", doc: str = "chapters/two") -> str:
    return rn.convert_markdown(book, book.pages[doc], text, mode)


def test_pages_take_their_numbers_and_titles_from_the_book(small):
    assert [(p.docname, p.number, p.title) for p in small.pages.values()] == [
        ("intro", None, "Intro"), ("chapters/page", None, "A page"),
        ("chapters/one", 1, "The first chapter"), ("chapters/two", 2, "The second chapter")]
    assert [p.path.stem for p in small.chapters()] == ["one", "two"]


def test_the_build_numbers_chapters_across_the_numbered_parts(book):
    """Chapter numbers read from the build are those of _toc.yml's numbered parts."""
    from booktools import toc

    expected = {page.docname: page.number for page in toc.toc_pages(ROOT)}
    assert {d: p.number for d, p in book.pages.items()} == expected


def test_section_labels_keep_their_titles_in_myst(book):
    """A (label)= before a heading: the build's section, its number and its title as written
    (inline maths back in $...$), for every such label in the chapters."""
    found = 0
    for page in CHAPTERS:
        source = "\n\n".join(rn._markdown_sources(page))
        for m in re.finditer(r"^\(([^()\s]+)\)=\n(#{2,6}) (.+)$", source, re.M):
            label = book.labels[m.group(1)]
            assert (label.kind, label.docname, label.title) == (
                "section", page.docname, m.group(3).strip()), m.group(1)
            chapter = book.pages[page.docname].number
            assert label.number and label.number.startswith(f"{chapter}."), label
            found += 1
    assert found >= 3  # the book has a few; one has maths in its title


def test_numbers_come_only_from_a_build_of_the_current_pages(small):
    """The saved numbers are refused when there is no build and when a page's text changed
    since, but not when only an execution (code outputs) has passed."""
    from booktools.build import book_numbers as bn

    root = small.root
    with pytest.raises(rn.ConversionError, match="no build: run `make reader`"):
        rn.Book(root)
    env = types.SimpleNamespace()  # what labels_from_environment reads, for this test
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bn, "labels_from_environment", lambda _env: (SMALL_LABELS, SMALL_PAGES))
        bn.write_numbers(root, env)
    book = rn.Book(root)
    assert book.labels == SMALL_LABELS and book.pages["chapters/two"].number == 2
    one = root / "chapters" / "one.ipynb"
    nb = nbformat.read(one, as_version=4)
    nb.cells[2].outputs[0]["text"] = "3\n"  # a new output: numbers cannot have moved
    nbformat.write(nb, one)
    assert rn.Book(root).labels == SMALL_LABELS
    nb.cells[0].source = nb.cells[0].source.replace("## A model", "## A model\n\n## New")
    nbformat.write(nb, one)
    with pytest.raises(rn.ConversionError, match="changed since the book was last built"):
        rn.Book(root)


def test_eq_role_becomes_the_equation_number(small):
    assert convert(small, "By {eq}`eq-one-b` and {eq}`eq-two-a`.") == "By (1.2) and (2.1)."


def test_labelled_display_maths_gets_a_tag(small):
    nb = rn.convert_chapter(small, small.pages["chapters/one"])
    text = markdown(nb)
    assert "$$\na = b\n\\tag{1.1}\n$$" in text
    assert "$$\nc = d\n\\tag{1.2}\n$$" in text
    assert "$$\n\\text{unlabelled}\n$$" in text
    assert "(eq-one" not in text and "(sec-one-model)=" not in text


def test_math_directive_becomes_tagged_display_maths(small):
    assert convert(small, "```{math}\n:label: eq-two-a\n\ne = f\n```") == (
        "$$\ne = f\n\\tag{2.1}\n$$")
    assert convert(small, "```{math}\nx \\\\ y\n```") == (
        "$$\n\\begin{split}\nx \\\\ y\n\\end{split}\n$$")
    assert convert(small, "Inline {math}`x^2`.") == "Inline $x^2$."


def test_citations_become_author_year(small):
    assert convert(small, "{cite:p}`doe2020thing`") == "(Doe and Roe, 2020)"
    assert convert(small, "{cite:t}`doe2020thing`") == "Doe and Roe (2020)"
    assert convert(small, "{cite}`doe2020thing,poe2019other`") == (
        "(Doe and Roe, 2020; Poe et al., 2019)")
    assert convert(small, "{cite:t}`poe2019other`") == "Poe et al. (2019)"
    with pytest.raises(rn.ConversionError, match="nosuchkey"):
        convert(small, "{cite:p}`nosuchkey`")


def test_references_cell_lists_the_cited_works_with_links(small):
    nb = rn.convert_chapter(small, small.pages["chapters/two"], "instructor")
    assert nb.cells[-1].source == (
        "## References\n\n- Doe, J. and Roe, R. (2020). A Bayesian Thing. *Journal of Things*, "
        "3(2), 10–20. [doi:10.1000/thing](https://doi.org/10.1000/thing)")
    # the reader notebook cites nothing outside the solution, so it has no References cell
    reader = rn.convert_chapter(small, small.pages["chapters/two"])
    assert "References" not in markdown(reader)
    entry = rn.reference_entry(small.bibliography().entries["poe2019other"])
    assert entry == ("Poe, E. A., Moe, M. and Zoe, Z. (2019). Other Work. *Proceedings of "
                     "Other*. [arXiv:1901.00001](https://arxiv.org/abs/1901.00001)")


def test_doc_ref_and_numref_become_text(small):
    assert convert(small, "See {doc}`one`.") == "See *The first chapter*."
    assert convert(small, "See {doc}`the page <page>`.") == "See the page."
    assert convert(small, "See {doc}`/intro`.") == "See *Intro*."
    assert convert(small, "See {ref}`page` and {ref}`sec-page`.") == (
        "See *A page* and A section of the page (in *A page*).")
    assert convert(small, "See {ref}`sec-two-check`.") == "See A check."
    assert convert(small, "See {ref}`sec-one-model`.") == (
        "See A model (in *The first chapter*).")
    assert convert(small, "See {ref}`ex-two-1` and {ref}`this <ex-two-2>`.") == (
        "See Exercise 2.1 and this.")
    assert convert(small, "{numref}`ex-two-2`, {numref}`sec-two-check`, {numref}`eq-one-a`") == (
        "Exercise 2.2, Section 2.1, Equation (1.1)")
    assert convert(small, "{numref}`Task %s <ex-two-1>`") == "Task 2.1"
    for bad in ("{ref}`nowhere`", "{doc}`nowhere`", "{eq}`sec-two-check`"):
        with pytest.raises(rn.ConversionError):
            convert(small, bad)


def test_exercises_become_headed_sections_and_solutions_go(small):
    text = convert(small, TWO_EXERCISES)
    assert text == ("## Exercises\n\n### Exercise 2.1 (Prove it)\n\nShow (see (2.1)) that it "
                    "holds.\n\n### Exercise 2.2\n\nUntitled.")
    key = convert(small, TWO_EXERCISES, "instructor")
    assert ("#### Solution to Exercise 2.1\n\nThe secret proof, by Doe and Roe (2020):\n\n"
            "```python\nassert 1 + 1 == 2\n```") in key


def test_admonitions_become_blockquotes_with_a_bold_title(small):
    assert convert(small, "```{note}\nA note with {eq}`eq-one-a`.\n```") == (
        "> **Note**\n>\n> A note with (1.1).")
    assert convert(small, ":::{admonition} Careful\n:class: tip\nTwo\n\nparagraphs.\n:::") == (
        "> **Careful**\n>\n> Two\n>\n> paragraphs.")
    assert convert(small, "```{warning} Inline first line.\n```") == (
        "> **Warning**\n>\n> Inline first line.")


def test_figures_keep_their_caption_and_number(small):
    text = convert(small, "```{figure} img/a.png\n:name: fig-two-a\n:width: 50%\n\nA caption.\n```")
    assert text == "![A caption.](../chapters/img/a.png)\n\n*Figure 2.1: A caption.*"
    assert convert(small, "{numref}`fig-two-a`; {ref}`fig-two-a`") == "Figure 2.1; A caption."


def test_code_is_left_alone(small):
    source = "```python\nx = '{eq}`not-a-role`'\n```\n\nAnd ``{eq}`literal` `` and `a_{i}` too."
    assert convert(small, source) == source
    assert convert(small, "```{code-block} python\nprint(1)\n```") == "```python\nprint(1)\n```"


def test_targets_and_comments_are_removed(small):
    assert convert(small, "(sec-two-check)=\n## A check\n% a comment\nText.") == "## A check\nText."


def test_unknown_myst_is_an_error_not_a_leak(small):
    for source in ("{prf:ref}`x`", "```{glue:figure} x\n```", ":::{tab-set}\n:::"):
        with pytest.raises(rn.ConversionError, match="unsupported"):
            convert(small, source)


def test_gated_solutions_and_solution_code_cells(small, tmp_path):
    _chapter(tmp_path / "chapters" / "two.ipynb",
             ("markdown", "# Two\n\n```{exercise-start} Gated\n:label: ex-g\n```", {}),
             ("code", "question = 1", {}),
             ("markdown", "```{exercise-end}\n```\n\n```{solution-start} ex-g\n```\n\nWhy.", {}),
             ("code", "answer = 42", {"outputs": [
                 nbformat.v4.new_output("stream", name="stdout", text="42\n")]}),
             ("markdown", "```{solution-end}\n```\n\nAfter.", {}),
             ("code", "tagged = 1", {"metadata": {"tags": ["solution"]}}))
    labels = {"ex-g": rn.Label("exercise", "chapters/two", "2.1", "Gated")}
    book = rn.Book(tmp_path, labels=labels, pages=SMALL_PAGES)
    page = book.pages["chapters/two"]
    reader = rn.convert_chapter(book, page)
    sources = [c.source for c in reader.cells]
    assert "question = 1" in sources and "answer = 42" not in sources
    assert "tagged = 1" not in sources and "Why." not in markdown(reader)
    assert "### Exercise 2.1 (Gated)" in markdown(reader) and "After." in markdown(reader)
    student = rn.convert_chapter(book, page, "student")
    assert [c.source for c in student.cells if c.cell_type == "code"][-1] == ""  # answer space
    key = rn.convert_chapter(book, page, "instructor")
    code = [c for c in key.cells if c.cell_type == "code"]
    assert [c.source for c in code] == ["answer = 42", "tagged = 1"]
    assert code[0].outputs[0]["text"] == "42\n"
    assert "#### Solution to Exercise 2.1\n\nWhy." in markdown(key)


def test_reader_notebook_layout(small):
    nb = rn.convert_chapter(small, small.pages["chapters/one"])
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "markdown", "code"]
    assert "A Small Book" in nb.cells[0].source and "chapters/one.ipynb" in nb.cells[0].source
    assert nb.cells[1].source.startswith("# Colab setup")
    assert nb.cells[2].source.startswith("# 1. The first chapter\n")
    assert nb.cells[3].outputs[0]["text"] == "2\n" and nb.cells[3].execution_count == 2
    assert nb.metadata["vaebook_generated"] == {
        "from": "chapters/one.ipynb", "by": rn.GENERATOR, "kind": "reader"}
    student = rn.convert_chapter(small, small.pages["chapters/two"], "student")
    kinds = [(c.cell_type, c.source.split("\n")[-1]) for c in student.cells]
    assert kinds[-6:] == [("markdown", "Show (see (2.1)) that it holds."),
                          ("markdown", "**Your answer.**"), ("code", ""),
                          ("markdown", "Untitled."), ("markdown", "**Your answer.**"),
                          ("code", "")]
    assert len({c.id for c in student.cells}) == len(student.cells)


def test_check_detects_stale_missing_and_extra_notebooks(small, tmp_path, monkeypatch):
    directory = tmp_path / rn.READER_DIR
    directory.mkdir()
    texts = rn.generate(small)
    for name, text in texts.items():
        (directory / name).write_text(text, encoding="utf-8")
    assert rn.stale_reader_notebooks(small) == []
    (directory / "one.ipynb").write_text(texts["one.ipynb"].replace("first", "1st"))
    (directory / "two.ipynb").unlink()
    (directory / "old.ipynb").write_text("{}")
    assert rn.stale_reader_notebooks(small) == [
        f"{rn.READER_DIR}/one.ipynb", f"{rn.READER_DIR}/two.ipynb", f"{rn.READER_DIR}/old.ipynb"]
    assert json.loads(texts["one.ipynb"])["nbformat"] == 4
