"""组织生活会 preparation and the meeting's notes per member (seed 003). The problems the meeting finds
are not kept here: they are 整改台账 items (``Problem`` with ``record_id`` of the meeting's record)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, UUIDString, new_uuid, utcnow


class LifeMeetingPrep(db.Model):
    """A branch's 组织生活会 of one year: its preparation, and the meeting record once held."""

    __tablename__ = "life_meeting_preps"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    year: Mapped[int] = mapped_column(Integer)
    theme: Mapped[str] = mapped_column(String(200), default="")
    # The approved 组织生活会 record (attendance, photos, 整改清单) once the meeting is held.
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org = relationship("Organization")
    record = relationship("Record")

    __table_args__ = (UniqueConstraint("org_id", "year", name="uq_life_meeting_preps_org_year"),)


class LifeMeetingOpinion(db.Model):
    """征求意见: one opinion gathered before the meeting, with where it came from."""

    __tablename__ = "life_meeting_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    prep_id: Mapped[int] = mapped_column(ForeignKey("life_meeting_preps.id"), index=True)
    source: Mapped[str] = mapped_column(String(100), default="")
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LifeMeetingMaterial(db.Model):
    """A member's 对照检查材料: written, or a photo of the paper (content-addressed)."""

    __tablename__ = "life_meeting_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    prep_id: Mapped[int] = mapped_column(ForeignKey("life_meeting_preps.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    photo_sha256: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User")

    __table_args__ = (UniqueConstraint("prep_id", "user_id", name="uq_life_meeting_materials_prep_user"),)


class LifeMeetingCriticism(db.Model):
    """At the meeting: the member's self-criticism and the criticism others raised, as noted."""

    __tablename__ = "life_meeting_criticisms"

    id: Mapped[int] = mapped_column(primary_key=True)
    prep_id: Mapped[int] = mapped_column(ForeignKey("life_meeting_preps.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    self_criticism: Mapped[str] = mapped_column(Text, default="")
    criticism: Mapped[str] = mapped_column(Text, default="")
    noted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User", foreign_keys=[user_id])

    __table_args__ = (UniqueConstraint("prep_id", "user_id", name="uq_life_meeting_criticisms_prep_user"),)
