# The two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast setup migrate demo lint format check serve bench browser-deps checker-deps fault-deps nginx-deps faults backup restore fuzz lock static-checks clean

# Dependencies come from requirements.lock (every package pinned, the tools
# too); pyproject.toml says what the project needs, `make lock` pins it.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Pin every dependency (and the tools: ruff, pytest, pip-tools) again from
# pyproject.toml, to the newest versions the ranges there allow.
lock: $(STAMP)
	$(PY) -m piptools compile --quiet --upgrade --extra dev --strip-extras --allow-unsafe \
	  --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

setup: $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo
	$(PY) manage.py ensure_admin

# The task worker (mail, daily jobs: advice/mailqueue.py, advice/tasks.py)
# runs in the background beside the server and stops with it.
run: demo
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production-like server: DEBUG off, gunicorn, WhiteNoise serving hashed and
# compressed static files (collected first). TLS belongs to the proxy in
# production; here SECURE_SSL_REDIRECT defaults to off so plain
# http://$(HOST):$(PORT) answers. Without SECRET_KEY a random key is made for
# this run only (sessions end when it stops): for local serving, never for
# production. Workers: WEB_CONCURRENCY (default 2), each with GUNICORN_THREADS
# threads (default 4: a request waiting on the database's write lock holds a
# thread, not the worker, so readers are still answered), each worker with a
# listening socket of its own (--reuse-port: the kernel spreads new
# connections over the workers; on one shared socket a burst of keep-alive
# connections, wrk's or nginx's, can all land on one worker and leave the
# other idle, halving throughput); one task worker
# (`manage.py db_worker`) runs beside them and stops with them.
serve: migrate
	@set -e; \
	if [ -z "$$SECRET_KEY" ]; then \
	  SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')"; \
	  echo "SECRET_KEY is not set: using a random key for this local run only."; \
	fi; \
	export SECRET_KEY DEBUG=0 ALLOWED_HOSTS="$${ALLOWED_HOSTS:-$(HOST),localhost}" \
	  SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-0}" CONN_MAX_AGE="$${CONN_MAX_AGE:-60}"; \
	$(PY) manage.py collectstatic --noinput --verbosity 0; \
	echo "Serving (production-like) on http://$(HOST):$(PORT)/, with a task worker"; \
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) -m gunicorn config.wsgi --bind $(HOST):$(PORT) --reuse-port \
	  --workers "$${WEB_CONCURRENCY:-2}" --threads "$${GUNICORN_THREADS:-4}" --access-logfile -

# Browser tests drive Debian's Chromium; install it when it is missing.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "warning: could not install chromium"; }

# The fault suite (tests/faults/) stops a Redis of its own: Debian's
# redis-server. Its PostgreSQL rows use Debian's initdb/pg_ctl (postgresql).
fault-deps:
	@command -v redis-server >/dev/null 2>&1 || { \
	  echo "Installing Debian's redis-server for the fault suite"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) \
	  || echo "warning: could not install redis-server"; }
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "Installing Debian's postgresql for the fault suite's private cluster"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
	  || echo "warning: could not install postgresql"; }

# The front-cache test (tests/test_nginx_front.py) runs deploy/nginx.conf in
# Debian's nginx (and makes its certificate with openssl).
nginx-deps:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  echo "Installing Debian's nginx for the front-cache test"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx openssl >/dev/null) \
	  || echo "warning: could not install nginx"; }

# Faults under load alone (cache, database, mail, workers; a few minutes):
# the table of figures is printed and written to ci-output/faults.md.
faults: $(STAMP) fault-deps
	$(PY) -m pytest --no-cov -m faults -p no:randomly tests/faults

# A consistent copy of the database (SQLite's online backup, or pg_dump) and
# the uploaded media while the site runs, into backups/<timestamp>/; `make
# restore BACKUP=backups/<timestamp>` brings it back (FORCE=1 to replace a
# database that holds content). advice/backup.py.
backup: $(STAMP)
	$(PY) manage.py backup_site

restore: $(STAMP)
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=backups/<timestamp> [FORCE=1]"; exit 2; }
	$(PY) manage.py restore_site "$(BACKUP)" $(if $(FORCE),--force)

# The browser tests' checkers: axe-core and the W3C Nu HTML checker (vnu-jar),
# pinned in package.json / package-lock.json. vnu-jar runs on Debian's Java;
# its install script (which would fetch a Java of its own) is skipped.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "Installing Debian's nodejs and npm for the browser tests' checkers"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

checker-deps: node_modules/.installed
	@command -v java >/dev/null 2>&1 || { \
	  echo "Installing Debian's Java for the HTML checker (vnu-jar)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    default-jre-headless >/dev/null) || echo "warning: could not install Java"; }

# The whole suite, in random order (pytest-randomly; the seed is printed and
# `--randomly-seed=N` repeats an order), with a coverage
# report (a report, not a gate). Lint, format and import-layer checks first.
# PYTEST_ARGS adds pytest options (CI's second run, on PostgreSQL, passes
# `--no-cov -m "not browser"`: the browser suite proves the same on either
# database, and one coverage report is enough).
test: $(STAMP) browser-deps checker-deps fault-deps nginx-deps static-checks
	$(PY) -m pytest --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

# For iteration: everything but the tests marked slow (servers, browsers,
# threads, large inputs), under two minutes. `make test` and CI run them all.
test-fast: $(STAMP) static-checks
	$(PY) -m pytest -m "not slow"

static-checks: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run >/dev/null
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

# The hostile-input fuzz at full size: 20,000 hypothesis examples per public
# form and query parameter (`make test` runs FUZZ_EXAMPLES, 2,000 by default).
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-20000} $(PY) -m pytest tests/security/test_fuzz.py -s

# Load test of the production-like server (bench/bench.py): Debian's wrk on
# loopback, ~4 minutes, its own database (SQLite temp file, or the PostgreSQL
# DATABASE_URL whose name contains "bench", dropped and made again).
# BENCH_ONLY=writers runs the comment writers alone (notifications off / on).
bench: $(STAMP) nginx-deps
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing Debian's wrk for the benchmark"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) bench/bench.py

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
