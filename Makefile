# Everyday commands. `make help` lists them. Everything runs inside .venv, created on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Exact versions the tests were last run with; `make lock` refreshes it.
LOCK   := requirements.lock

.DEFAULT_GOAL := help
.PHONY: help install report test lint format lab sample sentiment-model bench docs lock clean

help:  ## list the everyday commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cxlab needs Python 3.11 or newer; this is " + sys.version.split()[0] + ". Run: make PYTHON=python3.11 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint $(LOCK) --editable '.[test]'
	@touch $(STAMP)

install: $(STAMP)  ## create .venv and install cxlab with its dependencies

report: $(STAMP)  ## run every report on the bundled sample survey into reports/
	$(BIN)/cxlab report all

test: $(STAMP)  ## lint, then the whole test suite (notebooks and browser tests included)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: $(STAMP)  ## ruff check
	$(BIN)/ruff check .

format: $(STAMP)  ## ruff format and import sorting, in place
	$(BIN)/ruff check --select I --fix .
	$(BIN)/ruff format .

lab: $(STAMP)  ## start JupyterLab on the project's environment
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

sample: $(STAMP)  ## regenerate data/sample/ (deterministic)
	$(BIN)/cxlab sample --out data/sample

sentiment-model: $(STAMP)  ## retrain the sentiment model from data/sentiment/ into cxlab/resources/
	$(BIN)/python -m cxlab.text.train

bench: $(STAMP)  ## run the benchmarks in benchmarks/ (prints figures; slow)
	$(BIN)/python -m pip install --quiet --constraint $(LOCK) --editable '.[bench]'
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

docs: $(STAMP)  ## build the API reference (HTML, offline) into docs/api/ from the docstrings
	$(BIN)/python -m pip install --quiet --constraint $(LOCK) --editable '.[docs]'
	$(BIN)/pdoc --docformat numpy --no-show-source --output-directory docs/api cxlab \
	  $$($(BIN)/python -c "import pkgutil, cxlab; print(*(m.name for m in pkgutil.iter_modules(cxlab.__path__, 'cxlab.')))")
	@echo "API reference: docs/api/index.html"

lock: $(STAMP)  ## refresh requirements.lock from the installed environment
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^cxlab' > $(LOCK)

clean:  ## remove .venv and caches (keeps reports/)
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
