# Ottenok: every target installs what it needs first (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test chat knowledge diagram lint bench install clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/ottenok run

chat: $(STAMP)
	$(BIN)/ottenok chat

test: $(STAMP)
	$(BIN)/python -m pytest

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
