"""Operations: /healthz (database, storage, Redis when configured), Prometheus /metrics (request
latency per route, sync mutations per outcome, push deliveries per status; only for the same host or
a token), and JSON-lines logs carrying the request id echoed in X-Request-ID."""
from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from tests.conftest import _config_dict, _free_ports, csrf_token
from tests.push_helpers import subscribe
from tests.records_helpers import FIELD_BRANCH, org_named, theme_day_data
from webapp import create_app
from webapp.extensions import db
from webapp.ops import request_log
from webapp.push import scheduler, sender

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")


def _another_app(app, **overrides):
    return create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                       "INSTANCE_UPLOADS": app.config["INSTANCE_UPLOADS"], **overrides})


def test_healthz_reports_database_and_storage(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.get_json()
    assert body["status"] == "ok" and set(body["checks"]) == {"database", "storage"}
    assert all(check["ok"] for check in body["checks"].values())


def test_healthz_checks_redis_when_limits_live_there(app):
    up = _another_app(app, RATELIMIT_STORAGE_URI=REDIS_URL).test_client().get("/healthz")
    if not up.get_json()["checks"]["redis"]["ok"]:
        pytest.skip(f"Redis not reachable at {REDIS_URL} (make test starts it)")
    assert up.status_code == 200
    down = _another_app(app, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{_free_ports(1)[0]}/0").test_client()
    answer = down.get("/healthz")
    assert answer.status_code == 503 and answer.get_json()["status"] == "unavailable"
    checks = answer.get_json()["checks"]
    assert checks["redis"]["ok"] is False and checks["database"]["ok"] and checks["storage"]["ok"]


def test_healthz_checks_the_job_queue_when_it_lives_in_redis(app):
    up = _another_app(app, JOBS_URL="redis://127.0.0.1:6379/10").test_client().get("/healthz")
    assert up.status_code == 200 and up.get_json()["checks"]["queue"]["ok"] is True
    down = _another_app(app, JOBS_URL=f"redis://127.0.0.1:{_free_ports(1)[0]}/0").test_client().get("/healthz")
    assert down.status_code == 503
    checks = down.get_json()["checks"]
    assert checks["queue"]["ok"] is False and checks["queue"]["error"] == "ConnectionError"
    assert checks["database"]["ok"] and checks["storage"]["ok"]


@pytest.mark.parametrize("storage_settings", ["nobody-listening"], indirect=True)
def test_healthz_is_503_when_the_store_is_down(client):
    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.get_json()["checks"]["storage"] == {"ok": False, "error": "unavailable",
                                                       "ms": answer.get_json()["checks"]["storage"]["ms"]}
    assert answer.get_json()["checks"]["database"]["ok"] is True


def test_healthz_is_503_when_the_database_is_down(tmp_path):
    config = {**_config_dict(), "SCHEMA_CHECK": False, "INSTANCE_UPLOADS": str(tmp_path),
              "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://127.0.0.1:{_free_ports(1)[0]}/none"}
    answer = create_app(config).test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.get_json()["checks"]["database"]["ok"] is False
    assert answer.get_json()["checks"]["database"]["error"] == "OperationalError"


def _sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_request_latency_is_observed_per_route(client):
    before = _sample("zhibu_http_request_duration_seconds_count", route="/healthz", method="GET")
    ok_before = _sample("zhibu_http_requests_total", route="/healthz", method="GET", status="200")
    client.get("/healthz")
    client.get("/healthz")
    assert _sample("zhibu_http_request_duration_seconds_count", route="/healthz", method="GET") == before + 2
    assert _sample("zhibu_http_requests_total", route="/healthz", method="GET", status="200") == ok_before + 2
    text = client.get("/metrics").get_data(as_text=True)
    assert 'zhibu_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/healthz"}' in text


def test_sync_mutations_are_counted_per_outcome(client, auth, demo):
    org = org_named(FIELD_BRANCH)
    auth.login("dangyuan")
    device = client.post("/api/sync/devices", json={"name": "测试手机"},
                         headers={"X-CSRFToken": csrf_token(client, "/")}).get_json()
    outcomes = ("applied", "duplicate", "conflict", "rejected")
    before = {o: _sample("zhibu_sync_mutations_total", outcome=o) for o in outcomes}

    def push(*mutations):
        return client.post("/api/sync/push", json={"mutations": list(mutations)},
                           headers={"Authorization": f"Bearer {device['token']}"}).get_json()["results"]

    payload = {"data": theme_day_data(org), "org_id": org.id, "type": "theme_day"}
    first = {"id": str(uuid.uuid4()), "seq": 1, "entity": "record", "target": str(uuid.uuid4()), "payload": payload}
    second = {**first, "id": str(uuid.uuid4()), "seq": 2, "target": str(uuid.uuid4())}
    assert [r["status"] for r in push(first, second, {"id": "x"})] == ["rejected", "applied", "applied"]
    changed = {**first, "payload": {**payload, "data": theme_day_data(org, topic="另一个主题")}}
    assert [r["status"] for r in push(first)] == ["duplicate"]
    assert [r["status"] for r in push(changed)] == ["conflict"]
    after = {o: _sample("zhibu_sync_mutations_total", outcome=o) for o in outcomes}
    assert {o: after[o] - before[o] for o in outcomes} == {"applied": 2, "duplicate": 1, "conflict": 1,
                                                             "rejected": 1}


def test_push_deliveries_are_counted_per_status(app, vapid, push_service, http, branch):
    _org, people = branch
    subscribe(push_service, people["a"])
    subscribe(push_service, people["b"], "gone")
    now = datetime.now(timezone.utc).replace(hour=4)  # noon in China: outside quiet hours
    payload = {"title": "明天主题党日", "body": "测试", "url": "/plans/1", "tag": "act-1", "kind": "theme_day"}
    for person, key in ((people["a"], "k1"), (people["b"], "k2")):
        scheduler.enqueue("theme_day", person.id, now, payload, "act-1", key, respect_prefs=False)
    db.session.commit()
    push_service.answer(201)
    push_service.answer(410)
    before = {s: _sample("zhibu_push_deliveries_total", status=s) for s in ("sent", "gone")}
    counts = sender.run_once(now=now, worker="w1", compute=False, session=http)
    assert counts == {"sent": 1, "gone": 1}
    assert {s: _sample("zhibu_push_deliveries_total", status=s) - before[s] for s in before} == {"sent": 1, "gone": 1}


@pytest.mark.parametrize("environ, headers, allowed", [
    ({"REMOTE_ADDR": "127.0.0.1"}, {}, True),
    ({"REMOTE_ADDR": "::1"}, {}, True),
    ({"REMOTE_ADDR": "10.0.0.7"}, {}, False),
    ({"REMOTE_ADDR": "127.0.0.1"}, {"X-Forwarded-For": "127.0.0.1"}, False),  # relayed by nginx
    ({"REMOTE_ADDR": "10.0.0.7"}, {"Authorization": "Bearer the-scrape-token"}, True),
    ({"REMOTE_ADDR": "10.0.0.7"}, {"Authorization": "Bearer wrong"}, False),
    ({"REMOTE_ADDR": "10.0.0.7"}, {"Authorization": "Bearer "}, False),
])
def test_metrics_only_for_the_same_host_or_a_token(app, environ, headers, allowed):
    client = _another_app(app, METRICS_TOKEN="the-scrape-token").test_client()
    answer = client.get("/metrics", environ_base=environ, headers=headers)
    assert answer.status_code == (200 if allowed else 404)
    if allowed:
        assert answer.mimetype == "text/plain" and b"zhibu_sync_mutations_total" in answer.data


def test_metrics_show_the_job_queue_depth(app, tmp_path):
    from webapp.jobs.queue import tasks

    queued = _another_app(app, JOBS_IMMEDIATE=False, JOBS_URL=f"sqlite:///{tmp_path / 'jobs.db'}")
    for job_id in (1, 2, 3):  # nobody consumes: they wait
        tasks(queued).ledger_export(job_id)
    text = queued.test_client().get("/metrics").get_data(as_text=True)
    assert "zhibu_jobs_queue_depth 3.0" in text and "zhibu_jobs_scheduled 0.0" in text


def test_metrics_without_a_token_behind_a_trusted_proxy_is_refused(app):
    client = _another_app(app, TRUSTED_PROXIES=1).test_client()
    answer = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                        headers={"X-Forwarded-For": "127.0.0.1"})
    assert answer.status_code == 404
    assert _another_app(app).test_client().get("/metrics", headers={"Authorization": "Bearer "}).status_code == 200


MULTIPROCESS_WORKER = """
from webapp.ops import metrics
metrics.count_sync([{"status": "applied"}] * int(__import__("sys").argv[1]))
metrics.count_push("sent")
"""
MULTIPROCESS_SCRAPE = """
from webapp.ops import metrics
print(metrics.exposition().decode())
"""


def test_metrics_add_up_over_several_worker_processes(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for count in (3, 4):  # two gunicorn workers, each its own process
        subprocess.run([sys.executable, "-c", MULTIPROCESS_WORKER, str(count)], cwd=ROOT, env=env, check=True,
                       timeout=60)
    text = subprocess.run([sys.executable, "-c", MULTIPROCESS_SCRAPE], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True, timeout=60).stdout
    assert 'zhibu_sync_mutations_total{outcome="applied"} 7.0' in text
    assert 'zhibu_push_deliveries_total{status="sent"} 2.0' in text


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = request_log.configure("INFO", stream=stream)
    yield stream
    logging.getLogger().removeHandler(handler)


def _lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_request_id_is_taken_when_well_formed_and_logged_as_json(client, json_log):
    answer = client.get("/healthz", headers={"X-Request-ID": "nginx-4f2a9c1e.77"})
    assert answer.headers["X-Request-ID"] == "nginx-4f2a9c1e.77"
    [line] = [line for line in _lines(json_log) if line.get("route") == "/healthz"]
    assert line["request_id"] == "nginx-4f2a9c1e.77" and line["message"] == "request"
    assert line["logger"] == "zhibu.access" and line["status"] == 200 and line["method"] == "GET"
    assert isinstance(line["duration_ms"], float) and "time" in line and line["level"] == "INFO"


@pytest.mark.parametrize("given", [None, "", "short", "has space in it", "x" * 129, "id\nforged: line", "<script>alert(1)</script>", "abcdefgh\n", "身份标识编号一二三"])
def test_a_missing_or_malformed_request_id_is_replaced(client, json_log, given):
    environ = {} if given is None else {"HTTP_X_REQUEST_ID": given}  # as a raw header, newline and all
    answer = client.get("/healthz", environ_base=environ)
    made = answer.headers["X-Request-ID"]
    assert made != given and len(made) == 32 and all(c in "0123456789abcdef" for c in made)
    assert any(line.get("request_id") == made for line in _lines(json_log))


def test_app_log_lines_in_a_request_carry_its_id(app, client, json_log):
    @app.get("/test-only/log-something")
    def _log_something():
        app.logger.warning("记录一条：%s", "中文")
        return "ok"

    answer = client.get("/test-only/log-something", headers={"X-Request-ID": "abcdef12"})
    [line] = [line for line in _lines(json_log) if line.get("logger") == "webapp"]
    assert line["message"] == "记录一条：中文" and line["request_id"] == "abcdef12" and line["level"] == "WARNING"
    assert answer.headers["X-Request-ID"] == "abcdef12"
