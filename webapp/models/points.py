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
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    record = relationship("Record")

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
