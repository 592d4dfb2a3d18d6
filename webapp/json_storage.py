"""JSON as the database stores it: UTF-8 text without ``\\uXXXX`` escapes or spaces.

Chinese text escaped as ``\\uXXXX`` takes six bytes a character instead of three, and a record's
version snapshots, audit entries and sync markers are mostly Chinese text. Every JSON column goes
through this serializer (``create_app`` hands it to the engine). A string that UTF-8 cannot carry
(a lone surrogate a client sent) is written escaped, as before, rather than failing in the driver.
"""
from __future__ import annotations

import json

_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_escaped = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode


def dumps(value) -> str:
    text = _compact(value)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return _escaped(value)
    return text


def encode(value) -> bytes:
    """``dumps`` as UTF-8 bytes."""
    text = _compact(value)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _escaped(value).encode("ascii")
