"""Input that once ended in a server error (tests/integration/test_hostile_input.py): a lone UTF-16
surrogate, JSON nested 100,000 deep, a decompression-bomb PNG, a truncated PNG."""
from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

LONE = "\ud800"
DEEP = b"[" * 100_000 + b"]" * 100_000


def bomb_png() -> bytes:
    """A few hundred bytes whose header claims 20000×20000 pixels."""
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, "PNG")
    return buffer.getvalue()


def truncated_png() -> bytes:
    """A PNG whose chunks are whole (so ``verify()`` passes) but whose pixel data stops early:
    Pillow fails only when the pixels are read (the thumbnail)."""
    buffer = io.BytesIO()
    Image.effect_noise((400, 300), 60).convert("RGB").save(buffer, "PNG")
    data, chunks, pos = buffer.getvalue(), [], 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunks.append((kind, data[pos + 8:pos + 8 + length]))
        pos += 12 + length

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    pixels = b"".join(body for kind, body in chunks if kind == b"IDAT")[:2000]
    head = b"".join(chunk(kind, body) for kind, body in chunks if kind not in (b"IDAT", b"IEND"))
    return data[:8] + head + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
