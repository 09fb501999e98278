"""The book's table of contents, read once, by Jupyter Book's own parser.

Jupyter Book 1.x reads ``_toc.yml`` with sphinx-external-toc; ``parse_toc_yaml`` gives
the same site map the build uses. Every script and test that needs the chapters asks
this module instead of walking the YAML by hand:

* ``toc_pages(root)``: every page in reading order, with its part's caption and the
  chapter number the HTML shows (chapters of the numbered parts count 1, 2, ... across
  the parts, as sphinx-multitoc-numbering numbers them; other pages have none);
* ``toc_notebooks(root)``: the pages that are notebooks (``.ipynb``), in reading order;
* ``part_notebooks(root, caption)``: the notebooks of one part.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sphinx_external_toc.api import Document
from sphinx_external_toc.parsing import parse_toc_yaml

from booktools import ROOT
SUFFIXES = (".ipynb", ".md")


class TocError(ValueError):
    """``_toc.yml`` names a page that is not in the repository."""


@dataclass(frozen=True)
class TocPage:
    docname: str  # e.g. "chapters/elbo", relative to the book's root, no suffix
    path: Path  # the source file, .ipynb or .md
    part: str | None  # the caption of its part; None for the root page
    number: int | None  # the chapter number the HTML shows; None outside numbered parts


def _source(root: Path, docname: str) -> Path:
    for suffix in SUFFIXES:
        if (root / f"{docname}{suffix}").is_file():
            return root / f"{docname}{suffix}"
    raise TocError(f"_toc.yml names {docname!r}, but neither {docname}.ipynb nor {docname}.md exists")


def toc_pages(root: Path = ROOT) -> list[TocPage]:
    """Every page of ``root/_toc.yml`` in reading order (see the module docstring)."""
    site_map = parse_toc_yaml(root / "_toc.yml")
    pages = [TocPage(site_map.root.docname, _source(root, site_map.root.docname), None, None)]
    counter = 0

    def add(docname: str, part: str | None, numbered: bool) -> None:
        nonlocal counter
        if numbered:
            counter += 1
        pages.append(TocPage(docname, _source(root, docname), part, counter if numbered else None))
        document = site_map[docname]
        for subtree in document.subtrees if isinstance(document, Document) else []:
            for item in subtree.items:
                if isinstance(item, str):  # sub-pages are not chapters: no number of their own
                    add(item, part, False)

    for subtree in site_map.root.subtrees:
        for item in subtree.items:
            if isinstance(item, str):  # a glob or URL entry is no page of its own here
                add(item, subtree.caption, bool(subtree.numbered))
    return pages


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks of the table of contents, in reading order."""
    return [page.path for page in toc_pages(root) if page.path.suffix == ".ipynb"]


def part_notebooks(root: Path, caption: str) -> list[Path]:
    """The notebooks of the part captioned ``caption``; an error if there is no such part."""
    pages = toc_pages(root)
    if not any(page.part == caption for page in pages):
        raise TocError(f"_toc.yml has no part captioned {caption!r}")
    return [page.path for page in pages if page.part == caption and page.path.suffix == ".ipynb"]
