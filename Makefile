# bankmine: two commands for a fresh machine
#   make demo   set up, generate the demo bank, dbt seed + build, print a summary
#   make test   set up, run pytest, dbt build on a small generated bank, sqlfluff lint
# and, after make demo:
#   make dashboard   the dashboard on http://localhost:$(BANKMINE_PORT) (serving copy, read-only)
#   make docs        dbt's documentation site with the lineage graph
#   make metrics     a query of the semantic layer through MetricFlow (its own venv)

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
BANKMINE_PORT ?= 8501
DOCS_PORT ?= 8080
SERVING ?= $(CURDIR)/warehouse/serving.duckdb
# the dashboard's browser test needs Debian's chromium; setup installs it when missing
BROWSER_STAMP := $(VENV)/.browser
# MetricFlow (dbt-metricflow) in its own venv: it installs beside the pinned dbt-core
# but brings its own dependency set, which the project's venv does not need
METRICS_VENV := .venv-metrics
METRICS_STAMP := $(METRICS_VENV)/.installed
METRICS_PINS := dbt-metricflow==0.15.0 metricflow==0.213.0 dbt-semantic-interfaces==0.9.0 dbt-core==1.11.16 dbt-duckdb==1.11.1 duckdb==2.0.1
METRICS ?= customers,deposit_balance,loan_balance,default_rate,net_promoter_score,aml_alerts
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export DBT_PROFILES_DIR := $(CURDIR)

.PHONY: demo test setup browser lint pytest dbt-test bench clean lock publish dashboard docs metrics

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

$(BROWSER_STAMP): $(STAMP)
	command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; }
	command -v chromium >/dev/null
	touch $(BROWSER_STAMP)

browser: $(BROWSER_STAMP)

demo: setup
	mkdir -p warehouse
	$(BIN)/bankmine demo --customers $(DEMO_CUSTOMERS) --months $(DEMO_MONTHS) --seed $(SEED) --out $(CURDIR)/data --db $(CURDIR)/warehouse/bank.duckdb

publish: setup
	$(BIN)/bankmine publish --db $(CURDIR)/warehouse/bank.duckdb --serving $(CURDIR)/warehouse/serving.duckdb

pytest: setup browser
	$(BIN)/python -m pytest pytests --durations=15

dbt-test: setup
	$(BIN)/bankmine demo --customers $(TEST_CUSTOMERS) --months $(TEST_MONTHS) --seed $(SEED) --out $(TEST_DIR)/data --db $(TEST_DIR)/bank.duckdb
	BANKMINE_RAW=$(TEST_DIR)/data/raw BANKMINE_DB=$(TEST_DIR)/bank.duckdb $(BIN)/dbt docs generate --target-path $(TEST_DIR)/docs

lint: setup
	$(BIN)/ruff check bankmine pytests bench python_models
	$(BIN)/ruff format --check bankmine pytests bench python_models
	BANKMINE_DB=$(TEST_DIR)/lint.duckdb $(BIN)/sqlfluff lint models tests python_models

# dbt-test first: the dashboard tests reuse its serving copy (the same bank) instead of
# building their own
test: setup
	$(MAKE) --no-print-directory dbt-test
	BANKMINE_TEST_SERVING=$(TEST_DIR)/serving.duckdb $(MAKE) --no-print-directory pytest
	$(MAKE) --no-print-directory lint

dashboard: setup
	BANKMINE_SERVING=$(SERVING) $(BIN)/streamlit run bankmine/dashboard/app.py --server.port $(BANKMINE_PORT) --server.address localhost --server.headless true --browser.gatherUsageStats false

docs: setup
	BANKMINE_RAW=$(CURDIR)/data/raw BANKMINE_DB=$(CURDIR)/warehouse/bank.duckdb $(BIN)/dbt docs generate --target-path $(CURDIR)/build/docs
	BANKMINE_RAW=$(CURDIR)/data/raw BANKMINE_DB=$(CURDIR)/warehouse/bank.duckdb $(BIN)/dbt docs serve --target-path $(CURDIR)/build/docs --port $(DOCS_PORT) --no-browser

$(METRICS_STAMP):
	test -x $(METRICS_VENV)/bin/python || $(PYTHON) -m venv $(METRICS_VENV)
	$(METRICS_VENV)/bin/python -m pip install --quiet $(METRICS_PINS)
	touch $(METRICS_STAMP)

# MetricFlow reads target/semantic_manifest.json, so parse into the default target first
metrics: $(METRICS_STAMP)
	BANKMINE_RAW=$(CURDIR)/data/raw BANKMINE_DB=$(CURDIR)/warehouse/bank.duckdb $(METRICS_VENV)/bin/dbt parse --quiet
	BANKMINE_RAW=$(CURDIR)/data/raw BANKMINE_DB=$(CURDIR)/warehouse/bank.duckdb $(METRICS_VENV)/bin/mf query --metrics $(METRICS) --group-by metric_time__month --order metric_time__month

bench: setup
	$(BIN)/python bench/run_bench.py --sizes $(SIZES) --update-readme

lock: setup
	$(BIN)/python -m pip freeze --exclude-editable > constraints.txt

clean:
	rm -rf build target logs
