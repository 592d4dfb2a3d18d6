"""JSON request bodies are objects. Anything else (an array, a number, a string) is answered with a
structured 400 before a view or Flask-WTF reads it as a mapping and fails with a server error.

The sync push checks its body's size before parsing it, and its shape itself; it is left to do so."""
from __future__ import annotations

from flask import jsonify, request

MESSAGE = "请求内容必须是 JSON 对象"
CHECKS_ITS_OWN_BODY = {"offline.push"}


def install(app) -> None:
    @app.before_request
    def _json_body_is_an_object():
        if not request.is_json or request.endpoint in CHECKS_ITS_OWN_BODY:
            return None
        body = request.get_json(silent=True)
        if body is None or isinstance(body, dict):
            return None  # no body, or not JSON at all: the view answers that as it does for a form
        return jsonify({"error": {"code": "bad_request", "message": MESSAGE}}), 400
