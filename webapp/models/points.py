"""The points system (积分制): every change of a member's points is a ledger line with who and why."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, UUIDString, new_uuid, utcnow


class PointsLine(db.Model):
    __tablename__ = "points_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    bucket: Mapped[str] = mapped_column(String(10))  # base / task / bonus
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    # Exactly one source: an approved record (attendance) or an application; or neither (by hand).
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("points_applications.id"))
    # A fulfilled 承诺 (webapp/roles/commitments.py): one line per commitment.
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    record = relationship("Record")
    org = relationship("Organization")

    __table_args__ = (
        # Attendance points: one line per record and member, so re-approval never counts twice.
        UniqueConstraint("record_id", "user_id", name="uq_points_lines_record_user"),
        Index("ix_points_lines_org_year", "org_id", "year"),
        Index("ix_points_lines_user_year", "user_id", "year"),
    )


class PointsApplication(db.Model):
    """A member applies for points (with a note and optional photo); the committee reviews, then decides."""

    __tablename__ = "points_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    bucket: Mapped[str] = mapped_column(String(10))
    points: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text)
    photo_sha256: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20), default="applied")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_note: Mapped[str] = mapped_column(String(500), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])


class PointsGradeOverride(db.Model):
    """The committee sets 不合格 directly for a disciplinary case (seed 004), with a reason."""

    __tablename__ = "points_grade_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    year: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(500))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("org_id", "user_id", "year", name="uq_points_grade_overrides"),)


class PointsYear(db.Model):
    """A branch's points year: 本年累计 while open; the secretary closes it (年度结算), which grades and
    freezes the year results of the members it grades. Reopening is audited with a reason."""

    __tablename__ = "points_years"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    year: Mapped[int] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reopen_reason: Mapped[str] = mapped_column(String(500), default="")

    closed_by = relationship("User", foreign_keys=[closed_by_id])

    __table_args__ = (UniqueConstraint("org_id", "year", name="uq_points_years_org_year"),)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class YearResult(db.Model):
    """One year-end result per person and year, fed by both the points and 民主评议: never two grades
    that can disagree. ``source`` says where the grade came from."""

    __tablename__ = "year_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    year: Mapped[int] = mapped_column(Integer)
    # The branch that grades the person (their home branch) and froze the result.
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    base: Mapped[int | None] = mapped_column(Integer)
    task: Mapped[int | None] = mapped_column(Integer)
    bonus: Mapped[int | None] = mapped_column(Integer)
    award: Mapped[int | None] = mapped_column(Integer)
    total: Mapped[int | None] = mapped_column(Integer)
    points_grade: Mapped[str | None] = mapped_column(String(20))
    evaluation_grade: Mapped[str | None] = mapped_column(String(20))
    evaluation_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    # The 民主评议 workflow whose 组织评定 gave ``evaluation_grade`` (webapp/appraisal/); when set, a
    # grade typed on an evaluation record no longer replaces it.
    evaluation_appraisal_id: Mapped[int | None] = mapped_column(ForeignKey("appraisals.id"))
    grade: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str | None] = mapped_column(String(20))  # points / evaluation / override / exempt
    note: Mapped[str] = mapped_column(String(500), default="")
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    org = relationship("Organization")
    evaluation_record = relationship("Record")

    __table_args__ = (UniqueConstraint("user_id", "year", name="uq_year_results_user_year"),
                      Index("ix_year_results_org_year", "org_id", "year"))

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class PointsExemption(db.Model):
    """免于积分 (seed 004): a member who cannot take part is exempted after the branch applies and the
    higher committee approves, with a reason."""

    __tablename__ = "points_exemptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    year: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(20), default="requested")  # requested / approved / rejected
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", foreign_keys=[user_id])
    org = relationship("Organization")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (UniqueConstraint("user_id", "year", name="uq_points_exemptions_user_year"),)
