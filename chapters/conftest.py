"""pytest hooks for the chapter notebooks, which nbval collects one item per code cell.

A chapter that needs MNIST is skipped as a whole, at collection, when no MNIST
source is available (no ``VAEBOOK_MNIST_DIR``, no cached ``mnist.npz`` and no
network), with a reason that says what to provide; its kernel is never
started. Whether MNIST is available is decided by
``vaebook.mnist.mnist_unavailable_reason``, which loads nothing: when
``VAEBOOK_MNIST_DIR`` is set the chapter always runs, so a wrong setting fails
with the loader's own message instead of being skipped.

This file lives in ``chapters/`` rather than ``tests/`` because pytest loads a
``conftest.py`` only for the directories it collects from: here it applies
both to ``make test`` and to ``pytest chapters/mnist_vae.ipynb`` alone (as
``.ci/run`` runs it on the PyTorch backend), which a ``tests/conftest.py``
would not. ``only_build_toc_files`` keeps it out of the book.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

# Chapter notebooks (file names in chapters/) that read MNIST with load_mnist.
NEEDS_MNIST = frozenset({"mnist_vae.ipynb"})


def pytest_collection_modifyitems(config, items):
    """Skip every cell of an MNIST chapter when no MNIST source is available."""
    needing = [
        item
        for item in items
        if item.path.name in NEEDS_MNIST and item.path.resolve().parent == HERE
    ]
    if not needing:
        return
    from vaebook.mnist import mnist_unavailable_reason

    reason = mnist_unavailable_reason()  # one short network probe at most, per session
    if reason is None:
        return
    marker = pytest.mark.skip(reason=reason)  # pytest -rs prefixes the notebook's path
    for item in needing:
        item.add_marker(marker)
