"""Computing reminders into the outbound queue (issue 5). Idempotent: every reminder has a dedupe key,
so recomputing never queues twice; a change supersedes what is stale; quiet hours defer. A queued
reminder keeps the facts, not the words: they are made when it is sent (words.py), and a reminder that
quiet hours pushed too late is dropped then (issue 17).

Everything takes ``now`` (aware UTC) so tests run on a fixed clock.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from ..china_time import CHINA_TZ, china_datetime, china_today
from ..db_savepoint import savepoint
from ..extensions import db
from ..models import Membership, NotificationPreference, Organization, PlannedActivity, PushMessage, Record
from ..models import PushDelivery, PushDigestWeek, PushSubscription
from ..models import StudyTask, StudyTaskDone, User
from ..models.base import utcnow
from ..rules import reminders as R
from ..rules.life import SECRETARY_TITLES
from .words import ACTIVITY_REMINDER


# --- preferences and quiet hours -------------------------------------------------------------------

def preferences(user_id: int) -> NotificationPreference:
    """The user's preferences (defaults when never saved; not added to the session)."""
    prefs = db.session.scalar(select(NotificationPreference).where(NotificationPreference.user_id == user_id))
    if prefs is None:
        prefs = NotificationPreference(user_id=user_id, kinds_off=[], quiet_start=R.QUIET_START_DEFAULT,
                                       quiet_end=R.QUIET_END_DEFAULT)
    return prefs


def in_quiet_hours(at: datetime, start: time | None, end: time | None) -> bool:
    if start is None or end is None or start == end:
        return False
    local = at.astimezone(CHINA_TZ).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end


def defer_for_quiet(at: datetime, start: time | None, end: time | None) -> datetime:
    """``at`` itself, or the end of the quiet hours it falls in (China time)."""
    if not in_quiet_hours(at, start, end):
        return at
    local = at.astimezone(CHINA_TZ)
    day = local.date()
    if local.time() >= end:  # evening part of an overnight window: ends tomorrow morning
        day = day + timedelta(days=1)
    return china_datetime(day, end)


# --- queue primitives ------------------------------------------------------------------------------

def device_user_ids(user_ids: set[int] | None = None) -> set[int]:
    """Users with at least one subscribed device (of ``user_ids`` when given)."""
    query = select(PushSubscription.user_id).distinct()
    if user_ids is not None:
        query = query.where(PushSubscription.user_id.in_(user_ids or {-1}))
    return set(db.session.scalars(query))


@dataclass
class Reads:
    """What the reminders of many sources need, read once for all of them in a round of
    ``compute_due`` (one query each, however many activities or tasks a province has), or for the one
    source a change schedules anew."""
    known: dict[int, dict[str, str]]  # source id -> dedupe key -> state
    devices: set[int]  # users with a subscribed device
    members: dict[int, list[int]]  # organization id -> its members (or its subtree's) who are reminded
    done: dict[int, set[int]] = field(default_factory=dict)  # study task id -> who has done it


def _keys_by_source(source_type: str, source_ids) -> dict[int, dict[str, str]]:
    """dedupe key → state of every row queued so far, for every source ``source_ids`` (a list or a
    subquery) selects, in one query."""
    keys: dict[int, dict[str, str]] = {}
    for source_id, key, state in db.session.execute(select(
            PushMessage.source_id, PushMessage.dedupe_key, PushMessage.state).where(
            PushMessage.source_type == source_type, PushMessage.source_id.in_(source_ids))):
        keys.setdefault(source_id, {})[key] = state
    return keys


def held_keys(source_type: str, source_ids, since: datetime | None = None) -> set[str]:
    """The dedupe keys queued so far for every source ``source_ids`` (a list or a subquery) selects, in
    one query (only those due from ``since`` when given): what a round need not queue again."""
    query = select(PushMessage.dedupe_key).where(PushMessage.source_type == source_type,
                                                 PushMessage.source_id.in_(source_ids))
    if since is not None:
        query = query.where(PushMessage.due_at >= since)
    return set(db.session.scalars(query))


