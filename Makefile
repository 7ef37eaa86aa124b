# Two entry points: `make plan` (offline plan of the default stack) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STACK  ?= aws-dev

.PHONY: plan test install install-dev docs check-docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[all]'
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[all,dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

plan: install
	$(BIN)/aiplatform plan --stack $(STACK)

test: install-dev
	$(BIN)/python -m pytest -q

docs:
	$(BIN)/python tools/reference.py --root .

check-docs:
	$(BIN)/python tools/reference.py --root . --check

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
