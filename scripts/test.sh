#!/usr/bin/env bash
# Set up (once) and run the whole test suite, lint included. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-env.sh --test
.venv/bin/ruff check musitui tests bench scripts
exec .venv/bin/python -m pytest -q "$@"