def holders_by_org(org_ids, titles) -> dict[int, list[int]]:
    """The active members holding one of ``titles`` in each organization ``org_ids`` selects, in one query."""
    holders: dict[int, list[int]] = {}
    for org_id, user_id in db.session.execute(select(Membership.org_id, Membership.user_id).where(
            Membership.org_id.in_(org_ids), Membership.active.is_(True), Membership.title.in_(titles))
            .order_by(Membership.id)):
        holders.setdefault(org_id, []).append(user_id)
    return holders


def _members_by_branch(org_ids) -> dict[int, list[int]]:
    """The active members (with an active account) of each organization ``org_ids`` (a list or a
    subquery) selects, by user id, in one query: who an activity of that branch reminds."""
    members: dict[int, list[int]] = {}
    for org_id, user_id in db.session.execute(
            select(Membership.org_id, Membership.user_id).join(User, Membership.user_id == User.id)
            .where(Membership.org_id.in_(org_ids), Membership.active.is_(True), User.active.is_(True))
            .distinct().order_by(Membership.org_id, Membership.user_id)):
        members.setdefault(org_id, []).append(user_id)
    return members


def _done_by_task(task_ids) -> dict[int, set[int]]:
    """Who has done each study task ``task_ids`` (a list or a subquery) selects, in one query."""
    done: dict[int, set[int]] = {}
    for task_id, user_id in db.session.execute(select(StudyTaskDone.task_id, StudyTaskDone.user_id).where(
            StudyTaskDone.task_id.in_(task_ids))):
        done.setdefault(task_id, set()).add(user_id)
    return done


def _members_by_subtree(org_ids) -> dict[int, list[int]]:
    """The same for each organization's whole subtree (who a study task it publishes reminds), in one
    query (a materialized path holds only digits and slashes: no LIKE wildcard to escape)."""
    root = aliased(Organization)
    members: dict[int, list[int]] = {}
    for org_id, user_id in db.session.execute(
            select(root.id, Membership.user_id).join(Organization, Organization.path.startswith(root.path))
            .join(Membership, Membership.org_id == Organization.id).join(User, Membership.user_id == User.id)
            .where(root.id.in_(org_ids), Membership.active.is_(True), User.active.is_(True))
            .distinct().order_by(root.id, Membership.user_id)):
        members.setdefault(org_id, []).append(user_id)
    return members


def _with_devices(known, members, done=None, devices=None) -> Reads:
    """``Reads`` whose devices are those of the members named, unless ``devices`` (everyone's, read
    once a round by ``compute_due``) is given."""
    if devices is None:
        devices = device_user_ids({user_id for ids in members.values() for user_id in ids})
    return Reads(known=known, devices=devices, members=members, done=done or {})


def _activity_reads(activity_ids, devices: set[int] | None = None) -> Reads:
    """What the reminders of the activities ``activity_ids`` (a list or a subquery) selects need."""
    return _with_devices(_keys_by_source("activity", activity_ids), _members_by_branch(
        select(PlannedActivity.org_id).where(PlannedActivity.id.in_(activity_ids))), devices=devices)


def _study_task_reads(task_ids, devices: set[int] | None = None) -> Reads:
    """What the reminders of the study tasks ``task_ids`` (a list or a subquery) selects need: their
    publishers' whole subtrees, and who is done."""
    return _with_devices(_keys_by_source("study_task", task_ids), _members_by_subtree(
        select(StudyTask.org_id).where(StudyTask.id.in_(task_ids))), _done_by_task(task_ids), devices)


