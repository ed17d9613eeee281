#!/usr/bin/env bash
# make lint: pre-commit with ruff and pylint-odoo (the OCA checks) over the project.
source "$(dirname "$0")/lib.sh"
cd "$REPO_DIR"
command -v pre-commit >/dev/null 2>&1 || $PYTHON -m pip install -q -r requirements.txt
if git rev-parse --git-dir >/dev/null 2>&1; then
  pre-commit run --all-files --show-diff-on-failure
else
  # not a git checkout (e.g. an exported tarball): run the same tools directly
  $PYTHON -m ruff check . && $PYTHON -m ruff format --check . \
    && $PYTHON -m pylint --rcfile=.pylintrc --disable=consider-merging-classes-inherited clientbase_crm clientbase_crm_demo clientbase_loyalty
fi
