"""Security headers on every response: a strict CSP with no inline script, and friends.

A script, a style sheet, an image or the manifest is never a document: the browser applies CSP,
frame, permissions, opener and referrer policies from the page (or the worker) that loads it, not
from these files' own headers. So the files the pages load (the ``static`` endpoint and the web app
manifest) carry only ``nosniff`` (and HSTS), which is what guards them; on a phone's wire the five document
headers cost about 480 bytes on each of the dozen files a form loads (issue 16). Everything else
(pages, the service worker, the API, errors) keeps them all.
"""
from __future__ import annotations

from flask import request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SUBRESOURCE_ENDPOINTS = ("static", "pwa.manifest")
SUBRESOURCE_TYPES = frozenset({"text/javascript", "text/css", "image/png", "image/jpeg", "image/webp",
                               "application/manifest+json"})


def is_subresource(response) -> bool:
    """A file a page loads (script, style sheet, raster image, manifest), never shown as a document."""
    return request.endpoint in SUBRESOURCE_ENDPOINTS and response.mimetype in SUBRESOURCE_TYPES


def install(app) -> None:
    @app.after_request
    def _set_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        if app.config.get("HSTS"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if is_subresource(response):
            return response
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
