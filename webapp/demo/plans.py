"""Demo data for planning and its reminders: upcoming activities (活动安排) and a study task (学习任务).

Dates are relative to today (China time) so the demo always shows what is coming next week.
"""
from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from ..china_time import china_today
from ..models import Membership, Organization, User
from ..extensions import db
from ..plans import service as planning


def _org(name: str) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.name == name))


def _secretary(org: Organization) -> User | None:
    membership = db.session.scalar(select(Membership).where(
        Membership.org_id == org.id, Membership.title.in_(("secretary", "temporary_leader")))
        .order_by(Membership.id))
    return membership.user if membership else None


ACTIVITIES = [
    # (branch, days from today, start, type, title, place)
    ("办公室党支部", 3, time(9, 0), "theme_day", "学习贯彻党的二十届四中全会精神主题党日",
     "机关五楼党员活动室"),
    ("规划计划处党支部", 2, time(15, 0), "committee_meeting", "支委会：研究年度党员发展计划", "规划计划处会议室"),
    ("长江中游水文测验项目临时党支部", 6, time(19, 30), "theme_day", "水文站现场主题党日：重温入党誓词",
     "监利城南水文站会议室"),
]


def load(accounts: dict[str, User]) -> None:
    today = china_today()
    for branch_name, days, start, kind, title, place in ACTIVITIES:
        org = _org(branch_name)
        actor = _secretary(org) if org else None
        if org is None or actor is None:
            continue
        planning.create_activity(org, {"type": kind, "title": title, "on_date": today + timedelta(days=days),
                                       "start_time": start, "place": place}, actor)
    committee = db.session.scalar(select(Organization).where(Organization.kind == "committee")
                                  .order_by(Organization.id))
    if committee is not None and "jiguan" in accounts:
        planning.publish_task(committee, {
            "topic": "学习《中国共产党章程》总纲",
            "body": "逐段学习党章总纲，结合本职工作写一篇不少于 300 字的学习体会，记入学习笔记。",
            "link": "https://www.12371.cn/special/zggcdzc/",
            "due_on": today + timedelta(days=7),
        }, accounts["jiguan"])
    db.session.flush()
