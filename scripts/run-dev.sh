#!/usr/bin/env bash
# `make run`: the web server with the job worker (exports, reminder computation) and the push worker
# (delivery) beside it; the workers stop with the server.
set -euo pipefail
FLASK="${FLASK:-.venv/bin/flask --app wsgi}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-5000}"

# VAPID keys are created once, on first run, into the instance folder (never committed).
$FLASK push keys --if-missing

$FLASK jobs work &
JOBS=$!
$FLASK push work &
WORKER=$!
cleanup() {
  kill "$WORKER" "$JOBS" 2>/dev/null || true
  wait "$WORKER" "$JOBS" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

$FLASK run --host "$HOST" --port "$PORT"
