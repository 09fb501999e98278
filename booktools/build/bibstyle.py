"""Author–year bibliography for the book (a local Sphinx extension, see _config.yml).

The chapters cite author–year (`bibtex_reference_style: author_year`: "Kingma and
Welling, 2014"), so the bibliography is author–year too: no numbers anywhere.

* **Style** `vaebook_author_year`, a pybtex formatting style registered as a plugin
  (`pybtex.plugin.register_plugin`, as the sphinxcontrib-bibtex docs describe) and
  selected by `bibtex_default_style` in _config.yml. Each entry starts with its
  authors and year, "Kingma, D. P. and Welling, M. (2014).", entries are sorted
  by author, year and title, and a DOI or arXiv identifier becomes a link
  (https://doi.org/<doi>, https://arxiv.org/abs/<eprint>; pybtex's `unsrt` web refs).
* **Labels** `vaebook_author_year`, a pybtex label style: an entry's label is
  "Kingma and Welling 2014" (a, b, … added for ties), never a number. The list must
  stay a citation list (in-text citations link only to those), so every entry has
  a label: LaTeX (the PDF) prints it in the label column; in HTML the CSS this
  extension writes (`_static/vaebook_bibstyle.css`, for the `vaebook-bibliography`
  container in chapters/bibliography.md) hides it, as the entry starts with the
  same authors and year, and gives each entry a hanging indent.

Entry types formatted author–year: `AUTHOR_YEAR_TYPES`. Another type would fall
back to pybtex's `unsrt` layout (year at the end); tests/test_reference_pages.py
fails if references.bib uses one.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from string import ascii_lowercase

from pybtex.plugin import register_plugin
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.formatting.unsrt import pages
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.template import (
    field,
    first_of,
    join,
    names,
    optional,
    optional_field,
    sentence,
    tag,
    words,
)

STYLE_NAME = "vaebook_author_year"
AUTHOR_YEAR_TYPES = frozenset({"article", "inproceedings", "incollection", "book"})
CSS_FILE = "vaebook_bibstyle.css"
CSS = """\
/* Written by booktools/build/bibstyle.py: the bibliography without a label column;
   each entry starts with its authors and year (the label says the same). */
div.vaebook-bibliography div.citation > span.label {
  display: none;
}
div.vaebook-bibliography div.citation > p {
  margin-left: 2em;
  text-indent: -2em;
  margin-bottom: 0.6em;
}
"""


def _last_names(person) -> str:
    """A person's last name(s) as plain text (LaTeX such as ``Macci{\\`o}`` decoded)."""
    parts = [*person.rich_prelast_names, *person.rich_last_names]
    return " ".join(part.render_as("text") for part in parts)


def author_year_label(entry) -> str:
    """'Freeman 1970', 'Kingma and Welling 2014' or 'Blei et al. 2017' (no tie suffix)."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    surnames = [_last_names(p) for p in persons]
    if not surnames:
        who = entry.key
    elif len(surnames) == 1:
        who = surnames[0]
    elif len(surnames) == 2:
        who = f"{surnames[0]} and {surnames[1]}"
    else:
        who = f"{surnames[0]} et al."
    return f"{who} {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels 'Kingma and Welling 2014'; ties get a, b, … in sorted order."""

    def format_labels(self, sorted_entries):
        labels = [author_year_label(entry) for entry in sorted_entries]
        ties, seen = Counter(labels), Counter()
        for label in labels:
            if ties[label] > 1:
                suffix = ascii_lowercase[seen[label] % len(ascii_lowercase)]
                seen[label] += 1
                yield label + suffix
            else:
                yield label


class AuthorYearStyle(UnsrtStyle):
    """pybtex's unsrt layout with 'Authors (year).' first, sorted by author and year."""

    default_name_style = "lastfirst"
    default_label_style = STYLE_NAME
    default_sorting_style = "author_year_title"

    def __init__(self, **kwargs):
        kwargs.setdefault("abbreviate_names", True)  # "Kingma, D. P."
        super().__init__(**kwargs)

    def format_names(self, role, as_sentence=True):
        formatted = names(role, sep=", ", sep2=" and ", last_sep=", and ")
        return sentence[formatted] if as_sentence else formatted

    def format_author_year(self, e, editors_allowed=False):
        """'Kingma, D. P. and Welling, M. (2014).'"""
        who = self.format_names("author", as_sentence=False)
        if editors_allowed and "author" not in e.persons:
            who = self.format_editor(e, as_sentence=False)
        return sentence(sep=" ")[who, join["(", field("year"), ")"]]

    def get_article_template(self, e):
        volume_and_pages = first_of[
            optional[join[field("volume"), optional["(", field("number"), ")"], ":", pages]],
            words["pages", pages],
        ]
        return toplevel[
            self.format_author_year(e),
            self.format_title(e, "title"),
            sentence[tag("em")[field("journal")], optional[volume_and_pages]],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]

    def get_inproceedings_template(self, e):
        return toplevel[
            self.format_author_year(e),
            self.format_title(e, "title"),
            words[
                "In",
                sentence[
                    optional[self.format_editor(e, as_sentence=False)],
                    self.format_btitle(e, "booktitle", as_sentence=False),
                    self.format_volume_and_series(e, as_sentence=False),
                    optional[pages],
                ],
            ],
            optional[sentence[optional_field("organization"), optional_field("publisher"),
                              optional_field("address")]],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]

    def get_incollection_template(self, e):
        """A chapter of an edited book: laid out as a conference paper ("In <eds.>, <book>")."""
        return self.get_inproceedings_template(e)

    def get_book_template(self, e):
        return toplevel[
            self.format_author_year(e, editors_allowed=True),
            self.format_btitle(e, "title"),
            self.format_volume_and_series(e),
            sentence[field("publisher"), optional_field("address"), self.format_edition(e)],
            optional[sentence[self.format_isbn(e)]],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]


def register() -> None:
    """Make both styles known to pybtex (idempotent)."""
    register_plugin("pybtex.style.formatting", STYLE_NAME, AuthorYearStyle, force=True)
    register_plugin("pybtex.style.labels", STYLE_NAME, AuthorYearLabelStyle, force=True)


def _builder_inited(app) -> None:
    if app.builder.format == "html":
        app.add_css_file(CSS_FILE)


def _build_finished(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        static = Path(app.outdir) / "_static"
        static.mkdir(parents=True, exist_ok=True)
        (static / CSS_FILE).write_text(CSS, encoding="utf-8")


register()  # at import, so the style exists before sphinxcontrib-bibtex reads any page


def setup(app):
    register()
    app.connect("builder-inited", _builder_inited)
    app.connect("build-finished", _build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
