# Every target bootstraps its own virtual environment on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo scan test bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# The whole flow against an emulated GitHub: a pull request with real defects, reviewed in seconds.
demo: $(BIN)/.installed
	$(BIN)/python examples/demo.py

# The command-line scanner on the bundled vulnerable app (exit 1 means "findings", the point here).
scan: $(BIN)/.installed
	$(BIN)/auth-review scan examples/vulnerable_app || [ $$? -eq 1 ]

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q

bench: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python bench/scan.py
	$(BIN)/python bench/review.py
	$(BIN)/python bench/incremental.py

clean:
	rm -rf $(VENV) build *.egg-info
