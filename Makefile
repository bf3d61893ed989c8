# The two commands: `make run` (the sandbox when there is no bot token) and `make test`
# (and `make bench`, the benchmarks).
# Both create .venv and install Bearings with its test tools on first use, every package
# at the version and hash that requirements.lock gives (`make lock` refreshes it).

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
LOCK := requirements.lock

.PHONY: run test test-fast setup chromium bench lock clean

# Everything from the lock, each file checked against its hash (pip refuses a package that
# is not in the lock, or whose download does not match); then Bearings itself, built with
# the locked setuptools rather than one fetched for the build.
$(BIN)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

setup: $(BIN)/.installed chromium

# The dashboard's browser tests drive Debian's Chromium, never a downloaded browser: it is
# installed here when missing, if this runs as root with apt-get; otherwise those tests
# skip and say why.
chromium:
	@if ! command -v chromium >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] \
		&& command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the dashboard's browser tests."; \
		apt-get install -y --no-install-recommends chromium >/dev/null \
			|| echo "Could not install chromium: the dashboard's browser tests will skip."; \
	fi

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

# Resolve pyproject.toml's dependencies (runtime and dev) again at their newest allowed
# versions, for every platform and Python 3.11 up, with the hash of every file; review the
# diff, then `make setup` installs it.
lock: setup
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --upgrade --quiet --custom-compile-command "make lock" \
		--output-file $(LOCK)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
