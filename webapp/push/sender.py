"""Sending queued reminders with pywebpush (RFC 8030/8291/8292), and the worker that claims them.

A row is claimed before it is sent so two workers never send it twice: on PostgreSQL with
``SELECT … FOR UPDATE SKIP LOCKED``, on SQLite with an atomic ``UPDATE … WHERE state='queued'`` whose
row count tells who won. Sending happens outside any transaction.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests
from pywebpush import WebPushException, webpush
from sqlalchemy import bindparam, select, text, update

from ..extensions import db
from ..models import PushMessage, PushSubscription
from ..models.base import UTCDateTime
from ..rules import reminders as R
from . import keys, scheduler

log = logging.getLogger("zhibu.push")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Outcome:
    """What one push service said about one subscription."""

    status: int | None
    retry_after: float | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status in (200, 201, 202)

    @property
    def gone(self) -> bool:
        return self.status in (404, 410)

    @property
    def retryable(self) -> bool:
        # No answer at all (network), 429 Too Many Requests, 5xx: try again later.
        return self.status is None or self.status == 429 or self.status >= 500


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds (RFC 9110 §10.2.3: delay-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


def headers_for(kind: str, topic: str) -> dict:
    spec = R.KINDS[kind]
    return {"Urgency": spec["urgency"], "Topic": topic}


def push_one(subscription: PushSubscription, message: PushMessage, now: datetime,
             session: requests.Session | None = None) -> Outcome:
    spec = R.KINDS[message.kind]
    parts = urlsplit(subscription.endpoint)
    # A fresh claims dict every time: pywebpush writes aud and exp into it (PRACTICES.md).
    # exp follows the real clock (the push service checks it against its own), ``now`` may be a test's.
    claims = {"sub": keys.subject(), "aud": f"{parts.scheme}://{parts.netloc}",
              "exp": int(time.time()) + 12 * 3600}
    try:
        webpush(subscription.info(), data=json.dumps(message.payload, ensure_ascii=False),
                vapid_private_key=keys.private_key_string(), vapid_claims=claims, ttl=spec["ttl"],
                headers=headers_for(message.kind, message.topic), timeout=10,
                requests_session=session)
    except WebPushException as error:
        # A requests.Response is falsy for status >= 400: compare with None (PRACTICES.md).
        response = error.response
        if response is None:
            return Outcome(None, error=str(error)[:300])
        return Outcome(response.status_code, parse_retry_after(response.headers.get("Retry-After"), now),
                       f"{response.status_code} {response.text[:200]}")
    except requests.RequestException as error:
        return Outcome(None, error=f"network: {error.__class__.__name__}")
    return Outcome(201)


def deliver(message: PushMessage, now: datetime, session: requests.Session | None = None) -> str:
    """Send one claimed message to every device of its recipient; returns the new state."""
    subscriptions = list(db.session.scalars(select(PushSubscription).where(
        PushSubscription.user_id == message.user_id).order_by(PushSubscription.id)))
    message.attempts += 1
    if not subscriptions:
        return _finish(message, "failed", "无已订阅的设备", now)
    outcomes = []
    for subscription in subscriptions:
        outcome = push_one(subscription, message, now, session)
        outcomes.append(outcome)
        if outcome.ok:
            subscription.last_success_at = now
            subscription.last_error = None
        elif outcome.gone:
            log.info("push subscription %s gone (%s): removed", subscription.id, outcome.status)
            db.session.delete(subscription)
        else:
            subscription.last_error = outcome.error[:300]
            if not outcome.retryable:
                log.warning("push to subscription %s refused: %s", subscription.id, outcome.error)
    if any(o.ok for o in outcomes):
        message.sent_at = now
        return _finish(message, "sent", None, now)
    retry = [o for o in outcomes if o.retryable]
    if retry and message.attempts < R.MAX_ATTEMPTS:
        backoff = R.BACKOFF_SECONDS[min(message.attempts - 1, len(R.BACKOFF_SECONDS) - 1)]
        wait = max([backoff] + [o.retry_after for o in retry if o.retry_after is not None])
        message.state = "queued"
        message.claimed_by = None
        message.next_attempt_at = now + timedelta(seconds=wait)
        message.last_error = retry[0].error[:500] or "retry"
        return "queued"
    errors = "; ".join(o.error for o in outcomes if o.error) or "推送服务拒绝"
    return _finish(message, "failed", errors, now)


def _finish(message: PushMessage, state: str, error: str | None, now: datetime) -> str:
    message.state = state
    message.last_error = error[:500] if error else None
    return state


# --- claiming -------------------------------------------------------------------------------------

def release_stale(now: datetime) -> int:
    """Rows left in 'sending' by a worker that died go back to the queue."""
    limit = now - timedelta(seconds=R.CLAIM_STALE_SECONDS)
    result = db.session.execute(update(PushMessage).where(
        PushMessage.state == "sending", PushMessage.claimed_at < limit)
        .values(state="queued", claimed_by=None).execution_options(synchronize_session=False))
    return result.rowcount or 0


def claim_next(now: datetime, worker: str) -> int | None:
    """Claim one due row for this worker and commit; None when nothing is due."""
    if db.engine.dialect.name == "postgresql":
        row = db.session.execute(_sql(
            "SELECT id FROM push_messages WHERE state = 'queued' AND next_attempt_at <= :now "
            "ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"), {"now": now}).first()
        if row is None:
            db.session.rollback()
            return None
        # The row is locked until commit; the state condition is a second guard all the same.
        result = db.session.execute(_sql(
            "UPDATE push_messages SET state = 'sending', claimed_by = :w, claimed_at = :now "
            "WHERE id = :id AND state = 'queued'"), {"w": worker, "now": now, "id": row.id})
        db.session.commit()
        return row.id if result.rowcount == 1 else claim_next(now, worker)
    for _ in range(20):
        candidate = db.session.execute(_sql(
            "SELECT id FROM push_messages WHERE state = 'queued' AND next_attempt_at <= :now "
            "ORDER BY next_attempt_at, id LIMIT 1"), {"now": now}).first()
        if candidate is None:
            db.session.rollback()
            return None
        result = db.session.execute(_sql(
            "UPDATE push_messages SET state = 'sending', claimed_by = :w, claimed_at = :now "
            "WHERE id = :id AND state = 'queued'"), {"w": worker, "now": now, "id": candidate.id})
        db.session.commit()
        if result.rowcount == 1:
            return candidate.id
        # Another worker won this row: look for the next one.
    return None


def _sql(statement: str):
    """Raw SQL whose :now is bound through UTCDateTime, so it compares right on both backends."""
    return text(statement).bindparams(bindparam("now", type_=UTCDateTime()))


def process(message_id: int, now: datetime, worker: str, session: requests.Session | None = None) -> str:
    message = db.session.get(PushMessage, message_id)
    db.session.refresh(message)
    if message.state != "sending" or message.claimed_by != worker:
        db.session.rollback()
        return "skipped"
    expires = message.payload.get("expires_at")
    if expires and datetime.fromisoformat(expires) <= now:
        state = _finish(message, "superseded", "活动已开始，提醒过期", now)
    elif message.kind != "test" and not scheduler.preferences(message.user_id).wants(message.kind):
        state = _finish(message, "superseded", "用户已关闭此类提醒", now)
    else:
        prefs = scheduler.preferences(message.user_id)
        if message.kind != "test" and scheduler.in_quiet_hours(now, prefs.quiet_start, prefs.quiet_end):
            message.state = "queued"
            message.claimed_by = None
            message.next_attempt_at = scheduler.defer_for_quiet(now, prefs.quiet_start, prefs.quiet_end)
            state = "queued"
        else:
            state = deliver(message, now, session)
    db.session.commit()
    return state


def run_once(now: datetime | None = None, worker: str | None = None, compute: bool = True,
             session: requests.Session | None = None, clock=None) -> dict:
    """One round: recompute reminders, then send everything due. Returns counts per resulting state."""
    now = now or utcnow()
    worker = worker or worker_id()
    if compute:
        scheduler.compute_due(now)
        db.session.commit()
    release_stale(now)
    db.session.commit()
    counts: dict[str, int] = {}
    while True:
        message_id = claim_next(now, worker)
        if message_id is None:
            break
        state = process(message_id, clock() if clock else now, worker, session)
        counts[state] = counts.get(state, 0) + 1
    return counts
