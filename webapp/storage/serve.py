"""Send a stored object as the answer to a request the app has already allowed.

A local file goes out with ``send_file`` (ranges, conditional requests). An object-store object is
streamed through the app in 64 KB blocks, so the store needs no public address; or, with
``ZHIBU_STORAGE_SIGNED_URL_SECONDS`` > 0 and a store the phones can reach, the app answers a redirect
to a URL signed for that one object and those seconds, and the bytes bypass the app. Either way the
access check is the app's, made before this is called."""
from __future__ import annotations

from flask import current_app, redirect, send_file

from . import ObjectMissing, storage


def send_object(key: str, mimetype: str, *, as_attachment: bool = False, download_name: str | None = None,
                max_age: int | None = None):
    seconds = int(current_app.config.get("STORAGE_SIGNED_URL_SECONDS") or 0)
    store = storage()
    if seconds > 0 and hasattr(store, "signed_url"):
        if not store.exists(key):  # ObjectMissing is 404 here too, never a redirect to a 404
            raise ObjectMissing(key)
        response = redirect(store.signed_url(key, seconds, download_name if as_attachment else None), 302)
        # The browser may reuse the redirect while the signed URL is good, never longer.
        response.headers["Cache-Control"] = f"private, max-age={seconds // 2}"
        return response
    stored = store.open(key)  # ObjectMissing → 404, StorageUnavailable → 503 (installed handlers)
    if stored.path is not None:
        stored.body.close()
        return send_file(stored.path, mimetype=mimetype, as_attachment=as_attachment,
                         download_name=download_name, max_age=max_age)
    response = send_file(stored.body, mimetype=mimetype, as_attachment=as_attachment,
                         download_name=download_name, max_age=max_age, conditional=False, etag=False)
    response.headers["Content-Length"] = str(stored.size)
    return response
