# Every target installs what it needs from the project's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/content.db
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install test serve dev load check schema bench fuzz clean

# The venv is rebuilt whenever pyproject.toml changes.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

install: $(BIN)/.installed

load: install
	$(BIN)/content-api load content --db $(DB)

check: install
	$(BIN)/content-api check content

test: install
	$(BIN)/python -m pytest -q

serve: load
	$(BIN)/content-api serve --db $(DB) --host $(HOST) --port $(PORT)

schema: install
	$(BIN)/content-api export-schema > schema.graphql

clean:
	rm -rf $(VENV) data build .pytest_cache
