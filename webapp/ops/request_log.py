"""Logs as JSON lines, each carrying the id of the request it was written in.

The request id is the client's (or proxy's) ``X-Request-ID`` when it is well formed (8 to 128 letters,
digits, ``.``, ``_``, ``-``), else a new one; it is echoed in the response's ``X-Request-ID`` so a
person's report, nginx's log and the app's log can be matched. One ``request`` line per request
(method, route, status, duration) goes to the ``zhibu.access`` logger.

JSON output is switched on by ``ZHIBU_LOG_FORMAT=json`` (the production default): ``configure``
puts one stderr handler with python-json-logger's formatter on the root logger.
"""
from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request

HEADER = "X-Request-ID"
WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{8,128}")
access_log = logging.getLogger("zhibu.access")


def request_id_from(value: str | None) -> str:
    """The caller's id when it is well formed (it goes into logs as is), else a new one."""
    if value and WELL_FORMED.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (None outside a request) to every record that passes the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


def json_formatter() -> logging.Formatter:
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter("{asctime}{levelname}{name}{message}{request_id}", style="{",
                         rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                         json_ensure_ascii=False)


def configure(level: str = "INFO", stream=None) -> logging.Handler:
    """One JSON-lines handler on the root logger (idempotent: a second call replaces the first)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_zhibu_json", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    handler._zhibu_json = True
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def install(app: Flask) -> None:
    if app.config.get("LOG_FORMAT") == "json":
        configure(app.config.get("LOG_LEVEL") or "INFO")

    @app.before_request
    def _request_id():
        g.request_id = request_id_from(request.headers.get(HEADER))
        g.request_started = time.perf_counter()

    @app.after_request
    def _echo_and_log(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers[HEADER] = request_id
            elapsed = time.perf_counter() - g.get("request_started", time.perf_counter())
            access_log.info("request", extra={
                "method": request.method, "path": request.path,
                "route": request.url_rule.rule if request.url_rule else None,
                "status": response.status_code, "duration_ms": round(elapsed * 1000, 1)})
        return response
