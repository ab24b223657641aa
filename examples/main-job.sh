#!/usr/bin/env bash
# The main job: installs what is missing, builds the reference server and the
# `animaforge` CLI, starts the server on its embedded default (SQLite, local files) with a
# fresh data directory on a free local port, and runs the API's complete workflow through
# the CLI: register, login (an API key is created and stored), generate the doc's prompt
# with a live progress bar, check the job, download the MP4 and its thumbnail into
# out/main-job/, publish it to the marketplace and find it by search. The server is always
# stopped (SIGTERM, then waited for), whatever happens. Re-runnable: every run has its own
# data directory and account.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$SECONDS

step() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nmain job failed: %s\n' "$*" >&2; exit 1; }

step "Installing what is missing"
bash tests/setup.sh
export ANIMAFORGE_PYTHON="$root/.venv/bin/python"

step "Building the server and the CLI (dev profile, like the tests)"
# Two invocations: the CLI is a feature of the `animaforge` crate, and a feature named
# as `animaforge/cli` next to another package does not select the CLI's binary.
cargo build --locked -p animaforge-server --bin animaforge-server
cargo build --locked -p animaforge --features cli --bin animaforge
target_dir="$(cargo metadata --format-version 1 --no-deps --locked |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
server_bin="$target_dir/debug/animaforge-server"
cli_bin="$target_dir/debug/animaforge"
for bin in "$server_bin" "$cli_bin"; do
  [ -x "$bin" ] || fail "the build did not produce $bin"
done

run_dir="$root/out/runs/$(date +%Y%m%d-%H%M%S)-$$"
results="$root/out/main-job"
mkdir -p "$run_dir" "$results"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base_url="http://127.0.0.1:$port/v1"

# The CLI gets its own config directory: the user's real config is never touched.
export ANIMAFORGE_CONFIG_DIR="$run_dir/config"
export ANIMAFORGE_BASE_URL="$base_url"
unset ANIMAFORGE_API_KEY
af() { "$cli_bin" "$@"; }

server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    echo "stopping the server (pid $server_pid)"
    kill -TERM "$server_pid"
    for _ in $(seq 1 300); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      echo "the server did not stop within 30 s; killing it" >&2
      kill -KILL "$server_pid" 2>/dev/null || true
    fi
    local code=0
    wait "$server_pid" 2>/dev/null || code=$?
    echo "server stopped (exit status $code); its log: $run_dir/server.log"
  fi
  server_pid=""
}
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "Starting animaforge-server on 127.0.0.1:$port (data in ${run_dir#"$root"/}/data)"
RUST_LOG="${RUST_LOG:-info,sqlx=warn}" "$server_bin" serve \
  --bind "127.0.0.1:$port" --data-dir "$run_dir/data" >"$run_dir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    tail -n 20 "$run_dir/server.log" >&2 || true
    fail "the server exited during startup"
  fi
  af --timeout 2 health >/dev/null 2>&1 && break
  sleep 0.1
done
af health || fail "the server did not become healthy"

stamp="$(date +%s)$$"
username="creator$stamp"
email="$username@example.com"
password="SecurePass123!"
prompt="A blue sphere rotating and morphing into a cube"

step "1. Register $username"
printf '%s\n' "$password" | af auth register --username "$username" --email "$email" --password-stdin

step "2. Login: an API key is created and stored"
printf '%s\n' "$password" | af auth login --email "$email" --password-stdin
key="$(af config get api_key)"
echo "animaforge config get api_key -> ${key:0:12}... (${#key} characters, in $(af config path))"

step "3. Generate \"$prompt\" (quality low) and wait"
af generate "$prompt" --quality low --wait | tee "$run_dir/generate.out"
job_id="$(head -n 1 "$run_dir/generate.out")"
[[ "$job_id" == job_* ]] || fail "generate printed no job id"

step "4. Check the job"
af jobs status "$job_id"
animation_id="$(af --json jobs status "$job_id" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["animation"]["id"])')"

step "5. Download the MP4 and its thumbnail into ${results#"$root"/}/"
af animations download "$animation_id" \
  --out "$results/animation.mp4" --thumbnail "$results/thumbnail.jpg"

step "6. Publish to the marketplace"
title="Blue sphere into cube $stamp"
published_id="$(af animations upload "$results/animation.mp4" --title "$title" \
  --description "$prompt" --tags sphere,cube,morph --license MIT --price 4.99 \
  --category math --wait)"
af animations get "$published_id"

step "7. Search for \"$title\""
af search "$title"
af --json search "$title" | grep -q "\"$published_id\"" ||
  fail "search did not find the published animation $published_id"
echo "found $published_id"

step "Stopping the server"
stop_server

step "Done in $((SECONDS - started)) s"
echo "video:     $results/animation.mp4"
echo "thumbnail: $results/thumbnail.jpg"
