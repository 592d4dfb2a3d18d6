"""Helpers for push tests: China wall-clock moments and browser subscriptions at the test push service
(the fixtures — a small branch, VAPID keys, the push service — are in tests/integration/conftest.py)."""
from __future__ import annotations

from datetime import datetime, timezone


from webapp.china_time import CHINA_TZ
from webapp.extensions import db
from webapp.models import PushSubscription


def china(y, m, d, hh=0, mm=0) -> datetime:
    """A China wall-clock moment as aware UTC."""
    return datetime(y, m, d, hh, mm, tzinfo=CHINA_TZ).astimezone(timezone.utc)


def subscribe(service, user, name: str | None = None) -> PushSubscription:
    endpoint, browser_keys = service.subscription(name or f"u{user.id}-{len(service.browsers)}")
    subscription = PushSubscription(user_id=user.id, endpoint=endpoint, p256dh=browser_keys["p256dh"],
                                    auth=browser_keys["auth"], user_agent="Mozilla/5.0 (Linux; Android 14) Chrome/130")
    db.session.add(subscription)
    db.session.commit()
    return subscription
