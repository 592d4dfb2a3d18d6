"""Sending queued reminders with pywebpush (RFC 8030/8291/8292), and the worker that claims them.

A due message fans out into one delivery per device (fan_out). A worker leases one delivery at a time:
the lease starts at the moment of the claim (``lease_until`` = claim time + LEASE_SECONDS), is taken on
PostgreSQL with ``SELECT … FOR UPDATE SKIP LOCKED`` and on SQLite with a conditional ``UPDATE`` whose
row count tells who won, and every later write checks the worker still holds it. A delivery whose
worker died is taken again once its lease has run out.

What this guarantees (README "Web push delivery"): a push service cannot deduplicate, so a worker that
dies after the push service accepted a message and before its commit makes that one message go out
again once the lease runs out. The window is one HTTP request: the answer is committed at once, no
transaction is held open across the request, and a worker never starts a send with less than a send's
time left on its lease. A repeat carries the same Topic header, so the phone replaces the first one
instead of showing two.
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
from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from ..db_savepoint import savepoint
from ..extensions import db
from ..models import PushDelivery, PushMessage, PushServiceBackoff, PushSubscription
from ..models.base import UTCDateTime, utcnow
from ..ops import metrics
from ..rules import reminders as R
from . import endpoints, keys, scheduler, words

log = logging.getLogger("zhibu.push")


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


def http_session() -> requests.Session:
    """The worker's HTTP session: no redirects followed (a push service answers, it never redirects;
    a redirect could lead past the endpoint checks)."""
    session = requests.Session()
    session.max_redirects = 0
    return session


def push_one(subscription: PushSubscription, message: PushMessage, payload: dict, ttl: int,
             session: requests.Session | None = None, now: datetime | None = None) -> Outcome:
    parts = urlsplit(subscription.endpoint)
    # A fresh claims dict every time: pywebpush writes aud and exp into it (PRACTICES.md).
    # exp follows the real clock (the push service checks it against its own), ``now`` may be a test's.
    claims = {"sub": keys.subject(), "aud": f"{parts.scheme}://{parts.netloc}",
              "exp": int(time.time()) + 12 * 3600}
    try:
        webpush(subscription.info(), data=json.dumps(payload, ensure_ascii=False),
                vapid_private_key=keys.private_key_string(), vapid_claims=claims, ttl=ttl,
                headers=headers_for(message.kind, message.topic), timeout=R.SEND_TIMEOUT_SECONDS,
                requests_session=session)
    except WebPushException as error:
        # A requests.Response is falsy for status >= 400: compare with None (PRACTICES.md).
        response = error.response
        if response is None:
            return Outcome(None, error=str(error)[:300])
        return Outcome(response.status_code,
                       parse_retry_after(response.headers.get("Retry-After"), now or utcnow()),
                       f"{response.status_code} {response.text[:200]}")
    except requests.TooManyRedirects:
        return Outcome(None, error="推送服务返回了重定向，已拒绝跟随")
    except requests.RequestException as error:
        return Outcome(None, error=f"network: {error.__class__.__name__}")
    return Outcome(201)


# --- fan-out: a due message becomes one delivery per device ----------------------------------------

FAN_OUT_BATCH = 500


def fan_out(now: datetime) -> int:
    """Take a batch of due messages (each exactly once: one conditional update, rows another worker is
    taking are skipped) and give each device of the recipient its own delivery, in one transaction.
    Returns how many messages were taken."""
    due = select(PushMessage.id).where(PushMessage.state == "queued", PushMessage.next_attempt_at <= now) \
        .order_by(PushMessage.next_attempt_at, PushMessage.id).limit(FAN_OUT_BATCH)
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    taken = db.session.execute(
        update(PushMessage).where(PushMessage.id.in_(due.scalar_subquery()), PushMessage.state == "queued")
        .values(state="delivering")
        .returning(PushMessage.id, PushMessage.user_id, PushMessage.next_attempt_at)
        .execution_options(synchronize_session=False)).all()
    if not taken:
        db.session.rollback()
        return 0
    devices: dict[int, list[tuple[int, str]]] = {}
    for sub_id, user_id, endpoint in db.session.execute(
            select(PushSubscription.id, PushSubscription.user_id, PushSubscription.endpoint)
            .where(PushSubscription.user_id.in_({row.user_id for row in taken})).order_by(PushSubscription.id)):
        devices.setdefault(user_id, []).append((sub_id, endpoint))
    rows, without = [], []
    for message_id, user_id, at in taken:
        if not devices.get(user_id):
            without.append(message_id)
        for sub_id, endpoint in devices.get(user_id, []):
            rows.append({"message_id": message_id, "subscription_id": sub_id, "state": "queued", "attempts": 0,
                         "service_host": endpoints.service_of(endpoint), "next_attempt_at": at,
                         "created_at": now})
    if rows:
        db.session.execute(insert(PushDelivery), rows)
    if without:
        db.session.execute(update(PushMessage).where(PushMessage.id.in_(without))
                           .values(state="failed", last_error="无已订阅的设备")
                           .execution_options(synchronize_session=False))
    db.session.commit()
    return len(taken)


# --- claiming: a lease taken at the moment of the claim ---------------------------------------------

_CLAIMABLE = ("((d.state = 'queued' AND d.next_attempt_at <= :now) "
              "OR (d.state = 'sending' AND d.lease_until < :now))")
_SERVICE_OPEN = ("NOT EXISTS (SELECT 1 FROM push_service_backoff b "
                 "WHERE b.host = d.service_host AND b.until > :now)")


def _sql(statement: str):
    """Raw SQL whose times are bound through UTCDateTime, so they compare right on both backends."""
    return text(statement).bindparams(bindparam("now", type_=UTCDateTime()),
                                       *([bindparam("until", type_=UTCDateTime())] if ":until" in statement else []))


def claim_next(now: datetime, worker: str) -> int | None:
    """Lease one due delivery (queued, or sending under a lease that ran out) to this worker from
    ``now`` and commit; None when nothing is due. A push service in back-off is skipped."""
    take = _sql(f"UPDATE push_deliveries SET state = 'sending', lease_owner = :w, lease_until = :until, "
                f"attempts = attempts + 1 WHERE id = :id AND {_CLAIMABLE.replace('d.', '')}")
    values = {"w": worker, "now": now, "until": now + timedelta(seconds=R.LEASE_SECONDS)}
    lock = " FOR UPDATE OF d SKIP LOCKED" if db.engine.dialect.name == "postgresql" else ""
    find = _sql(f"SELECT d.id FROM push_deliveries d WHERE {_CLAIMABLE} AND {_SERVICE_OPEN} "
                f"ORDER BY d.next_attempt_at, d.id LIMIT 1{lock}")
    for _ in range(20):
        row = db.session.execute(find, {"now": now}).first()
        if row is None:
            db.session.rollback()
            return None
        # On PostgreSQL the row is locked until commit; the condition is a second guard all the same.
        won = db.session.execute(take, {**values, "id": row.id}).rowcount == 1
        db.session.commit()
        if won:
            return row.id
        # Another worker won this row: look for the next one.
    return None


# --- one delivery ---------------------------------------------------------------------------------

def _mine(delivery_id: int, worker: str):
    """An update of a delivery that only happens while this worker still holds its lease."""
    return update(PushDelivery).where(PushDelivery.id == delivery_id, PushDelivery.state == "sending",
                                      PushDelivery.lease_owner == worker)


def _settle(delivery_id: int, worker: str, state: str, error: str | None = None, **values) -> str:
    result = db.session.execute(_mine(delivery_id, worker).values(
        state=state, last_error=error[:500] if error else None, lease_until=None, **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        log.warning("push delivery %s: lease lost before it was settled as %s", delivery_id, state)
        return "lease_lost"
    return state


def _release(delivery_id: int, worker: str, at: datetime) -> None:
    """Give the delivery back untried (quiet hours, or too little lease left): no attempt counted."""
    db.session.execute(_mine(delivery_id, worker).values(
        state="queued", next_attempt_at=at, lease_owner=None, lease_until=None,
        attempts=PushDelivery.attempts - 1).execution_options(synchronize_session=False))


def back_off_service(host: str, until: datetime, status: int | None) -> None:
    """Nothing goes to this push service before ``until``, from any worker."""
    row = db.session.get(PushServiceBackoff, host)
    if row is None:
        try:
            with savepoint():
                db.session.add(PushServiceBackoff(host=host, until=until, last_status=status))
            return
        except IntegrityError:  # another worker wrote it first
            row = db.session.get(PushServiceBackoff, host)
    if row.until < until:
        row.until, row.last_status = until, status


def process(delivery_id: int, worker: str, clock, session: requests.Session | None = None) -> str:
    """Send one leased delivery; every write checks the lease is still this worker's. The state it
    ended in is counted for /metrics (zhibu_push_deliveries_total)."""
    state = _process(delivery_id, worker, clock, session)
    metrics.count_push(state)
    return state


def _process(delivery_id: int, worker: str, clock, session: requests.Session | None) -> str:
    delivery = db.session.get(PushDelivery, delivery_id, populate_existing=True)
    if delivery.state != "sending" or delivery.lease_owner != worker:
        db.session.rollback()
        return "skipped"
    message = db.session.get(PushMessage, delivery.message_id, populate_existing=True)
    now = clock()
    state = _prepare(delivery, message, worker, now)
    if state is not None:
        db.session.commit()
        finish_message(message.id)
        return state
    subscription = db.session.get(PushSubscription, delivery.subscription_id)
    rendered = words.render(message.kind, message.payload, message.due_at, message.expires_at, now)
    orm = db.session()
    orm.expire_on_commit = False  # what was just read stays usable without reloading it
    try:
        db.session.commit()  # no transaction stays open across the network call
    finally:
        orm.expire_on_commit = True
    outcome = push_one(subscription, message, rendered.payload, rendered.ttl, session, now)
    done = clock()
    state = _record(delivery, message, subscription, worker, outcome, done)
    db.session.commit()
    finish_message(message.id)
    return state


def _prepare(delivery: PushDelivery, message: PushMessage, worker: str, now: datetime) -> str | None:
    """Everything decided before sending; a state when the delivery ends (or waits) here, else None."""
    if message.state != "delivering":
        return _settle(delivery.id, worker, "superseded", message.last_error or "提醒已被替换")
    subscription = db.session.get(PushSubscription, delivery.subscription_id)
    if subscription is None or subscription.user_id != message.user_id:
        return _settle(delivery.id, worker, "gone", "设备已移除")
    if message.kind != "test":
        prefs = scheduler.preferences(message.user_id)
        if not prefs.wants(message.kind):
            return _settle(delivery.id, worker, "dropped", "用户已关闭此类提醒")
        if scheduler.in_quiet_hours(now, prefs.quiet_start, prefs.quiet_end):
            _release(delivery.id, worker, scheduler.defer_for_quiet(now, prefs.quiet_start, prefs.quiet_end))
            return "deferred"
    rendered = words.render(message.kind, message.payload, message.due_at, message.expires_at, now)
    if rendered.payload is None:
        return _settle(delivery.id, worker, "dropped", rendered.reason)
    if (delivery.lease_until - now).total_seconds() < R.SEND_TIMEOUT_SECONDS:
        _release(delivery.id, worker, now)  # the lease could run out mid-send: let it be taken afresh
        return "released"
    try:
        endpoints.check(subscription.endpoint, resolve_required=True)
    except endpoints.Refused as refused:
        log.warning("push subscription %s refused at send time: %s", subscription.id, refused)
        return _settle(delivery.id, worker, "failed", refused.message)
    return None


def _record(delivery: PushDelivery, message: PushMessage, subscription: PushSubscription, worker: str,
            outcome: Outcome, done: datetime) -> str:
    """What the push service answered, written only while the lease is still this worker's."""
    if outcome.ok:
        state = _settle(delivery.id, worker, "sent", None, sent_at=done, last_status=outcome.status)
        if state == "sent":
            subscription.last_success_at, subscription.last_error = done, None
        return state
    if outcome.gone:
        state = _settle(delivery.id, worker, "gone", outcome.error, last_status=outcome.status)
        if state == "gone":
            log.info("push subscription %s gone (%s): removed", subscription.id, outcome.status)
            db.session.execute(update(PushDelivery).where(
                PushDelivery.subscription_id == subscription.id, PushDelivery.state == "queued")
                .values(state="gone", last_error="设备的订阅已失效").execution_options(synchronize_session=False))
            db.session.delete(subscription)
        return state
    subscription.last_error = outcome.error[:300]
    if not outcome.retryable:
        log.warning("push to subscription %s refused: %s", subscription.id, outcome.error)
        return _settle(delivery.id, worker, "failed", outcome.error or "推送服务拒绝", last_status=outcome.status)
    asked = None
    if outcome.retry_after is not None:
        asked = min(outcome.retry_after, R.RETRY_AFTER_CAP_SECONDS)
    backoff = R.BACKOFF_SECONDS[min(delivery.attempts - 1, len(R.BACKOFF_SECONDS) - 1)]
    if outcome.status == 429 or asked is not None:
        # The push service asked everyone to slow down: every worker leaves it alone until then.
        back_off_service(delivery.service_host, done + timedelta(seconds=asked if asked is not None else backoff),
                         outcome.status)
    next_try = done + timedelta(seconds=max(backoff, asked or 0))
    latest = words.latest_useful(message.kind, message.due_at, message.expires_at)
    if delivery.attempts >= R.MAX_ATTEMPTS:
        return _settle(delivery.id, worker, "failed", f"重试 {delivery.attempts} 次仍未送达：{outcome.error}",
                       last_status=outcome.status)
    if latest is not None and next_try >= latest:
        return _settle(delivery.id, worker, "dropped", f"推送服务暂不可用，下次可重试时提醒已过期：{outcome.error}",
                       last_status=outcome.status)
    result = db.session.execute(_mine(delivery.id, worker).values(
        state="queued", next_attempt_at=next_try, lease_owner=None, lease_until=None,
        last_status=outcome.status, last_error=(outcome.error or "retry")[:500])
        .execution_options(synchronize_session=False))
    return "queued" if result.rowcount == 1 else "lease_lost"


