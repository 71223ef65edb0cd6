# Ottenok: every target installs what it needs first (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test chat knowledge diagram lint bench install clean screenshots

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The knowledge store is built first (with a progress line) when missing; then the service
# prints what to open in a browser.
run: $(STAMP)
	$(BIN)/ottenok knowledge --if-missing
	$(BIN)/ottenok run

chat: $(STAMP)
	$(BIN)/ottenok chat

test: $(STAMP)
	$(BIN)/python -m pytest

# The README's pictures, taken by the browser tests (Chromium is installed by them if missing).
screenshots: $(STAMP)
	OTTENOK_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/test_web_browser.py

knowledge: $(STAMP)
	$(BIN)/ottenok knowledge

diagram: $(STAMP)
	$(BIN)/ottenok diagram --write docs/diagrams --readme README.md

lint: $(STAMP)
	$(BIN)/ruff check ottenok adapters knowledge app tests bench tools
	$(BIN)/lint-imports

# Run from the repository root as modules, so `tools.shop_writer` and the packages import as in
# the tests.
bench: $(STAMP)
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python -m bench.$$(basename $$b .py) || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
