#!/usr/bin/env bash
# Lints openapi/animaforge.yaml with two independent validators:
#   1. openapi-spec-validator (Python): the document against the OpenAPI 3.1 schema;
#   2. redocly lint (Node): the recommended ruleset, made stricter by ./redocly.yaml
#      (example validation, required headers on every response, ...).
# Both must pass; a redocly warning fails the lint too, so the spec stays warning-free.
# Run from anywhere: `bash openapi/lint.sh`. tests/setup.sh installs both tools.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
spec="openapi/animaforge.yaml"

validator="$root/.venv/bin/openapi-spec-validator"
redocly="$root/node_modules/.bin/redocly"
for tool in "$validator" "$redocly"; do
  if [ ! -x "$tool" ]; then
    echo "lint: $tool is missing; run: bash tests/setup.sh" >&2
    exit 2
  fi
done

# The linter stays on this machine: no usage reports, no update checks.
export REDOCLY_TELEMETRY=off
export REDOCLY_SUPPRESS_UPDATE_NOTICE=true

status=0

echo "lint: openapi-spec-validator $spec"
"$validator" "$spec" || status=1

echo "lint: redocly lint $spec (config redocly.yaml)"
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
if ! "$redocly" lint "$spec" --config redocly.yaml --format stylish >"$report" 2>&1; then
  status=1
fi
# Drop the Node.js version banner redocly prints on every run; keep its findings.
grep -v -e '[╔║╚]' "$report" | sed '/^[[:space:]]*$/d' || true
if grep -Eq '[0-9]+ warnings?' "$report"; then
  echo "lint: redocly reported warnings; fix them or justify an exception in redocly.yaml" >&2
  status=1
fi

if [ "$status" -eq 0 ]; then
  echo "lint: $spec passes both validators"
fi
exit "$status"
