"""A JSON value stored compressed (BLOB on SQLite, bytea on PostgreSQL).

For record version snapshots: a whole form (500 Chinese characters of minutes and more), written
once, never changed, read whole by Python and never queried inside by SQL.

Stored as ``G`` + raw deflate of the JSON (no ``\\uXXXX`` escapes, no spaces) in GB18030: China's
standard encoding takes two bytes for a common Chinese character where UTF-8 takes three, and maps
every Unicode character both ways exactly, so deflate starts from a third less. Measured on theme
days of about 1,900 bytes of UTF-8 JSON: 1,030 bytes kept, where zlib of the UTF-8 kept 1,205 (and
deflate level 9 or brotli at a usable speed save under 2% more). Stored as text instead, a 2 KB row
takes a whole 4 KB SQLite page, and PostgreSQL's own compression (pglz) gives up on Chinese text.

The format before (migration 0014): zlib of UTF-8 JSON, a stream whose first byte is never ``G``.
It is still read; migration 0018 re-encoded the stored ones. A snapshot holding a lone surrogate
(which no encoding carries) is written escaped (``json_storage.encode``), as ASCII, in the GB18030
format like the rest.
"""
from __future__ import annotations

import json
import zlib

from sqlalchemy import LargeBinary, TypeDecorator

from ..json_storage import encode

LEVEL = 1  # level 9 saves 1% more bytes for three times the time
GB = b"G"  # the first byte of the GB18030 format; a zlib stream starts with 0x78 (or 0x08..0x68)


def compress(value) -> bytes:
    # UTF-8 (or escaped ASCII when it holds a lone surrogate a client sent): GB18030 holds either.
    raw = encode(value).decode("utf-8").encode("gb18030")
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return GB + packer.compress(raw) + packer.flush()


def decompress(stored: bytes):
    if stored[:1] == GB:
        return json.loads(zlib.decompress(stored[1:], -15).decode("gb18030"))
    return json.loads(zlib.decompress(stored))


class CompressedJSON(TypeDecorator):
    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else compress(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decompress(bytes(value))
