"""The Reference part of the book: the bibliography (author–year, every paper linked),
the generated execution-status page, and the teaching page (run times from the
notebooks' metadata, every exercise classified, session times, student kit, licence)."""

from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from pybtex.database import parse_file
from pybtex.plugin import find_plugin

ROOT = Path(__file__).resolve().parents[1]
from booktools.maintain import execute_notebooks
from booktools.notebooks import code_hash, notebooks_in_toc
from booktools.build import execution_status as es
from booktools.build import bibstyle as bs

BIB = parse_file(str(ROOT / "references.bib"))
TEACHING = (ROOT / "chapters" / "teaching.md").read_text(encoding="utf-8")

# Papers (@article, @inproceedings) that have no DOI, arXiv identifier or stable URL,
# each with the reason. Add an entry here only when no identifier exists.
WITHOUT_IDENTIFIER: dict[str, str] = {}

DOI = re.compile(r"^10\.\d{4,9}/\S+$")
ARXIV = re.compile(r"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})$")  # new and old style
AUTHOR_YEAR_LABEL = re.compile(r"^\D+ (\d{4}|n\.d\.)[a-z]?$")


# --------------------------------------------------------------------------- bibliography

def test_every_paper_has_a_doi_arxiv_id_or_url():
    papers = {k: e for k, e in BIB.entries.items() if e.type in ("article", "inproceedings")}
    missing = [k for k, e in papers.items()
               if not {"doi", "eprint", "url"} & {f.lower() for f in e.fields}
               and k not in WITHOUT_IDENTIFIER]
    assert not missing, (f"papers without doi, eprint or url: {missing}; add the identifier, or "
                         f"list the key in WITHOUT_IDENTIFIER with the reason")
    for key in WITHOUT_IDENTIFIER:
        assert key in papers, f"WITHOUT_IDENTIFIER names {key!r}, not a paper in references.bib"
        assert not {"doi", "eprint", "url"} & {f.lower() for f in papers[key].fields}, (
            f"{key} has an identifier now: remove it from WITHOUT_IDENTIFIER")


@pytest.mark.parametrize("key", sorted(BIB.entries), ids=str)
def test_identifiers_are_well_formed(key):
    fields = {k.lower(): v for k, v in BIB.entries[key].fields.items()}
    if "doi" in fields:
        assert DOI.match(fields["doi"]), f"{key}: doi {fields['doi']!r} (write it without https://)"
    if "eprint" in fields:
        assert ARXIV.match(fields["eprint"]), f"{key}: eprint {fields['eprint']!r} is no arXiv id"
        assert fields.get("archiveprefix", "").lower() == "arxiv", f"{key}: eprint without arXiv"
    if "url" in fields:
        assert fields["url"].startswith("https://"), f"{key}: url {fields['url']!r}"


def test_every_entry_type_is_formatted_author_year():
    types = {e.type for e in BIB.entries.values()}
    assert types <= bs.AUTHOR_YEAR_TYPES, (
        f"references.bib uses {sorted(types - bs.AUTHOR_YEAR_TYPES)}, which "
        f"booktools/build/bibstyle.py does not format author-year: add a template there")


def formatted_entries():
    style = find_plugin("pybtex.style.formatting", bs.STYLE_NAME)()
    return list(style.format_entries(BIB.entries.values()))


def test_style_lists_entries_author_year_sorted_with_links():
    entries = formatted_entries()
    labels = [e.label for e in entries]
    assert len(set(labels)) == len(labels), f"duplicate labels: {labels}"
    order = []
    for formatted in entries:
        entry = BIB.entries[formatted.key]
        label, text = formatted.label, formatted.text.render_as("text")
        html = formatted.text.render_as("html")
        assert AUTHOR_YEAR_LABEL.match(label), f"{formatted.key}: label {label!r} (not author-year)"
        first = bs._last_names(entry.persons["author"][0])
        head = re.match(r"^(.+?) \((\d{4})\)\. ", text)
        assert head and head.group(1).startswith(first + ","), (
            f"{formatted.key}: does not start 'Authors (year).': {text[:120]}")
        assert head.group(2) == entry.fields["year"], f"{formatted.key}: {text[:120]}"
        fields = {k.lower(): v for k, v in entry.fields.items()}
        if "doi" in fields:
            assert f'href="https://doi.org/{fields["doi"]}"' in html, f"{formatted.key}: {html}"
        if "eprint" in fields:
            assert f'href="https://arxiv.org/abs/{fields["eprint"]}"' in html, formatted.key
        order.append(first.lower())
    assert order == sorted(order), f"not sorted by first author: {order}"


