"""Static files on a light wire (issue 16): content-versioned URLs cached for a year, our own
scripts and style sheet minified.

``url_for('static', filename=...)`` gains ``?v=<hash of the file's bytes>``; a request carrying the
current hash is answered ``immutable`` for a year, any other (an unversioned URL such as the service
worker's ``importScripts``, or an old hash) ``no-cache`` so it is revalidated by ETag. A change to a
file changes its URL, so a browser never keeps a stale copy.

Scripts and CSS are minified with rjsmin / rcssmin (C-accelerated, pure-Python fallback, no
JavaScript toolchain needed for ``make run``) the first time they are asked for, and kept in memory
until the file on disk changes (size or modification time). Files already minified (``*.min.js``)
are kept as they are; images are sent from disk.
"""
from __future__ import annotations

import hashlib
import mimetypes
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import rcssmin
import rjsmin
from flask import Flask, abort, current_app, request, send_from_directory, url_for
from markupsafe import Markup
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
VERSION_ARG = "v"


def _minify_js(text: str) -> str:
    return rjsmin.jsmin(text, keep_bang_comments=True)


def _minify_css(text: str) -> str:
    return rcssmin.cssmin(text, keep_bang_comments=True)


MINIFIERS = {".js": _minify_js, ".css": _minify_css}
MIMETYPES = {".js": "text/javascript", ".css": "text/css", ".webmanifest": "application/manifest+json"}


@dataclass(frozen=True)
class Asset:
    version: str  # first 12 hex digits of the sha256 of the file as stored
    mimetype: str
    body: bytes | None  # minified or text bytes; None: send the file (an image) from disk


_cache: dict[str, tuple[tuple[int, int], Asset]] = {}
_lock = threading.Lock()


def _should_minify(path: str) -> bool:
    suffix = Path(path).suffix
    return suffix in MINIFIERS and not path.endswith((".min.js", ".min.css"))


def _is_text(mimetype: str) -> bool:
    return mimetype.startswith("text/") or mimetype.endswith(("+json", "/json", "+xml", "/javascript"))


def find(folder: str, filename: str) -> Asset | None:
    """The asset at ``filename`` under ``folder``, or None when there is no such file (or the name
    tries to leave the folder)."""
    path = safe_join(folder, filename)
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None
    if not os.path.isfile(path):
        return None
    key = (stat.st_size, stat.st_mtime_ns)
    cached = _cache.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    raw = Path(path).read_bytes()
    suffix = Path(path).suffix
    mimetype = MIMETYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    body = None
    if _should_minify(path):
        body = MINIFIERS[suffix](raw.decode("utf-8")).encode("utf-8")
    elif _is_text(mimetype):
        body = raw  # held in memory, so the response can be compressed (a file stream is not)
    asset = Asset(hashlib.sha256(raw).hexdigest()[:12], mimetype, body)
    with _lock:
        _cache[path] = (key, asset)
    return asset


def versioned_url(app: Flask, filename: str) -> str:
    """The URL of a static file with its version, for places without ``url_for`` (the worker)."""
    asset = find(app.static_folder, filename)
    url = f"{app.static_url_path}/{filename}"
    return f"{url}?{VERSION_ARG}={asset.version}" if asset else url


def serve(filename: str):
    """The ``static`` endpoint: minified text or the file itself, with the cache rule above."""
    folder = current_app.static_folder
    asset = find(folder, filename)
    if asset is None:
        abort(404)
    if asset.body is None:
        response = send_from_directory(folder, filename, mimetype=asset.mimetype, etag=asset.version)
    else:
        response = current_app.response_class(asset.body, mimetype=asset.mimetype)
        response.set_etag(asset.version + "-min")
        response = response.make_conditional(request)
    response.headers["Cache-Control"] = IMMUTABLE if request.args.get(VERSION_ARG) == asset.version else REVALIDATE
    return response


def script_tag(filename: str) -> Markup:
    """``<script src=... defer>`` for a static script at its versioned URL (templates: ``script()``)."""
    return Markup('<script src="{}" defer></script>').format(url_for("static", filename=filename))


def install(app: Flask) -> None:
    app.view_functions["static"] = serve
    app.jinja_env.globals["script"] = script_tag

    @app.url_defaults
    def _version_static(endpoint, values):
        if endpoint == "static" and VERSION_ARG not in values and "filename" in values:
            asset = find(app.static_folder, values["filename"])
            if asset is not None:
                values[VERSION_ARG] = asset.version