def enqueue(kind: str, user_id: int, due_at: datetime, payload: dict, topic: str, key: str, *,
            source_type: str = "", source_id: int | None = None, prefs: NotificationPreference | None = None,
            respect_prefs: bool = True, known: dict | None = None,
            devices: set[int] | None = None, expires_at: datetime | None = None) -> PushMessage | None:
    """Queue one reminder unless its key is already queued (or sent), the kind is switched off, or the
    recipient has no device yet (recomputation queues it once they turn notifications on)."""
    if respect_prefs:
        if devices is None:
            devices = device_user_ids({user_id})
        if user_id not in devices:
            return None
    if known is not None:
        if key in known:
            return None
    elif db.session.scalar(select(PushMessage.id).where(PushMessage.dedupe_key == key)) is not None:
        return None
    prefs = prefs or preferences(user_id)
    if respect_prefs and not prefs.wants(kind):
        return None
    at = defer_for_quiet(due_at, prefs.quiet_start, prefs.quiet_end)
    message = PushMessage(kind=kind, user_id=user_id, due_at=due_at, next_attempt_at=at, payload=payload,
                          topic=topic[:32], dedupe_key=key, source_type=source_type, source_id=source_id,
                          state="queued", expires_at=expires_at)
    try:
        with savepoint():
            db.session.add(message)
    except IntegrityError:  # another process queued the same key in between: it stays once
        return None
    return message


def supersede(source_type: str, source_id: int, *, keep_prefix: str | None = None,
              user_ids: set[int] | None = None, reason: str = "") -> int:
    """Mark pending rows of a source superseded (except those whose key starts with ``keep_prefix``):
    queued messages, and messages already fanned out to devices whose deliveries wait (a retry), with
    those deliveries. A delivery being sent this moment is left to finish."""
    conditions = [PushMessage.source_type == source_type, PushMessage.source_id == source_id,
                  PushMessage.state.in_(("queued", "delivering"))]
    if keep_prefix:
        conditions.append(~PushMessage.dedupe_key.startswith(keep_prefix, autoescape=True))
    if user_ids is not None:
        conditions.append(PushMessage.user_id.in_(user_ids or {-1}))
    stale = select(PushMessage.id).where(*conditions).scalar_subquery()
    db.session.execute(update(PushDelivery).where(PushDelivery.message_id.in_(stale),
                                                  PushDelivery.state == "queued")
                       .values(state="superseded", last_error=reason[:500] or None)
                       .execution_options(synchronize_session=False))
    result = db.session.execute(update(PushMessage).where(*conditions)
                                .values(state="superseded", last_error=reason[:500] or None)
                                .execution_options(synchronize_session=False))
    return result.rowcount or 0


def _topic(kind: str, ident) -> str:
    return f"{R.KINDS[kind]['topic_prefix']}-{ident}"


# --- recipients --------------------------------------------------------------------------------------

def branch_member_ids(org_id: int) -> list[int]:
    return _members_by_branch([org_id]).get(org_id, [])


def subtree_member_ids(org: Organization) -> list[int]:
    return _members_by_subtree([org.id]).get(org.id, [])


# --- activities (活动安排) ------------------------------------------------------------------------------

def activity_starts_at(activity: PlannedActivity) -> datetime:
    return china_datetime(activity.on_date, activity.start_time)


def activity_url(activity: PlannedActivity) -> str:
    return f"/plans/{activity.id}"


def _when(activity: PlannedActivity) -> str:
    return f"{activity.on_date.month}月{activity.on_date.day}日 {activity.start_time.strftime('%H:%M')}"


def _activity_payload(activity: PlannedActivity, title: str, body: str) -> dict:
    return {"title": title, "body": body, "url": activity_url(activity),
            "tag": _topic(activity.kind, activity.id), "kind": activity.kind}


def _reminder_payload(activity: PlannedActivity, body: str) -> dict:
    """An activity reminder: its title ("今天 10:00 主题党日：…") is made when it is sent (words.py)."""
    return {**_activity_payload(activity, "", body), "template": ACTIVITY_REMINDER,
            "starts_at": activity_starts_at(activity).isoformat(), "activity_type": activity.type_label,
            "activity_title": activity.title}


