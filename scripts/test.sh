#!/usr/bin/env bash
# Set up (once) and run the whole test suite, lint and type check included.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-env.sh --test
.venv/bin/ruff check musitui tests bench scripts
.venv/bin/python -m mypy  # the whole musitui package, as [tool.mypy] in pyproject.toml says
exec .venv/bin/python -m pytest -q "$@"
