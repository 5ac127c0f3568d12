# dyads — newcomers run `make demo` and `make test` on a fresh machine (Python 3.11).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Re-install when the dependency list changes; otherwise `install` is a no-op.
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-10)
PYTEST_ARGS ?=

.PHONY: install system-deps web-assets demo test test-fast lint format bench eval train clean help

help:
	@echo "make demo    - create .venv, install dyads, code the bundled samples and store them"
	@echo "make test    - install if needed and run the whole test suite (what .ci/run calls)"
	@echo "make lint    - ruff check and format check"
	@echo "make bench   - throughput, memory, API, load and reliability benchmarks (writes docs/benchmarks.md, docs/reliability.md)"
	@echo "make eval    - accuracy against the reference sets (writes docs/quality.md)"
	@echo "make train   - retrain the CAMEO sub-code model from training/cameo (writes src/dyads/data/models/)"

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev,spark,pandas]"
	rm -f $(VENV)/.installed-*
	touch $@

# Debian packages the tests start for real: a JRE for pyspark, Chromium for the dashboard test.
system-deps:
	@missing=""; \
	command -v java >/dev/null 2>&1 || missing="$$missing openjdk-17-jre-headless"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    (apt-get install -y --no-install-recommends $$missing >/dev/null 2>&1 || \
	     (apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends $$missing >/dev/null)); \
	  else echo "warning: missing$$missing (not root); the spark/browser tests will be skipped"; fi; \
	fi

# -- dashboard assets: Natural Earth country outlines from npm (pinned in web/package-lock.json)
WEB_VENDOR := src/dyads/web/static/vendor/world-atlas
web-assets: $(WEB_VENDOR)/countries-110m.json
$(WEB_VENDOR)/countries-110m.json: web/package.json web/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix web --ignore-scripts --no-audit --no-fund --loglevel=error && \
	  mkdir -p $(WEB_VENDOR) && \
	  cp web/node_modules/world-atlas/countries-110m.json web/node_modules/world-atlas/LICENSE $(WEB_VENDOR)/; \
	else echo "warning: npm not found: the dashboard map has no country outlines"; fi

demo: install web-assets
	$(BIN)/dyads code samples/ --format table
	rm -f dyads.duckdb dyads.duckdb.wal
	$(BIN)/dyads ingest samples/ --db dyads.duckdb
	$(BIN)/dyads stats --db dyads.duckdb
	$(BIN)/dyads dyad --db dyads.duckdb USA ISR --by month

test: install system-deps web-assets
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

format: install
	$(BIN)/ruff check --fix src tests benchmarks scripts
	$(BIN)/ruff format src tests benchmarks scripts

bench: install system-deps web-assets
	$(BIN)/python benchmarks/throughput.py
	$(BIN)/python benchmarks/store_voa.py
	$(BIN)/python benchmarks/api_latency.py
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/reliability_report.py

eval: install
	$(BIN)/dyads eval --write docs/quality.md

train: install
	$(BIN)/python scripts/train_subcodes.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache dyads.duckdb web/node_modules
