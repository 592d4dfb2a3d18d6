"""Prometheus metrics (prometheus_client): request latency per route, sync mutations per outcome,
push deliveries per status, and the job queue's depth (read from the queue's store at each scrape).

Several gunicorn workers and the push worker are separate processes. With
``PROMETHEUS_MULTIPROC_DIR`` set (an empty folder, emptied at each start, the same for the web
server and the push worker on one host) every process writes its values there and ``/metrics``
adds them up (``MultiProcessCollector``); deploy/gunicorn.conf.py marks dead workers. Without it
(one process: ``make run``, tests) the process's own registry is served.
"""
from __future__ import annotations

import logging
import os
import time

from flask import Flask, current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import REGISTRY, CONTENT_TYPE_LATEST  # noqa: F401 - CONTENT_TYPE_LATEST for routes

SYNC_OUTCOMES = ("applied", "duplicate", "conflict", "rejected")

REQUEST_SECONDS = Histogram(
    "zhibu_http_request_duration_seconds", "Time to answer a request, by route (URL rule) and method",
    ["route", "method"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
REQUESTS = Counter("zhibu_http_requests_total", "Requests answered, by route, method and status",
                   ["route", "method", "status"])
SYNC_MUTATIONS = Counter("zhibu_sync_mutations_total", "Phone mutations answered by /api/sync/push, by outcome",
                         ["outcome"])
PUSH_DELIVERIES = Counter("zhibu_push_deliveries_total",
                          "Push deliveries handled by the push worker, by the state they ended in", ["status"])


def count_sync(results) -> None:
    """One count per answered mutation (the JSON results of a push batch)."""
    for result in results:
        status = result.get("status")
        SYNC_MUTATIONS.labels(status if status in SYNC_OUTCOMES else "other").inc()


def count_push(state: str) -> None:
    PUSH_DELIVERIES.labels(state).inc()


def _queue_depth() -> bytes:
    """Tasks waiting in the job queue and retries scheduled, as gauges of this scrape only: the store
    (SQLite file or Redis) is shared, so every process reads the same numbers."""
    from prometheus_client import Gauge

    from ..jobs.queue import huey_for

    registry = CollectorRegistry()
    waiting = Gauge("zhibu_jobs_queue_depth", "Tasks waiting in the job queue (Huey)", registry=registry)
    scheduled = Gauge("zhibu_jobs_scheduled", "Tasks scheduled for later in the job queue (retries)",
                      registry=registry)
    try:
        huey = huey_for(current_app)
        waiting.set(huey.pending_count())
        scheduled.set(huey.scheduled_count())
    except Exception:  # noqa: BLE001 - a queue that does not answer leaves the gauges out; /healthz says why
        logging.getLogger(__name__).warning("metrics: job queue did not answer", exc_info=True)
        return b""
    return generate_latest(registry)


def exposition() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry) + _queue_depth()
    return generate_latest(REGISTRY) + _queue_depth()


def install(app: Flask) -> None:
    @app.before_request
    def _start_clock():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response):
        started = g.get("metrics_started")
        if started is not None:
            route = request.url_rule.rule if request.url_rule else "(unmatched)"
            REQUEST_SECONDS.labels(route, request.method).observe(time.perf_counter() - started)
            REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        return response
