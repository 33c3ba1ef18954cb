# Coach OS — the two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/coachos

.PHONY: run test bench load install install-dev assets messages migrate demo lint serve clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

.make/install: requirements.txt constraints.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -r requirements.txt -c constraints.txt
	@mkdir -p .make && touch $@

.make/install-dev: .make/install requirements-dev.txt
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt -c constraints.txt
	@mkdir -p .make && touch $@

.make/npm: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p .make && touch $@

coachos/static/vendor/htmx.min.js: .make/npm scripts/vendor_assets.py
	$(PY) scripts/vendor_assets.py

install: .make/install assets messages
install-dev: .make/install-dev assets messages
assets: coachos/static/vendor/htmx.min.js

## messages: compile the translation catalogs (coachos/locale/*/LC_MESSAGES/django.po → .mo).
messages: .make/install
	@$(PY) scripts/messages.py compile

migrate: install
	@DEBUG=1 $(PY) manage.py migrate --noinput -v0
	@DEBUG=1 $(PY) manage.py createcachetable -v0

## demo: load the demo business once, into an empty database (afterwards it says so and writes nothing).
demo: migrate
	@DEBUG=1 $(PY) manage.py seed_demo

## make run: install, migrate the SQLite database under var/, load demo data, serve with jobs.
## It serves with DEBUG off (hashed static files from the manifest) unless asked: `make run DEBUG=1`.
run: demo
	@DEBUG=$(DEBUG) $(PY) manage.py collectstatic --noinput -v0
	@bash scripts/run.sh

## make test: install what the tests need and run the whole suite (PostgreSQL, then SQLite smoke).
test: install-dev
	@bash scripts/ensure_chromium.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run
	DATABASE_URL=$(PG_TEST_URL) $(VENV)/bin/pytest -p no:cacheprovider -n 2 --dist loadgroup
	DATABASE_URL=sqlite:///$(CURDIR)/var/smoke.sqlite3 $(VENV)/bin/pytest -p no:cacheprovider -m smoke -q

## make bench: run the benchmarks and print their figures.
bench: install-dev assets
	DATABASE_URL=$(PG_TEST_URL) $(PY) bench/run.py

## make load: uvicorn (2 workers) on PostgreSQL (a fresh <name>_load database) and Redis when installed, driven
## on loopback at rising concurrency; prints throughput and p95 (scripts/load.py; `make bench` runs a short one).
load: install-dev assets
	DATABASE_URL=$(PG_TEST_URL) $(PY) scripts/load.py

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

clean:
	rm -rf .make var/static
