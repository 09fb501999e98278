"""The book itself: every page in the table of contents exists, notebooks are
stored with full-mode outputs, and the HTML builds with warnings as errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
from booktools import toc as book_toc
from booktools.maintain.execute_notebooks import missing_figures
from booktools.notebooks import code_hash


def toc_entries() -> list[str]:
    return [page.docname for page in book_toc.toc_pages(ROOT)]


def toc_notebooks() -> list[Path]:
    return book_toc.toc_notebooks(ROOT)


def test_every_toc_entry_exists():
    for entry in toc_entries():
        candidates = [ROOT / f"{entry}{suffix}" for suffix in (".md", ".ipynb")]
        assert any(c.is_file() for c in candidates), f"_toc.yml names {entry!r}, but neither .md nor .ipynb exists"


def test_there_is_at_least_one_chapter_notebook():
    assert toc_notebooks(), "the table of contents lists no notebook"


@pytest.mark.parametrize("path", toc_notebooks(), ids=lambda p: p.stem)
def test_notebook_is_stored_with_full_mode_outputs(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert nb["metadata"].get("vaebook", {}).get("mode") == "full", (
        f"{path.name} was not last executed by `make execute` in full mode")
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    # The Colab setup cell (first code cell, tests/test_colab_cell.py) does nothing
    # outside Colab; it carries an execution count and no output like the rest.
    assert code and all(c.get("execution_count") for c in code), f"{path.name} has unexecuted cells"
    counts = [c["execution_count"] for c in code]
    assert counts == sorted(counts) and len(set(counts)) == len(counts), f"{path.name}: cells executed out of order"
    outputs = [o for c in code for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"], f"{path.name} stores an error"
    run_info = [c for c in code if "print_run_info" in "".join(c["source"])]
    assert run_info, f"{path.name}: no code cell calls vaebook.print_run_info"
    assert run_info[0] is code[min(1, len(code) - 1)], f"{path.name}: print_run_info must be in the first cell after the Colab setup cell"
    first = "".join(run_info[0].get("outputs", [{}])[0].get("text", ""))
    assert re.search(r"^run mode\s*: full", first, re.M), f"{path.name}: the print_run_info output does not show full mode"
    stderr = [o for o in outputs if o.get("name") == "stderr"]
    assert not stderr, f"{path.name} stores stderr output (warnings?): {stderr[0]['text'][:300]}"


@pytest.mark.parametrize("path", toc_notebooks(), ids=lambda p: p.stem)
def test_stored_outputs_come_from_the_code_now_in_the_notebook(path):
    """`make execute` records a hash of the code cells; any code edit since then fails here."""
    nb = json.loads(path.read_text())
    recorded = nb["metadata"].get("vaebook", {}).get("code_sha256")
    assert recorded, f"{path.name} has no recorded code hash: re-execute it with `make execute`"
    assert recorded == code_hash(nb), (
        f"{path.name}: its code cells changed since its last full-mode run, so the stored outputs "
        f"may come from other code; re-execute it: "
        f"`.venv/bin/python -m booktools.maintain.execute_notebooks {path.relative_to(ROOT)}`")


@pytest.mark.parametrize("path", toc_notebooks(), ids=lambda p: p.stem)
def test_every_figure_cell_stores_its_image(path):
    """A figure cell (mystnb.figure metadata) without an image output leaves its label
    undefined in the book; it happens when a kernel runs with a non-inline backend."""
    import nbformat

    missing = missing_figures(nbformat.read(path, as_version=4))
    assert not missing, (
        f"{path.name}: figure cells without a stored image: {missing}; re-execute it with "
        f"`.venv/bin/python -m booktools.maintain.execute_notebooks {path.relative_to(ROOT)}`")


def test_missing_figures_finds_a_figure_cell_without_an_image():
    import nbformat

    nb = nbformat.v4.new_notebook()
    figure = {"mystnb": {"figure": {"name": "fig-x", "caption": "x"}}}
    png = nbformat.v4.new_output("display_data", data={"image/png": "iVBO", "text/plain": "<F>"})
    text = nbformat.v4.new_output("stream", name="stdout", text="no image\n")
    nb.cells = [nbformat.v4.new_code_cell("plt.show()", metadata=figure, outputs=[text]),
                nbformat.v4.new_code_cell("plt.show()", metadata=figure, outputs=[png]),
                nbformat.v4.new_code_cell("print(1)", outputs=[text])]
    nb.cells[1].metadata = {"mystnb": {"figure": {"name": "fig-y", "caption": "y"}}}
    assert missing_figures(nb) == ["fig-x"]


def _notebook(*cells):
    return {"cells": [{"cell_type": kind, "source": source} for kind, source in cells]}


def test_code_hash_sees_code_edits_but_not_prose_or_the_colab_cell():
    base = code_hash(_notebook(("code", "# Colab setup ..."), ("markdown", "Text"), ("code", "x = 1"), ("code", "y = 2")))
    assert base == code_hash(_notebook(("code", "# Colab setup (changed)"), ("markdown", "Other text"),
                                       ("code", "x = 1"), ("code", "y = 2")))
    assert base != code_hash(_notebook(("code", "# Colab setup ..."), ("markdown", "Text"), ("code", "x = 2"),
                                       ("code", "y = 2")))
    # the same lines split into other cells are other code (outputs sit between cells)
    assert base != code_hash(_notebook(("code", "# Colab setup ..."), ("code", "x = 1y = 2")))
    # list-of-lines sources (as stored in .ipynb files) hash like the joined string
    assert code_hash({"cells": [{"cell_type": "code", "source": ["x = 1\n", "y = 2"]}]}) == code_hash(
        {"cells": [{"cell_type": "code", "source": "x = 1\ny = 2"}]})


def test_every_chapter_has_objectives_summary_and_exercises():
    for path in toc_notebooks():
        text = "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "markdown")
        for needle in ("Learning objectives", "## Summary", "## Exercises", "{solution}", ":class: dropdown"):
            assert needle in text, f"{path.name} lacks {needle!r}"
        assert text.count("{exercise}") >= 3, f"{path.name} has fewer than three exercises"


@pytest.mark.book
def test_html_book_builds_with_zero_warnings(built_book):
    """The build of this test run (tests/conftest.py: once per run, shared by all tests)."""
    if built_book.returncode is None:
        pytest.skip("VAEBOOK_HTML_DIR points at another build: nothing was built")
    assert built_book.returncode == 0, built_book.log_tail
    assert not built_book.warnings, list(built_book.warnings)[:20]
    html = built_book.html
    for entry in toc_entries():
        assert (html / f"{entry}.html").is_file(), f"{entry}.html was not built"
    bibliography = (html / "chapters" / "bibliography.html").read_text()
    assert "auto-encoding variational bayes" in bibliography.lower()


def test_stored_outputs_note_is_plain_text():
    """The note under a chapter's title: no Markdown backticks, no '.;' (a description's
    full stop followed by the note's own separator)."""
    from booktools.build.sphinx_ext import banner_text

    run_info = {"cell_type": "code", "source": "vaebook.print_run_info(SEED)", "outputs": [{
        "name": "stdout", "output_type": "stream",
        "text": "run mode : full  (set VAEBOOK_QUICK=1 for quick mode)\nseed     : 1312\n"
                "data     : MNIST from the directory ../shared/data/mnist, every fifth held out.\n"}]}
    nb = {"cells": [run_info], "metadata": {"vaebook": {"wall_time_s": 12.0}}}
    text = banner_text(nb, "chapters/x", {})
    assert "held out; the whole notebook ran in 12 s" in text and ".;" not in text
    nb["cells"] = []
    assert banner_text(nb, "chapters/x", {}) is None
    run_info["outputs"][0]["text"] = "run mode : full\nseed : 1\n"
    nb["cells"] = [run_info]
    text = banner_text(nb, "chapters/x", {"chapters/x": "data/x.csv, made by (`make data`)."})
    assert "`" not in text and "made by (make data); the whole" in text
    text = banner_text(nb, "chapters/x", {"chapters/x": "a table and draws from seed {seed}"})
    assert "data: a table and draws from seed 1; the whole" in text
    # a data line wrapped by textwrap.fill: its indented continuation belongs to it
    run_info["outputs"][0]["text"] = (
        "run mode : full\nseed : 1\ndata      : MNIST from a directory: the official split,\n"
        "            60,000 training and 10,000 test images.\npython    : 3.11\n")
    text = banner_text(nb, "chapters/x", {})
    assert "the official split, 60,000 training and 10,000 test images; the whole" in text


