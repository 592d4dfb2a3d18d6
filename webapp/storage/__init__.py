"""Where files live: photos, thumbnails and ledger exports go through one storage object per app.

``ZHIBU_STORAGE_URL`` chooses it (config ``STORAGE_URL``):

- unset, or ``file:///some/folder``: a local folder (default ``INSTANCE_UPLOADS``, else
  ``instance/uploads``): the embedded default, nothing to set up;
- ``s3://bucket[/prefix]?endpoint=https://host:port&region=...&addressing=path|virtual``: any
  S3-compatible object store; keys from ``ZHIBU_STORAGE_ACCESS_KEY`` / ``ZHIBU_STORAGE_SECRET_KEY``.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask import Flask, current_app

from .base import UNAVAILABLE_MESSAGE, ObjectMissing, Storage, Stored, StorageUnavailable  # noqa: F401

EXTENSION = "zhibu_storage"


class BadStorageURL(ValueError):
    """ZHIBU_STORAGE_URL cannot be used; the message says why."""


def from_config(config, instance_path: str) -> Storage:
    url = (config.get("STORAGE_URL") or "").strip()
    if not url:
        from .local import LocalStorage

        return LocalStorage(config.get("INSTANCE_UPLOADS") or Path(instance_path) / "uploads")
    parts = urlsplit(url)
    if parts.scheme == "file":
        from .local import LocalStorage

        if not parts.path:
            raise BadStorageURL("ZHIBU_STORAGE_URL file:// needs a folder, e.g. file:///srv/zhibu/files")
        return LocalStorage(unquote(parts.path))
    if parts.scheme == "s3":
        if parts.username or parts.password:
            raise BadStorageURL("ZHIBU_STORAGE_URL must not carry keys: set ZHIBU_STORAGE_ACCESS_KEY and "
                                "ZHIBU_STORAGE_SECRET_KEY instead")
        if not parts.hostname:
            raise BadStorageURL("ZHIBU_STORAGE_URL s3:// needs a bucket, e.g. s3://zhibu?endpoint=http://127.0.0.1:8333")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        unknown = set(query) - {"endpoint", "region", "addressing"}
        if unknown:
            raise BadStorageURL(f"ZHIBU_STORAGE_URL: unknown option(s) {', '.join(sorted(unknown))}")
        addressing = query.get("addressing", "path")
        if addressing not in ("path", "virtual"):
            raise BadStorageURL("ZHIBU_STORAGE_URL: addressing is path or virtual")
        from .s3 import S3Storage

        return S3Storage(bucket=parts.hostname, prefix=parts.path, endpoint=query.get("endpoint"),
                         region=query.get("region"), addressing=addressing,
                         access_key=config.get("STORAGE_ACCESS_KEY"), secret_key=config.get("STORAGE_SECRET_KEY"))
    raise BadStorageURL(f"ZHIBU_STORAGE_URL: unsupported scheme {parts.scheme!r} (file:// or s3://)")


def install(app: Flask) -> None:
    app.extensions[EXTENSION] = from_config(app.config, app.instance_path)

    from ..errors import error_response

    @app.errorhandler(StorageUnavailable)
    def _unavailable(error: StorageUnavailable):
        app.logger.error("storage unavailable: %s", error.detail)
        return error_response(503, UNAVAILABLE_MESSAGE, "storage_unavailable")

    @app.errorhandler(ObjectMissing)
    def _missing(error: ObjectMissing):
        return error_response(404)


def storage() -> Storage:
    return current_app.extensions[EXTENSION]
