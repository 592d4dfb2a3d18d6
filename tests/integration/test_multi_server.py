"""Issue 19, several app servers: two real gunicorn servers in production mode on two loopback ports
(one secret key, PostgreSQL, sign-in limits in Redis, the job queue in Redis, files in SeaweedFS) and
real `flask jobs work` processes. A photo uploaded through one server is served by the other; an export
started on one downloads from the other, and completes on a second worker after its first worker is
killed (kill -9) mid-export; failed sign-ins spread over both servers trip one limit.

PostgreSQL only: the parts under test are the distributed ones. A part that cannot start (no
PostgreSQL, Redis, SeaweedFS or gunicorn) skips the module with a loud reason."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
import warnings
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select, update

from tests.conftest import CSRF_PATTERN, _free_ports
from tests.job_workers import stop_processes
from tests.records_helpers import org_named
from webapp.china_time import china_today
from webapp.extensions import db
from webapp.jobs.queue import tasks
from webapp.models import ExportJob
from webapp.models.base import utcnow

ROOT = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("TEST_MULTI_SERVER_REDIS", "redis://127.0.0.1:6379")
LIMITS_URL, JOBS_URL = f"{REDIS}/11", f"{REDIS}/12"
SECRET = "multi-server-shared-secret"
FIELD = "长江中游水文测验项目临时党支部"


def _loud_skip(reason: str):
    message = f"!!! multi-server test SKIPPED: {reason}"
    warnings.warn(message, pytest.PytestWarning, stacklevel=2)
    pytest.skip(message)


def _redis_or_skip():
    import redis

    for url in (LIMITS_URL, JOBS_URL):
        connection = redis.Redis.from_url(url)
        try:
            connection.ping()
        except redis.RedisError as error:
            _loud_skip(f"Redis unavailable at {url} ({error})")
        connection.flushdb()


class Servers:
    """Two gunicorn servers (deploy/gunicorn.conf.py, one worker each) in production mode."""

    def __init__(self, folder: Path, environ: dict[str, str]):
        self.folder, self.environ = folder, environ
        self.ports = _free_ports(2)
        self.processes = [self._start(number, port) for number, port in enumerate(self.ports)]
        self.urls = [f"http://127.0.0.1:{port}" for port in self.ports]
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise

    def _start(self, number: int, port: int) -> subprocess.Popen:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        env = {**os.environ, **self.environ, "ZHIBU_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1",
               "ZHIBU_THREADS": "2"}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        log = (self.folder / f"server-{number}.log").open("wb")
        process = subprocess.Popen([str(gunicorn), "-c", "deploy/gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        process.log_path = log.name
        log.close()
        return process

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + 60
        for url, process in zip(self.urls, self.processes, strict=True):
            while True:
                if process.poll() is not None:
                    raise AssertionError(f"server {url} exited {process.returncode}\n{self.logs()}")
                try:
                    if requests.get(f"{url}/healthz", timeout=5).status_code == 200:
                        break
                except requests.RequestException:  # not listening yet, or still starting its worker
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"server {url} not healthy within 60 s\n{self.logs()}")
                time.sleep(0.2)

    def logs(self) -> str:
        return "\n".join(f"--- server {p.pid} ---\n" + Path(p.log_path).read_text(errors="replace")[-4000:]
                         for p in self.processes)

    def stop(self) -> None:
        stop_processes(self.processes, signal.SIGQUIT)  # gunicorn's quick shutdown


class Browser:
    """One person's browser: a cookie jar sent to whichever server answers (cookies ignore the port).
    Production cookies are Secure and these servers speak plain HTTP on loopback (TLS is nginx's), so
    the jar keeps them as plain cookies."""

    def __init__(self, servers: Servers):
        self.servers = servers
        self.session = requests.Session()
        self.session.trust_env = False

    def url(self, server: int, path: str) -> str:
        return self.servers.urls[server] + path

    def _send(self, method: str, server: int, path: str, **kwargs) -> requests.Response:
        response = self.session.request(method, self.url(server, path), allow_redirects=False, timeout=30, **kwargs)
        for cookie in self.session.cookies:
            cookie.secure = False
        return response

    def get(self, server: int, path: str) -> requests.Response:
        return self._send("GET", server, path)

    def post(self, server: int, path: str, **kwargs) -> requests.Response:
        return self._send("POST", server, path, **kwargs)

    def csrf(self, server: int, path: str) -> str:
        response = self.get(server, path)
        match = CSRF_PATTERN.search(response.text)
        assert match, f"no CSRF token on {path} (server {server}, {response.status_code})"
        return match.group(1) or match.group(2)

    def login(self, server: int, login: str, password: str = "zhibu-demo") -> requests.Response:
        return self.post(server, "/login", data={"login": login, "password": password,
                                                 "csrf_token": self.csrf(server, "/login")})


@pytest.fixture(autouse=True)
def _postgresql_only(backend):
    if backend != "postgresql":
        pytest.skip("the multi-server test runs on PostgreSQL (its parts are the distributed ones)")


@pytest.fixture(scope="module")
def bucket(request, backend):
    """A fresh bucket on the session's SeaweedFS, for the test app, the servers and the workers."""
    if backend != "postgresql":
        pytest.skip("the multi-server test runs on PostgreSQL (its parts are the distributed ones)")
    from webapp.storage.s3 import S3Storage

    server = request.getfixturevalue("s3_server")
    name = f"zhibu-multi-{uuid.uuid4().hex[:12]}"
    S3Storage(name, endpoint=server["endpoint"], access_key=server["access_key"],
              secret_key=server["secret_key"]).create_bucket()
    return {"STORAGE_URL": f"s3://{name}?endpoint={server['endpoint']}",
            "STORAGE_ACCESS_KEY": server["access_key"], "STORAGE_SECRET_KEY": server["secret_key"]}


@pytest.fixture
def storage_settings(bucket):
    return bucket


def _one_push_key(folder: Path) -> Path:
    """One VAPID key file for both servers, as an operator copies it to each."""
    from webapp.push import keys

    path = folder / "vapid_private.pem"
    keys.create_keys(path)
    return path


@pytest.fixture(scope="module")
def servers(bucket, database_url, tmp_path_factory):
    """Started once for the module; each test's app empties and reloads the same database under them."""
    if not (Path(sys.executable).parent / "gunicorn").is_file():
        _loud_skip("gunicorn is not installed beside python")
    _redis_or_skip()
    folder = tmp_path_factory.mktemp("servers")
    running = Servers(folder, {
        "ZHIBU_ENV": "production", "ZHIBU_SERVERS": "2", "ZHIBU_SECRET_KEY": SECRET,
        "DATABASE_URL": database_url, "ZHIBU_RATELIMIT_STORAGE": LIMITS_URL, "ZHIBU_JOBS_URL": JOBS_URL,
        "ZHIBU_VAPID_SUBJECT": "mailto:ops@zhibu.example.cn", "ZHIBU_LOG_FORMAT": "text",
        "ZHIBU_VAPID_PRIVATE_KEY_PATH": str(_one_push_key(folder)),
        **{f"ZHIBU_{key}": value for key, value in bucket.items()}})
    yield running
    running.stop()


@pytest.fixture
def cluster(servers, demo, job_workers, bucket):
    """The servers over this test's data, empty queues and limits, workers on the Redis queue."""
    _redis_or_skip()
    job_workers.use(JOBS_URL)
    job_workers.storage = {f"ZHIBU_{key}": value for key, value in bucket.items()}
    return servers


def test_a_photo_uploaded_through_one_server_is_served_by_the_other(cluster):
    browser = Browser(cluster)
    assert browser.login(0, "linshi").status_code == 302
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(picture, "JPEG")
    upload = browser.post(0, "/records/photos", files={"photo": ("p.jpg", picture.getvalue())},
                          headers={"X-CSRFToken": browser.csrf(0, "/")})
    assert upload.status_code == 201, upload.text
    sha256 = upload.json()["sha256"]
    served = browser.get(1, f"/records/photos/{sha256}")  # the session and the file, on the other server
    assert served.status_code == 200 and served.content == picture.getvalue()
    assert browser.get(1, f"/records/photos/{sha256}/thumb").headers["Content-Type"] == "image/jpeg"


def _start_export(browser: Browser, server: int, org) -> int:
    data = {"org_id": org.id, "year": china_today().year, "kind": "xlsx", "csrf_token": browser.csrf(server, "/ledgers/")}
    response = browser.post(server, "/ledgers/exports", data=data)
    assert response.status_code == 302, response.text
    job_id = db.session.scalar(select(ExportJob.id).where(ExportJob.org_id == org.id).order_by(ExportJob.id.desc()))
    db.session.rollback()
    return job_id


def test_an_export_started_on_one_server_survives_its_killed_worker_and_downloads_from_the_other(cluster, job_workers):
    browser = Browser(cluster)
    assert browser.login(0, "linshi").status_code == 302
    # Two workers on the Redis queue (started together: a worker takes seconds to start); either may
    # take the export. Each step pauses so the export is caught mid-build.
    both = [job_workers.start(ZHIBU_EXPORT_STEP_PAUSE="0.2", **job_workers.storage) for _ in range(2)]
    job_id = _start_export(browser, 0, org_named(FIELD))
    job = job_workers.wait_for(job_id, lambda j: j.state == "running" and j.progress > 1, what="a worker")
    first = next(worker for worker in both if f":{worker.pid}:" in job.lease_owner)
    second = next(worker for worker in both if worker is not first)
    job_workers.kill(first)  # kill -9 mid-export
    job = job_workers.wait_for(job_id, lambda j: True)
    assert job.state == "running" and job.progress < 100
    # The lease runs out EXPORT_LEASE_SECONDS after the last heartbeat; skip that wait, and the minute
    # until the every-minute reclaim: enqueue it now (the surviving worker runs it).
    db.session.execute(update(ExportJob).where(ExportJob.id == job_id).values(lease_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    tasks(job_workers.app).reclaim_exports()
    job = job_workers.wait_for(job_id, lambda j: j.state in ("done", "failed"), what="the surviving worker")
    assert job.state == "done" and f":{second.pid}:" in job.lease_owner and job.attempts == 2, job.error
    status = browser.get(1, f"/ledgers/exports/{job.uuid}")
    assert status.status_code == 200 and "已完成" in status.text
    download = browser.get(1, f"/ledgers/exports/{job.uuid}/download")
    assert download.status_code == 200, cluster.logs()
    assert "花名册" in load_workbook(io.BytesIO(download.content)).sheetnames
    job_workers.kill(second)  # done with it: no graceful stop to wait for


def test_failed_sign_ins_spread_over_both_servers_trip_one_limit(cluster):
    attacker = Browser(cluster)
    # LOGIN_LIMIT_PER_ACCOUNT: 5 failures per (account, address); three on one server, two on the other.
    for server in (0, 1, 0, 1, 0):
        assert attacker.login(server, "shuji", "wrong-password").status_code == 401
    refused = attacker.login(1, "shuji", "wrong-password")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert attacker.login(0, "shuji").status_code == 429  # the pair stays refused on both servers
