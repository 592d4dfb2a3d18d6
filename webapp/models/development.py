"""发展党员: one development file per person, its recorded steps, and notes written along the way."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, UUIDString, new_uuid, utcnow


class DevelopmentFile(db.Model):
    """A person's development file (发展党员档案). Keyed by the person, not by a branch: when their home
    branch changes, the file and its pipeline continue where they were."""

    __tablename__ = "development_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    # The probation extended once (细则第三十二条): by how many months, when and why.
    extension_months: Mapped[int | None] = mapped_column(Integer)
    extended_on: Mapped[date | None] = mapped_column(Date)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User")
    steps = relationship("DevelopmentStep", back_populates="file", cascade="all, delete-orphan",
                         order_by="DevelopmentStep.done_on")
    notes = relationship("DevelopmentNote", back_populates="file", cascade="all, delete-orphan",
                         order_by="DevelopmentNote.written_on")


class DevelopmentStep(db.Model):
    """One step of the pipeline, recorded once, where it happened (``org_id``: the home branch then)."""

    __tablename__ = "development_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("development_files.id"))
    step: Mapped[str] = mapped_column(String(30))
    done_on: Mapped[date] = mapped_column(Date)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # Per kind: {"people": [user ids]}, {"vote": {...counts}}, {"days": n, "hours": n}; earlier failed
    # votes are kept under "earlier".
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    photos: Mapped[list] = mapped_column(JSON, default=list)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    file = relationship("DevelopmentFile", back_populates="steps")
    org = relationship("Organization")
    recorded_by = relationship("User")

    __table_args__ = (Index("ix_development_steps_file_step", "file_id", "step", unique=True),)


class DevelopmentNote(db.Model):
    """A talk, an observation report or a contact's note; may be written offline (``uuid`` from the phone).
    ``org_id`` is where it was written: a temporary branch's observations reach the home branch's board."""

    __tablename__ = "development_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    file_id: Mapped[int] = mapped_column(ForeignKey("development_files.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    written_on: Mapped[date] = mapped_column(Date)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    client_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    file = relationship("DevelopmentFile", back_populates="notes")
    org = relationship("Organization")
    author = relationship("User")
