"""Checking against the standard: monthly counts kept up to date on approval, the secretary's ticks,
and the problem list / rectification ledger (问题清单和整改台账)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..rules.standards import PROBLEM_STATES, STANDARDS_BY_KEY
from .base import UTCDateTime, UUIDString, new_uuid, utcnow


class StandardMonthCount(db.Model):
    """How many approved records of a kind a branch had in a month (``key`` e.g. "theme_day",
    "theme_day_ok", "secretary_lecture", "group_meeting:17"). Rebuilt for a branch-month on approval."""

    __tablename__ = "standard_month_counts"

    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)

    # The dashboard reads one key over a year for every branch: key, then month range, covering org and count.
    __table_args__ = (Index("ix_standard_month_counts_key_month", "key", "month", "org_id", "count"),)


class StandardTick(db.Model):
    """A manual standard ticked by the secretary for a year, with a note and an optional photo."""

    __tablename__ = "standard_ticks"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    key: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(500))
    photo_sha256: Mapped[str | None] = mapped_column(String(64))
    ticked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ticked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticked_by = relationship("User")

    __table_args__ = (UniqueConstraint("org_id", "key", "year", name="uq_standard_ticks_org_key_year"),)


class Problem(db.Model):
    """A problem found against the standard, its measure, who answers for it, deadline and closing."""

    __tablename__ = "problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    standard_key: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(Text, default="")
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deadline: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default="open")
    evidence: Mapped[str] = mapped_column(Text, default="")
    evidence_photo_sha256: Mapped[str | None] = mapped_column(String(64))
    found_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The 组织生活会 whose 整改清单 this item came from (entered once, closed here).
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), index=True)

    org = relationship("Organization")
    responsible = relationship("User", foreign_keys=[responsible_id])
    closed_by = relationship("User", foreign_keys=[closed_by_id])
    record = relationship("Record", foreign_keys=[record_id])

    @property
    def state_label(self) -> str:
        return PROBLEM_STATES.get(self.state, self.state)

    @property
    def standard_label(self) -> str:
        spec = STANDARDS_BY_KEY.get(self.standard_key or "")
        return spec["label"] if spec else "自查发现"

    def is_overdue(self, today: date) -> bool:
        return self.state == "open" and self.deadline is not None and self.deadline < today

