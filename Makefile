# Every target bootstraps its own virtual environment on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo scan test lint typecheck typecheck-baseline check bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,dev]"
	touch $@

# The whole flow against an emulated GitHub: a pull request with real defects, reviewed in seconds.
demo: $(BIN)/.installed
	$(BIN)/python examples/demo.py

# The command-line scanner on the bundled vulnerable app (exit 1 means "findings", the point here).
scan: $(BIN)/.installed
	$(BIN)/auth-review scan examples/vulnerable_app || [ $$? -eq 1 ]

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q

# ruff's rule set and mypy's settings live in pyproject.toml ([tool.ruff], [tool.mypy]).
lint: $(BIN)/.installed
	$(BIN)/python -m ruff check .

# Strict on the leaf modules; elsewhere no more errors than devkit/mypy-baseline.txt (which only goes down).
typecheck: $(BIN)/.installed
	$(BIN)/python devkit/typecheck.py

typecheck-baseline: $(BIN)/.installed
	$(BIN)/python devkit/typecheck.py --update

# What CI runs: lint, types, then the tests.
check: lint typecheck test

bench: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python bench/scan.py
	$(BIN)/python bench/review.py
	$(BIN)/python bench/incremental.py

clean:
	rm -rf $(VENV) build *.egg-info
