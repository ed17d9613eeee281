# clientbase_crm — developer commands. Odoo 18.0 must be importable by python3 (see README).
SHELL := /bin/bash
SIZE ?= S
ROWS ?= 100000
USERS ?= 50
MINUTES ?= 5
REPLICA ?= 0

.PHONY: setup test test-pytest screenshots run lint bench bench-import forecast-check load help

help:
	@echo "make setup        install PostgreSQL, Chromium and Python requirements; start PostgreSQL; check Odoo 18.0"
	@echo "make test         the gate (CI): fresh database, clientbase_crm installed by Odoo's test runner running"
	@echo "                  all its tests (browser tours as a salesperson), then the end-to-end tests only an"
	@echo "                  outside client can run (XML-RPC, web client login) and the uninstall test"
	@echo "make test-pytest  opt-in: the addon's tests again under pytest-odoo, on a fresh database (parity check)"
	@echo "make screenshots  opt-in: refresh the README's pictures (docs/screenshots) from the 'make run' server"
	@echo "make run          demo database with a realistic client base, served on http://127.0.0.1:8069"
	@echo "make lint         pre-commit: ruff and pylint-odoo over the addon"
	@echo "make bench        SIZE=S|M|L segmentation benchmark"
	@echo "make bench-import ROWS=100000 client import benchmark"
	@echo "make load         SIZE=S|M USERS=50 MINUTES=5 [REPLICA=1] load test of the web client (locust) while the"
	@echo "                  nightly job runs; writes bench/results/load-<SIZE>.md"
	@echo "make forecast-check the next-purchase forecast against held-out months of the demo base (after make run)"

setup:
	bash scripts/setup.sh

test:
	bash scripts/test.sh

test-pytest:
	bash scripts/test_pytest.sh

screenshots:
	bash scripts/screenshots.sh

run:
	bash scripts/run.sh

lint:
	bash scripts/lint.sh

bench:
	bash bench/bench.sh $(SIZE)

bench-import:
	bash bench/bench_import.sh $(ROWS)

forecast-check:
	bash bench/forecast_check.sh

load:
	USERS=$(USERS) MINUTES=$(MINUTES) REPLICA=$(REPLICA) bash bench/load/load.sh $(SIZE)
