"""Helpers for tests that need records: a valid theme day and friends."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Membership, Organization

FIELD_BRANCH = "长江中游水文测验项目临时党支部"


def org_named(name: str) -> Organization:
    return db.session.scalar(select(Organization).where(Organization.name == name))


def member_ids(org: Organization) -> list[int]:
    return list(db.session.scalars(select(Membership.user_id).where(
        Membership.org_id == org.id, Membership.active.is_(True)).order_by(Membership.user_id)))


def theme_day_data(org: Organization, **overrides) -> dict:
    ids = member_ids(org)
    data = {
        "occurred_on": (date.today() - timedelta(days=1)).isoformat(),
        "start_time": "09:00", "end_time": "10:30",
        "place": "监利城南水文站会议室", "topic": "学习贯彻党的二十届四中全会精神",
        "content": "集体诵读党章第一章；学习全会公报；交纳十一月党费。",
        "attendee_ids": ids[:-1],
        "absentees": [{"user_id": ids[-1], "reason": "外出测流"}],
        "invited": [{"name": "赵工", "note": "项目非职工党员"}],
        "theme_items": ["recite_constitution", "collective_study", "pay_dues"],
        "theme_forms": ["discussion"],
    }
    data.update(overrides)
    return data
