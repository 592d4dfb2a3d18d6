"""Content fingerprint of a mutation: sha256 of canonical JSON, to tell an identical resend from a
different change that reuses an ID.

Canonical JSON: keys sorted, no spaces, UTF-8 without ``\\uXXXX`` escapes, as Python's ``json.dumps``
wrote it (``legacy_fingerprint``) when the markers stored so far were made. orjson writes the same
bytes about fifteen times faster, except a float's negative exponent (``1e-7`` where ``json`` wrote
``1e-07``): a marker whose fingerprint differs is compared with the ``json`` form as well
(``same_content``), so an identical resend of such a mutation stays a duplicate. Values orjson refuses
(an integer beyond 64 bits, a lone surrogate) are written by ``json``. NaN and the infinities are not
JSON: the server refuses a body holding them before it becomes a mutation (``webapp/json_bodies.py``).
"""
from __future__ import annotations

import hashlib
import json

import orjson

_SORTED = orjson.OPT_SORT_KEYS


def canonical_json(value) -> str:
    return _canonical_bytes(value).decode("utf-8", "surrogatepass")


def _canonical_bytes(value) -> bytes:
    try:
        return orjson.dumps(value, option=_SORTED)
    except (orjson.JSONEncodeError, TypeError):
        return _legacy_json(value).encode("utf-8", "surrogatepass")


def _legacy_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _content(mutation) -> dict:
    """The sequence number and the phone's clock are transport details, not content."""
    return {"entity": mutation.entity, "target": mutation.target, "base_version": mutation.base_version,
            "payload": mutation.payload}


def fingerprint(mutation) -> str:
    return hashlib.sha256(_canonical_bytes(_content(mutation))).hexdigest()


def legacy_fingerprint(mutation) -> str:
    """The fingerprint as ``json.dumps`` made it (markers stored before orjson)."""
    return hashlib.sha256(_legacy_json(_content(mutation)).encode("utf-8", "surrogatepass")).hexdigest()


def same_content(mutation, fp: str, stored: str) -> bool:
    """Whether a marker's stored fingerprint is this mutation's (``fp`` its fingerprint now)."""
    return stored == fp or stored == legacy_fingerprint(mutation)
