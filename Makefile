# coinvest — run the app and the tests from a fresh clone (needs Python 3.11+ and make).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501
DB ?= $(or $(COINVEST_DB),data/coinvest.duckdb)
STAMP := $(VENV)/.installed
# The gettext catalogues, compiled at install (the app compiles a stale or missing one in memory).
PO := $(wildcard src/coinvest/locale/*/LC_MESSAGES/coinvest.po)
MO := $(PO:.po=.mo)

.PHONY: install browser-deps pg-deps run demo test check test-fast test-slow screenshots lint bench bench-xl bench-links bench-metrics clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "coinvest needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP) $(MO)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

# Debian's Chromium for the browser tests (as root; never `playwright install`).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "Chromium is missing: run 'sudo apt-get install chromium' for the browser tests."; \
		fi; }

# Debian's PostgreSQL for the tests on the second engine (as root): the tests start a throwaway
# server of their own, in a temporary folder on a free port; without it those tests skip.
pg-deps:
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
		else \
			echo "PostgreSQL is missing: run 'sudo apt-get install postgresql' to test the PostgreSQL engine too."; \
		fi; }

demo: install
	$(BIN)/coinvest demo --db "$(DB)"

# a new DuckDB file gets the demo portfolio; a PostgreSQL URL is used as it is
run: install
	@case "$(DB)" in postgres://*|postgresql://*) ;; *) test -f "$(DB)" || $(BIN)/coinvest demo --db "$(DB)";; esac
	COINVEST_DB="$(DB)" $(BIN)/python serve.py --server.port $(PORT) \
		--server.address 127.0.0.1 --server.headless true --browser.gatherUsageStats false

# On every core (pytest-xdist): each worker has its own database files and PostgreSQL server.
WORKERS ?= auto
test: install browser-deps pg-deps check
	$(BIN)/python -m pytest -m "not slow" -n $(WORKERS) --dist worksteal --ignore=tests/browser
	$(BIN)/python -m pytest -m "not slow" tests/browser

# The plan enforced: lint, the import contracts of pyproject.toml, and types.
check: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# the slow ones: pages on PostgreSQL, the long end-to-end checks, then the browser's, one at a
# time (Chromium and the app servers need the cores), and the load test in a run of its own (its
# twenty asynchronous sessions need the machine, and an event loop no other test holds)
test-slow: install browser-deps pg-deps
	$(BIN)/python -m pytest -m slow -n $(WORKERS) --dist worksteal --ignore=tests/browser
	$(BIN)/python -m pytest -m slow tests/browser --ignore=tests/browser/test_load.py
	$(BIN)/python -m pytest -m slow tests/browser/test_load.py -s

test-fast: install
	$(BIN)/python -m pytest -m "not slow" -n $(WORKERS) --dist worksteal --ignore=tests/browser

screenshots: install browser-deps
	$(BIN)/python -m tests.browser.screenshots --out docs --pages overview,compare,viewpoints,project,needs,whatif
	$(BIN)/python -m tests.browser.screenshots --out docs --pages territories --query ""

# S, M and L on DuckDB, L on PostgreSQL too (about an hour); XL on its own (not in CI).
bench: install browser-deps pg-deps
	$(BIN)/python bench/bench.py --tiers S,M,L --runs 5 --postgres L

bench-xl: install browser-deps
	$(BIN)/python bench/bench.py --tiers XL --runs 2 --browser-runs 1 --postgres ""

# a shared link against opening the page, on the demo (bench/LINKS.md)
bench-links: install browser-deps
	$(BIN)/python bench/links.py --runs 5

bench-metrics: install
	$(BIN)/python bench/bench_metrics.py --tiers M,L

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache src/*.egg-info
