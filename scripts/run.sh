#!/usr/bin/env bash
# Set up (once) and open musitui: on FOLDER if given, else your remembered folders or ~/Music,
# else it offers to create and open the demo library. Extra options go to musitui.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup-env.sh"
exec "$root/.venv/bin/musitui" "$@"
