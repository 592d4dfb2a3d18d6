"""Reminder scheduling on a fixed clock across a month: activities (day before, two hours before),
changes and cancellations, study tasks, the secretaries' weekly digest, quiet hours, two workers."""
from __future__ import annotations

import threading
from collections import Counter
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select, update

from tests.push_helpers import china, subscribe
from webapp.extensions import db
from webapp.models import NotificationPreference, Organization, PushDelivery, PushDigestWeek, PushMessage
from webapp.plans import service as planning
from webapp.push import scheduler, sender

HOUR = timedelta(hours=1)


def _activity(org, actor, now, **overrides):
    data = {"type": "theme_day", "title": "学习党章 重温入党誓词", "on_date": date(2026, 12, 15),
            "start_time": time(9, 0), "place": "三楼会议室"}
    data.update(overrides)
    activity = planning.create_activity(org, data, actor, now=now)
    db.session.commit()
    return activity


def _run(start, end, http, step=HOUR):
    at = start
    while at <= end:
        sender.run_once(now=at, worker="w", session=http)
        at += step


def _titles(push_service, user):
    """What the user's device showed, in order (the words are made at send time)."""
    return [r.payload["title"] for r in push_service.received if r.path.startswith(f"/push/u{user.id}-")]


def _dropped(user):
    return list(db.session.scalars(select(PushMessage).where(PushMessage.user_id == user.id,
                                                             PushMessage.state == "dropped")))


def _sent(user=None, kind=None):
    query = select(PushMessage).where(PushMessage.state == "sent").order_by(PushMessage.sent_at, PushMessage.id)
    if user is not None:
        query = query.where(PushMessage.user_id == user.id)
    if kind is not None:
        query = query.where(PushMessage.kind == kind)
    return list(db.session.scalars(query))


@pytest.fixture
def everyone(branch, push_service, vapid):
    _org, people = branch
    for user in people.values():
        subscribe(push_service, user)
    return branch


def test_a_month_of_reminders_arrives_at_the_right_times(app, everyone, push_service, http):
    org, people = everyone
    start = china(2026, 12, 1, 10)
    activity = _activity(org, people["secretary"], start)
    task = planning.publish_task(org, {"topic": "学习二十届四中全会公报", "body": "全文学习并做笔记",
                                       "due_on": date(2026, 12, 20)}, people["secretary"], now=start)
    db.session.commit()
    planning.mark_done(task, people["b"], now=china(2026, 12, 5, 12))
    db.session.commit()
    _run(start, china(2026, 12, 31, 23), http)

    for key in ("secretary", "a", "b", "c"):
        theme = _sent(people[key], "theme_day")
        assert [m.sent_at for m in theme] == [china(2026, 12, 14, 20), china(2026, 12, 15, 7)], key
        shown = [t for t in _titles(push_service, people[key]) if "主题党日" in t]
        assert shown == ["明天 09:00 主题党日：学习党章 重温入党誓词", "2 小时后 主题党日：学习党章 重温入党誓词"]
        assert theme[0].payload["url"] == f"/plans/{activity.id}"
    for key in ("secretary", "a", "c"):
        study = _sent(people[key], "study")
        assert [m.sent_at for m in study] == [china(2026, 12, 19, 9)]
        assert study[0].payload["url"] == f"/study-tasks/{task.id}"
    assert _sent(people["b"], "study") == []  # marked done: no reminder
    assert _sent(people["outsider"]) == []  # another branch hears nothing
    # Weekly digest to the secretary only, Mondays 09:00 (the week of Nov 30 caught up at once).
    digests = _sent(people["secretary"], "digest")
    assert [m.sent_at for m in digests] == [start, china(2026, 12, 7, 9), china(2026, 12, 14, 9),
                                            china(2026, 12, 21, 9), china(2026, 12, 28, 9)]
    assert "本月（12月）主题党日尚未开展" in digests[0].payload["body"]
    assert _sent(people["a"], "digest") == []
    # Every queued row went out exactly once, each reached the service once per device.
    assert db.session.scalar(select(func.count()).select_from(PushMessage).where(
        PushMessage.state == "queued")) == 0
    assert len(push_service.received) == len(_sent())
    assert not push_service.errors


