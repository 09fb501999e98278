"""pytest hooks for the generated reader notebooks, which nbval collects like the chapters.

A reader notebook is its chapter in plain Markdown (``scripts/reader_notebooks.py``),
with the same code, so it needs what its chapter needs: a reader notebook whose
chapter reads MNIST is skipped as a whole, at collection, when no MNIST source is
available, exactly as ``chapters/conftest.py`` skips the chapter. The list of
such chapters (``NEEDS_MNIST``) is read from ``chapters/conftest.py``, the one
place that names them, and the decision is ``vaebook.mnist.mnist_unavailable_reason``,
as there. ``_config.yml`` excludes this directory from the book.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CHAPTERS_CONFTEST = HERE.parent / "chapters" / "conftest.py"


def _chapters_needing_mnist() -> frozenset[str]:
    spec = importlib.util.spec_from_file_location("vaebook_chapters_conftest", CHAPTERS_CONFTEST)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(module.NEEDS_MNIST)


NEEDS_MNIST = _chapters_needing_mnist()  # reader notebooks have their chapter's file name


def pytest_collection_modifyitems(config, items):
    """Mark every cell of a reader notebook that needs MNIST as skipped when none is there."""
    needing = [item for item in items
               if item.path.name in NEEDS_MNIST and item.path.resolve().parent == HERE]
    if not needing:
        return
    from vaebook.mnist import mnist_unavailable_reason

    reason = mnist_unavailable_reason()  # one short network probe at most, per session
    if reason is None:
        return
    for item in needing:
        item.add_marker(pytest.mark.skip(reason=f"{item.path.name}: {reason}"))
