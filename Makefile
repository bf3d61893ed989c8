# The two commands: `make run` (the sandbox when there is no bot token) and `make test`
# (and `make bench`, the benchmarks).
# Both create .venv and install Bearings with its test tools on first use.

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: run test test-fast setup bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

setup: $(BIN)/.installed

run: setup
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ] || grep -qs '^TELEGRAM_BOT_TOKEN=..*' .env; then \
		$(BIN)/bearings run; \
	else \
		echo "No TELEGRAM_BOT_TOKEN: starting the sandbox (no Telegram needed)."; \
		$(BIN)/bearings sandbox; \
	fi

# Four workers: most tests wait on HTTP, the database and child processes rather than the CPU,
# so even on two cores this keeps the run under ten minutes (each worker makes its own
# PostgreSQL database). The reliability battery runs in two lanes from the start (see
# pytest_collection_modifyitems in tests/conftest.py).
test: setup
	$(BIN)/python -m pytest -n 4 --dist loadgroup

# The fast tier for the edit-test loop: the domain (tests/unit) and service (tests/integration)
# tests, each on an in-memory SQLite database, no PostgreSQL, no bot processes (about 25 s).
test-fast: setup
	BEARINGS_FAST=1 $(BIN)/python -m pytest -n 2 -q tests/unit tests/integration

# Every benchmark (several minutes; see docs/performance.md), one summary table.
bench: setup
	$(BIN)/python -m bench.all

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