def test_quiet_hours_defer_and_the_words_follow_the_send_time(app, everyone, http, push_service):
    """Quiet hours until 08:00 and a theme day at 10:00: the day-before reminder, pushed from 20:00 to
    08:00 on the day itself, would say "明天" on the day: it is dropped (twelve hours late), and the
    two-hours-before one goes out at 08:00 with words true at 08:00."""
    org, people = everyone
    prefs = NotificationPreference(user_id=people["a"].id, kinds_off=[], quiet_start=time(19, 0),
                                   quiet_end=time(8, 0))
    db.session.add(prefs)
    db.session.commit()
    start = china(2026, 12, 1, 10)
    _activity(org, people["secretary"], start, start_time=time(10, 0))
    _run(start, china(2026, 12, 15, 12), http, step=timedelta(minutes=30))
    assert [m.sent_at for m in _sent(people["a"], "theme_day")] == [china(2026, 12, 15, 8)]
    assert [t for t in _titles(push_service, people["a"]) if "主题党日" in t] == [
        "2 小时后 主题党日：学习党章 重温入党誓词"]
    [dropped] = _dropped(people["a"])
    assert dropped.dedupe_key.endswith(f"day_before:{people['a'].id}") and "不再发送" in dropped.last_error
    assert [m.sent_at for m in _sent(people["c"], "theme_day")] == [china(2026, 12, 14, 20),
                                                                     china(2026, 12, 15, 8)]
    assert [t for t in _titles(push_service, people["c"]) if "主题党日" in t] == [
        "明天 10:00 主题党日：学习党章 重温入党誓词", "2 小时后 主题党日：学习党章 重温入党誓词"]


def test_quiet_hours_changed_after_queueing_still_defer(app, everyone, http):
    org, people = everyone
    start = china(2026, 12, 1, 10)
    _activity(org, people["secretary"], start)
    sender.run_once(now=start, worker="w", session=http)
    db.session.add(NotificationPreference(user_id=people["c"].id, kinds_off=[], quiet_start=time(20, 0),
                                          quiet_end=time(6, 30)))
    db.session.commit()
    _run(china(2026, 12, 14, 19), china(2026, 12, 15, 9), http, step=timedelta(minutes=30))
    # The day-before reminder, deferred ten and a half hours to 06:30, is too late: dropped.
    assert [m.sent_at for m in _sent(people["c"], "theme_day")] == [china(2026, 12, 15, 7)]
    assert len(_dropped(people["c"])) == 1


def test_kind_switched_off_is_not_sent(app, everyone, http):
    org, people = everyone
    db.session.add(NotificationPreference(user_id=people["a"].id, kinds_off=["theme_day"]))
    db.session.commit()
    start = china(2026, 12, 1, 10)
    _activity(org, people["secretary"], start)
    _activity(org, people["secretary"], start, type="committee_meeting", title="支委会",
              on_date=date(2026, 12, 10))
    _run(start, china(2026, 12, 16), http)
    assert _sent(people["a"], "theme_day") == []
    assert len(_sent(people["a"], "meeting")) == 2


def test_change_sends_an_update_and_never_a_stale_reminder(app, everyone, http):
    org, people = everyone
    start = china(2026, 12, 1, 10)
    activity = _activity(org, people["secretary"], start)
    sender.run_once(now=start, worker="w", session=http)
    changed_at = china(2026, 12, 10, 15)
    planning.update_activity(activity, {"type": "theme_day", "title": activity.title,
                                        "on_date": date(2026, 12, 16), "start_time": time(14, 30),
                                        "place": "党员活动室"}, people["secretary"], now=changed_at)
    db.session.commit()
    _run(changed_at, china(2026, 12, 17), http, step=timedelta(minutes=30))
    sent = _sent(people["a"], "theme_day")
    assert [m.sent_at for m in sent] == [changed_at, china(2026, 12, 15, 20), china(2026, 12, 16, 12, 30)]
    assert sent[0].payload["title"].startswith("活动变更")
    assert "党员活动室" in sent[0].payload["body"] and "12月16日 14:30" in sent[0].payload["body"]
    assert all(m.topic == f"act-{activity.id}" for m in sent)  # one Topic: updates collapse
    superseded = db.session.scalar(select(func.count()).select_from(PushMessage).where(
        PushMessage.state == "superseded", PushMessage.user_id == people["a"].id))
    assert superseded == 2


def test_change_after_the_day_before_reminder(app, everyone, http, push_service):
    org, people = everyone
    start = china(2026, 12, 1, 10)
    activity = _activity(org, people["secretary"], start)
    _run(china(2026, 12, 14, 20), china(2026, 12, 14, 20), http)
    at = china(2026, 12, 14, 21)
    planning.update_activity(activity, {"type": "theme_day", "title": activity.title,
                                        "on_date": activity.on_date, "start_time": time(9, 0),
                                        "place": "水文站会议室"}, people["secretary"], now=at)
    db.session.commit()
    _run(at, china(2026, 12, 15, 10), http)
    titles = [t[:4] for t in _titles(push_service, people["c"])]
    assert titles == ["明天 0", "活动变更", "2 小时"]


