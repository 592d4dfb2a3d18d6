"""A 组织生活会's 整改清单 enters the 整改台账 (the problem list) when the record is approved: each item
becomes a Problem linked to its record (measure, responsible person, deadline), closed there with
evidence. Entered once, on the record; never typed again in the ledger (seed 003: the 组织生活会's
problems go to the 整改落实台账)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..models import Problem, Record
from ..records import events


def items_of(record: Record) -> list[dict]:
    version = record.version_number(record.approved_version) if record.approved_version else None
    return list((version.data if version else {}).get("rectification_items") or [])


def to_ledger(record: Record) -> list[Problem]:
    """Create (or, while still open, update) one ledger item per rectification item of the approved
    version. Matched by record and problem text; an item dropped by a later correction stays in the
    ledger (closing it there is the secretary's call)."""
    if record.type != "life_meeting" or record.approved_version is None or record.merged_into_id is not None:
        return []
    existing = {p.description: p for p in db.session.scalars(select(Problem).where(Problem.record_id == record.id))}
    touched = []
    for item in items_of(record):
        deadline = date.fromisoformat(item["deadline"]) if item.get("deadline") else None
        problem = existing.get(item["description"])
        if problem is None:
            problem = Problem(org_id=record.org_id, record_id=record.id, description=item["description"],
                              found_on=record.occurred_on, created_by_id=record.approved_by_id)
            db.session.add(problem)
            existing[item["description"]] = problem
        elif problem.state == "closed":
            continue
        problem.measure, problem.responsible_id, problem.deadline = item.get("measure") or "", \
            item.get("responsible_id"), deadline
        touched.append(problem)
    if touched:
        db.session.flush()
        for problem in touched:
            audit.record(record.approved_by, "open_problem", "problem", problem.uuid, org_id=record.org_id,
                         summary=f"组织生活会整改清单列入整改台账：{problem.description[:80]}")
    return touched


def problems_of_record(record: Record) -> list[Problem]:
    return list(db.session.scalars(select(Problem).where(Problem.record_id == record.id).order_by(Problem.id)))


def _on_record_approved(record: Record, **_) -> None:
    to_ledger(record)


def install() -> None:
    events.record_approved.connect(_on_record_approved, weak=False)
