# `make run` and `make test` set everything up on a fresh clone (see README.md).
VENV := .venv
PYTHON := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: install run test lint check

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# A local secret key, made once and never committed; URL-safe characters only,
# since django-environ reads a value starting with $ as another variable's name.
.env: | $(VENV)/.installed
	$(PYTHON) -c "import secrets; print(f'SECRET_KEY={secrets.token_urlsafe(50)}')" > $@

# Notices print in this terminal (the console backend) unless EMAIL_URL is set, in
# the environment or in .env.
run: export EMAIL_URL := $(or $(EMAIL_URL),$(shell sed -n 's/^EMAIL_URL=//p' .env 2>/dev/null | tail -n 1),consolemail://)
run: install .env
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) manage.py load_initial_data
	$(PYTHON) manage.py collectstatic --noinput --verbosity 0
	@echo "Serving on http://$(HOST):$(PORT)/, with the task worker beside it (Ctrl-C stops both)"
	@echo "Editors sign in at http://$(HOST):$(PORT)/admin/. For a first account:"
	@echo "  $(PYTHON) manage.py createsuperuser   (README.md explains the Editors and Publishers groups)"
	@# Absolute addresses name where this serves, unless SITE_URL is set (or in .env);
	@# the worker needs them too, for the links in its emails.
	SITE_URL="$${SITE_URL:-$$(sed -n 's/^SITE_URL=//p' .env | tail -n 1)}"; \
	SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}" \
	$(PYTHON) -m background.together \
	  "$(VENV)/bin/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile -" \
	  "$(PYTHON) manage.py worker"

# axe-core for the accessibility tests; without npm those tests skip (CI has npm).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the accessibility tests will be skipped"; fi

# PYTEST_ARGS narrows a run, e.g. PYTEST_ARGS='-m "not browser"' for a quick one.
test: install node_modules/.installed
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

check: install
	DEBUG=1 $(PYTHON) manage.py check
	DEBUG=1 $(PYTHON) manage.py makemigrations --check --dry-run

# Backups (README.md, “Backups”): `make backup` writes backups/factsheets-<UTC
# time>.jsonl.gz; `make restore FILE=...` loads one into an empty, migrated database,
# after telling the accounts and permissions it creates. RESTORE_ARGS=--accept-unsigned
# for a file not signed with this site's key, --noinput not to be asked.
.PHONY: backup restore
backup: install
	$(PYTHON) manage.py backup

restore: install
	@test -n "$(FILE)" || { echo "Say which backup: make restore FILE=backups/..."; exit 2; }
	$(PYTHON) manage.py restore $(RESTORE_ARGS) "$(FILE)"

# Benchmarks (bench/README.md): wrk against gunicorn on PostgreSQL and Redis, and
# Lighthouse. Not part of `make test`; BENCH_ARGS=--quick for 2 s runs (and a
# shorter busy day).
.PHONY: bench lighthouse
bench: install
	$(PYTHON) bench/run.py $(BENCH_ARGS)

lighthouse: install
	$(PYTHON) bench/lighthouse.py

# A busy day (bench/busy_day.py): readers over the whole catalogue, quiet, while an
# editor saves every second and a publisher publishes every 10 s, and after a cold
# start. LOAD_ARGS=--help lists the options.
.PHONY: load
load: install
	$(PYTHON) bench/load.py $(LOAD_ARGS)

# What a page costs a worker when the page cache does not have it, in the process,
# with a profiler on request (RENDER_ARGS=--profile). Needs PostgreSQL only.
.PHONY: render-bench
render-bench: install
	$(PYTHON) bench/render.py $(RENDER_ARGS)

# What a sheet's change form in the admin costs a worker, its GET and its POST (a
# minor change of one section), in the process (ADMIN_ARGS=--profile for where the
# time goes). Needs PostgreSQL only.
.PHONY: admin-bench
admin-bench: install
	$(PYTHON) bench/admin_form.py $(ADMIN_ARGS)

# One alert to 10,000, 50,000 and 100,000 readers over SMTP to a local sink, and
# their daily digests (bench/README.md). Needs PostgreSQL only; ALERTS_ARGS=--quick
# for 2,000 and 10,000, ALERTS_ARGS=--help for the options.
.PHONY: alerts-bench
alerts-bench: install
	$(PYTHON) bench/alerts.py $(ALERTS_ARGS)
