#!/usr/bin/env bash
# Contract tests: starts the reference server (SQLite, no render
# workers so that fuzzed generate requests only queue), signs up a user, and runs
# schemathesis with every check (rate limits on, with quotas no run reaches) against openapi/animaforge.yaml. Expects the server
# binary to be built already (tests/run.sh builds it).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
server="$root/target/debug/animaforge-server"
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port/v1"

cleanup() {
  if [ -n "${server_pid:-}" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Quotas far above what a run sends: limiting stays on, so its headers are checked too.
export ANIMAFORGE_RATE_LIMIT_FREE_HOURLY=100000000 ANIMAFORGE_RATE_LIMIT_FREE_BURST=1000000
export ANIMAFORGE_RATE_LIMIT_ANONYMOUS_HOURLY=100000000 ANIMAFORGE_RATE_LIMIT_ANONYMOUS_BURST=1000000
ANIMAFORGE_WORKERS=0 \
  ANIMAFORGE_ARGON2_MEMORY_KIB=1024 ANIMAFORGE_ARGON2_ITERATIONS=1 \
  "$server" serve --bind "127.0.0.1:$port" --data-dir "$work/data" >"$work/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 100); do
  curl -fsS "$base/health" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$base/health" >/dev/null || { cat "$work/server.log"; exit 1; }

# A user and an API key for the authenticated operations.
token="$(curl -fsS -X POST "$base/auth/register" -H 'Content-Type: application/json' \
  -d '{"username":"contract","email":"contract@example.com","password":"Contract123!"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["token"])')"
key="$(curl -fsS -X POST "$base/api-keys" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d '{"name":"contract"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["api_key"]["key"])')"

# positive_data_acceptance is left out: some rules cannot be said in JSON Schema (an
# upload must really be an MP4, end_date within 366 days of start_date, min_duration
# not above max_duration, an expiry in the future), so schema-valid requests may
# rightly be refused. Every other check runs.
status=0
schemathesis run openapi/animaforge.yaml \
  --url "$base" \
  --header "Authorization: Bearer $key" \
  --checks all \
  --exclude-checks positive_data_acceptance \
  --max-examples "${CONTRACT_MAX_EXAMPLES:-15}" \
  --seed 20261204 \
  --workers 1 \
  --no-color \
  --warnings off \
  --report-dir "$work/report" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (tail) ---"
  tail -40 "$work/server.log"
fi
exit "$status"