def test_cancellation_sends_a_notice_and_supersedes_reminders(app, everyone, http):
    org, people = everyone
    start = china(2026, 12, 1, 10)
    activity = _activity(org, people["secretary"], start)
    sender.run_once(now=start, worker="w", session=http)
    at = china(2026, 12, 12, 9)
    planning.cancel_activity(activity, people["secretary"], now=at)
    db.session.commit()
    _run(at, china(2026, 12, 16), http)
    sent = _sent(people["b"], "theme_day")
    assert [m.payload["title"] for m in sent] == ["取消通知：学习党章 重温入党誓词"]
    assert sent[0].sent_at == at and sent[0].topic == f"act-{activity.id}"
    assert db.session.scalar(select(func.count()).select_from(PushMessage).where(
        PushMessage.state == "queued")) == 0


def test_recomputing_never_queues_twice(app, everyone):
    org, people = everyone
    start = china(2026, 12, 1, 10)
    _activity(org, people["secretary"], start)
    first = db.session.scalar(select(func.count()).select_from(PushMessage))
    for hours in range(5):
        assert scheduler.compute_due(start + hours * HOUR) == (1 if hours == 0 else 0)  # the digest
        db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(PushMessage)) == first + 1


def test_two_workers_never_send_a_reminder_twice(app, everyone, push_service, http):
    org, people = everyone
    start = china(2026, 12, 1, 10)
    for day in range(2, 12):
        _activity(org, people["secretary"], start, title=f"活动{day}", on_date=date(2026, 12, day),
                  start_time=time(10, 0))
    # Make every queued reminder due at once (the activities still lie ahead, so none expires).
    db.session.execute(update(PushMessage).values(next_attempt_at=start))
    db.session.commit()
    total = db.session.scalar(select(func.count()).select_from(PushMessage).where(PushMessage.state == "queued"))
    assert total == 10 * 2 * 4
    results, errors = [], []
    barrier = threading.Barrier(2)

    def work(name):
        try:
            with app.app_context():
                barrier.wait()
                results.append(sender.run_once(now=china(2026, 12, 1, 12), worker=name, compute=False,
                                               session=http))
                db.session.remove()
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=work, args=(f"worker-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    db.session.expire_all()
    sent = _sent()
    assert len(sent) == total
    assert sum(r.get("sent", 0) for r in results) == total
    assert len(push_service.received) == total  # one device each: exactly one push per reminder
    # Each device got each activity's two reminders (sent at the same moment, so in the same words).
    shown = Counter((r.path, r.payload["title"]) for r in push_service.received)
    assert set(shown.values()) == {2} and len(shown) == total // 2
    deliveries = list(db.session.scalars(select(PushDelivery)))
    assert len(deliveries) == total and {d.lease_owner for d in deliveries} <= {"worker-0", "worker-1"}
    assert all(d.attempts == 1 and d.state == "sent" for d in deliveries)


def test_digest_reflects_the_branch_records(app, everyone, http):
    from webapp.models import Record

    org, people = everyone
    db.session.add(Record(org_id=org.id, type="theme_day", state="submitted", occurred_on=date(2026, 12, 5),
                          topic="主题党日"))
    db.session.commit()
    _run(china(2026, 12, 7, 9), china(2026, 12, 7, 9), http)
    [digest] = _sent(people["secretary"], "digest")
    # The quarter's general meeting is still missing with 25 days left: named with the queue (the
    # digest used to know only monthly standards).
    assert digest.payload["body"].startswith("支部党员大会每季度至少 1 次：本季度尚缺，剩 25 天")
    assert digest.payload["body"].endswith("；1 条记录待审核")
    assert digest.payload["url"] == scheduler.review_queue_url(org.id)
    db.session.execute(update(Record).values(state="approved"))
    db.session.commit()
    _run(china(2026, 12, 14, 9), china(2026, 12, 14, 9), http)
    later = [m for m in _sent(people["secretary"], "digest") if m.id != digest.id]
    assert len(later) == 1 and "待审核" not in later[0].payload["body"]  # the queue is empty now
    assert "本季度尚缺，剩 18 天" in later[0].payload["body"]


def test_a_claimed_delivery_is_never_claimed_again(app, everyone, backend):
    from sqlalchemy import text

    org, people = everyone
    start = china(2026, 12, 1, 10)
    _activity(org, people["secretary"], start, on_date=date(2026, 12, 2), start_time=time(10, 0))
    db.session.execute(update(PushMessage).values(next_attempt_at=start))
    db.session.commit()
    sender.fan_out(start)
    sender.fan_out(start)  # a second fan-out finds nothing left to take
    ids = list(db.session.scalars(select(PushDelivery.id).order_by(PushDelivery.next_attempt_at, PushDelivery.id)))
    assert len(ids) == 2 * 4
    if backend == "postgresql":
        # Another worker holds the first row locked mid-claim: this one skips it instead of waiting.
        with db.engine.connect() as other:
            other.execute(text("SELECT id FROM push_deliveries WHERE id = :id FOR UPDATE"), {"id": ids[0]})
            assert sender.claim_next(start, "B") == ids[1]
            other.rollback()
    first = sender.claim_next(start, "A")
    assert first not in (None, ids[1] if backend == "postgresql" else None)
    claimed = {first} | ({ids[1]} if backend == "postgresql" else set())
    while (next_id := sender.claim_next(start, "C")) is not None:
        assert next_id not in claimed
        claimed.add(next_id)
    assert claimed == set(ids)
    assert set(db.session.scalars(select(PushDelivery.state))) == {"sending"}
    # Each lease runs from its own claim, whatever the round's start.
    assert set(db.session.scalars(select(PushDelivery.lease_until))) == {start + timedelta(seconds=120)}


def test_a_member_who_turns_notifications_on_later_still_gets_the_reminders(app, branch, vapid,
                                                                             push_service, http):
    org, people = branch
    start = china(2026, 12, 1, 10)
    _activity(org, people["secretary"], start)
    assert db.session.scalar(select(func.count()).select_from(PushMessage)) == 0  # nobody has a device
    subscribe(push_service, people["b"])
    _run(china(2026, 12, 10, 12), china(2026, 12, 15, 8), http)
    assert [m.sent_at for m in _sent(people["b"], "theme_day")] == [china(2026, 12, 14, 20),
                                                                     china(2026, 12, 15, 7)]
    assert _sent(people["a"]) == [] and db.session.scalar(select(func.count()).select_from(PushMessage).where(
        PushMessage.user_id == people["a"].id)) == 0


def _open_branch_ids():
    return list(db.session.scalars(select(Organization.id).where(
        Organization.kind == "branch", Organization.closed_at.is_(None)).order_by(Organization.id)))


def _decided(week):
    return dict(db.session.execute(select(PushDigestWeek.org_id, PushDigestWeek.pending).where(
        PushDigestWeek.week == week)).all())


def test_each_branch_is_read_for_the_digest_once_a_week(app, everyone, http, monkeypatch):
    """The reminders are computed every minute; a branch's checklist is read for the digest once a week,
    not every minute from Monday to Sunday (a province has 20,000 branches), and the digest still goes
    out once, on Monday at 09:00."""
    org, people = everyone
    reads = Counter()
    read_gaps = scheduler.branch_gaps

    def counted(branch, now):
        reads[(branch.id, scheduler.digest_week(now))] += 1
        return read_gaps(branch, now)

    monkeypatch.setattr(scheduler, "branch_gaps", counted)
    _run(china(2026, 12, 7, 8), china(2026, 12, 15, 12), http, step=timedelta(minutes=30))
    assert reads == {(org_id, week): 1 for org_id in _open_branch_ids() for week in ("2026-W50", "2026-W51")}
    assert [m.sent_at for m in _sent(people["secretary"], "digest")] == [china(2026, 12, 7, 9), china(2026, 12, 14, 9)]
    assert _decided("2026-W50")[org.id] is False  # its secretary holds it: nothing left to queue
    # Decisions older than last week are let go.
    _run(china(2026, 12, 21, 9), china(2026, 12, 21, 9), http)
    assert _decided("2026-W50") == {} and _decided("2026-W51") and _decided("2026-W52")


def test_a_secretary_who_turns_notifications_on_mid_week_gets_that_weeks_digest(app, branch, vapid,
                                                                                push_service, http):
    org, people = branch
    _run(china(2026, 12, 7, 9), china(2026, 12, 7, 12), http)
    assert _sent(people["secretary"], "digest") == []  # no device yet: decided, and waiting for one
    assert _decided("2026-W50")[org.id] is True
    subscribe(push_service, people["secretary"])
    _run(china(2026, 12, 9, 15), china(2026, 12, 10, 15), http)
    sent = _sent(people["secretary"], "digest")
    assert [m.sent_at for m in sent] == [china(2026, 12, 9, 15)]
    assert "本月（12月）主题党日尚未开展" in sent[0].payload["body"]
    assert _decided("2026-W50")[org.id] is False


def test_digests_are_decided_for_a_bounded_number_of_branches_a_round(app, everyone, http, monkeypatch):
    monkeypatch.setattr(scheduler.R, "DIGEST_BRANCHES_PER_ROUND", 1)
    branches = _open_branch_ids()
    assert len(branches) >= 2
    for minute, expected in enumerate(range(1, len(branches) + 1)):
        sender.run_once(now=china(2026, 12, 7, 9, minute), worker="w", session=http)
        db.session.commit()
        assert sorted(_decided("2026-W50")) == branches[:expected]
