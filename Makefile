# Two entry points: `make plan` (offline plan of the default stack) and `make test` (lint, then every test).
# `make test-fast` runs the in-process unit tier only; `make lint` the import contracts and ruff; `make wheel`
# builds the wheel.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STACK  ?= aws-dev
# `make plan` installs only the SDKs of the stack's cloud (aws-* -> .[aws], gcp-* -> .[gcp]); tests need all.
CLOUD  ?= $(firstword $(subst -, ,$(STACK)))

.PHONY: plan test test-fast test-programs lint install install-dev docs check-docs wheel clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-$(CLOUD): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[$(CLOUD)]'
	touch $@

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[all]'
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[all,dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

plan: $(VENV)/.installed-$(CLOUD)
	$(BIN)/aiplatform plan --stack $(STACK)

# Two workers: the subprocess plans of tests/programs/ share one plan per stack across them (tests/conftest.py).
PYTEST = $(BIN)/python -m pytest -q -n 2

lint: install-dev
	$(BIN)/lint-imports
	$(BIN)/ruff check .

test: lint
	$(PYTEST) tests

test-fast: install-dev
	$(PYTEST) tests/unit

test-programs: install-dev
	$(PYTEST) tests/programs

docs:
	$(BIN)/python tools/reference.py --root .

check-docs:
	$(BIN)/python tools/reference.py --root . --check

# The wheel (dist/), built as examples/ci/release.yml builds it; tests/programs/test_wheel.py installs one.
wheel: install-dev
	$(BIN)/python -m build --wheel --outdir dist .

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build dist
