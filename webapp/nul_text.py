"""No NUL characters in text from outside: PostgreSQL text columns refuse them.

A NUL is never meaningful in what people type, but one pasted or sent by a broken client would end
a request in a database error on PostgreSQL (SQLite stores it). Form fields, query arguments and
JSON bodies (the sync API, push subscriptions) arrive with NULs removed; a path with one is not found.
"""
from __future__ import annotations

from flask import abort, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.datastructures import ImmutableMultiDict

NUL = "\x00"


def without_nul(value):
    """``value`` with NUL removed from every string in it (keys too), nested lists and dicts walked."""
    if isinstance(value, str):
        return value.replace(NUL, "")
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    return value


class JSONWithoutNul(DefaultJSONProvider):
    """Parsed JSON bodies carry no NUL (in JSON text one can only come as the escape \\u0000)."""

    def loads(self, s, **kwargs):
        value = super().loads(s, **kwargs)
        marker = b"\\u0000" if isinstance(s, (bytes, bytearray)) else "\\u0000"
        return without_nul(value) if marker in s else value


def _cleaned(values: ImmutableMultiDict) -> ImmutableMultiDict | None:
    """Query arguments or form fields (all strings; files are apart) without NUL, or None if none had one."""
    pairs = list(values.items(multi=True))
    if not any(NUL in k or NUL in v for k, v in pairs):
        return None
    return ImmutableMultiDict([(k.replace(NUL, ""), v.replace(NUL, "")) for k, v in pairs])


def install(app) -> None:
    app.json_provider_class = JSONWithoutNul
    app.json = JSONWithoutNul(app)

    @app.before_request
    def _drop_nul():
        if NUL in request.path:
            abort(404)
        args = _cleaned(request.args)
        if args is not None:
            request.args = args
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = _cleaned(request.form)
            if form is not None:
                request.form = form
