# Two commands for a newcomer (see README.md):
#   make book   set up .venv and build the HTML book into _build/html
#   make test   set up .venv and run every test (unit tests, notebooks in quick mode, book build)
# Also: make execute (re-run every notebook in full mode, in place), make data
# (regenerate the generated data sets), make colab (refresh the Colab setup cell
# of every chapter from _config.yml), make clean.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# CI and the development machines keep the official MNIST test split beside
# the clone; use it when it is there (a connected machine downloads instead).
SHARED_MNIST := $(abspath ../shared/data/mnist)
ifneq ($(wildcard $(SHARED_MNIST)/t10k-images-idx3-ubyte.gz),)
export VAEBOOK_MNIST_DIR ?= $(SHARED_MNIST)
endif

MATHJAX := node_modules/mathjax/es5/tex-mml-chtml.js

.PHONY: setup book test execute data colab clean

setup: $(STAMP) $(MATHJAX)

# MathJax 3 from the npm registry (package-lock.json), so the book serves its
# own copy (_ext/vaebook_sphinx.py). Without npm the book uses the MathJax CDN.
$(MATHJAX): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
	  echo "npm not found: the book will load MathJax from its CDN (install Node.js/npm for an offline copy)"; \
	fi

# A fresh virtual environment whenever requirements.txt or pyproject.toml change.
$(STAMP): requirements.txt pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt
	touch $(STAMP)

book: setup
	$(BIN)/jupyter-book build . -W -n --keep-going --all

test: setup
	VAEBOOK_QUICK=1 $(BIN)/python -m pytest -rs

execute: setup
	$(BIN)/python scripts/execute_notebooks.py

# Regenerate the generated data sets in data/ (byte-identical; a test checks it).
data: setup
	$(BIN)/python -m vaebook.nonlinear_ppca --out data/

colab: setup
	$(BIN)/python scripts/colab_setup_cell.py

clean:
	rm -rf _build