def activity_slots(activity: PlannedActivity) -> list[tuple[str, datetime]]:
    """(slot name, moment) of the reminders: 20:00 the day before, and two hours before (or at once,
    when the activity was planned less than two hours ahead: short notice)."""
    starts = activity_starts_at(activity)
    return [("day_before", china_datetime(activity.on_date - timedelta(days=1), R.ACTIVITY_DAY_BEFORE_AT)),
            ("hours_before", starts - R.ACTIVITY_HOURS_BEFORE)]


def schedule_activity(activity: PlannedActivity, now: datetime, reads: Reads | None = None) -> int:
    """Queue the reminders of the activity's current version that are still ahead. ``reads``: what
    ``compute_due`` read once for every activity (else read here for this one)."""
    if activity.is_cancelled:
        return 0
    starts = activity_starts_at(activity)
    if starts <= now:
        return 0
    prefix = f"act:{activity.id}:v{activity.version}:"
    if reads is None:
        reads = _activity_reads([activity.id])
    known = reads.known.get(activity.id, {})
    if any(state in ("queued", "delivering") and not key.startswith(prefix) for key, state in known.items()):
        supersede("activity", activity.id, keep_prefix=prefix, reason="活动已变更")
    queued = 0
    members, devices = reads.members.get(activity.org_id, []), reads.devices
    place = f"，地点：{activity.place}" if activity.place else ""
    body = f"{activity.org.name} · {_when(activity)}{place}"
    payload = _reminder_payload(activity, body)
    for slot, moment in activity_slots(activity):
        # A day-before moment already past is not sent late; the two-hours-before reminder of an
        # activity planned at short notice goes out at once (issue 17: "short notice").
        if slot == "day_before" and moment < now - timedelta(minutes=5):
            continue
        for user_id in members:
            if enqueue(activity.kind, user_id, max(moment, now), payload,
                       _topic(activity.kind, activity.id), f"{prefix}{slot}:{user_id}",
                       source_type="activity", source_id=activity.id, known=known, devices=devices,
                       expires_at=starts):
                queued += 1
    return queued


def activity_changed(activity: PlannedActivity, now: datetime, changes: dict) -> int:
    """After an edit (version already bumped): stale reminders superseded, an update sent now with the
    same Topic, the new version's reminders queued."""
    supersede("activity", activity.id, keep_prefix=f"act:{activity.id}:v{activity.version}:",
              reason="活动已变更")
    if activity_starts_at(activity) <= now or activity.is_cancelled:
        return 0
    place = f"，地点：{activity.place}" if activity.place else ""
    title = f"活动变更：{activity.title}"
    body = f"{activity.org.name} · {activity.type_label}改为 {_when(activity)}{place}"
    sent = 0
    members = branch_member_ids(activity.org_id)
    devices = device_user_ids(set(members))
    if changes:
        for user_id in members:
            if enqueue(activity.kind, user_id, now, _activity_payload(activity, title, body),
                       _topic(activity.kind, activity.id),
                       f"act:{activity.id}:v{activity.version}:update:{user_id}",
                       source_type="activity", source_id=activity.id, devices=devices,
                       expires_at=activity_starts_at(activity)):
                sent += 1
    return sent + schedule_activity(activity, now)


def activity_cancelled(activity: PlannedActivity, now: datetime) -> int:
    """Pending reminders superseded; a 取消通知 with the same Topic replaces any undelivered one."""
    supersede("activity", activity.id, reason="活动已取消")
    if activity_starts_at(activity) <= now:
        return 0
    title = f"取消通知：{activity.title}"
    body = f"{activity.org.name} 原定 {_when(activity)} 的{activity.type_label}已取消"
    sent = 0
    members = branch_member_ids(activity.org_id)
    devices = device_user_ids(set(members))
    for user_id in members:
        if enqueue(activity.kind, user_id, now, _activity_payload(activity, title, body),
                   _topic(activity.kind, activity.id), f"act:{activity.id}:cancel:{user_id}",
                   source_type="activity", source_id=activity.id, devices=devices,
                   expires_at=activity_starts_at(activity)):
            sent += 1
    return sent


