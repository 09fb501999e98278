# Two commands for a newcomer (see README.md):
#   make book   set up .venv and build the HTML book into _build/html
#   make test   set up .venv and run every test (unit tests, notebooks in quick mode, book build)
# Also: make execute (re-run every notebook in full mode, in place), make data
# (regenerate the generated data sets), make colab (refresh the Colab setup cell
# of every chapter from _config.yml), make layout (what is wider than its box, page
# by page), make snapshots (screenshots of every page and a PDF of the book), make reader
# (the reader notebooks), make kit (student kit, screenshots and PDF), make clean.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# CI and the development machines keep the official MNIST files beside the
# clone; use them when they are there (a connected machine downloads instead).
SHARED_MNIST := $(abspath ../shared/data/mnist)
ifneq ($(wildcard $(SHARED_MNIST)/t10k-images-idx3-ubyte.gz),)
export VAEBOOK_MNIST_DIR ?= $(SHARED_MNIST)
endif

MATHJAX := node_modules/mathjax/es5/tex-mml-chtml.js

.PHONY: setup book test execute data colab reader kit layout snapshots lock clean

setup: $(STAMP) $(MATHJAX)

# MathJax 3 from the npm registry (package-lock.json), so the book serves its
# own copy (booktools/build/sphinx_ext.py). Without npm the book uses the MathJax CDN.
$(MATHJAX): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
	  echo "npm not found: the book will load MathJax from its CDN (install Node.js/npm for an offline copy)"; \
	fi

# A fresh virtual environment whenever the requirements, their lock or pyproject.toml
# change: what the book uses (requirements.txt) at the versions CI tested (the lock).
$(STAMP): requirements.txt requirements-lock.txt pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt -c requirements-lock.txt
	touch $(STAMP)

book: setup
	$(BIN)/jupyter-book build . -W -n --keep-going --all

# Two pytest workers (pytest-xdist); each takes whole files, so a notebook's cells run in
# order in one kernel, and the book is built once (tests/conftest.py). Each worker's
# numerical libraries use one thread (two workers with two threads each on two cores run
# several times slower); quick-mode bounds are calibrated under one and two threads.
# TEST_WORKERS=0 runs everything in one process; --durations shows where the time goes.
TEST_WORKERS ?= 2
ONE_THREAD := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
              TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1
test: setup
	VAEBOOK_QUICK=1 $(if $(filter 0,$(TEST_WORKERS)),,$(ONE_THREAD)) $(BIN)/python -m pytest -rs \
	  -n $(TEST_WORKERS) --dist loadfile --durations=15

execute: setup
	$(BIN)/python -m booktools.maintain.execute_notebooks

# Regenerate the generated data sets in data/ (byte-identical; a test checks it).
data: setup
	$(BIN)/python -m vaebook.nonlinear_ppca --out data/

colab: setup
	$(BIN)/python -m booktools.build.colab_setup_cell
	$(MAKE) reader

# The reader notebooks (notebooks/: MyST turned into plain Markdown, for download and
# Colab). Their chapter, equation, figure and exercise numbers are the built book's, so
# the book is built first; `make execute` refreshes them too when the build is current.
reader: book
	$(BIN)/python -m booktools.build.reader_notebooks

# The student kit: per chapter a student notebook (no solutions) and an instructor
# answer key, into _build/html/kit/ (every HTML build writes them too), then
# screenshots of every page at 1,400 px and 420 px and a PDF of the book.
kit: snapshots
	$(BIN)/python -m booktools.build.reader_notebooks --kit _build/html/kit

# The browser test's layout checks only: every equation, table, code cell and output wider
# than its box (1,400 px window; 420 px reported) and absolute local paths in the built book.
# Lists every offender; the report is written to _build/overflow_report.txt.
layout: setup
	$(BIN)/python -m pytest -q tests/test_browser.py -k "wider or local_paths"

# Full-page screenshots of every page at 1,400 px and 420 px (_build/screenshots/1400/ and
# 420/) and the whole book as one PDF (_build/pdf/vaebook.pdf), printed by Chromium from the
# single-page HTML build (_build/singlehtml). See booktools/maintain/snapshots.py.
snapshots: book
	$(BIN)/jupyter-book build . -W -n --keep-going --all --builder singlehtml
	$(BIN)/python -m booktools.maintain.snapshots

# Rewrite requirements-lock.txt from a throwaway virtual environment that installs
# requirements.txt afresh (after changing a pin there); commit both.
lock:
	$(PYTHON) -m booktools.maintain.lock

clean:
	rm -rf _build