@pytest.mark.book
def test_single_page_build_for_the_pdf_succeeds(tmp_path):
    """`make snapshots` prints the PDF from the single-page HTML build; it must build
    (e.g. folded `hide-input` cells need handlers for that builder too)."""
    jb = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run([str(jb), "build", str(ROOT), "-W", "-n", "--keep-going", "--all",
                             "--builder", "singlehtml", "--path-output", str(tmp_path)],
                            capture_output=True, text=True, timeout=1200)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert "WARNING" not in log, [line for line in log.splitlines() if "WARNING" in line][:20]
    assert (tmp_path / "_build" / "singlehtml" / "index.html").is_file()


def test_toc_pages_are_read_by_jupyter_books_parser(tmp_path):
    """booktools/toc.py numbers the chapters of numbered parts across parts, skips none,
    and names a page that does not exist."""
    (tmp_path / "chapters").mkdir()
    for name in ("intro.md", "chapters/a.ipynb", "chapters/b.md", "chapters/c.ipynb", "chapters/ref.md"):
        (tmp_path / name).write_text("")
    toc = ("format: jb-book\nroot: intro\nparts:\n"
           "  - caption: One\n    numbered: true\n    chapters:\n      - file: chapters/a\n      - file: chapters/b\n"
           "  - caption: Two\n    numbered: true\n    chapters:\n      - file: chapters/c\n"
           "  - caption: Back\n    chapters:\n      - file: chapters/ref\n")
    (tmp_path / "_toc.yml").write_text(toc)
    pages = book_toc.toc_pages(tmp_path)
    assert [(p.docname, p.part, p.number) for p in pages] == [
        ("intro", None, None), ("chapters/a", "One", 1), ("chapters/b", "One", 2),
        ("chapters/c", "Two", 3), ("chapters/ref", "Back", None)]
    assert book_toc.toc_notebooks(tmp_path) == [tmp_path / "chapters/a.ipynb", tmp_path / "chapters/c.ipynb"]
    assert book_toc.part_notebooks(tmp_path, "Two") == [tmp_path / "chapters/c.ipynb"]
    with pytest.raises(book_toc.TocError, match="no part captioned 'Three'"):
        book_toc.part_notebooks(tmp_path, "Three")
    (tmp_path / "chapters/c.ipynb").unlink()
    with pytest.raises(book_toc.TocError, match="chapters/c"):
        book_toc.toc_pages(tmp_path)
