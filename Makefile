# Every target creates .venv and installs what it needs from PyPI, so each works from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser demo serve test test-all lint typecheck pytest pytest-slow \
	coverage-kernels bench docs clean

# The coverage the default tier must reach (lines of src/detente, the numba kernels included).
COVERAGE_FLOOR := 94

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,fast,dask,docs,web]'
	touch $(STAMP)

install: $(STAMP)

# The report's browser test drives Debian's chromium through Playwright (never `playwright
# install`, which downloads a browser). Install it when missing and we can (root with apt-get);
# otherwise say why, and the test skips with that reason.
CHROMIUM := /usr/bin/chromium
browser:
	@if [ -x $(CHROMIUM) ]; then \
		echo "browser: $(CHROMIUM) is installed"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "browser: installing chromium with apt-get (for the report's browser test)"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium \
		|| { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
		     --no-install-recommends chromium; } \
		|| echo "browser: apt-get could not install chromium; the browser test will skip"; \
	else \
		echo "browser: $(CHROMIUM) is missing and apt-get needs root; the browser test will skip"; \
	fi

demo: $(STAMP)
	$(BIN)/detente forecast six-party-2004

# The browser workbench on http://127.0.0.1:8765, opened on the bundled six-party scenario.
serve: $(STAMP)
	$(BIN)/detente serve six-party-2004 --open

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks conftest.py docs/conf.py
	$(BIN)/ruff format --check src tests benchmarks conftest.py docs/conf.py
	$(BIN)/codespell src tests docs benchmarks README.md CHANGELOG.md CONTRIBUTING.md
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy src

# The default tier with coverage, on two processes (pytest-xdist: 2 min 15 s instead of 4.5 to
# 5 on two cores), after the numba kernels are compiled once into their cache (each worker
# would compile them under coverage: the tier took 7 min on a fresh clone); then the numba kernels' tests once more with the JIT off, so
# that coverage sees the kernels' lines (it never sees compiled code); then the floor. --cov
# takes the source path: for a dotted name coverage imports detente, then unloads it, and
# numpy 2 refuses a second import.
pytest: $(STAMP) browser
	$(BIN)/python tests/warm_kernels.py
	$(BIN)/pytest -n 2 --cov=src/detente --cov-report=
	NUMBA_DISABLE_JIT=1 $(BIN)/pytest tests/test_smp.py -k "kernel or compiled or l1" \
		-p no:cacheprovider --cov=src/detente --cov-append --cov-report= -q
	NUMBA_DISABLE_JIT=1 $(BIN)/pytest tests/test_exchange.py -k "kernel" -m "slow or not slow" \
		-p no:cacheprovider --cov=src/detente --cov-append --cov-report= -q
	$(BIN)/coverage report --fail-under=$(COVERAGE_FLOOR) --skip-covered --sort=cover

# The slow tier (tests marked @pytest.mark.slow), without coverage, on two processes (the
# calibration's rebuild from DEU III alone takes about four minutes).
pytest-slow: $(STAMP) browser
	$(BIN)/pytest -m slow -n 2

# The documentation site: the pages of docs/ and the API reference from the docstrings, as HTML
# in build/docs/html. Warnings are errors (-W; --keep-going lists them all first). -E reads
# every page each time: an incremental build would not repeat the warnings of unchanged pages.
docs: $(STAMP)
	$(BIN)/sphinx-build -E -W --keep-going -q -b html docs build/docs/html -d build/docs/doctrees

test: lint typecheck pytest docs

test-all: test pytest-slow

# Coverage never sees numba-compiled code, so the kernels' tests run here with the JIT off (the
# kernels as plain Python, still bit-for-bit numpy's).
coverage-kernels: $(STAMP)
	NUMBA_DISABLE_JIT=1 $(BIN)/pytest tests/test_smp.py -k "kernel or compiled or l1" \
		-p no:cacheprovider --cov=src/detente/models/smp --cov-report=term-missing -q
	NUMBA_DISABLE_JIT=1 $(BIN)/pytest tests/test_exchange.py -k "kernel" -m "slow or not slow" \
		-p no:cacheprovider --cov=src/detente/models/exchange --cov-report=term-missing -q

# The analyses' benchmark compares this tree with the sources of the code before a change
# (a checkout of main: MAIN_SRC=path/to/main/src), both in the same run.
MAIN_SRC ?= /work/main/src

bench: $(STAMP)
	$(BIN)/python benchmarks/run_startup.py
	$(BIN)/python benchmarks/run_eum.py
	$(BIN)/python benchmarks/run_analysis.py --main $(MAIN_SRC)
	$(BIN)/python benchmarks/run_simulate.py
	$(BIN)/python benchmarks/run_sweep.py
	$(BIN)/python benchmarks/run_exchange.py
	$(BIN)/python benchmarks/run_smp.py
	$(BIN)/python benchmarks/run_deu3.py
	$(BIN)/python benchmarks/run_extract.py
	$(BIN)/python benchmarks/run_web.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
