"""What several tools need to know about the chapter notebooks.

* ``notebooks_in_toc(root)``: every notebook of ``_toc.yml``, in reading order;
* ``needs_mnist(path)``: whether a chapter reads MNIST (the tests skip it when no MNIST
  source exists, and the status page says so);
* ``code_hash(nb)``: the hash of a notebook's code that a full-mode run records, so that a
  stale notebook is found (``tests/test_book.py``) and the status page can say so.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat

from booktools import ROOT, toc

# The Colab setup cell (booktools/build/colab_setup_cell.py) does nothing outside Colab and
# is regenerated from _config.yml without re-executing; it is not part of the hash.
COLAB_MARKER = "# Colab setup"


def notebooks_in_toc(root: Path = ROOT) -> list[Path]:
    """Every .ipynb named in _toc.yml, in reading order (booktools.toc)."""
    return toc.toc_notebooks(root)


def code_hash(nb) -> str:
    """SHA-256 of the notebook's code cells (their sources, in order).

    Markdown cells, outputs, metadata and the Colab setup cell are left out, so
    a prose edit does not ask for a re-run, while any change to code does.
    """
    digest = hashlib.sha256()
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if source.startswith(COLAB_MARKER):
            continue
        digest.update(source.encode("utf-8"))
        digest.update(b"\0")  # cell boundary: moving a line between cells changes the hash
    return digest.hexdigest()


def needs_mnist(path: Path) -> bool:
    """Whether the notebook at `path` reads MNIST: one of its code cells calls ``load_mnist``."""
    nb = nbformat.read(path, as_version=4)
    return any(cell.cell_type == "code" and "load_mnist(" in cell.source for cell in nb.cells)
