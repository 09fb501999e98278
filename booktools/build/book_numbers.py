"""The numbers and titles the built book shows, read from Sphinx's environment.

Sphinx numbers chapters, sections, figures, equations and exercises when it resolves the
book; the reader notebooks must show the same numbers, so they take them from there instead
of counting again. ``labels_from_environment(env)`` turns a build's environment into

* ``labels``: every label of the book -> :class:`Label` (its kind, page, number as the HTML
  shows it, e.g. "2.3", and its title in MyST, e.g. "Raising the ELBO over $\\theta$"), and
* ``pages``: every page -> (chapter number or None, title in MyST).

In an HTML build, the book's Sphinx extension passes ``app.env`` (booktools/build/sphinx_ext.py)
and saves the two tables with a fingerprint of the pages' text (:func:`write_numbers`, into
``_build/vaebook_numbers.json``). Outside a build, :func:`load_numbers` reads them back after
checking that no page's text changed since (``source_fingerprint``); otherwise it asks for a
build (`make reader`). Other builders (the single-page HTML of `make snapshots`) number
differently and write nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import astuple, dataclass
from pathlib import Path

NUMBERS = Path("_build") / "vaebook_numbers.json"  # the last HTML build's numbers and titles


class StaleBuildError(RuntimeError):
    """The book's last build is missing or older than its pages' text."""


@dataclass(frozen=True)
class Label:
    kind: str  # "equation", "exercise", "page", "section", "figure" or "target"
    docname: str
    number: str | None  # "2.3" as shown in the HTML book (None: not numbered)
    title: str | None  # section title, exercise title or figure caption (MyST)


def _number(parts) -> str | None:
    return ".".join(str(n) for n in parts) if parts else None


def myst_text(node) -> str:
    """A title or caption node as MyST: inline maths back in $...$, literals in backticks."""
    from docutils import nodes

    out = []
    for child in node.children:
        if isinstance(child, nodes.math):
            out.append(f"${child.astext()}$")
        elif isinstance(child, nodes.literal):
            out.append(f"`{child.astext()}`")
        elif isinstance(child, nodes.Text):
            out.append(child.astext())
        else:
            out.append(myst_text(child))
    return "".join(out)


def labels_from_environment(env) -> tuple[dict[str, Label], dict[str, tuple[int | None, str]]]:
    """(labels, pages) as the build numbered them; see the module docstring."""
    from docutils import nodes

    pages: dict[str, tuple[int | None, str]] = {}
    for docname, title in env.titles.items():
        chapter = env.toc_secnumbers.get(docname, {}).get("")
        pages[docname] = (chapter[0] if chapter else None, myst_text(title))

    labels: dict[str, Label] = {}
    fignumbers = env.toc_fignumbers
    for name, (docname, _serial) in env.domaindata["math"]["objects"].items():
        shown = fignumbers.get(docname, {}).get("displaymath", {}).get(f"equation-{name}")
        labels[name] = Label("equation", docname, _number(shown), None)
    for name, entry in getattr(env, "sphinx_exercise_registry", {}).items():
        if entry.get("type") != "exercise":
            continue
        docname, node = entry["docname"], entry["node"]
        shown = None if node.get("nonumber") else fignumbers.get(docname, {}).get(
            "exercise", {}).get(node.get("label") or name)
        labels[name] = Label("exercise", docname, _number(shown), node.get("title") or None)

    doctrees: dict[str, object] = {}
    for name, (docname, labelid, _text) in env.domaindata["std"]["labels"].items():
        if name in labels or docname not in pages:
            continue
        figure = fignumbers.get(docname, {}).get("figure", {})
        if docname not in doctrees:
            doctrees[docname] = env.get_doctree(docname)
        target = next((n for n in doctrees[docname].findall(nodes.Element)
                       if labelid in n.get("ids", ())), None)
        if isinstance(target, nodes.section):
            secnumber = env.toc_secnumbers.get(docname, {}).get("#" + target["ids"][0])
            top = isinstance(target.parent, nodes.document)
            kind = "page" if top else "section"
            shown = _number(secnumber) or (str(pages[docname][0]) if top and pages[docname][0]
                                           else None)
            labels[name] = Label(kind, docname, shown, myst_text(target[0]))
        elif labelid in figure or isinstance(target, nodes.figure):
            caption = next(iter(target.findall(nodes.caption)), None) if target else None
            labels[name] = Label("figure", docname, _number(figure.get(labelid)),
                                 myst_text(caption) if caption is not None else None)
        else:
            labels[name] = Label("target", docname, None, None)
    return labels, pages


def source_fingerprint(root: Path, docnames) -> str:
    """A hash of what the numbers depend on: the pages' Markdown and their cells' metadata,
    the table of contents and the configuration (not code or outputs, which an execution
    changes)."""
    import nbformat

    digest = hashlib.sha256()
    for rel in ("_toc.yml", "_config.yml"):
        digest.update((root / rel).read_bytes())
    for docname in sorted(docnames):
        for suffix in (".ipynb", ".md"):
            path = root / f"{docname}{suffix}"
            if not path.is_file():
                continue
            digest.update(docname.encode())
            if suffix == ".md":
                digest.update(path.read_bytes())
                continue
            for cell in nbformat.read(path, as_version=4).cells:
                if cell.cell_type == "markdown":
                    digest.update(cell.source.encode())
                digest.update(json.dumps(cell.metadata.get("mystnb", {}), sort_keys=True).encode())
    return digest.hexdigest()


def write_numbers(root: Path, env) -> None:
    """Save the build's labels and pages with the fingerprint of the text they number."""
    labels, pages = labels_from_environment(env)
    record = {"sources": source_fingerprint(root, pages),
              "labels": {name: list(astuple(label)) for name, label in sorted(labels.items())},
              "pages": {docname: list(entry) for docname, entry in sorted(pages.items())}}
    path = root / NUMBERS
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=0), encoding="utf-8")


def load_numbers(root: Path) -> tuple[dict[str, Label], dict[str, tuple[int | None, str]]]:
    """(labels, pages) of the last HTML build, if it numbered the pages as they are now."""
    path = root / NUMBERS
    if not path.is_file():
        raise StaleBuildError("the reader notebooks take their numbers from the built book, "
                              "and there is no build: run `make reader` (it builds the book "
                              "first) or `make book`")
    record = json.loads(path.read_text(encoding="utf-8"))
    pages = {docname: tuple(entry) for docname, entry in record["pages"].items()}
    if record.get("sources") != source_fingerprint(root, pages):
        raise StaleBuildError("a page's text, _toc.yml or _config.yml changed since the book "
                              "was last built, so its numbers may have moved: run `make reader` "
                              "(it builds the book first) or `make book`")
    return {name: Label(*entry) for name, entry in record["labels"].items()}, pages
