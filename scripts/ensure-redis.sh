#!/usr/bin/env bash
# Make sure a Redis server answers on 127.0.0.1:6379 for the tests of shared sign-in limits: use the
# running one, start an installed one, or install Debian's. Never fails the build: those tests then
# skip loudly.
set -u
ready() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
if ready; then echo "Redis: running"; exit 0; fi
if ! command -v redis-server >/dev/null 2>&1; then
  echo "Redis: not installed, installing Debian's redis-server"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null \
    || { echo "!!! Redis could not be installed"; exit 0; }
fi
redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save '' --appendonly no >/dev/null 2>&1 || true
for _ in $(seq 1 20); do ready && break; sleep 0.5; done
if ready; then echo "Redis: started"; else echo "!!! Redis did not start"; fi
