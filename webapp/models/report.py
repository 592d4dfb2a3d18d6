"""报告工作 and 党员汇报 (seed 003 制度 4 and 6): the branch's yearly report to the higher committee, the
secretary's report to the general meeting (书记述职), and each member's yearly report."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, UUIDString, new_uuid, utcnow


class BranchReport(db.Model):
    """A branch's report of one year: ``kind`` "branch" (向上级党组织汇报) or "secretary" (书记述职),
    drafted from the year's figures and edited by the secretary."""

    __tablename__ = "branch_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    updated_by = relationship("User")

    __table_args__ = (UniqueConstraint("org_id", "year", "kind", name="uq_branch_reports_org_year_kind"),)


class MemberReport(db.Model):
    """党员汇报: a member's yearly report of thought, work and study, written on the phone (offline too)."""

    __tablename__ = "member_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    year: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    client_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User")

    __table_args__ = (UniqueConstraint("org_id", "user_id", "year", name="uq_member_reports_org_user_year"),)
