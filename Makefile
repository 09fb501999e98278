# Two commands for a newcomer (see README.md):
#   make book   set up .venv and build the HTML book into _build/html
#   make test   set up .venv and run every test (unit tests, notebooks in quick mode, book build)
# Also: make execute (re-run every notebook in full mode, in place), make data
# (regenerate the generated data sets), make clean.

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

.PHONY: setup book test execute data clean

setup: $(STAMP)

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
	VAEBOOK_QUICK=1 $(BIN)/python -m pytest

execute: setup
	$(BIN)/python scripts/execute_notebooks.py

# Regenerate the generated data sets in data/ (byte-identical; a test checks it).
data: setup
	$(BIN)/python -m vaebook.nonlinear_ppca --out data/

clean:
	rm -rf _build
