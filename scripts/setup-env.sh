#!/usr/bin/env bash
# Installs what musitui needs on a Debian/Ubuntu machine, once: system libraries (apt) and a
# virtual environment in .venv with musitui in it. Safe to run again: it only does what is missing.
#   scripts/setup-env.sh            runtime only
#   scripts/setup-env.sh --test     also the test tools and the packages the tests need
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

apt_packages=(libportaudio2 libsndfile1)
if [ "$want_test" = 1 ]; then
  apt_packages+=(pulseaudio libasound2-plugins tmux dbus playerctl)
fi

missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python_bin="${PYTHON:-python3}"
if ! "$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "setup: musitui needs Python >= 3.11 ($python_bin is older or missing)" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv" >&2
  "$python_bin" -m venv .venv 2>/dev/null || {
    echo "setup: python3 -m venv failed; installing python3-venv" >&2
    sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq python3-venv >/dev/null
    "$python_bin" -m venv .venv
  }
fi

extras=""
[ "$want_test" = 1 ] && extras="[test]"
stamp=".venv/.musitui-installed${extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing musitui${extras} into .venv (first time takes a few minutes)" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras}"
  touch "$stamp"
fi
