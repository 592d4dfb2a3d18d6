"""The words of a reminder, made at the moment it is sent (issue 17 "Wrong words").

A queued message keeps the facts (the event's start, its title, place, branch); quiet hours and retries
move the send time, so "明天" or "两小时后" written at queueing time would be wrong by the time it goes
out. Here the title is made from the event and the actual send time ("今天 10:00 主题党日：…",
"30 分钟后 支委会：…"), and a message that is too late to be useful is dropped instead
(``LATE_LIMIT`` per kind, webapp/rules/reminders.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..china_time import CHINA_TZ
from ..rules import reminders as R

# The payload's "template" for an activity reminder whose title is made at send time.
ACTIVITY_REMINDER = "activity_reminder"
# Keys kept in the stored payload that the browser does not need.
_FACTS = ("template", "starts_at", "activity_type", "activity_title")


@dataclass
class Rendered:
    payload: dict | None  # what the service worker shows; None when dropped
    ttl: int = 0  # seconds the push service may keep it (never beyond the message's expiry)
    reason: str = ""  # why it was dropped


def when_words(starts: datetime, at: datetime) -> str:
    """How far off ``starts`` is, seen at ``at``: "30 分钟后", "2 小时后", "今天 10:00", "明天 09:00"."""
    delta = starts - at
    minutes = max(1, round(delta.total_seconds() / 60))
    if delta <= R.RELATIVE_WORDS_WITHIN:
        if minutes < 60:
            return f"{minutes} 分钟后"
        minutes = 5 * round(minutes / 5)
        hours, rest = divmod(minutes, 60)
        return f"{hours} 小时后" if rest == 0 else f"{hours} 小时 {rest} 分钟后"
    local_start, local_at = starts.astimezone(CHINA_TZ), at.astimezone(CHINA_TZ)
    clock = local_start.strftime("%H:%M")
    days = (local_start.date() - local_at.date()).days
    if days == 0:
        return f"今天 {clock}"
    if days == 1:
        return f"明天 {clock}"
    if days == 2:
        return f"后天 {clock}"
    return f"{local_start.month}月{local_start.day}日 {clock}"


def render(kind: str, payload: dict, due_at: datetime, expires_at: datetime | None, at: datetime) -> Rendered:
    """The browser's payload for sending at ``at``, or why it is not sent any more."""
    if expires_at is not None and at >= expires_at:
        return Rendered(None, reason="活动已开始或已过期限，提醒不再发送")
    late = R.LATE_LIMIT.get(kind)
    if late is not None and at - due_at > late:
        return Rendered(None, reason=f"已晚于提醒时刻 {int((at - due_at).total_seconds() // 60)} 分钟，不再发送")
    shown = {k: v for k, v in payload.items() if k not in _FACTS}
    if payload.get("template") == ACTIVITY_REMINDER:
        starts = datetime.fromisoformat(payload["starts_at"])
        shown["title"] = f"{when_words(starts, at)} {payload['activity_type']}：{payload['activity_title']}"
    ttl = R.KINDS[kind]["ttl"]
    if expires_at is not None:
        ttl = min(ttl, int((expires_at - at).total_seconds()))
    if ttl <= 0:
        return Rendered(None, reason="活动已开始或已过期限，提醒不再发送")
    return Rendered(shown, ttl=ttl)


def expiry_for_late_limit(kind: str, due_at: datetime) -> datetime | None:
    late = R.LATE_LIMIT.get(kind)
    return due_at + late if late is not None else None


def latest_useful(kind: str, due_at: datetime, expires_at: datetime | None) -> datetime | None:
    """The last moment a message may still go out: its expiry or its late limit, whichever is first."""
    limits = [t for t in (expires_at, expiry_for_late_limit(kind, due_at)) if t is not None]
    return min(limits) if limits else None
