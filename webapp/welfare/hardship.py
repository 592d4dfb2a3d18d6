"""困难党员台账 (seed 003: "做好对生活困难党员的走访、慰问和帮扶"; 档案: "困难党员台账"): the committee keeps
the case, its visits (走访慰问) and the help given. Private to the committee."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from .. import access, audit
from ..china_time import china_today
from ..domain_errors import Invalid, NotAllowed
from ..extensions import db
from ..models import HardshipCase, HardshipVisit, Membership, Organization, User
from ..nul_text import without_nul


def _manager(actor: User, org: Organization) -> None:
    if not access.manages(actor, org):
        raise NotAllowed("困难党员台账由本支部支委管理")


def _text(value, limit: int, name: str, label: str, required: bool = True) -> str:
    text = without_nul(str(value or "")).strip()
    if required and not text:
        raise Invalid({name: f"请填写{label}"})
    if len(text) > limit:
        raise Invalid({name: f"{label}不能超过 {limit} 字"})
    return text


def open_case(org: Organization, actor: User, user_id: int | None, situation: str, since: date) -> HardshipCase:
    _manager(actor, org)
    if user_id is None or not db.session.scalar(select(Membership.id).where(
            Membership.org_id == org.id, Membership.user_id == user_id, Membership.relation == "home")):
        raise Invalid({"user_id": "请选择本支部党员"})
    if since > china_today():
        raise Invalid({"since": "日期不能晚于今天"})
    case = HardshipCase(org_id=org.id, user_id=user_id, situation=_text(situation, 5000, "situation", "困难情况"),
                        since=since, created_by_id=actor.id)
    db.session.add(case)
    db.session.flush()
    audit.record(actor, "open_hardship_case", "hardship_case", case.uuid, org_id=org.id, summary="列入困难党员台账")
    return case


def add_visit(case: HardshipCase, actor: User, visited_on: date, visitors: str, help_given: str,
              amount_fen: int = 0) -> HardshipVisit:
    _manager(actor, db.session.get(Organization, case.org_id))
    if visited_on > china_today() or visited_on < case.since:
        raise Invalid({"visited_on": "走访日期应在列入台账之后、今天之前"})
    if not 0 <= amount_fen <= 100_000_000:
        raise Invalid({"amount": "慰问金额无效"})
    visit = HardshipVisit(case_id=case.id, visited_on=visited_on, visitors=_text(visitors, 200, "visitors", "走访人"),
                          help_given=_text(help_given, 5000, "help_given", "帮扶内容"), amount_fen=amount_fen,
                          created_by_id=actor.id)
    db.session.add(visit)
    db.session.flush()
    return visit


def close_case(case: HardshipCase, actor: User, on: date | None = None) -> None:
    _manager(actor, db.session.get(Organization, case.org_id))
    if case.closed_on is not None:
        raise Invalid({"state": "已移出台账"})
    case.closed_on = on or china_today()
    db.session.flush()


def cases(org: Organization, viewer: User) -> list[HardshipCase]:
    _manager(viewer, org)
    return list(db.session.scalars(select(HardshipCase).where(HardshipCase.org_id == org.id)
                                   .order_by(HardshipCase.closed_on.is_not(None), HardshipCase.id)))
