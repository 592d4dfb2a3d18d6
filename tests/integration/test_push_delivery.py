"""Issue 17: what happens when time passes or something dies. Deliveries per device with leases taken at
claim time, words made at send time, per-service back-off, short notice. A controllable clock and the
fake push service of tests/push_service.py; every test runs on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

import requests
from sqlalchemy import func, select

from tests.push_helpers import china, subscribe
from tests.push_service import start_push_service
from webapp.extensions import db
from webapp.models import PushDelivery, PushMessage, PushServiceBackoff
from webapp.plans import service as planning
from webapp.push import scheduler, sender, words
from webapp.rules import reminders as R


class Clock:
    """A clock the test moves; thread-safe, since a second worker reads it from another thread."""

    def __init__(self, start: datetime):
        self.now = start
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.now += timedelta(seconds=seconds)


def _daytime() -> datetime:
    # 12:00 China time today: outside quiet hours, and near the real clock so VAPID exp is valid.
    return datetime.now(timezone.utc).replace(hour=4, minute=0, second=0, microsecond=0)


def _queue(user, now, key, kind="study", expires_at=None, title="学习提醒：学习党章"):
    payload = {"title": title, "body": "请按期完成", "url": "/study-tasks/1", "tag": "study-1", "kind": kind}
    message = scheduler.enqueue(kind, user.id, now, payload, "study-1", key, respect_prefs=False,
                                expires_at=expires_at)
    db.session.commit()
    return message


def _deliveries(message):
    rows = list(db.session.scalars(select(PushDelivery).where(PushDelivery.message_id == message.id)
                                   .order_by(PushDelivery.id)))
    for row in rows:
        db.session.refresh(row)
    return rows


def test_a_round_longer_than_the_lease_with_a_second_worker_sends_each_once(app, vapid, push_service, branch):
    """A slow push service (8 s a message on the clock) makes worker A's round last 800 s, longer than
    the lease and than the old ten-minute limit. Worker B runs a round while one of A's sends is in
    flight (B's own sends take no time on the clock, so A's request stays within a send's time): B must
    take only what A has not claimed, and nothing is sent twice."""
    _org, people = branch
    start = _daytime()
    users = [people[k] for k in ("secretary", "a", "b", "c")]
    for user in users:
        subscribe(push_service, user)
        for n in range(25):
            _queue(user, start, f"slow:{user.id}:{n}", title=f"学习提醒 {n}")
    clock = Clock(start)
    second = {"ran": False, "running": False, "counts": None}

    def slow_service(_received):
        if second["running"]:
            return
        clock.advance(8)
        if clock() >= start + timedelta(minutes=11) and not second["ran"]:
            second["ran"] = second["running"] = True
            with app.app_context():
                with requests.Session() as session:
                    session.trust_env = False
                    second["counts"] = sender.run_once(worker="B", compute=False, session=session, clock=clock)
                db.session.remove()
            second["running"] = False

    push_service.on_receive = slow_service
    with requests.Session() as session:
        session.trust_env = False
        counts_a = sender.run_once(worker="A", compute=False, session=session, clock=clock)
    assert not push_service.errors, push_service.errors
    assert second["ran"] and clock() - start > timedelta(minutes=11)
    assert counts_a["sent"] + second["counts"].get("sent", 0) == 100
    assert second["counts"].get("sent", 0) > 0
    shown = Counter((r.path, r.payload["title"]) for r in push_service.received)
    assert len(shown) == 100 and set(shown.values()) == {1}  # nothing twice
    assert set(db.session.scalars(select(PushDelivery.attempts))) == {1}
    assert set(db.session.scalars(select(PushMessage.state))) == {"sent"}


def test_a_worker_killed_between_claim_and_send_is_replaced_after_the_lease(app, vapid, push_service, http,
                                                                           branch):
    _org, people = branch
    subscribe(push_service, people["a"])
    start = _daytime()
    message = _queue(people["a"], start, "killed")
    sender.fan_out(start)
    delivery_id = sender.claim_next(start, "dead-worker")  # ... and the process is killed here
    assert delivery_id is not None
    lease = timedelta(seconds=R.LEASE_SECONDS)
    assert sender.run_once(now=start + lease - timedelta(seconds=1), worker="B", compute=False, session=http) == {}
    assert sender.run_once(now=start + lease + timedelta(seconds=1), worker="B", compute=False,
                           session=http) == {"sent": 1}
    # Had the first worker only stalled, it may not send or write any more: its lease is gone.
    assert sender.process(delivery_id, "dead-worker", lambda: start + lease * 2, http) == "skipped"
    assert len(push_service.received) == 1
    [delivery] = _deliveries(message)
    assert delivery.state == "sent" and delivery.lease_owner == "B" and delivery.attempts == 2
    db.session.refresh(message)
    assert message.state == "sent"


def test_one_device_fails_the_other_is_not_sent_again(app, vapid, push_service, http, branch):
    _org, people = branch
    subscribe(push_service, people["a"], "phone")
    subscribe(push_service, people["a"], "desktop")
    push_service.answer(201)
    push_service.answer(500)
    start = _daytime()
    message = _queue(people["a"], start, "two-devices")
    assert sender.run_once(now=start, worker="w", compute=False, session=http) == {"sent": 1, "queued": 1}
    db.session.refresh(message)
    assert message.state == "delivering"  # not "sent" while one device still waits
    phone, desktop = _deliveries(message)
    assert (phone.state, desktop.state) == ("sent", "queued")
    assert desktop.next_attempt_at == start + timedelta(seconds=R.BACKOFF_SECONDS[0])
    assert sender.run_once(now=start + timedelta(seconds=30), worker="w", compute=False, session=http) == {}
    assert sender.run_once(now=desktop.next_attempt_at, worker="w", compute=False, session=http) == {"sent": 1}
    assert [r.path for r in push_service.received] == ["/push/phone", "/push/desktop", "/push/desktop"]
    db.session.refresh(message)
    assert message.state == "sent"


def test_429_backs_off_that_push_service_while_another_keeps_receiving(app, vapid, push_service, http,
                                                                      branch):
    _org, people = branch
    other, other_server = start_push_service()
    try:
        for key in ("a", "b"):
            subscribe(push_service, people[key])
        for key in ("c", "secretary"):
            subscribe(other, people[key])
        start = _daytime()
        for key in ("a", "b", "c", "secretary"):
            _queue(people[key], start, f"svc:{key}")
        push_service.answer(429, {"Retry-After": "600"})
        assert sender.run_once(now=start, worker="w", compute=False, session=http) == {"queued": 1, "sent": 2}
        assert len(push_service.received) == 1  # nothing more to the service that said 429
        assert len(other.received) == 2
        service = db.session.scalar(select(PushServiceBackoff))
        assert service.host == sender.endpoints.service_of(push_service.url)
        assert service.until == start + timedelta(seconds=600) and service.last_status == 429
        assert sender.run_once(now=start + timedelta(seconds=300), worker="w", compute=False, session=http) == {}
        assert sender.run_once(now=start + timedelta(seconds=600), worker="w", compute=False,
                               session=http) == {"sent": 2}
        assert sorted(r.status for r in push_service.received) == [201, 201, 429]
    finally:
        other_server.shutdown()
        other_server.server_close()


def test_retry_after_far_in_the_future_is_capped(app, vapid, push_service, http, branch):
    _org, people = branch
    subscribe(push_service, people["a"])
    start = _daytime()
    far = "Fri, 01 Jan 2037 00:00:00 GMT"
    # A study reminder (late limit 24 h): waits the cap, not eleven years.
    study = _queue(people["a"], start, "far:study")
    push_service.answer(429, {"Retry-After": far})
    sender.run_once(now=start, worker="w", compute=False, session=http)
    [delivery] = _deliveries(study)
    cap = timedelta(seconds=R.RETRY_AFTER_CAP_SECONDS)
    assert delivery.state == "queued" and delivery.next_attempt_at == start + cap
    assert db.session.scalar(select(PushServiceBackoff.until)) == start + cap
    # An event reminder that expires before the capped retry: dropped, never parked past its expiry.
    later = start + cap
    event = _queue(people["a"], later, "far:event", kind="meeting", expires_at=later + timedelta(hours=2))
    push_service.answer(201)  # the study reminder, first in line, goes out
    push_service.answer(429, {"Retry-After": far})
    sender.run_once(now=later, worker="w", compute=False, session=http)
    [delivery] = _deliveries(event)
    db.session.refresh(event)
    assert delivery.state == "dropped" and event.state == "dropped" and "已过期" in delivery.last_error
    [delivery] = _deliveries(study)
    assert delivery.state == "sent"


def test_a_retried_reminder_says_what_is_true_when_it_arrives(app, vapid, push_service, http, branch):
    org, people = branch
    subscribe(push_service, people["a"])
    created = china(2026, 12, 1, 10)
    activity = planning.create_activity(org, {"type": "committee_meeting", "title": "研究发展党员",
                                              "on_date": date(2026, 12, 15), "start_time": time(10, 0),
                                              "place": "三楼会议室"}, people["secretary"], now=created)
    db.session.commit()
    sender.run_once(now=china(2026, 12, 14, 20), worker="w", session=http)
    push_service.answer(503, {"Retry-After": "3600"})
    sender.run_once(now=china(2026, 12, 15, 8), worker="w", session=http)  # 503
    sender.run_once(now=china(2026, 12, 15, 9), worker="w", session=http)  # retried an hour later
    got = [(r.payload["title"], int(r.headers["ttl"]), r.headers["topic"]) for r in push_service.received]
    topic = f"act-{activity.id}"
    assert got == [("明天 10:00 支委会：研究发展党员", R.KINDS["meeting"]["ttl"], topic),
                   ("2 小时后 支委会：研究发展党员", 2 * 3600, topic),  # TTL never beyond the start
                   ("1 小时后 支委会：研究发展党员", 3600, topic)]


def test_short_notice_meeting_gets_one_reminder_at_once(app, vapid, push_service, http, branch):
    org, people = branch
    for key in ("a", "b"):
        subscribe(push_service, people[key])
    now = china(2026, 12, 3, 17, 30)
    planning.create_activity(org, {"type": "committee_meeting", "title": "临时支委会", "on_date": date(2026, 12, 3),
                                   "start_time": time(19, 0), "place": ""}, people["secretary"], now=now)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(PushMessage)) == 2
    sender.run_once(now=now, worker="w", session=http)
    sender.run_once(now=now + timedelta(minutes=30), worker="w", session=http)  # recomputing adds nothing
    assert sorted(r.payload["title"] for r in push_service.received) == ["1 小时 30 分钟后 支委会：临时支委会"] * 2


def test_words_are_made_at_send_time():
    starts = china(2026, 12, 15, 10)
    payload = {"template": words.ACTIVITY_REMINDER, "starts_at": starts.isoformat(), "activity_type": "主题党日",
               "activity_title": "学习党章", "title": "", "body": "测试党支部", "url": "/plans/1", "tag": "act-1",
               "kind": "theme_day"}
    due = china(2026, 12, 14, 20)

    def shown(at):
        return words.render("theme_day", payload, due, starts, at)

    assert shown(due).payload["title"] == "明天 10:00 主题党日：学习党章"
    # Quiet hours moved it past midnight, still within the late limit: the words follow.
    late = shown(china(2026, 12, 15, 1, 30))
    assert late.payload["title"] == "今天 10:00 主题党日：学习党章" and "template" not in late.payload
    assert shown(china(2026, 12, 15, 9, 30)).payload is None  # past the late limit
    assert words.when_words(starts, china(2026, 12, 15, 9, 30)) == "30 分钟后"
    assert words.when_words(starts, china(2026, 12, 12, 9)) == "12月15日 10:00"
    assert shown(starts).payload is None
