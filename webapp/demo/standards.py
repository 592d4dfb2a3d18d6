"""Demo for checking against the standard: a ticked activity room and a problem being rectified."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..china_time import china_today
from ..extensions import db
from ..models import Membership, Organization, StandardTick, User
from ..standards import problems


def load(accounts: dict[str, User]) -> None:
    office = db.session.scalar(select(Organization).where(Organization.name == "办公室党支部"))
    shuji = accounts["shuji"]
    db.session.add(StandardTick(org_id=office.id, key="activity_room", year=china_today().year,
                                note="三楼党员活动室已悬挂党旗、支部牌，设置学习园地和公开栏", ticked_by_id=shuji.id))
    member = db.session.scalar(select(Membership).where(Membership.org_id == office.id,
                                                        Membership.title.is_(None)).order_by(Membership.id))
    problems.open_problem(office, {
        "standard_key": "group_meeting", "description": "第二党小组 10 月未召开党小组会",
        "measure": "党小组长 11 月补开党小组会，今后每月第一周召开并当场录入",
        "responsible_id": str(member.user_id), "deadline": (china_today() + timedelta(days=10)).isoformat()}, shuji)
    db.session.flush()
