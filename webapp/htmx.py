"""Rendering one template as a full page or as the fragment htmx asked for.

A page template includes its partial; when htmx (not a boosted navigation) asks, only the partial is
rendered (never for the back button's history restore). Every such response varies on those headers so
no cache serves a fragment as a page.
"""
from __future__ import annotations

from flask import make_response, render_template, request


def is_fragment_request() -> bool:
    """htmx asked for a partial: not a boosted navigation, and not the history restore that the back
    button makes (the history cache is off, base.html: htmx asks for the whole page and swaps the body)."""
    return (request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def render(page: str, partial: str, status: int = 200, **context):
    template = partial if is_fragment_request() else page
    response = make_response(render_template(template, **context), status)
    response.headers["Vary"] = "HX-Request, HX-Boosted, HX-History-Restore-Request"
    return response
