"""党员汇报 (seed 003 "6.党员汇报制度": "党员每年就本人的思想、工作、学习及开展群众工作等情况,向党小组或党支部
作一次汇报,可与民主评议党员结合进行"): each member's own, on the phone, offline too (sync entity
``member_report``). Visible to the member and the branch committee."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from .. import access
from ..china_time import china_today
from ..domain_errors import Invalid, NotAllowed
from ..extensions import db
from ..models import MemberReport, Organization, User
from ..nul_text import without_nul
from ..points.year_end import graded_by

TEXT_MAX = 10000


def write(org: Organization, actor: User, year: int, text: str, *, uuid: str | None = None,
          client_recorded_at: datetime | None = None, today: date | None = None) -> MemberReport:
    today = today or china_today()
    if not 2000 <= year <= today.year:
        raise Invalid({"year": "年度无效"})
    if actor.id not in {u.id for u in graded_by(org, year)}:
        raise NotAllowed("只有本支部党员（正式、预备）向支部汇报")
    text = without_nul(str(text or "")).strip()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid({"text": "汇报内容含有无效字符"}) from None
    if not text:
        raise Invalid({"text": "请填写汇报内容"})
    if len(text) > TEXT_MAX:
        raise Invalid({"text": f"汇报内容不能超过 {TEXT_MAX} 字"})
    mine = report_of(org, actor, year)
    if mine is None and uuid and db.session.scalar(select(MemberReport.id).where(MemberReport.uuid == uuid)):
        raise Invalid({"uuid": "标识已被使用"})
    if mine is None:
        mine = MemberReport(org_id=org.id, user_id=actor.id, year=year, text=text)
        if uuid:
            mine.uuid = uuid
        db.session.add(mine)
    mine.text = text
    if client_recorded_at is not None:
        mine.client_recorded_at = client_recorded_at
    db.session.flush()
    return mine


def report_of(org: Organization, user: User, year: int) -> MemberReport | None:
    return db.session.scalar(select(MemberReport).where(MemberReport.org_id == org.id,
                                                        MemberReport.user_id == user.id, MemberReport.year == year))


def of_branch(org: Organization, year: int, viewer: User) -> dict[int, MemberReport]:
    if not access.manages(viewer, org):
        raise NotAllowed("党员汇报仅支委可以查看")
    return {r.user_id: r for r in db.session.scalars(select(MemberReport).where(
        MemberReport.org_id == org.id, MemberReport.year == year))}


def written_count(org: Organization, year: int) -> tuple[int, int]:
    """(members who reported, members who owe a report)."""
    people = {u.id for u in graded_by(org, year)}
    written = set(db.session.scalars(select(MemberReport.user_id).where(MemberReport.org_id == org.id,
                                                                        MemberReport.year == year)))
    return len(written & people), len(people)
