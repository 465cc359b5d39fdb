# Two commands for a fresh machine with Python 3.10+ and make:
#   make serve   build the site strictly and serve it at http://127.0.0.1:8000
#   make test    run every test: unit tests, every documentation example, the strict site
#                build with notebook execution, the browser checks, and lint
# Both create .venv and install the package with its docs and test extras first.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1:8000

# mkdocs 1.6 prints a banner about its future; it says nothing about this site.
export NO_MKDOCS_2_WARNING := 1
# The course's matrices are small: one BLAS thread is faster for them. (make bench sets
# its own threads; make robust runs the examples with two threads too.)
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1

# Optional live parity with real Keras 3 (torch backend), in a venv of its own.
PARITY_VENV ?= .venv-parity
PARITY_TORCH ?= torch==2.13.0

# The robustness check: the lowest NumPy that pyproject.toml allows, in a venv of its own.
OLDEST_VENV ?= .venv-oldest
NUMPY_FLOOR := $(shell sed -n 's/^dependencies = \["numpy>=\([0-9.]*\)"\]/\1/p' pyproject.toml)
OLDEST_STAMP := $(OLDEST_VENV)/.installed-stamp

.PHONY: help install serve docs docs-times test lint format bench parity notebook robust clean

help:
	@echo "make serve   build the site and serve it at http://$(HOST) (reloads on changes)"
	@echo "make test    run every test, the site build, the browser checks and lint"
	@echo "make docs    build the site into site/"
	@echo "make docs-times  time a cold build, and how fast make serve shows an edit"
	@echo "make lint    ruff check and format check, and mypy on the package"
	@echo "make format  format the code with ruff"
	@echo "make bench   time rnn against the notebook's loop, torch and (if given) Keras"
	@echo "make parity  compare rnn with real Keras 3, live (optional, installs Keras and torch)"
	@echo "make notebook  regenerate the whole-course notebook after editing a page"
	@echo "make robust  rerun the examples and training tests as other machines would"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10) and "Python 3.10 or newer is needed, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[docs,test]"
	@touch $@

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/mkdocs serve --strict --dev-addr $(HOST)

docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

# A cold strict build, then make serve's first build, a one-line prose edit (until the
# served page shows it) and an edit of rnn/ (which runs the pages' code again), in a copy
# of the project: the times are printed (tools/docs_times.py), never asserted.
docs-times: $(STAMP)
	$(BIN)/python tools/docs_times.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: $(STAMP) lint
	$(BIN)/pytest

# torch (the bench extra, pinned to a CPU wheel) is installed into .venv when missing; the
# fit rows run Keras in the Python that RNN_BENCH_KERAS_PYTHON names, else in make parity's
# venv if it exists (skipped, with a hint, when neither is there).
RNN_BENCH_KERAS_PYTHON ?= $(wildcard $(PARITY_VENV)/bin/python)
bench: $(STAMP)
	$(BIN)/python -c 'import torch' 2>/dev/null || $(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m rnn.bench $(if $(RNN_BENCH_KERAS_PYTHON),--keras-python $(RNN_BENCH_KERAS_PYTHON))

# Every printed number must hold on any machine: rerun the documentation examples and
# the training tests with 2 BLAS threads, with every starting weight nudged by 1e-12,
# and with the oldest NumPy pyproject.toml allows (tools/robustness.py says more).
$(OLDEST_STAMP): pyproject.toml Makefile | $(BIN)/python
	test -x $(OLDEST_VENV)/bin/python || $(PYTHON) -m venv $(OLDEST_VENV)
	$(OLDEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(OLDEST_VENV)/bin/python -m pip install --quiet "numpy==$(NUMPY_FLOOR)" "pytest>=8" \
		"sybil>=9,<11" threadpoolctl h5py
	# rnn reads the CSV files of vega_datasets itself: its pandas is not needed
	$(OLDEST_VENV)/bin/python -m pip install --quiet --no-deps -e . "vega_datasets>=0.9"
	$(OLDEST_VENV)/bin/python -c 'import numpy; from packaging.version import Version as V; \
		assert V(numpy.__version__) == V("$(NUMPY_FLOOR)"), numpy.__version__'
	@touch $@

robust: $(STAMP) $(OLDEST_STAMP)
	$(BIN)/python tools/robustness.py --oldest-python $(OLDEST_VENV)/bin/python

notebook: $(STAMP)
	$(BIN)/python -m tools.course_notebook

parity:
	test -x $(PARITY_VENV)/bin/python || $(PYTHON) -m venv $(PARITY_VENV)
	$(PARITY_VENV)/bin/python -m pip install --quiet "$(PARITY_TORCH)" keras pytest "sybil>=9,<11" hypothesis vega_datasets
	$(PARITY_VENV)/bin/python -m pip install --quiet --no-deps -e .
	KERAS_BACKEND=torch $(PARITY_VENV)/bin/pytest -p no:doctest -q \
		tests/test_keras_live.py tests/test_keras_fixtures.py tests/test_saving_live.py docs

clean:
	rm -rf site .pytest_cache .ruff_cache .hypothesis $(OLDEST_VENV)
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
