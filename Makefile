# ml-connector: `make run` for the demo, `make test` for the suite. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SANDBOX_PORT ?= 8100

.PHONY: run test test-slow lint bench install browser clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

.env:
	$(PY) scripts/make_dev_env.py > .env

run: $(STAMP) .env
	SANDBOX_PORT=$(SANDBOX_PORT) HOST=$(HOST) PORT=$(PORT) bash scripts/run.sh

browser:
	bash scripts/ensure_chromium.sh

test: $(STAMP) browser
	$(PY) -m pytest --ignore=tests/security --ignore=tests/slow -m "not slow" $(PYTEST_ARGS)

# The slower proofs: every URL for every role and tenant, secrets searched after every connector fails, real
# worker crashes and shutdowns, webhook bursts, long backfills and outages, the fault matrix of every client.
# Run by CI after `make test`.
test-slow: $(STAMP) browser
	$(PY) -m pytest tests/security tests/slow $(PYTEST_ARGS)
	$(PY) -m pytest -m slow --ignore=tests/security --ignore=tests/slow $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# The benchmark (README, Performance): starts simulators, a fresh database, workers and a web server itself.
# BENCH_ARGS e.g. "--quick" or "--records 20000"; DATABASE_URL=postgres://... runs it on PostgreSQL.
bench: $(STAMP) .env
	$(PY) manage.py bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles
