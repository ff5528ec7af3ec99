# Common tasks. `make run` starts the demo on http://127.0.0.1:8000 (`make run PORT=8001` for another port);
# `make test` runs the tests.
# Everything runs from the virtualenv in .venv, created and filled from pyproject.toml on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Extra pytest arguments, e.g. make test ARGS="tests/test_settings.py -k deploy"
ARGS ?=
# Port of `make run`; SITE_ROOT (the address in emails) follows it unless set.
PORT ?= 8000
SITE_ROOT ?= http://127.0.0.1:$(PORT)
# Parallel test workers (pytest-xdist): a number, "auto" (one per core) or 0 to run in one process.
WORKERS ?= auto

.PHONY: venv run test lint migrations-check messages bench

venv: $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

# Installs the dependencies listed in pyproject.toml (runtime and "dev"), again only when that file
# changes. The project itself is not installed: manage.py and pytest run it from this folder.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
		print("\n".join(p["dependencies"] + p["optional-dependencies"]["dev"]))' > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(VENV)/requirements.txt
	touch $(STAMP)

# The task worker runs in its own process group (it has a reloader child of its own) and is
# stopped when the server stops, e.g. on Ctrl-C.
run: $(STAMP)
	@set -e; export DEBUG=1 SITE_ROOT="$(SITE_ROOT)"; \
	$(PY) manage.py migrate --noinput; \
	if command -v msgfmt >/dev/null 2>&1; then \
		$(PY) manage.py compilemessages --ignore=$(VENV) --verbosity 0; \
	else \
		echo "msgfmt not found: using the committed .mo files"; \
	fi; \
	$(PY) manage.py load_demo; \
	setsid $(PY) manage.py run_worker & worker=$$!; \
	trap 'kill -TERM -$$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# pytest's exit code 5 ("no tests collected") is reported but does not fail the target.
test: $(STAMP)
	@status=0; $(VENV)/bin/pytest -rfEs $(if $(filter-out 0,$(WORKERS)),-n $(WORKERS)) \
		$(ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: no tests were collected"; status=0; fi; \
	exit $$status

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

migrations-check: $(STAMP)
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

messages: $(STAMP)
	DEBUG=1 $(PY) manage.py makemessages -l en --add-location file --no-wrap
	DEBUG=1 $(PY) manage.py compilemessages --ignore=$(VENV)

# The benchmark (bench/README.md): PostgreSQL with national-scale data, gunicorn, wrk (or hey), locust, LibreOffice
# when installed; writes bench/results.json. BENCH_QUICK=1 for a small data set, BENCH_ARGS for bench/run.py options.
bench: $(STAMP) $(VENV)/.bench-installed
	env -u DEBUG $(PY) bench/run.py $(BENCH_ARGS)

$(VENV)/.bench-installed: pyproject.toml | $(STAMP)
	$(PY) -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["bench"]))' \
		> $(VENV)/requirements-bench.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(VENV)/requirements-bench.txt
	touch $@
