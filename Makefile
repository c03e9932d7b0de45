# bankmine: two commands for a fresh machine
#   make demo   set up, generate the demo bank, dbt seed + build, print a summary
#   make test   set up, run pytest, dbt build on a small generated bank, sqlfluff lint

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

DEMO_CUSTOMERS ?= 20000
DEMO_MONTHS ?= 24
SEED ?= 42

# make test builds into its own folders; never the demo's data/ or warehouse/bank.duckdb
TEST_DIR := $(CURDIR)/build/test
TEST_CUSTOMERS ?= 2000
TEST_MONTHS ?= 12

SIZES ?= 20000 200000

export DBT_PROFILES_DIR := $(CURDIR)

.PHONY: demo test setup lint pytest dbt-test bench clean lock publish

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	mkdir -p warehouse
	$(BIN)/bankmine demo --customers $(DEMO_CUSTOMERS) --months $(DEMO_MONTHS) --seed $(SEED) --out $(CURDIR)/data --db $(CURDIR)/warehouse/bank.duckdb

publish: setup
	$(BIN)/bankmine publish --db $(CURDIR)/warehouse/bank.duckdb --serving $(CURDIR)/warehouse/serving.duckdb

pytest: setup
	$(BIN)/python -m pytest pytests

dbt-test: setup
	$(BIN)/bankmine demo --customers $(TEST_CUSTOMERS) --months $(TEST_MONTHS) --seed $(SEED) --out $(TEST_DIR)/data --db $(TEST_DIR)/bank.duckdb
	BANKMINE_RAW=$(TEST_DIR)/data/raw BANKMINE_DB=$(TEST_DIR)/bank.duckdb $(BIN)/dbt docs generate --target-path $(TEST_DIR)/docs

lint: setup
	$(BIN)/ruff check bankmine pytests bench python_models
	$(BIN)/ruff format --check bankmine pytests bench python_models
	BANKMINE_DB=$(TEST_DIR)/lint.duckdb $(BIN)/sqlfluff lint models tests python_models

test: setup
	$(MAKE) --no-print-directory pytest
	$(MAKE) --no-print-directory dbt-test
	$(MAKE) --no-print-directory lint

bench: setup
	$(BIN)/python bench/run_bench.py --sizes $(SIZES) --update-readme

lock: setup
	$(BIN)/python -m pip freeze --exclude-editable > constraints.txt

clean:
	rm -rf build target logs
