"""/healthz for load balancers and systemd; /metrics for Prometheus.

/metrics is answered (a) to a request bearing ``Authorization: Bearer <ZHIBU_METRICS_TOKEN>`` when a
token is configured, or (b) to a scraper on the same host: a direct loopback peer whose request
carries no ``X-Forwarded-For`` (a request relayed by nginx always does). Anyone else gets 404, as if
there were nothing there.
"""
from __future__ import annotations

import hmac
import ipaddress

from flask import Response, abort, current_app, jsonify, request

from ..extensions import csrf, limiter
from . import bp, health, metrics


@bp.get("/healthz")
@limiter.exempt
def healthz():
    healthy, checks = health.run()
    response = jsonify({"status": "ok" if healthy else "unavailable", "checks": checks})
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def _direct_peer() -> str:
    """The address of the socket's peer, before ProxyFix rewrote it from forwarded headers."""
    original = request.environ.get("werkzeug.proxy_fix.orig", {})
    return original.get("REMOTE_ADDR") or request.environ.get("REMOTE_ADDR") or ""


def _may_scrape() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), token.encode()):
        return True
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        return ipaddress.ip_address(_direct_peer()).is_loopback
    except ValueError:
        return False


@bp.get("/metrics")
@limiter.exempt
def prometheus():
    if not _may_scrape():
        abort(404)
    return Response(metrics.exposition(), content_type=metrics.CONTENT_TYPE_LATEST)


csrf.exempt(bp)  # GET only; nothing here changes state
