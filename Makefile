# Every target bootstraps its own virtual environment on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# Scan the bundled vulnerable sample app (exit 1 means "findings", which is the point here).
demo: $(BIN)/.installed
	$(BIN)/auth-review scan examples/vulnerable_app || [ $$? -eq 1 ]

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q

bench: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python bench/scan.py

clean:
	rm -rf $(VENV) build *.egg-info
