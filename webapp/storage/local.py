"""The embedded default: objects are files under one folder (``instance/uploads`` unless set)."""
from __future__ import annotations

import mimetypes
import os
import shutil
import tempfile
from pathlib import Path

from .base import KEY, ObjectMissing, Stored, StorageUnavailable, check_key


class LocalStorage:
    kind = "local"
    shared = False

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def _write(self, key: str, fill) -> None:
        """Write through a temporary file in the same folder and rename: readers never see half a file."""
        target = self.path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
            try:
                with os.fdopen(handle, "wb") as out:
                    fill(out)
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise StorageUnavailable(f"local storage {self.root}: {error}") from error

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._write(key, lambda out: out.write(data))

    def put_file(self, key: str, path: str, content_type: str) -> None:
        def fill(out):
            with open(path, "rb") as source:
                shutil.copyfileobj(source, out, 1024 * 1024)
        self._write(key, fill)

    def open(self, key: str) -> Stored:
        path = self.path(key)
        try:
            body = path.open("rb")
        except FileNotFoundError as error:
            raise ObjectMissing(key) from error
        except OSError as error:
            raise StorageUnavailable(f"local storage {self.root}: {error}") from error
        return Stored(size=os.fstat(body.fileno()).st_size, content_type=mimetypes.guess_type(path.name)[0],
                      body=body, path=str(path))

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def keys(self, prefix: str = ""):
        """Every stored key under ``prefix``, with its size (for backups)."""
        for path in sorted(self.root.rglob("*")):
            if path.is_file():
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix) and KEY.match(key):  # not a half-written ".part-" file
                    yield key, path.stat().st_size

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageUnavailable(f"local storage {self.root}: {error}") from error
        if not os.access(self.root, os.W_OK):
            raise StorageUnavailable(f"local storage {self.root}: not writable")

    def describe(self) -> str:
        return f"folder {self.root}"
