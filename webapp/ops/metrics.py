"""Prometheus metrics (prometheus_client): request latency per route, sync mutations per outcome,
push deliveries per status.

Several gunicorn workers and the push worker are separate processes. With
``PROMETHEUS_MULTIPROC_DIR`` set (an empty folder, emptied at each start, the same for the web
server and the push worker on one host) every process writes its values there and ``/metrics``
adds them up (``MultiProcessCollector``); deploy/gunicorn.conf.py marks dead workers. Without it
(one process: ``make run``, tests) the process's own registry is served.
"""
from __future__ import annotations

import os
import time

from flask import Flask, g, request
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


def exposition() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


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
