"""JSON as the database stores it: UTF-8 text without ``\\uXXXX`` escapes or spaces.

Chinese text escaped as ``\\uXXXX`` takes six bytes a character instead of three, and a record's
version snapshots, audit entries and sync markers are mostly Chinese text. Every JSON column goes
through this serializer (``create_app`` hands it to the engine). A string that UTF-8 cannot carry
(a lone surrogate a client sent) is written escaped, as before, rather than failing in the driver.

Written by orjson (a sync batch writes several JSON values per record; orjson is about fifteen times
faster than ``json``), with Python's ``json`` for what orjson refuses: a lone surrogate, an integer
beyond 64 bits, a type it does not know (``json`` then raises ``TypeError`` as it always did).
Dates and dataclasses are handed to that fallback too, so what is stored never depends on the writer.
"""
from __future__ import annotations

import json

import orjson

_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_escaped = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode
# Keys as json writes them (an int key becomes "1"); dates and dataclasses left to json (which refuses them).
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _fallback(value) -> bytes:
    text = _compact(value)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _escaped(value).encode("ascii")


def encode(value) -> bytes:
    """``value`` as compact UTF-8 JSON bytes."""
    try:
        return orjson.dumps(value, option=_OPTIONS)
    except (orjson.JSONEncodeError, TypeError):
        return _fallback(value)


def dumps(value) -> str:
    return encode(value).decode("utf-8")
