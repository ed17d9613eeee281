# clientbase_crm — developer commands. Odoo 18.0 must be importable by python3 (see README).
SHELL := /bin/bash
SIZE ?= S

.PHONY: setup test run lint bench help

help:
	@echo "make setup   install PostgreSQL, Chromium and Python requirements; start PostgreSQL; check Odoo 18.0"
	@echo "make test    fresh database, install clientbase_crm, run all its tests"
	@echo "make run     demo database with a realistic client base, served on http://127.0.0.1:8069"
	@echo "make lint    pre-commit: ruff and pylint-odoo over the addon"
	@echo "make bench   SIZE=S|M|L segmentation benchmark"

setup:
	bash scripts/setup.sh

test:
	bash scripts/test.sh

run:
	bash scripts/run.sh

lint:
	bash scripts/lint.sh

bench:
	bash scripts/bench.sh $(SIZE)
