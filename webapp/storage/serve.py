"""Send a stored object as the answer to a request the app has already allowed.

A local file goes out with ``send_file`` (ranges, conditional requests); an object-store object is
streamed through the app in 64 KB blocks, so access checks stay in the app and the store needs no
public address."""
from __future__ import annotations

from flask import send_file

from . import storage


def send_object(key: str, mimetype: str, *, as_attachment: bool = False, download_name: str | None = None,
                max_age: int | None = None):
    stored = storage().open(key)  # ObjectMissing → 404, StorageUnavailable → 503 (installed handlers)
    if stored.path is not None:
        stored.body.close()
        return send_file(stored.path, mimetype=mimetype, as_attachment=as_attachment,
                         download_name=download_name, max_age=max_age)
    response = send_file(stored.body, mimetype=mimetype, as_attachment=as_attachment,
                         download_name=download_name, max_age=max_age, conditional=False, etag=False)
    response.headers["Content-Length"] = str(stored.size)
    return response
