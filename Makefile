# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install messages lint chromium serve

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed messages

# Compile the Dutch and English catalogues (babel needs no system gettext).
messages: $(VENV)/.installed
	$(PY) -m grantmonitor.common.catalogues

run: install
	mkdir -p var
	$(PY) manage.py migrate --verbosity 0
	$(PY) manage.py loaddemo
	@echo ""
	@echo "grantmonitor runs at http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	DEBUG=true LOG_FORMAT=text $(PY) manage.py runserver $(HOST):$(PORT)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

# The browser tests drive Debian's Chromium; install it when it is missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: install lint chromium
	$(VENV)/bin/pytest

# The production server (gunicorn, whitenoise, JSON logs) locally on PostgreSQL, for a smoke test.
PROD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/grantmonitor
serve: install
	DATABASE_URL=$(PROD_DATABASE_URL) $(PY) manage.py migrate --verbosity 0
	DATABASE_URL=$(PROD_DATABASE_URL) $(PY) manage.py loaddemo
	DATABASE_URL=$(PROD_DATABASE_URL) $(PY) manage.py collectstatic --noinput --verbosity 0
	DATABASE_URL=$(PROD_DATABASE_URL) $(VENV)/bin/gunicorn grantmonitor.wsgi \
	  --bind $(HOST):$(PORT) --workers 2 --access-logfile - --error-logfile -
