#!/usr/bin/env bash
# Install the project with its test extra into .venv (created if missing), then
# run the linters, the type checker and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
.venv/bin/ruff check app tests
.venv/bin/ruff format --check app tests
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
