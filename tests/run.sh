#!/usr/bin/env bash
# Runs every check and test of the project from a fresh clone: installs what is missing,
# then formatting, lints, the spec linters, type checks, and the whole test suite on
# SQLite and (when reachable, always under CI=true) PostgreSQL.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

step() { printf '\n==> %s\n' "$*"; }

step "Installing what is missing"
bash tests/setup.sh
export ANIMAFORGE_PYTHON="$root/.venv/bin/python"
export PATH="$root/.venv/bin:$PATH"

step "Formatting (cargo fmt --check)"
cargo fmt --all -- --check

step "Building the workspace and its tests (one dev profile for everything)"
cargo build --workspace --all-targets --locked

step "Lints (clippy -D warnings)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Linting the OpenAPI spec with two validators"
bash openapi/lint.sh

step "Type-checking the Python sources"
mapfile -t py_sources < <(git ls-files '*.py')
if [ "${#py_sources[@]}" -gt 0 ]; then
  mypy --strict --no-error-summary "${py_sources[@]}"
fi

step "Contract tests: schemathesis against the running reference server"
bash tests/contract.sh

step "Doctests"
cargo test --workspace --doc --locked

step "Running every test"
if [ "${CI:-}" != "true" ] && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "notice: PostgreSQL is not reachable on 127.0.0.1:5432; its tests will be skipped"
fi
cargo nextest run --workspace --locked --no-fail-fast
