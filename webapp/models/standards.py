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


class StandardRollup(db.Model):
    """The committee dashboard's figures, stored per organization and kept on approval
    (``standards/rollup_store.py``): for a standard's unit (``period`` "2026-11", "2026-Q4", "2026-H2" or
    "2026"), how many branches at or below ``org_id`` owe it (``due``) and how many reached the minimum
    in force (``reached``), and how many missed the unit before (``overdue``). ``ends`` is the day the unit ends for those branches: the unit's last day,
    or a temporary branch's last active day inside it (its status turns "missed" then)."""

    __tablename__ = "standard_rollups"

    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    ends: Mapped[date] = mapped_column(Date, primary_key=True)
    due: Mapped[int] = mapped_column(Integer, default=0)
    reached: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[int] = mapped_column(Integer, default=0)  # of them: missed the unit before this one


class StandardRollupYear(db.Model):
    """A year whose roll-up figures are stored for every branch (filled once, then kept on approval)."""

    __tablename__ = "standard_rollup_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    filled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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