# --- study tasks (学习任务) ------------------------------------------------------------------------------

def study_remind_at(task: StudyTask) -> datetime:
    return china_datetime(task.due_on - timedelta(days=R.STUDY_DAYS_BEFORE_DUE), R.STUDY_REMIND_AT)


def schedule_study_task(task: StudyTask, now: datetime, reads: Reads | None = None) -> int:
    due_end = china_datetime(task.due_on + timedelta(days=1), time(0, 0))
    if due_end <= now:
        return 0
    if reads is None:
        reads = _study_task_reads([task.id])
    done, known = reads.done.get(task.id, set()), reads.known.get(task.id, {})
    if any(known.get(f"study:{task.id}:due:{user_id}") in ("queued", "delivering") for user_id in done):
        supersede("study_task", task.id, user_ids=done, reason="已完成")
    moment = max(study_remind_at(task), now)
    title = f"学习提醒：{task.topic}"
    body = f"请于 {task.due_on.month}月{task.due_on.day}日前完成学习（{task.org.name}）"
    payload = {"title": title, "body": body, "url": f"/study-tasks/{task.id}",
               "tag": _topic("study", task.id), "kind": "study"}
    queued = 0
    members, devices = reads.members.get(task.org_id, []), reads.devices
    for user_id in members:
        if user_id in done:
            continue
        if enqueue("study", user_id, moment, payload, _topic("study", task.id),
                   f"study:{task.id}:due:{user_id}", source_type="study_task", source_id=task.id,
                   known=known, devices=devices, expires_at=due_end):
            queued += 1
    return queued


# --- weekly digest for secretaries --------------------------------------------------------------------

def review_queue_url(org_id: int) -> str:
    """The review queue filtered to the branch's records waiting for review. Built without a request,
    so the worker can call it."""
    from flask import current_app

    adapter = current_app.url_map.bind("localhost")
    return adapter.build("records.review", {"org_id": org_id, "state": "submitted"})


def digest_moment(now: datetime) -> datetime:
    """This week's digest moment (China time), which may lie ahead of ``now``."""
    today = china_today(now)
    monday = today - timedelta(days=today.weekday())
    return china_datetime(monday + timedelta(days=R.DIGEST_WEEKDAY), R.DIGEST_AT)


def branch_gaps(org: Organization, now: datetime) -> list[str]:
    """What the branch misses against the standard: this month's theme day (held or not, approved or
    not), the rest of this month's checklist, facts such as an expired committee term, and the queue."""
    from ..rules.standards import LONGER_PERIOD_REMINDER_DAYS
    from ..standards import checklist, periods, theme_days

    today = china_today(now)
    gaps = []
    if not theme_days.held_in_month(org, today):
        gaps.append(f"本月（{today.month}月）主题党日尚未开展")
    for item in checklist.evaluate(org, periods.containing("month", today), today):
        key = item.spec["key"]
        if key == "theme_day" or item.spec["check"] == "manual" or item.status not in ("missed", "not_yet"):
            continue
        if item.spec["check"] == "structural" and item.status == "missed":
            gaps.append(f"{item.spec['label']}：{item.note}" if item.note else item.spec["label"])
        elif item.spec["check"] == "records" and item.scope is None:
            gaps.append(f"本月{item.label}尚未完成" + (f"（{item.note}）" if item.note else ""))
        elif item.spec["check"] == "records" and item.days_left is not None \
                and item.days_left <= LONGER_PERIOD_REMINDER_DAYS:
            gaps.append(f"{item.label}：{item.note}")  # a quarter / half year / year still short
    waiting = db.session.scalar(select(func.count()).select_from(Record).where(
        Record.org_id == org.id, Record.state == "submitted"))
    if waiting:
        gaps.append(f"{waiting} 条记录待审核")
    return gaps


