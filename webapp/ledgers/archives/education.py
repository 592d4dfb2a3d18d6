"""集中教育档案: the study tasks set for the branch (by itself or an organization above it) with who
did them, the members' study notes, and each member's hours of collective study (党课 and 主题党日
attended; a home branch counts them wherever held (a member in the field studies there, counted once),
a temporary branch its own)."""
from __future__ import annotations

from sqlalchemy import func, select

from ...extensions import db
from ...models import Attendance, Organization, Record, StudyNote, StudyTask, StudyTaskDone
from .common import Part, bound_record, kept_in_year, memberships
from .model import Archive, Entry, Table

KEY, TITLE = "education", "集中教育档案"
SOURCE = "存放上级重要文件,集中教育方案、计划、总结,集中教育过程资料,其它集中教育相关资料。上述资料应建立目录,每年合订一次。"
STUDY_TYPES = ("lecture", "theme_day")


def build(org: Organization, year: int, *, only: frozenset[int] | None = None) -> Archive:
    part = Part(org, year, only)
    member_ids = [m.user_id for m in memberships(part)]
    entries = [*(_tasks(part, member_ids) if part.whole else []), *_notes(part), *_hours(part, member_ids)]
    return Archive(KEY, TITLE, SOURCE, entries)


def _tasks(part: Part, member_ids: list[int]) -> list[Entry]:
    start, end = part.span
    org_ids = [*part.org.ancestor_ids(), part.org.id]
    tasks = list(db.session.scalars(select(StudyTask).where(StudyTask.org_id.in_(org_ids),
                                                            StudyTask.due_on.between(start, end))
                                    .order_by(StudyTask.due_on, StudyTask.id)))
    if not tasks:
        return []
    done = dict(db.session.execute(
        select(StudyTaskDone.task_id, func.count()).where(StudyTaskDone.task_id.in_([t.id for t in tasks]),
                                                          StudyTaskDone.user_id.in_(member_ids or [-1]))
        .group_by(StudyTaskDone.task_id)).all())
    rows = [(t.topic, t.org.name, t.due_on, int(done.get(t.id, 0)), len(member_ids), t.link) for t in tasks]
    table = Table(("学习主题", "布置单位", "完成期限", "已完成（人）", "应完成（人）", "链接"), rows, (4, 3, 2, 1, 1, 3))
    return [Entry("学习任务", tasks[0].due_on, [table], kind="study_tasks")]


def _notes(part: Part) -> list[Entry]:
    notes = kept_in_year(part, StudyNote, StudyNote.noted_on)
    if not notes:
        return []
    rows = [(n.noted_on, n.user.name, n.topic, len(n.text or ""), "有" if n.photo_sha256 else "") for n in notes]
    table = Table(("日期", "姓名", "学习内容", "字数", "笔记照片"), rows, (2, 2, 5, 1, 1))
    return [Entry("党员学习笔记", notes[0].noted_on, [table], kind="study_notes")]


def _hours(part: Part, member_ids: list[int]) -> list[Entry]:
    """Minutes of 党课 and 主题党日 each member attended in the year, in any branch (approved records)."""
    if not member_ids:
        return []
    start, end = part.span
    rows_by_user: dict[int, dict[str, int]] = {}
    query = (select(Attendance.user_id, Record.type, func.count(), func.coalesce(func.sum(Record.duration_minutes), 0))
             .join(Record, Attendance.record_id == Record.id)
             .where(Attendance.user_id.in_(member_ids), Attendance.status == "present",
                    bound_record(), Record.type.in_(STUDY_TYPES), Record.occurred_on.between(start, end))
             .group_by(Attendance.user_id, Record.type))
    if part.org.is_temporary:  # the project's own study; at home, wherever the member studied
        query = query.where(Record.org_id == part.org.id)
    for user_id, kind, count, minutes in db.session.execute(query):
        person = rows_by_user.setdefault(user_id, {"lecture": 0, "theme_day": 0, "minutes": 0})
        person[kind] = int(count)
        person["minutes"] += int(minutes)
    if not rows_by_user:
        return []
    names = {m.user_id: m.user.name for m in memberships(part)}
    rows = [(names.get(uid, ""), p["lecture"], p["theme_day"], p["minutes"])
            for uid, p in sorted(rows_by_user.items(), key=lambda kv: names.get(kv[0], ""))]
    table = Table(("姓名", "参加党课（次）", "参加主题党日（次）", "集中学习（分钟）"), rows, (2, 1, 1, 1))
    return [Entry("党员集中学习时长", None, [table], kind="study_hours")]
