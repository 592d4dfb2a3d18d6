"""The storage port: what the app needs from a place that keeps files (photos, thumbnails, exports).

Keys are plain relative paths such as ``photos/ab/<sha256>`` or ``exports/<uuid>.xlsx``: content
addressed where the content is (photos), named by the job where it is not (exports). Two adapters:
``local.LocalStorage`` (a folder; the embedded default, zero set-up) and ``s3.S3Storage`` (any
S3-compatible object store, for several app servers).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import BinaryIO, Iterator, Protocol

KEY = re.compile(r"^[a-z]+(/[A-Za-z0-9._-]+)+$")
UNAVAILABLE_MESSAGE = "文件存储暂不可用，请稍后再试；已填写的内容不会丢失"


class ObjectMissing(LookupError):
    """No object under this key (never uploaded, or removed): the page answers 404."""


class StorageUnavailable(RuntimeError):
    """The store could not be reached or refused the app's credentials: the page answers 503.
    ``str()`` is the Chinese message shown to people; ``detail`` is for the log."""

    def __init__(self, detail: str):
        super().__init__(UNAVAILABLE_MESSAGE)
        self.detail = detail


def check_key(key: str) -> str:
    """Keys are built by the app, never taken from a request; refuse anything that could climb out."""
    if not KEY.match(key) or ".." in key.split("/"):
        raise ValueError(f"bad storage key {key!r}")
    return key


@dataclass
class Stored:
    """An object opened for reading: its bytes come from ``chunks()`` (or ``path`` for a local file)."""

    size: int
    content_type: str | None
    body: BinaryIO
    path: str | None = None

    def chunks(self, size: int = 64 * 1024) -> Iterator[bytes]:
        try:
            while True:
                block = self.body.read(size)
                if not block:
                    return
                yield block
        finally:
            self.body.close()

    def read(self) -> bytes:
        try:
            return self.body.read()
        finally:
            self.body.close()


class Storage(Protocol):
    #: "local" or "s3": shared by several servers only when not local
    kind: str
    shared: bool

    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def put_file(self, key: str, path: str, content_type: str) -> None: ...

    def open(self, key: str) -> Stored: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def keys(self, prefix: str = "") -> Iterator[tuple[str, int]]: ...

    def check(self) -> None:
        """Raise StorageUnavailable unless the store can be used now (/healthz)."""
        ...

    def describe(self) -> str: ...
