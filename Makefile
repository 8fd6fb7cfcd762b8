# casemgmt: `make run` serves the demo, `make test` runs the whole suite.
# Needs only Python 3.11+ and make; everything else is installed into .venv/.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test fuzz lint format stop clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Migrate, load demo data on the first run, serve web + Celery worker + beat (Ctrl-C stops all).
run: install
	$(BIN)/python -m casemgmt.run

## The whole test suite (lint, unit, API, real Celery worker, headless Chromium).
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Schemathesis over the whole API with many more examples than `make test` (FUZZ_EXAMPLES).
FUZZ_EXAMPLES ?= 50
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/test_schemathesis.py $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	PYTHONPATH=. $(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Stop the embedded PostgreSQL and Redis started under .data/.
stop:
	$(BIN)/python -m casemgmt.lib.embedded stop

clean: stop
	rm -rf .data staticfiles