def finish_message(message_id: int) -> None:
    """Once no delivery of the message waits or is in flight, the message takes its final state: sent
    when any device got it, else dropped (too late) or failed."""
    rows = db.session.execute(select(PushDelivery.state, PushDelivery.sent_at, PushDelivery.last_error).where(
        PushDelivery.message_id == message_id)).all()
    if not rows or any(r.state in ("queued", "sending") for r in rows):
        db.session.rollback()
        return
    sent = [r.sent_at for r in rows if r.state == "sent"]
    errors = "; ".join(sorted({r.last_error for r in rows if r.last_error and r.state != "sent"}))
    if sent:
        values = {"state": "sent", "sent_at": max(sent), "last_error": errors[:500] or None}
    elif all(r.state == "superseded" for r in rows):
        db.session.rollback()
        return
    elif any(r.state == "dropped" for r in rows):
        values = {"state": "dropped", "last_error": errors[:500] or None}
    else:
        values = {"state": "failed", "last_error": errors[:500] or "推送服务拒绝"}
    db.session.execute(update(PushMessage).where(PushMessage.id == message_id, PushMessage.state == "delivering")
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()


def run_once(now: datetime | None = None, worker: str | None = None, compute: bool = True,
             session: requests.Session | None = None, clock=None) -> dict:
    """One round: recompute reminders, fan due messages out to devices, then send every due delivery.
    ``clock`` (or a fixed ``now``) gives the time of each step, so tests control it. Returns counts
    per resulting delivery state."""
    if clock is None:
        clock = (lambda: now) if now is not None else utcnow
    worker = worker or worker_id()
    own_session = session is None
    session = session or http_session()
    try:
        if compute:
            scheduler.compute_due(clock())
            db.session.commit()
        while fan_out(clock()) >= FAN_OUT_BATCH:
            pass
        counts: dict[str, int] = {}
        while True:
            delivery_id = claim_next(clock(), worker)
            if delivery_id is None:
                break
            state = process(delivery_id, worker, clock, session)
            counts[state] = counts.get(state, 0) + 1
        return counts
    finally:
        if own_session:
            session.close()
