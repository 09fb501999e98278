"""pytest hooks for the chapter notebooks, which nbval collects one item per code cell.

A chapter that reads MNIST (a code cell calls ``load_mnist``) is skipped as a whole, at
collection, when no MNIST source is available (no ``VAEBOOK_MNIST_DIR``, no cached
``mnist.npz`` and no network), with a reason that says what to provide; its kernel is
never started. Whether MNIST is available is decided by
``vaebook.mnist.mnist_unavailable_reason``, which loads nothing: when
``VAEBOOK_MNIST_DIR`` is set the chapter always runs, so a wrong setting fails with the
loader's own message instead of being skipped.

This file sits at the repository's root because pytest loads a ``conftest.py`` for every
path below its folder: it applies both to ``make test`` and to
``pytest chapters/mnist_vae.ipynb`` alone (as ``.ci/run`` runs it on the PyTorch backend).
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config, items):
    """Skip every cell of an MNIST chapter when no MNIST source is available."""
    notebooks = {item.path for item in items if item.path.suffix == ".ipynb"}
    if not notebooks:
        return
    from booktools.notebooks import needs_mnist

    needing = {path for path in notebooks if needs_mnist(path)}
    if not needing:
        return
    from vaebook.mnist import mnist_unavailable_reason

    reason = mnist_unavailable_reason()  # one short network probe at most, per session
    if reason is None:
        return
    marker = pytest.mark.skip(reason=reason)  # pytest -rs prefixes the notebook's path
    for item in items:
        if item.path in needing:
            item.add_marker(marker)