def test_book_config_selects_the_author_year_style():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]
    assert config["local_extensions"].get("booktools.build.bibstyle") == "."
    assert config["config"]["bibtex_reference_style"] == "author_year"
    assert config["config"]["bibtex_default_style"] == bs.STYLE_NAME
    page = (ROOT / "chapters" / "bibliography.md").read_text(encoding="utf-8")
    assert re.search(r"\{container\} vaebook-bibliography\n```\{bibliography\}", page), (
        "the bibliography must sit in the `vaebook-bibliography` container (the CSS hides "
        "the label column there)")
    # In-text citations resolve only to a citation list; a `:list:` option breaks them.
    assert ":list:" not in page and ":style:" not in page


@pytest.fixture(scope="module")
def html(html_book) -> Path:
    """The book built in this test run (tests/conftest.py)."""
    return html_book


@pytest.mark.book
def test_built_bibliography_is_author_year_without_numbers(html):
    from bs4 import BeautifulSoup

    page = (html / "chapters" / "bibliography.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    listing = soup.select_one("div.vaebook-bibliography")
    assert listing is not None, "no vaebook-bibliography container on the bibliography page"
    entries = listing.select("div.citation")
    assert len(entries) == len(BIB.entries), f"{len(entries)} shown, {len(BIB.entries)} in the bib"
    labels = [e.select_one("span.label").get_text().strip("[]") for e in entries]
    numeric = [label for label in labels if not AUTHOR_YEAR_LABEL.match(label)]
    assert not numeric, f"labels that are not author-year: {numeric}"
    assert not re.search(r"\[\d+\]", listing.get_text()), "a numeric label [n] is shown"
    assert not listing.select("ol"), "an enumerated list numbers the entries"
    hrefs = {a["href"] for a in listing.select("a[href]")}
    for key, entry in BIB.entries.items():
        fields = {k.lower(): v for k, v in entry.fields.items()}
        if "doi" in fields:
            assert f"https://doi.org/{fields['doi']}" in hrefs, f"{key}: no DOI link"
        if "eprint" in fields:
            assert f"https://arxiv.org/abs/{fields['eprint']}" in hrefs, f"{key}: no arXiv link"
    css = html / "_static" / bs.CSS_FILE
    assert css.is_file() and "display: none" in css.read_text(encoding="utf-8")
    assert bs.CSS_FILE in page, "the bibliography page does not load the CSS that hides the labels"
    # Every in-text citation is author-year and lands on an entry of this page.
    ids = {e["id"] for e in entries}
    for source in [html / "intro.html", *sorted((html / "chapters").glob("*.html"))]:
        cites = BeautifulSoup(source.read_text(encoding="utf-8"), "html.parser").select(
            'a[href*="bibliography.html#"]')
        for a in cites:
            target = a["href"].split("#", 1)[1]
            assert target in ids, f"{source.name}: citation {a.get_text()!r} -> missing #{target}"
            # {cite:p} links "Kingma and Welling, 2014"; {cite:t} links only the year
            assert re.search(r"\b\d{4}[a-z]?$", a.get_text()), (
                f"{source.name}: citation text {a.get_text()!r} is not author-year")


# --------------------------------------------------------------------------- execution status

def test_execution_status_and_teaching_table_are_current():
    result = subprocess.run([sys.executable, "-m", "booktools.build.execution_status",
                             "--check"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_execution_status_is_in_the_reference_part():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    reference = [p for p in toc["parts"] if p["caption"] == "Reference"]
    assert reference and {"file": "reference/execution_status"} in reference[0]["chapters"]


def test_the_repository_runs_every_chapter_in_quick_mode_in_ci():
    """What the page states about quick mode holds for this repository."""
    assert es.quick_mode_problems(ROOT) == []


def _fake_book(root: Path, notebooks: dict[str, dict]) -> None:
    """A minimal book under `root`: _toc.yml, the given notebooks, the real CI config files."""
    (root / "chapters").mkdir(parents=True)
    (root / "reference").mkdir()
    (root / ".ci").mkdir()
    for rel in ("pyproject.toml", "Makefile", ".ci/run", "conftest.py"):
        shutil.copy(ROOT / rel, root / rel)
    toc = {"format": "jb-book", "root": "intro",
           "parts": [{"caption": "C", "chapters": [{"file": f"chapters/{n}"} for n in notebooks]}]}
    (root / "_toc.yml").write_text(yaml.safe_dump(toc))
    (root / "intro.md").write_text("# Intro\n")  # the root page must exist
    for name, nb in notebooks.items():
        nbformat.write(nbformat.from_dict(nb), root / "chapters" / f"{name}.ipynb")
    (root / es.TEACHING_PAGE).write_text(f"# Teaching\n\n{es.BEGIN}\n{es.END}\n")


def _notebook(code: str, **vaebook) -> dict:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell(code)]
    nb.metadata["vaebook"] = vaebook
    return json.loads(nbformat.writes(nb))


def test_execution_status_reports_dates_stale_code_and_missing_hashes(tmp_path):
    good = _notebook("import torch\nx = 1")
    good["metadata"]["vaebook"] = {"mode": "full", "wall_time_s": 90.0,
                                   "executed_on": "2026-11-20",
                                   "code_sha256": code_hash(good)}
    stale = _notebook("x = 2", mode="full", wall_time_s=3.0, code_sha256="0" * 64)
    unhashed = _notebook("split = load_mnist()", mode="quick", wall_time_s=1.0)
    _fake_book(tmp_path, {"good": good, "stale": stale, "mnist_vae": unhashed})
    status = es.expected_files(tmp_path)[es.STATUS_PAGE]
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| \{doc\}`/chapters/(\w+)` .*$", status, re.M)}
    assert rows["good"].split(" | ")[1:5] == ["full mode", "90.0 s", "2026-11-20", "yes"]
    assert rows["stale"].split(" | ")[3:5] == ["not recorded", "**no**: re-execute"]
    assert "unknown: no code hash recorded" in rows["mnist_vae"]
    assert rows["mnist_vae"].endswith("| re-run by CI (needs MNIST) |")
    assert "{doc}`/chapters/stale`, {doc}`/chapters/mnist_vae`." in " ".join(status.split())
    teaching = es.expected_files(tmp_path)[es.TEACHING_PAGE]
    assert "| {doc}`good` | NumPy, PyTorch | 1.5 min |" in teaching
    assert "| {doc}`mnist_vae` | NumPy | not recorded (stored outputs: quick mode) |" in teaching
    # written once, the pages are current; a code edit makes them stale
    assert es.main(["--root", str(tmp_path)]) == 0
    assert es.main(["--root", str(tmp_path), "--check"]) == 0
    good["cells"][1]["source"] = "import torch\nx = 10"
    nbformat.write(nbformat.from_dict(good), tmp_path / "chapters" / "good.ipynb")
    assert es.main(["--root", str(tmp_path), "--check"]) == 1


def test_quick_mode_is_claimed_only_while_ci_runs_it(tmp_path):
    _fake_book(tmp_path, {"a": _notebook("x = 1", mode="full", wall_time_s=1.0)})
    makefile = tmp_path / "Makefile"
    makefile.write_text(makefile.read_text().replace("VAEBOOK_QUICK=1 ", ""))
    problems = es.quick_mode_problems(tmp_path)
    assert problems == ["Makefile: `make test` does not run pytest with VAEBOOK_QUICK=1"]
    status = es.expected_files(tmp_path)[es.STATUS_PAGE]
    assert "re-run by CI" not in status and "not checked automatically" in status


def test_execute_notebooks_records_the_run_date(tmp_path, monkeypatch):
    path = tmp_path / "n.ipynb"
    nbformat.write(nbformat.from_dict(_notebook("x = 1")), path)
    monkeypatch.setattr(execute_notebooks, "run_notebook", lambda nb, **kw: 2.5)
    execute_notebooks.execute(path, quick=False, timeout=10)
    meta = json.loads(path.read_text())["metadata"]["vaebook"]
    assert meta["executed_on"] == datetime.date.today().isoformat()
    assert meta["mode"] == "full" and meta["wall_time_s"] == 2.5 and len(meta["code_sha256"]) == 64


# --------------------------------------------------------------------------- teaching page

def _section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", TEACHING, re.M | re.S)
    assert match, f"chapters/teaching.md has no section '## {title}'"
    return match.group(1)


def _table(text: str) -> list[list[str]]:
    rows = [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in text.splitlines() if line.startswith("|")]
    return [r for r in rows[1:] if not set("".join(r)) <= set("-: ")]  # no header, no rule


def _sessions() -> dict[int, str]:
    """Session number -> its paragraph in 'A five-session course'."""
    text = _section("A five-session course")
    return {int(m.group(1)): m.group(0)
            for m in re.finditer(r"^\*\*Session (\d+) .*?(?=\n\n|\Z)", text, re.M | re.S)}


def _chapter_exercises() -> dict[str, str]:
    """Exercise label -> chapter (notebook stem), read from every chapter in _toc.yml."""
    found = {}
    for path in notebooks_in_toc(ROOT):
        nb = json.loads(path.read_text(encoding="utf-8"))
        text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        for block in re.findall(r"```\{exercise\}.*?\n```", text, re.S):
            label = re.search(r"^:label:\s*(\S+)", block, re.M)
            assert label, f"{path.name}: an exercise without a :label:"
            found[label.group(1)] = path.stem
    return found


EXERCISE_ROWS = _table(_section("The exercises"))


def test_every_exercise_is_classified_once():
    in_chapters = _chapter_exercises()
    labels = [re.fullmatch(r"\{ref\}`([\w-]+)`", row[1]).group(1) for row in EXERCISE_ROWS]
    assert sorted(labels) == sorted(set(labels)), "an exercise is listed twice"
    assert set(labels) == set(in_chapters), (
        f"not in the teaching page's table: {sorted(set(in_chapters) - set(labels))}; "
        f"in the table but in no chapter: {sorted(set(labels) - set(in_chapters))}")
    for session, label, asks, set_as, difficulty, kind in EXERCISE_ROWS:
        assert difficulty in ("★", "★★", "★★★"), f"{label}: difficulty {difficulty!r}"
        assert kind in ("pen-and-paper", "code", "pen-and-paper + code"), f"{label}: type {kind!r}"
        assert set_as in ("assign", "stretch", "extra"), f"{label}: set as {set_as!r}"
        assert asks, f"{label}: says nothing about what it asks"


def test_exercise_table_agrees_with_the_session_plan():
    chapters = _chapter_exercises()
    sessions = _sessions()
    assert sorted(sessions) == list(range(1, len(sessions) + 1))
    for session, cell, _, set_as, _, _ in EXERCISE_ROWS:
        label = re.search(r"`([\w-]+)`", cell).group(1)
        paragraph = sessions[int(session)]
        assert f"{{doc}}`{chapters[label]}`" in paragraph, (
            f"{label} (chapter {chapters[label]}) is listed under session {session}, "
            f"whose plan does not cover that chapter")
        parts = re.split(r"(Assign:|Stretch:|Extra:)", paragraph)
        where = {m.group(1): heading.rstrip(":").lower()
                 for heading, body in zip(parts[1::2], parts[2::2])
                 for m in re.finditer(r"\{ref\}`([\w-]+)`", body)}
        assert where.get(label) == set_as, (
            f"{label}: the table says {set_as!r}, session {session}'s plan {where.get(label)!r}")


def test_session_time_split_adds_up_and_leaves_time_to_run_the_notebooks():
    rows = _table(_section("Time in a session"))
    sessions = _sessions()
    assert len(rows) == len(sessions), "one row per session"
    wall = {ch.name: ch.wall_time_s for ch in es.chapters(ROOT)}
    for row in rows:
        number = int(row[0].split(".")[0])
        minutes = [int(x) for x in row[1:]]
        assert sum(minutes[:-1]) == minutes[-1] == 90, f"session {number}: {row}"
        run_s = sum(wall[name] or 0 for name in re.findall(r"\{doc\}`(\w+)`", sessions[number])
                    if name in wall)
        assert 60 * minutes[1] > run_s, (
            f"session {number}: {minutes[1]} min to run notebooks that take {run_s:.0f} s")


def test_teaching_page_links_the_kit_and_states_the_licence():
    for path in notebooks_in_toc(ROOT):
        for kind in ("student", "instructor"):
            assert f'href="{es.kit_link(kind, path.stem)}"' in TEACHING, (kind, path.stem)
    assert "`make kit`" in TEACHING and "PDF" in TEACHING
    assert not re.search(r"\.pdf\b", TEACHING, re.I), "the PDF is mentioned, not linked"
    licence = _section("Licence")
    assert (ROOT / "LICENSE").read_text().startswith("MIT License") and "MIT" in licence
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "CC BY-SA 3.0" in readme and "CC BY-SA 3.0" in licence


@pytest.mark.book
def test_built_teaching_page_shows_the_kit_links(html):
    page = (html / "chapters" / "teaching.html").read_text(encoding="utf-8")
    for path in notebooks_in_toc(ROOT):
        assert f'href="{es.kit_link("student", path.stem)}"' in page
    assert (html / "reference" / "execution_status.html").is_file()
