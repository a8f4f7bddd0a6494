# Developer shortcuts. The commands are the README's; `bash .ci/run` is what CI runs.

PYTHON ?= python3
VENV ?= .venv
PYTEST_ARGS ?=

BIN := $(VENV)/bin
BENCHMARKS := $(wildcard benchmarks/*.py)

.DEFAULT_GOAL := help
.PHONY: help venv test lint fix docs bench clean

help:
	@echo "Targets:"
	@echo "  venv   create $(VENV) and install apidisco with its dev tools (only if $(VENV) is missing)"
	@echo "  test   run the test suite (extra arguments: PYTEST_ARGS='-k store -x')"
	@echo "  lint   ruff check, ruff format --check, mypy"
	@echo "  fix    ruff check --fix, ruff format"
	@echo "  docs   regenerate docs/cli.md with cog"
	@echo "  bench  run every benchmarks/*.py"
	@echo "  clean  remove build artefacts and caches (keeps $(VENV))"

venv:
	@if [ -d "$(VENV)" ]; then \
		echo "$(VENV) exists; remove it to rebuild"; \
	else \
		$(PYTHON) -m venv "$(VENV)" && "$(BIN)/pip" install -e '.[dev]'; \
	fi

test:
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Runs all three checks, then fails if any of them did.
lint:
	@status=0; \
	echo "$(BIN)/ruff check ."; $(BIN)/ruff check . || status=1; \
	echo "$(BIN)/ruff format --check ."; $(BIN)/ruff format --check . || status=1; \
	echo "$(BIN)/mypy"; $(BIN)/mypy || status=1; \
	exit $$status

fix:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

docs:
	$(BIN)/cog -r docs/cli.md

bench:
ifeq ($(strip $(BENCHMARKS)),)
	@echo "No benchmarks (benchmarks/*.py) to run."
else
	@set -e; for script in $(BENCHMARKS); do \
		echo "==> $$script"; \
		$(BIN)/python "$$script"; \
	done
endif

clean:
	rm -rf build dist htmlcov .coverage .pytest_cache .mypy_cache .ruff_cache
	find . -path './$(VENV)' -prune -o -name '__pycache__' -type d -prune -exec rm -rf {} +
	find . -path './$(VENV)' -prune -o -name '*.egg-info' -type d -prune -exec rm -rf {} +