def digest_week(now: datetime) -> str:
    """The ISO week of this week's digest moment, as its keys name it: ``2026-W49``."""
    iso = china_today(digest_moment(now)).isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def schedule_digests(now: datetime) -> int:
    """The secretaries' weekly digest. Each open branch is decided once a week (its checklist read, its
    gaps kept in ``PushDigestWeek``), up to ``DIGEST_BRANCHES_PER_ROUND`` a round; then every digest of
    the week with gaps is queued to each secretary not holding it yet, so one who turns notifications on
    later in the week still gets it."""
    if now < digest_moment(now):
        return 0
    week = digest_week(now)
    db.session.execute(delete(PushDigestWeek).where(PushDigestWeek.week < digest_week(now - timedelta(days=7)))
                       .execution_options(synchronize_session=False))
    _decide_digests(now, week)
    return _queue_digests(now, week)


def _decide_digests(now: datetime, week: str) -> None:
    undecided = db.session.scalars(select(Organization).where(
        Organization.kind == "branch", Organization.closed_at.is_(None),
        ~exists().where(PushDigestWeek.week == week, PushDigestWeek.org_id == Organization.id))
        .order_by(Organization.id).limit(R.DIGEST_BRANCHES_PER_ROUND)).all()
    for org in undecided:
        gaps = branch_gaps(org, now)
        try:
            with savepoint():  # another worker deciding the same branch this minute: theirs stands
                db.session.add(PushDigestWeek(week=week, org_id=org.id, gaps=gaps, pending=bool(gaps), decided_at=now))
        except IntegrityError:
            continue


def _queue_digests(now: datetime, week: str) -> int:
    waiting = db.session.execute(select(PushDigestWeek.org_id, PushDigestWeek.gaps, Organization.name).join(
        Organization, Organization.id == PushDigestWeek.org_id).where(
        PushDigestWeek.week == week, PushDigestWeek.pending.is_(True), Organization.closed_at.is_(None))).all()
    if not waiting:
        return 0
    # Read by subquery, not by a list of ids: a province may wait on thousands of secretaries without
    # a device all week. Only this week's keys are read (queued at or after the week's moment).
    pending = select(PushDigestWeek.org_id).where(PushDigestWeek.week == week, PushDigestWeek.pending.is_(True))
    secretaries = holders_by_org(pending, SECRETARY_TITLES)
    held = held_keys("digest", pending, since=digest_moment(now))
    devices = device_user_ids()
    queued, settled = 0, []
    for org_id, gaps, name in waiting:
        payload = {"title": f"本周待办：{name}", "body": "；".join(gaps), "url": review_queue_url(org_id),
                   "tag": _topic("digest", org_id), "kind": "digest"}
        keys = {user_id: f"digest:{org_id}:{week}:{user_id}" for user_id in secretaries.get(org_id, [])}
        for user_id, key in keys.items():
            if enqueue("digest", user_id, now, payload, _topic("digest", org_id), key,
                       source_type="digest", source_id=org_id, devices=devices, known=held):
                queued += 1
                held.add(key)
        if all(key in held for key in keys.values()):
            settled.append(org_id)  # every secretary holds it: nothing more to do this week
    if settled:
        db.session.execute(update(PushDigestWeek).where(PushDigestWeek.week == week,
                                                        PushDigestWeek.org_id.in_(settled))
                           .values(pending=False).execution_options(synchronize_session=False))
    return queued


