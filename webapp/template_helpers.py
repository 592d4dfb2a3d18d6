"""Values every template may use: navigation, labels, dates in China time."""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import get_flashed_messages, request
from flask_login import current_user

from . import access
from .china_time import CHINA_TZ, cn_date as _cn_date, cn_datetime

# Bottom navigation on phones, sidebar on desktop (issue "Foundation").
# Capabilities add their entries here: (endpoint, label, icon name).
# An entry shows once its blueprint is registered.
NAV_ITEMS = [
    ("home.index", "首页", "home"),
    ("records.index", "记录", "records"),
    ("study.index", "学习", "study"),
    ("home.me", "我的", "me"),
]

# Desktop-only entries for people who manage something.
MANAGER_NAV_ITEMS = [
    ("orgs.index", "组织", "orgs"),
    ("records.review", "审核", "review"),
    ("standards.dashboard_page", "对标", "chart"),
    ("offline.quarantine_index", "离线待处理", "review"),
    ("dues.index", "党费", "money"),
    ("points.index", "积分", "check"),
    ("ledgers.index", "台账", "records"),
]


def china_time(value: datetime | None, fmt: str | None = None) -> str:
    """An instant in China time, the Chinese way (2026年11月30日 14:05), or by ``fmt``."""
    if value is None:
        return ""
    if fmt is None:
        return cn_datetime(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(CHINA_TZ).strftime(fmt)


def cn_date(value: date | None, weekday: bool = False) -> str:
    """A day the Chinese way: 2026年11月30日, with ``weekday`` 2026年11月30日（星期一）."""
    return _cn_date(value, weekday=weekday)


# Header the service worker sets on pages it fetches in the background to keep for offline use
# (static/sw/offline.js, keepPage). Such a fetch must not consume the user's flash messages.
BACKGROUND_FETCH_HEADER = "X-Zhibu-Keep-Page"


def page_messages() -> list[tuple[str, str]]:
    """Flash messages for the page being rendered; none for a background fetch, which would
    otherwise swallow a confirmation meant for the page the user is about to see."""
    if request.headers.get(BACKGROUND_FETCH_HEADER):
        return []
    return get_flashed_messages(with_categories=True)


def install(app) -> None:
    app.jinja_env.filters["china_time"] = china_time
    app.jinja_env.filters["cn_date"] = cn_date

    @app.context_processor
    def _globals():
        manager_items = []
        if current_user.is_authenticated and access.manages_any(current_user):
            manager_items = MANAGER_NAV_ITEMS
        return {
            "nav_items": [item for item in NAV_ITEMS if item[0] in app.view_functions],
            "manager_nav_items": [i for i in manager_items if i[0] in app.view_functions],
            "is_htmx": request.headers.get("HX-Request") == "true",
            "page_messages": page_messages,
        }
