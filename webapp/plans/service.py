"""活动安排 and 学习任务: where a planned activity is created, changed and cancelled, a study task
published and marked done, and the upcoming activities listed. Each change is audited and re-plans
its reminders in the same transaction (the caller commits)."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from .. import audit
from ..china_time import china_today
from ..extensions import db
from ..domain_errors import Invalid
from ..models import Organization, PlannedActivity, StudyTask, StudyTaskDone, User
from ..models.base import utcnow
from ..push import scheduler
from ..rules.reminders import ACTIVITY_TYPES

ACTIVITY_FIELDS = ("type", "title", "on_date", "start_time", "place")


def _check_activity(data: dict, now: datetime) -> dict:
    errors = {}
    if data.get("type") not in ACTIVITY_TYPES:
        errors["type"] = "请选择活动类型"
    if not (data.get("title") or "").strip():
        errors["title"] = "请填写活动主题"
    if not isinstance(data.get("on_date"), date):
        errors["on_date"] = "请填写日期"
    elif data["on_date"] < china_today(now):
        errors["on_date"] = "日期不能早于今天"
    if not isinstance(data.get("start_time"), time):
        errors["start_time"] = "请填写开始时间"
    if errors:
        raise Invalid(errors)
    return {**data, "title": data["title"].strip(), "place": (data.get("place") or "").strip()}


def _snapshot(activity: PlannedActivity) -> dict:
    values = {name: getattr(activity, name) for name in ACTIVITY_FIELDS}
    values["start_time"] = values["start_time"].strftime("%H:%M")  # the audit log stores JSON
    return values


def create_activity(org: Organization, data: dict, actor: User, now: datetime | None = None) -> PlannedActivity:
    now = now or utcnow()
    data = _check_activity(data, now)
    activity = PlannedActivity(org=org, created_by_id=actor.id, state="planned", version=1,
                               **{k: data[k] for k in ACTIVITY_FIELDS})
    db.session.add(activity)
    db.session.flush()
    audit.record(actor, "plan.create", "planned_activity", activity.uuid, org_id=org.id,
                 summary=f"安排{activity.type_label}：{activity.title}", changes=_snapshot(activity))
    scheduler.schedule_activity(activity, now)
    return activity


def update_activity(activity: PlannedActivity, data: dict, actor: User,
                    now: datetime | None = None) -> PlannedActivity:
    now = now or utcnow()
    if activity.is_cancelled:
        raise Invalid({"title": "活动已取消，不能再修改"})
    data = _check_activity(data, now)
    before = _snapshot(activity)
    for name in ACTIVITY_FIELDS:
        setattr(activity, name, data[name])
    changes = audit.diff(before, _snapshot(activity))
    if not changes:
        return activity
    activity.version += 1
    db.session.flush()
    audit.record(actor, "plan.update", "planned_activity", activity.uuid, org_id=activity.org_id,
                 summary=f"修改活动安排：{activity.title}", changes=changes)
    # Only a change of time or place is worth an update push; a retitle just re-plans.
    notify = {k: v for k, v in changes.items() if k in ("on_date", "start_time", "place")}
    scheduler.activity_changed(activity, now, notify)
    return activity


def cancel_activity(activity: PlannedActivity, actor: User, now: datetime | None = None) -> PlannedActivity:
    now = now or utcnow()
    if activity.is_cancelled:
        return activity
    activity.state = "cancelled"
    activity.cancelled_at = now
    activity.version += 1
    db.session.flush()
    audit.record(actor, "plan.cancel", "planned_activity", activity.uuid, org_id=activity.org_id,
                 summary=f"取消活动：{activity.title}")
    scheduler.activity_cancelled(activity, now)
    return activity


def publish_task(org: Organization, data: dict, actor: User, now: datetime | None = None) -> StudyTask:
    now = now or utcnow()
    errors = {}
    topic = (data.get("topic") or "").strip()
    body = (data.get("body") or "").strip()
    link = (data.get("link") or "").strip()
    if not topic:
        errors["topic"] = "请填写学习主题"
    if not body and not link:
        errors["body"] = "请填写学习内容或链接"
    if link and not link.startswith(("https://", "http://")):
        errors["link"] = "链接须以 http:// 或 https:// 开头"
    due = data.get("due_on")
    if not isinstance(due, date):
        errors["due_on"] = "请填写完成期限"
    elif due < china_today(now):
        errors["due_on"] = "完成期限不能早于今天"
    if errors:
        raise Invalid(errors)
    task = StudyTask(org=org, topic=topic, body=body, link=link, due_on=due, published_by_id=actor.id)
    db.session.add(task)
    db.session.flush()
    audit.record(actor, "study_task.publish", "study_task", task.uuid, org_id=org.id,
                 summary=f"发布学习任务：{topic}", changes={"topic": topic, "due_on": due})
    scheduler.schedule_study_task(task, now)
    return task


def mark_done(task: StudyTask, user: User, now: datetime | None = None) -> bool:
    """True when newly marked. Pending reminders for this person are superseded."""
    now = now or utcnow()
    exists = db.session.scalar(select(StudyTaskDone.id).where(
        StudyTaskDone.task_id == task.id, StudyTaskDone.user_id == user.id))
    if exists:
        return False
    db.session.add(StudyTaskDone(task_id=task.id, user_id=user.id, done_at=now))
    audit.record(user, "study_task.done", "study_task", task.uuid, org_id=task.org_id,
                 summary=f"完成学习：{task.topic}")
    scheduler.supersede("study_task", task.id, user_ids={user.id}, reason="已完成")
    return True


def upcoming_for(user: User, org_ids: set[int], today: date) -> list[PlannedActivity]:
    """The activities planned in ``org_ids`` from ``today`` on (cancelled ones too), soonest first."""
    if not org_ids:
        return []
    return list(db.session.scalars(select(PlannedActivity).where(
        PlannedActivity.org_id.in_(org_ids), PlannedActivity.on_date >= today)
        .order_by(PlannedActivity.on_date, PlannedActivity.start_time)))
