# duban — two commands on a fresh machine: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: run test test-sqlite test-postgres bench vendor browser messages clean

$(BIN)/duban: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/duban
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/duban
	$(BIN)/duban manage migrate --noinput
	$(BIN)/duban demo --if-empty
	$(BIN)/duban serve

# Debian's Chromium and CJK fonts for the browser tests (never `playwright install`).
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q chromium fonts-noto-cjk >/dev/null || (apt-get update -q && apt-get install -y -q chromium fonts-noto-cjk); \
	  else echo "browser tests need: sudo apt-get install -y chromium fonts-noto-cjk"; exit 1; fi; fi

test: $(VENV)/.test-deps browser
	$(MAKE) test-sqlite
	@if [ -n "$$DUBAN_TEST_POSTGRES" ]; then $(MAKE) test-postgres; else echo "(PostgreSQL run skipped: set DUBAN_TEST_POSTGRES=1 to run the suite on $(PG_URL) too)"; fi

test-sqlite: $(VENV)/.test-deps
	env -u DUBAN_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(VENV)/.test-deps
	DUBAN_DATABASE_URL=$(if $(filter-out 1,$(DUBAN_TEST_POSTGRES)),$(DUBAN_TEST_POSTGRES),$(PG_URL)) $(BIN)/pytest $(PYTEST_ARGS)

bench: $(VENV)/.test-deps
	$(BIN)/python -m bench
	$(BIN)/python bench/sweep_bench.py
	$(BIN)/python -m bench.appeals
	$(BIN)/python -m bench.projects
	$(BIN)/python -m bench.dashboard

vendor:
	bash tools/vendor.sh

# Re-extract the translatable strings into locale/en and compile it (translate what it reports, run again).
messages: $(BIN)/duban
	PYTHON=$(abspath $(BIN))/python bash tools/i18n.sh

clean:
	rm -rf $(VENV) var/static .pytest_cache
