#!/usr/bin/env bash
# Installs what the main job and the test suite need, idempotently: Debian packages
# (Cairo and Pango for Manim, ffmpeg, bubblewrap), a Python virtual environment in
# .venv with Manim and the test tools, and the npm tools in node_modules.
# Source it or run it; it prints one line per step it had to take.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"

need_apt=()
for pkg in libcairo2-dev libpango1.0-dev pkg-config ffmpeg bubblewrap; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
done
if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_apt[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# Pinned so renders are reproducible; bump deliberately.
py_requirements=(
  "manim==0.22.0"
  "openapi-spec-validator==0.9.0"
  "schemathesis==4.32.5"
  "maturin==1.16.0"
  "mypy==2.4.1"
  "moto[server]==5.2.5"
)
stamp="$venv/.animaforge-requirements"
wanted="$(printf '%s\n' "${py_requirements[@]}")"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "setup: preparing the Python environment in .venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q "${py_requirements[@]}"
  printf '%s\n' "$wanted" > "$stamp"
fi

if [ ! -x "$root/node_modules/.bin/redocly" ]; then
  echo "setup: installing npm tools"
  (cd "$root" && npm ci --silent --no-audit --no-fund)
fi