def schedule_term_reminders(now: datetime) -> int:
    """换届提醒 (issue 22): the branch committee hears when its term ends in 6 months, in 3 months, and
    every month once it is overdue — each stage once (the key names the term's end and the stage, so a
    new term or an extension starts afresh). Computed every minute: only branches whose term ends
    within the reminders' reach are read, and their committees and the keys already queued are read
    in one query each, whatever the number of branches (issue 19)."""
    from ..elections.terms import add_months, term_reminder
    from ..rules.branch_year import TERM_REMINDER_MONTHS_AHEAD
    from ..rules.life import COMMITTEE_SEAT_TITLES

    today = china_today(now)
    # add_months clamps to a month's last day: three days' margin, and term_reminder decides exactly.
    reach = add_months(today, max(TERM_REMINDER_MONTHS_AHEAD)) + timedelta(days=3)
    branches = db.session.scalars(select(Organization).where(
        Organization.kind == "branch", Organization.closed_at.is_(None),
        Organization.committee_term_end.is_not(None), Organization.committee_term_end <= reach)
        .order_by(Organization.id)).all()
    due = [(org, reminder) for org in branches if (reminder := term_reminder(org, today)) is not None]
    if not due:
        return 0
    org_ids = [org.id for org, _ in due]
    committees = holders_by_org(org_ids, COMMITTEE_SEAT_TITLES | SECRETARY_TITLES)
    held = held_keys("term", org_ids)
    devices = device_user_ids()
    queued = 0
    for org, reminder in due:
        payload = {"title": f"换届提醒：{org.name}", "body": reminder.text, "url": f"/elections/{org.id}",
                   "tag": _topic("term", org.id), "kind": "term"}
        for user_id in committees.get(org.id, []):
            key = f"term:{org.id}:{org.committee_term_end.isoformat()}:{reminder.stage}:{user_id}"
            if enqueue("term", user_id, now, payload, _topic("term", org.id), key,
                       source_type="term", source_id=org.id, devices=devices, known=held):
                queued += 1
                held.add(key)
    return queued


# --- everything --------------------------------------------------------------------------------------

def _schedule_round(model, ids, reads_of, schedule, now: datetime, devices: set[int]) -> int:
    """Schedule every activity or study task the subquery ``ids`` selects, with what they need read
    once for all of them (``reads_of``)."""
    items = db.session.scalars(select(model).where(model.id.in_(ids)).options(selectinload(model.org))
                               .order_by(model.id)).all()
    if not items:
        return 0
    reads = reads_of(ids, devices)
    return sum(schedule(item, now, reads) for item in items)


def compute_due(now: datetime | None = None) -> int:
    """Recompute all reminders (idempotent). The worker calls this before each round."""
    now = now or utcnow()
    today = china_today(now)
    queued = 0
    devices = device_user_ids()
    ahead = select(PlannedActivity.id).where(
        PlannedActivity.state == "planned", PlannedActivity.on_date >= today - timedelta(days=1),
        PlannedActivity.on_date <= today + timedelta(days=60))
    queued += _schedule_round(PlannedActivity, ahead, _activity_reads, schedule_activity, now, devices)
    open_tasks = select(StudyTask.id).where(StudyTask.due_on >= today)
    queued += _schedule_round(StudyTask, open_tasks, _study_task_reads, schedule_study_task, now, devices)
    queued += schedule_digests(now)
    from ..development.reminders import schedule as schedule_development

    queued += schedule_development(now)
    queued += schedule_term_reminders(now)
    return queued


def test_message(user: User, now: datetime | None = None) -> PushMessage | None:
    """A test notification for all of the user's devices, sent at once (quiet hours do not apply)."""
    now = now or utcnow()
    payload = {"title": "支部通测试通知", "body": "通知已开启，您将在此设备上收到提醒。", "url": "/me",
               "tag": "test", "kind": "test"}
    key = f"test:{user.id}:{int(now.timestamp() * 1000)}"
    message = PushMessage(kind="test", user_id=user.id, due_at=now, next_attempt_at=now, payload=payload,
                          topic=_topic("test", user.id), dedupe_key=key, source_type="test", state="queued")
    db.session.add(message)
    return message
