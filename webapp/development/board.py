"""The secretary's board: everyone under development whose home branch is this one, at which step,
what is due and when, what is late (with the rule that says so), and the latest notes (observations
written in a temporary branch included)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..china_time import china_today
from ..extensions import db
from ..models import DevelopmentFile, DevelopmentNote, Membership, Organization, User
from ..rules.development import ORDER, RECORDED_STEPS, STAGES, STEPS_BY_KEY
from . import pipeline, timing


@dataclass
class Row:
    person: User
    file: DevelopmentFile
    stage: int
    last_step: str | None
    last_on: date | None
    open_steps: list[str]
    findings: list[timing.Finding]
    notes: list[DevelopmentNote] = field(default_factory=list)

    @property
    def stage_label(self) -> str:
        return STAGES[self.stage]

    @property
    def last_label(self) -> str:
        return STEPS_BY_KEY[self.last_step]["label"] if self.last_step else ""

    @property
    def late(self) -> list[timing.Finding]:
        return [f for f in self.findings if f.warns]

    @property
    def due(self) -> list[timing.Finding]:
        return sorted([f for f in self.findings if f.level == "due"], key=lambda f: f.due or date.max)

    @property
    def finished(self) -> bool:
        return "archived" in {s.step for s in self.file.steps}


def open_steps(done: dict[str, date], passed: set[str]) -> list[str]:
    """Steps not yet recorded whose predecessor is recorded (and, for a vote, passed)."""
    out = []
    for key in RECORDED_STEPS:
        if key in done:
            continue
        after = STEPS_BY_KEY[key].get("after")
        if after is None or (after in done and after in passed):
            out.append(key)
    return out


def row_for(file: DevelopmentFile, org: Organization, today: date) -> Row:
    done = pipeline.done_dates(file)
    steps = pipeline.steps_by_key(file)
    passed = {k for k, s in steps.items() if pipeline._passed(s)}
    last = max(done, key=lambda k: ORDER[k]) if done else None
    return Row(person=file.user, file=file, stage=STEPS_BY_KEY[last]["stage"] if last else 1, last_step=last,
               last_on=done.get(last) if last else None, open_steps=open_steps(done, passed),
               findings=pipeline.findings(file, org, today),
               notes=sorted(file.notes, key=lambda n: (n.written_on, n.id), reverse=True)[:3])


def rows(org: Organization, today: date | None = None, include_finished: bool = False) -> list[Row]:
    today = today or china_today()
    files = db.session.scalars(
        select(DevelopmentFile).join(Membership, Membership.user_id == DevelopmentFile.user_id)
        .join(User, User.id == DevelopmentFile.user_id)
        .where(Membership.org_id == org.id, Membership.relation == "home", Membership.active.is_(True))
        .options(selectinload(DevelopmentFile.steps), selectinload(DevelopmentFile.notes),
                 selectinload(DevelopmentFile.user))
        .order_by(User.name)).all()
    out = [row_for(f, org, today) for f in files]
    if not include_finished:
        out = [r for r in out if not r.finished]
    return sorted(out, key=lambda r: (-len(r.late), r.stage, r.person.name))
