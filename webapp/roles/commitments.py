"""承诺践诺 (seed 004): each member's commitments for the year (共性/岗位/实事/自律), made at its start and
reviewed by the committee at its end. A fulfilled commitment earns task points once, as a points line
that names it (``PointsLine.commitment_id``), at the value the points rules give
("points.commitment_fulfilled", adjustable): no second entry in the points ledger."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from .. import access, audit
from ..china_time import china_today
from ..domain_errors import Invalid, NotAllowed
from ..extensions import db
from ..models import Commitment, Organization, PointsLine, User
from ..models.base import utcnow
from ..nul_text import without_nul
from ..points import year_end
from ..rules.branch_year import COMMITMENT_KINDS
from ..standards.rule_book import rule_in_force

TEXT_MAX = 2000


def make(org: Organization, actor: User, year: int, kind: str, text: str, today: date | None = None) -> Commitment:
    today = today or china_today()
    if actor.id not in {u.id for u in year_end.graded_by(org, year)}:
        raise NotAllowed("只有本支部党员（正式、预备）作出承诺")
    errors = {}
    if kind not in COMMITMENT_KINDS:
        errors["kind"] = "请选择承诺类别（共性、岗位、实事、自律）"
    if year not in (today.year, today.year + 1):
        errors["year"] = "只能为本年度或下一年度作出承诺"
    text = without_nul(str(text or "")).strip()
    if not text:
        errors["text"] = "请写明承诺内容"
    elif len(text) > TEXT_MAX:
        errors["text"] = f"承诺内容不能超过 {TEXT_MAX} 字"
    if errors:
        raise Invalid(errors)
    commitment = Commitment(org_id=org.id, user_id=actor.id, year=year, kind=kind, text=text)
    db.session.add(commitment)
    db.session.flush()
    return commitment


def review(commitment: Commitment, actor: User, *, fulfilled: bool, note: str = "",
           today: date | None = None) -> PointsLine | None:
    """The committee's year-end review: a fulfilled commitment adds its task points, once."""
    today = today or china_today()
    org = db.session.get(Organization, commitment.org_id)
    if not access.manages(actor, org):
        raise NotAllowed("只有本支部支委可以评议践诺情况")
    if commitment.state != "made":
        raise Invalid({"state": "该承诺已评议"})
    points_year = year_end.year_of(org, commitment.year)
    if points_year is not None and points_year.is_closed:
        raise Invalid({"state": f"{commitment.year} 年度积分已结算，不能再评议"})
    commitment.state = "fulfilled" if fulfilled else "unfulfilled"
    commitment.review_note = without_nul(str(note or "")).strip()[:500]
    commitment.reviewed_by_id, commitment.reviewed_at = actor.id, utcnow()
    line = None
    if fulfilled:
        on = min(today, date(commitment.year, 12, 31))
        points = rule_in_force(org, "points.commitment_fulfilled", on)
        if points:
            line = PointsLine(org_id=org.id, user_id=commitment.user_id, year=commitment.year, month=on.month,
                              bucket="task", delta=points,
                              reason=f"践行{COMMITMENT_KINDS[commitment.kind]}：{commitment.text[:60]}",
                              commitment_id=commitment.id, created_by_id=actor.id)
            db.session.add(line)
    db.session.flush()
    audit.record(actor, "review_commitment", "commitment", commitment.uuid, org_id=org.id,
                 summary=f"评议承诺：{'已践诺' if fulfilled else '未践诺'}")
    return line


def of_branch(org: Organization, year: int) -> list[Commitment]:
    return list(db.session.scalars(select(Commitment).where(Commitment.org_id == org.id, Commitment.year == year)
                                   .order_by(Commitment.user_id, Commitment.id)))


def of_member(org: Organization, user: User, year: int) -> list[Commitment]:
    return list(db.session.scalars(select(Commitment).where(
        Commitment.org_id == org.id, Commitment.user_id == user.id, Commitment.year == year).order_by(Commitment.id)))
