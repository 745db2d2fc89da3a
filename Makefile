# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install messages lint system-packages serve

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

# The browser tests drive Debian's Chromium and the document tests open our DOCX files in
# LibreOffice; install them (as root) when they are missing.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-writer-nogui"; \
	command -v pg_dump >/dev/null 2>&1 || missing="$$missing postgresql-client"; \
	ldconfig -p | grep -q libharfbuzz-subset.so.0 || missing="$$missing libharfbuzz-subset0"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages for the tests:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

test: install lint system-packages
	$(VENV)/bin/pytest

# The production server (gunicorn, whitenoise, JSON logs) locally on PostgreSQL, for a smoke test.
PROD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/grantmonitor
# Production refuses to start without a key for participants' identities: this local one is
# made once and kept in var/ (a real server gets its keys from its secret store).
var/identity.key: $(VENV)/.installed
	mkdir -p var
	$(PY) -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" > $@
serve: install var/identity.key
	DATABASE_URL=$(PROD_DATABASE_URL) $(PY) manage.py migrate --verbosity 0
	DATABASE_URL=$(PROD_DATABASE_URL) $(PY) manage.py loaddemo
	DATABASE_URL=$(PROD_DATABASE_URL) $(PY) manage.py collectstatic --noinput --verbosity 0
	DATABASE_URL=$(PROD_DATABASE_URL) GRANTMONITOR_IDENTITY_KEYS=$$(cat var/identity.key) \
	  $(VENV)/bin/gunicorn -c python:grantmonitor.conf.gunicorn grantmonitor.wsgi \
	  --bind $(HOST):$(PORT) --workers 2 --access-logfile - --error-logfile -

# The role guides' screenshots (docs/guides/): the browser tests take them, refresh.py copies
# the ones the guides show into docs/guides/img/.
.PHONY: guides
guides: install system-packages
	$(VENV)/bin/pytest -m browser -q
	$(PY) docs/guides/refresh.py
