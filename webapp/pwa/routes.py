"""The installable app: the service worker served from the site root so its scope is the whole app."""
from __future__ import annotations

from flask import current_app, request

from . import bp
from ..static_assets import versioned_url
from .worker_version import SHELL_FILES, worker_script


@bp.route("/sw.js")
def service_worker():
    shell = [versioned_url(current_app, name) for name in SHELL_FILES]
    text, version = worker_script(current_app.static_folder, shell)
    response = current_app.response_class(text, mimetype="text/javascript")
    response.set_etag(version)
    # Browsers must always revalidate the worker script so a new version is found at once; it stays
    # at its stable URL (never versioned: the registration names it).
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response.make_conditional(request)


MANIFEST = {
    "name": "支部通",
    "short_name": "支部通",
    "description": "党支部标准化建设：离线记录组织生活，联网后自动同步",
    "lang": "zh-CN",
    "start_url": "/",
    "scope": "/",
    "display": "standalone",
    "background_color": "#ffffff",
    "theme_color": "#b91c1c",
    "icons": [
        {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
        {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
        {"src": "/static/icons/maskable-192.png", "sizes": "192x192", "type": "image/png", "purpose": "maskable"},
        {"src": "/static/icons/maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
    ],
}


@bp.route("/manifest.webmanifest")
def manifest():
    """The web app manifest (offline capability): installable, standalone, Chinese name."""
    import json

    # Icons at their versioned URLs: the same URLs the pages' <link rel="icon"> fetch, so one download.
    icons = [{**icon, "src": versioned_url(current_app, icon["src"].removeprefix("/static/"))}
             for icon in MANIFEST["icons"]]
    response = current_app.response_class(json.dumps({**MANIFEST, "icons": icons}, ensure_ascii=False),
                                          mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
