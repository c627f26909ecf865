# pbvote — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
PYTEST_WORKERS ?= 2

.PHONY: run test test-long lint security typecheck messages translations bench bench-counting bench-quick install install-dev clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("pbvote needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-dev: $(VENV)/.installed-dev

translations: install
	$(BIN)/pybabel compile -d pbvote/translations --statistics

## Serve the app on SQLite with the Danish demo municipality at http://127.0.0.1:5000
run: install translations
	PBVOTE_ENV=development $(BIN)/pbvote db upgrade
	PBVOTE_ENV=development $(BIN)/pbvote demo
	PBVOTE_ENV=development $(BIN)/pbvote run --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check pbvote/core tests/core

## bandit on the app (config in pyproject's [tool.bandit]; every accepted finding is explained on its line)
security: install-dev
	$(BIN)/bandit -c pyproject.toml -r pbvote -q

typecheck: install-dev
	$(BIN)/mypy

## ruff, mypy on core, then the test suite (SQLite; PostgreSQL and Chromium too when configured)
test: install-dev translations lint security typecheck
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not slow" $(PYTEST_ARGS)

## The long checks (marked slow): MES completion against every raise on the big files
test-long: install-dev translations
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m slow $(PYTEST_ARGS)

## Extract the UI strings and merge them into the catalogues (then translate pbvote/translations/*/messages.po)
messages: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o pbvote/translations/messages.pot --no-location --sort-output --omit-header .
	$(BIN)/pybabel update -i pbvote/translations/messages.pot -d pbvote/translations --no-fuzzy-matching --omit-header

bench-counting: install-dev
	$(BIN)/python bench/counting.py

## Web benchmarks against bare baselines (PostgreSQL on 127.0.0.1:5432, user postgres); see bench/README.md
BENCH_STORED ?= 1000000
BENCH_MEMORY_MINUTES ?= 10
bench: bench-counting
	-$(BIN)/python bench/casting.py --stored $(BENCH_STORED)
	-$(BIN)/python bench/reading.py
	-$(BIN)/python bench/counting_db.py
	-$(BIN)/python bench/memory.py --minutes $(BENCH_MEMORY_MINUTES)

bench-quick: install-dev
	-$(BIN)/python bench/counting.py --no-pabutools --only Zurich
	-$(BIN)/python bench/casting.py --quick
	-$(BIN)/python bench/reading.py --quick
	-$(BIN)/python bench/counting_db.py --quick
	-$(BIN)/python bench/memory.py --quick

clean:
	rm -rf $(VENV) instance test-artifacts .pytest_cache .mypy_cache .ruff_cache
