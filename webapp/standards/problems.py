"""The problem list and rectification ledger (问题清单和整改台账): open, close with evidence; audited."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from .. import access, audit
from ..china_time import china_today
from ..extensions import db
from ..input_numbers import row_id
from ..models import Membership, Organization, Problem, User
from ..domain_errors import Invalid, NotAllowed
from ..records.validation import SHA256
from ..rules.standards import STANDARDS_BY_KEY


def _date(value, errors, key, label) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[key] = f"{label}格式不正确"
        return None


def open_problem(org: Organization, data: dict, actor: User) -> Problem:
    if not access.manages(actor, org):
        raise NotAllowed("只有支委可以登记问题")
    errors = {}
    description = str(data.get("description") or "").strip()
    if not description:
        errors["description"] = "请写明发现的问题"
    key = str(data.get("standard_key") or "").strip() or None
    if key and key not in STANDARDS_BY_KEY:
        errors["standard_key"] = "对应标准无效"
    responsible_id = None
    if data.get("responsible_id"):
        responsible_id = row_id(data["responsible_id"])
        if responsible_id is None or not db.session.scalar(select(Membership.id).where(
                Membership.org_id == org.id, Membership.user_id == responsible_id)):
            errors["responsible_id"] = "责任人必须是本支部人员"
    deadline = _date(data.get("deadline"), errors, "deadline", "整改期限")
    if errors:
        raise Invalid(errors)
    problem = Problem(org_id=org.id, standard_key=key, description=description[:5000],
                      measure=str(data.get("measure") or "").strip()[:5000], responsible_id=responsible_id,
                      deadline=deadline, found_on=china_today(), created_by_id=actor.id)
    db.session.add(problem)
    db.session.flush()
    audit.record(actor, "open_problem", "problem", problem.uuid, org_id=org.id, summary=f"登记问题：{description[:80]}")
    return problem


def close_problem(problem: Problem, data: dict, actor: User) -> Problem:
    """销号: closed with evidence. A late closing is allowed (deadlines warn, they never block)."""
    if not access.manages(actor, problem.org):
        raise NotAllowed("只有支委可以销号")
    if problem.state == "closed":
        raise Invalid({"state": "该问题已销号"})
    evidence = str(data.get("evidence") or "").strip()
    photo = str(data.get("photo_sha256") or "").strip().lower() or None
    errors = {}
    if not evidence:
        errors["evidence"] = "销号时请写明整改结果"
    if photo and not SHA256.match(photo):
        errors["photo_sha256"] = "照片标识无效"
    if errors:
        raise Invalid(errors)
    problem.state, problem.evidence, problem.evidence_photo_sha256 = "closed", evidence[:5000], photo
    problem.closed_on, problem.closed_by_id = china_today(), actor.id
    db.session.flush()
    audit.record(actor, "close_problem", "problem", problem.uuid, org_id=problem.org_id,
                 summary=f"问题销号：{problem.description[:80]}")
    return problem


def problems_of(org: Organization, year: int | None = None) -> list[Problem]:
    query = select(Problem).where(Problem.org_id == org.id)
    if year:
        query = query.where(Problem.found_on >= date(year, 1, 1), Problem.found_on <= date(year, 12, 31))
    return list(db.session.scalars(query.order_by(Problem.state.desc(), Problem.deadline, Problem.id)))
