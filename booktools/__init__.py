"""The machinery around the book, as one importable package (run from the repository root).

Layout, by what each part is for:

- ``booktools.toc`` and ``booktools.notebooks``: shared by everything below: the pages of
  ``_toc.yml`` (read once, by Jupyter Book's own parser) and the code hash of a notebook.
- ``booktools.build``: steps that turn sources into what readers get. The Sphinx extension
  (``sphinx_ext``, ``bibstyle``) runs inside ``jupyter-book build``; ``reader_notebooks``
  (the plain-Jupyter and Colab notebooks, the student kit), ``colab_setup_cell`` and
  ``execution_status`` write generated files that are committed.
- ``booktools.maintain``: tools a maintainer runs by hand: ``execute_notebooks`` (full-mode
  outputs), ``seed_sweep`` (quick-mode calibration), ``snapshots`` (screenshots and PDF).
- ``booktools.checks``: checks used by the tests (``quick_mode_asserts``).

Every module with a command line runs as ``python -m booktools.<part>.<module>``; the
Makefile and CONTRIBUTING.md list them. Nothing here is imported by the chapters or by the
``vaebook`` helper package.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the book's root: _config.yml, _toc.yml
