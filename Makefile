# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo company's language, en or ru: `make run DEMO_LANGUAGE=ru`, or `make run
# LANGUAGE_CODE=ru`, which also makes Russian the site's default language. Unset: the language
# of the demo company already in the database, else English. The database holds one language:
# to switch, start from a fresh var/ (`rm -rf var`).
DEMO_LANGUAGE ?= $(LANGUAGE_CODE)
# Every worker started here consumes every queue (lms/settings/base.py TASK_QUEUES; the tasks
# are routed to them only with CELERY_SPLIT_QUEUES=true).
QUEUES ?= celery,imports,bonuses,email

# The compiled catalogues (.mo) are built from locale/*.po on every run and test, in Python
# (Babel), so a machine with only Python serves Russian; `make messages-extract` needs GNU
# gettext (xgettext) and is for whoever adds strings.
.PHONY: run test install messages messages-extract lint check migrate seed pytest test-browser test-integration bench worker beat clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found); set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP) messages

messages: $(STAMP)
	$(BIN)/pybabel -q compile -d locale -D django

messages-extract: $(STAMP)
	$(PY) manage.py makemessages -l ru --no-obsolete --ignore=.venv --ignore=bench --ignore=tests --ignore=var --ignore=staticfiles --ignore=demo

migrate: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo $(if $(DEMO_LANGUAGE),--language $(DEMO_LANGUAGE))

# `make run` serves the demo with a real Celery worker and the periodic schedule (beat, inside
# the worker) on the embedded broker: kombu's filesystem transport under var/broker/, no Redis
# needed; the cache is a directory under var/cache/, shared by the server and the worker. Set
# CELERY_BROKER_URL / CACHE_URL to use real ones. The worker's log: var/worker.log.
RUN_BROKER ?= $(or $(CELERY_BROKER_URL),filesystem://localhost//)
RUN_CACHE ?= $(or $(CACHE_URL),filecache://$(CURDIR)/var/cache)
run: seed
	@mkdir -p var/broker/messages var/broker/control var/cache
	@echo "Serving the demo at http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	@echo "The demo company in English: make run; in Russian: make run DEMO_LANGUAGE=ru"
	@echo "(one language per database: rm -rf var to switch)"
	@echo "Background worker and schedule: running (log in var/worker.log)"
	@export CELERY_BROKER_URL='$(RUN_BROKER)' CACHE_URL='$(RUN_CACHE)'; \
	$(BIN)/celery -A lms worker --beat --pool=threads --concurrency=2 --loglevel=info -Q $(QUEUES) \
		--logfile=var/worker.log --schedule=var/celerybeat-schedule & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# lint-imports: the floors' contracts in pyproject.toml ([tool.importlinter]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

check: install
	DJANGO_SETTINGS_MODULE=lms.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=lms.settings.test $(PY) manage.py makemigrations --check --dry-run

# Two processes for the bulk of the suite; the real-worker tests run on their own afterwards,
# because their Celery workers share one broker queue; the browser tests last (skipped without
# Chromium or with SKIP_BROWSER=1), because their live server empties the database after each
# test, which other tests in the same process must not see. Exit code 5 (nothing selected) is
# fine. With SKIP_BROWSER set, the browser step is not started at all; with SKIP_INTEGRATION,
# the real-worker step (.ci/run runs it on its own, beside another step).
PYTEST_WORKERS ?= 2
pytest: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not integration and not browser" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	@if [ -n "$$SKIP_INTEGRATION" ]; then echo "integration tests: skipped (SKIP_INTEGRATION=$$SKIP_INTEGRATION; CI runs them beside its pass 2c)"; \
	else $(BIN)/pytest -m integration $(PYTEST_ARGS) || [ $$? -eq 5 ]; fi
	@if [ -n "$$SKIP_BROWSER" ]; then echo "browser tests: skipped (SKIP_BROWSER=$$SKIP_BROWSER; CI runs them in its own pass)"; \
	else $(BIN)/pytest -n $(PYTEST_WORKERS) -m browser $(PYTEST_ARGS) || [ $$? -eq 5 ]; fi

test: lint check pytest

test-browser: install
	REQUIRE_BROWSER=1 $(BIN)/pytest -n $(PYTEST_WORKERS) -m browser $(PYTEST_ARGS)

bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

worker: install
	$(BIN)/celery -A lms worker -l info -Q $(QUEUES)

beat: install
	$(BIN)/celery -A lms beat -l info

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .import_linter_cache
