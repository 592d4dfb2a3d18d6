# Zhibu (支部通). Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
APT_GET := $(if $(filter 0,$(shell id -u)),apt-get,sudo apt-get)

.PHONY: install lock lint run serve test test-js test-sqlite test-postgresql e2e system-deps bench-deps postgres redis bench clean

install: $(VENV)/.installed

# Installs exactly the versions in requirements.lock (the lock file CI tested), as constraints.
$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[test,redis]'
	@touch $@

# Writes requirements.lock anew from pyproject.toml's lower bounds (run after changing a dependency).
lock: install
	$(BIN)/python -m pip install -q pip-tools
	$(BIN)/pip-compile -q --extra test --extra redis --strip-extras --no-header --no-emit-index-url --no-emit-find-links \
	  -o requirements.lock pyproject.toml
	sed -i '1i # The versions CI tested; `make lock` writes it anew from pyproject.toml (pip-tools). `make install` installs with it as constraints.' requirements.lock

# Debian packages the browser tests (and the PDF ledgers) need, installed only when missing.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq $$missing >/dev/null; \
	fi

# Debian packages the benchmarks need (nginx in front of two app servers, bench/sync_two_servers.py),
# installed only when missing; `make test` does not need them.
bench-deps:
	@if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then \
	  echo "Installing Debian packages: nginx"; \
	  $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq nginx >/dev/null; \
	fi

postgres:
	@bash scripts/ensure-postgres.sh

redis:
	@bash scripts/ensure-redis.sh

run: install
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	FLASK="$(FLASK)" HOST=$(HOST) PORT=$(PORT) bash scripts/run-dev.sh

# Lint first: pyflakes, bugbear and complexity (pyproject.toml [tool.ruff]) fail fast before any test runs.
test: install lint system-deps postgres redis test-js
	$(BIN)/python -m pytest

lint: install
	$(BIN)/python -m ruff check webapp sync tests bench scripts wsgi.py

# The offline client's store, queue and sync engine in Node (fake-indexeddb), pinned by tests/js/package-lock.json.
test-js:
	cd tests/js && npm ci --no-audit --no-fund --silent && node --test

test-sqlite: install
	$(BIN)/python -m pytest --backends sqlite

bench: install postgres redis bench-deps
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache tests/js/node_modules
