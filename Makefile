# The two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup migrate demo lint format check serve bench browser-deps clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo
	$(PY) manage.py ensure_admin

run: demo
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production-like server: DEBUG off, gunicorn, WhiteNoise serving hashed and
# compressed static files (collected first). TLS belongs to the proxy in
# production; here SECURE_SSL_REDIRECT defaults to off so plain
# http://$(HOST):$(PORT) answers. Without SECRET_KEY a random key is made for
# this run only (sessions end when it stops): for local serving, never for
# production. Workers: WEB_CONCURRENCY (default 2).
serve: migrate
	@set -e; \
	if [ -z "$$SECRET_KEY" ]; then \
	  SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')"; \
	  echo "SECRET_KEY is not set: using a random key for this local run only."; \
	fi; \
	export SECRET_KEY DEBUG=0 ALLOWED_HOSTS="$${ALLOWED_HOSTS:-$(HOST),localhost}" \
	  SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-0}"; \
	$(PY) manage.py collectstatic --noinput --verbosity 0; \
	echo "Serving (production-like) on http://$(HOST):$(PORT)/"; \
	exec $(PY) -m gunicorn config.wsgi --bind $(HOST):$(PORT) \
	  --workers "$${WEB_CONCURRENCY:-2}" --access-logfile -

# Browser tests drive Debian's Chromium; install it when it is missing.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "warning: could not install chromium"; }

test: $(STAMP) browser-deps
	$(PY) manage.py makemigrations --check --dry-run >/dev/null
	$(PY) -m ruff check .
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

check: $(STAMP)
	$(PY) manage.py check

clean:
	rm -rf $(VENV) staticfiles
