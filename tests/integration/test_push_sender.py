"""Sending through a real HTTP push service: VAPID JWT verified, payload decrypted (RFC 8291), headers
per kind, and each answer of the push service handled as issue 5 says."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from tests.push_helpers import subscribe
from webapp.extensions import db
from webapp.models import PushDelivery, PushSubscription
from webapp.push import scheduler, sender
from webapp.rules import reminders as R


def _queue(user, kind="theme_day", now=None, key="k1"):
    now = now or datetime.now(timezone.utc)
    payload = {"title": "明天主题党日：学习党章", "body": "测试党支部 · 12月1日 09:00，地点：三楼会议室",
               "url": "/plans/1", "tag": "act-1", "kind": kind}
    message = scheduler.enqueue(kind, user.id, now, payload, "act-1", key, respect_prefs=False)
    db.session.commit()
    return message


def _delivery(message) -> PushDelivery:
    [delivery] = db.session.scalars(select(PushDelivery).where(PushDelivery.message_id == message.id))
    db.session.refresh(delivery)
    return delivery


def _daytime():
    # A moment outside the default quiet hours, in the near future so the VAPID exp is valid.
    now = datetime.now(timezone.utc)
    return now.replace(hour=4)  # 12:00 China time today


def test_sent_payload_decrypts_and_headers_follow_the_kind(app, vapid, push_service, http, branch):
    _org, people = branch
    subscribe(push_service, people["a"])
    now = _daytime()
    message = _queue(people["a"], now=now)
    counts = sender.run_once(now=now, worker="w1", compute=False, session=http)
    assert counts == {"sent": 1}
    assert not push_service.errors
    [got] = push_service.received
    assert got.payload == message.payload
    assert got.payload["title"] == "明天主题党日：学习党章"
    assert got.headers["ttl"] == str(R.KINDS["theme_day"]["ttl"])
    assert got.headers["urgency"] == "normal"
    assert got.headers["topic"] == "act-1"
    assert got.claims["aud"] == push_service.url
    assert got.claims["sub"] == "mailto:push-test@zhibu.example.cn"
    assert got.vapid_key == vapid
    db.session.refresh(message)
    assert message.state == "sent" and _delivery(message).attempts == 1 and message.sent_at is not None
    assert db.session.scalar(select(PushSubscription)).last_success_at is not None


def test_study_kind_uses_its_own_ttl_and_urgency(app, vapid, push_service, http, branch):
    _org, people = branch
    subscribe(push_service, people["b"])
    now = _daytime()
    _queue(people["b"], kind="study", now=now)
    sender.run_once(now=now, worker="w1", compute=False, session=http)
    [got] = push_service.received
    assert got.headers["ttl"] == str(24 * 3600)
    assert got.headers["urgency"] == "low"


def test_every_device_of_the_recipient_gets_it(app, vapid, push_service, http, branch):
    _org, people = branch
    subscribe(push_service, people["a"], "phone")
    subscribe(push_service, people["a"], "desktop")
    subscribe(push_service, people["b"], "someone-else")
    now = _daytime()
    _queue(people["a"], now=now)
    sender.run_once(now=now, worker="w1", compute=False, session=http)
    assert sorted(r.path for r in push_service.received) == ["/push/desktop", "/push/phone"]


def test_404_and_410_remove_the_subscription(app, vapid, push_service, http, branch):
    _org, people = branch
    subscribe(push_service, people["a"], "gone404")
    subscribe(push_service, people["a"], "gone410")
    push_service.answer(404)
    push_service.answer(410)
    now = _daytime()
    message = _queue(people["a"], now=now)
    sender.run_once(now=now, worker="w1", compute=False, session=http)
    assert len(push_service.received) == 2
    assert db.session.scalar(select(PushSubscription.id)) is None
    db.session.refresh(message)
    assert message.state == "failed"


def test_429_is_retried_after_retry_after_then_sent(app, vapid, push_service, http, branch):
    _org, people = branch
    subscribe(push_service, people["a"])
    push_service.answer(429, {"Retry-After": "1800"})
    now = _daytime()
    message = _queue(people["a"], now=now)
    assert sender.run_once(now=now, worker="w1", compute=False, session=http) == {"queued": 1}
    delivery = _delivery(message)
    assert delivery.state == "queued" and delivery.attempts == 1
    assert delivery.next_attempt_at == now + timedelta(seconds=1800)  # Retry-After beats the 60 s backoff
    # Not due yet a minute later; due after Retry-After.
    assert sender.run_once(now=now + timedelta(seconds=120), worker="w1", compute=False, session=http) == {}
    later = now + timedelta(seconds=1800)
    assert sender.run_once(now=later, worker="w1", compute=False, session=http) == {"sent": 1}
    db.session.refresh(message)
    assert message.state == "sent" and _delivery(message).attempts == 2
    assert len(push_service.received) == 2
    assert db.session.scalar(select(PushSubscription.id)) is not None


def test_500_backs_off_and_gives_up_after_the_last_attempt(app, vapid, push_service, http, branch):
    _org, people = branch
    subscribe(push_service, people["a"])
    push_service.answer(500, times=R.MAX_ATTEMPTS)
    now = _daytime()
    message = _queue(people["a"], now=now)
    at = now
    for attempt in range(1, R.MAX_ATTEMPTS + 1):
        sender.run_once(now=at, worker="w1", compute=False, session=http)
        delivery = _delivery(message)
        assert delivery.attempts == attempt
        if attempt < R.MAX_ATTEMPTS:
            assert delivery.state == "queued"
            assert delivery.next_attempt_at == at + timedelta(seconds=R.BACKOFF_SECONDS[attempt - 1])
            at = delivery.next_attempt_at
    db.session.refresh(message)
    assert message.state == "failed"
    assert len(push_service.received) == R.MAX_ATTEMPTS
    assert db.session.scalar(select(PushSubscription.id)) is not None  # 5xx never removes it


def test_other_4xx_is_logged_and_dropped_keeping_the_subscription(app, vapid, push_service, http, branch):
    _org, people = branch
    subscription = subscribe(push_service, people["a"])
    push_service.answer(413)
    now = _daytime()
    message = _queue(people["a"], now=now)
    assert sender.run_once(now=now, worker="w1", compute=False, session=http) == {"failed": 1}
    db.session.refresh(message)
    assert _delivery(message).attempts == 1 and "413" in message.last_error
    db.session.refresh(subscription)
    assert subscription.last_error.startswith("413")


def test_no_device_fails_without_sending(app, vapid, push_service, http, branch):
    _org, people = branch
    now = _daytime()
    message = _queue(people["c"], now=now)
    sender.run_once(now=now, worker="w1", compute=False, session=http)
    db.session.refresh(message)
    assert message.state == "failed" and not push_service.received


def test_retry_after_http_date_is_understood():
    now = datetime(2026, 12, 1, 4, 0, tzinfo=timezone.utc)
    assert sender.parse_retry_after("120", now) == 120
    assert sender.parse_retry_after("Tue, 01 Dec 2026 04:10:00 GMT", now) == 600
    assert sender.parse_retry_after("soon", now) is None
