#!/usr/bin/env bash
# Make sure a PostgreSQL server answers for the test suite: use the running one, start an installed
# one, or install Debian's. Never fails the build: the suite then skips its PostgreSQL half loudly.
set -u
ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || pg_isready -q 2>/dev/null; }
if ready; then echo "PostgreSQL: running"; exit 0; fi
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "PostgreSQL: not installed, installing Debian's postgresql"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null \
    || { echo "!!! PostgreSQL could not be installed"; exit 0; }
fi
version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
if [ -n "$version" ]; then
  pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || pg_ctlcluster "$version" main start 2>/dev/null || true
fi
for _ in $(seq 1 20); do ready && break; sleep 0.5; done
if ! ready; then echo "!!! PostgreSQL did not start"; exit 0; fi
# A fresh Debian server: a role for the current user and the test database.
user=$(id -un)
if command -v runuser >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  runuser -u postgres -- psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname='$user'" | grep -q 1 \
    || runuser -u postgres -- psql -qc "CREATE ROLE \"$user\" SUPERUSER LOGIN"
  runuser -u postgres -- psql -qtAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
    || runuser -u postgres -- createdb -O "$user" test
fi
echo "PostgreSQL: started"
