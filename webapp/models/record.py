"""Organizational life records (三会一课, 主题党日, …): every version kept, attendance, check-ins,
review comments and photos."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..rules.life import CONFLICT_LABEL, RECORD_STATES, RECORD_TYPE_LABELS
from .base import UTCDateTime, UUIDString, new_uuid, utcnow
from .compressed_json import CompressedJSON


class Record(db.Model):
    """One activity. Its columns mirror the newest version, for lists and filters."""

    __tablename__ = "records"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    type: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(20), default="submitted")
    version: Mapped[int] = mapped_column(Integer, default=1)
    approved_version: Mapped[int | None] = mapped_column(Integer)
    has_conflict: Mapped[bool] = mapped_column(Boolean, default=False)

    occurred_on: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    meets_standard: Mapped[bool | None] = mapped_column(Boolean)
    standard_problems: Mapped[list] = mapped_column(JSON, default=list)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    lecturer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    is_secretary_lecture: Mapped[bool] = mapped_column(Boolean, default=False)
    is_private: Mapped[bool] = mapped_column(Boolean, default=False)
    recorder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When it happened vs when it was recorded: the gap is shown honestly (docs/domain.md last section).
    recorded_late_days: Mapped[int] = mapped_column(Integer, default=0)
    photos_missing: Mapped[int] = mapped_column(Integer, default=0)
    # Set when this record was merged into another record of the same meeting (one meeting, one record):
    # it is then no longer counted anywhere; its versions stay readable.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    org = relationship("Organization", foreign_keys=[org_id])
    group = relationship("Organization", foreign_keys=[group_id])
    lecturer = relationship("User", foreign_keys=[lecturer_id])
    recorder = relationship("User", foreign_keys=[recorder_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    merged_into = relationship("Record", remote_side=[id], foreign_keys=[merged_into_id])
    versions = relationship("RecordVersion", back_populates="record", order_by="RecordVersion.number",
                            cascade="all, delete-orphan")
    attendances = relationship("Attendance", back_populates="record", cascade="all, delete-orphan")
    check_ins = relationship("CheckIn", back_populates="record", cascade="all, delete-orphan",
                             order_by="CheckIn.at")
    comments = relationship("ReviewComment", back_populates="record", order_by="ReviewComment.id",
                            cascade="all, delete-orphan")
    photos = relationship("RecordPhoto", back_populates="record", order_by="RecordPhoto.position",
                          cascade="all, delete-orphan")

    __table_args__ = (
        Index("ix_records_org_occurred", "org_id", "occurred_on"),
        Index("ix_records_org_type_state", "org_id", "type", "state"),
        Index("ix_records_state", "state"),
    )

    @property
    def type_label(self) -> str:
        return RECORD_TYPE_LABELS.get(self.type, self.type)

    @property
    def state_label(self) -> str:
        return RECORD_STATES.get(self.state, self.state)

    @property
    def conflict_label(self) -> str:
        return CONFLICT_LABEL

    @property
    def current(self) -> RecordVersion | None:
        for version in reversed(self.versions):
            if version.number == self.version:
                return version
        return None

    def version_number(self, number: int) -> RecordVersion | None:
        return next((v for v in self.versions if v.number == number), None)


class RecordVersion(db.Model):
    """A full copy of the form as saved. Versions are never changed, only added."""

    __tablename__ = "record_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))  # led by the unique (record_id, …) index
    number: Mapped[int] = mapped_column(Integer)
    # "edit": on the main line; "conflict": an offline edit made on an older base, kept for the secretary.
    kind: Mapped[str] = mapped_column(String(20), default="edit")
    base_version: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(CompressedJSON)  # the whole form, compressed (compressed_json.py)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    client_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the phone's claim
    source: Mapped[str] = mapped_column(String(20), default="web")
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(String(20))  # adopted / dismissed

    record = relationship("Record", back_populates="versions")
    created_by = relationship("User", foreign_keys=[created_by_id])
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])

    __table_args__ = (UniqueConstraint("record_id", "number", name="uq_record_versions_record_number"),)

    @property
    def is_conflict(self) -> bool:
        return self.kind == "conflict"


class Attendance(db.Model):
    """Who was there, on leave, or absent: rebuilt from the newest version and check-ins."""

    __tablename__ = "attendances"

    # One row per record and person, keyed by the pair itself: about ten rows a record, so no
    # surrogate id and no second unique index to keep (and on SQLite the rows live in that key).
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(200), default="")

    record = relationship("Record", back_populates="attendances")
    user = relationship("User")

    __table_args__ = (
        Index("ix_attendances_user", "user_id", "status"),
        {"sqlite_with_rowid": False},
    )


class CheckIn(db.Model):
    """A member's own 签到 from their phone. Merged as a set: one per record and person."""

    __tablename__ = "check_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    client_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(20), default="web")

    record = relationship("Record", back_populates="check_ins")
    user = relationship("User")

    __table_args__ = (UniqueConstraint("record_id", "user_id", name="uq_check_ins_record_user"),
                      Index("ix_check_ins_user", "user_id"))


class ReviewComment(db.Model):
    """A reviewer's decision or remark. Never edited or deleted."""

    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    version_number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))  # approve / return / comment / resolve
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    record = relationship("Record", back_populates="comments")
    author = relationship("User")


class Photo(db.Model):
    """An uploaded image, addressed by the sha256 of its bytes."""

    __tablename__ = "photos"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PhotoUpload(db.Model):
    """Who sent a photo's bytes. A hash alone grants nothing: a photo may be attached to a record, a
    study note or a points application only by someone who uploaded it or may already see it
    (webapp/records/photo_access.py)."""

    __tablename__ = "photo_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("photos.sha256"))  # led by the unique (sha256, …) index
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("sha256", "user_id", name="uq_photo_uploads_sha_user"),)


class RecordPhoto(db.Model):
    """A record names its photos by hash; the photo may arrive later than the record."""

    __tablename__ = "record_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))  # led by the unique (record_id, …) index
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    record = relationship("Record", back_populates="photos")
    photo = relationship("Photo", primaryjoin="foreign(RecordPhoto.sha256) == Photo.sha256",
                         viewonly=True)

    __table_args__ = (UniqueConstraint("record_id", "sha256", name="uq_record_photos_record_sha"),)


class StudyNote(db.Model):
    """A member's own study note (学习笔记): visible to the member and the branch committee."""

    __tablename__ = "study_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    noted_on: Mapped[date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    photo_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    client_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
    org = relationship("Organization")
    photo = relationship("Photo", primaryjoin="foreign(StudyNote.photo_sha256) == Photo.sha256",
                         viewonly=True)

    __table_args__ = (Index("ix_study_notes_org_noted", "org_id", "noted_on"),
                      Index("ix_study_notes_user_noted", "user_id", "noted_on"))


class MonthlyTheme(db.Model):
    """The guiding theme a higher committee sets for a month (主题党日+, "12 cycles a year")."""

    __tablename__ = "monthly_themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    title: Mapped[str] = mapped_column(String(200))
    guidance: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    org = relationship("Organization")

    __table_args__ = (UniqueConstraint("org_id", "month", name="uq_monthly_themes_org_month"),)
