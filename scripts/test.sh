#!/usr/bin/env bash
# Set up (once) and run the whole test suite, lint and type check included.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-env.sh --test
.venv/bin/ruff check musitui tests bench scripts
.venv/bin/python -m mypy  # the whole musitui package, as [tool.mypy] in pyproject.toml says
# In parallel, one worker a core (pytest-xdist); tests that drive a device of their own share
# one worker (tests/conftest.py). `scripts/test.sh -n 0` runs it serially.
exec .venv/bin/python -m pytest -q -n auto --dist loadgroup "$@"
