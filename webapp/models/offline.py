"""Offline sync: registered phones, the log of processed mutations, and the quarantine of
mutations that could not apply."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, UUIDString, new_uuid, utcnow


class Device(db.Model):
    """A phone or browser registered for sync. Its long-lived token is stored only as a sha256."""

    __tablename__ = "sync_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # led by ix_sync_devices_user_client_key
    name: Mapped[str] = mapped_column(String(80), default="")
    # Chosen by the browser and kept in its IndexedDB: registering again (a lost answer, a new
    # sign-in) renews this device's token instead of listing a second device.
    client_key: Mapped[str | None] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user = relationship("User", foreign_keys=[user_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])

    __table_args__ = (Index("ix_sync_devices_user_client_key", "user_id", "client_key"),)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ProcessedMutation(db.Model):
    """Written in the same transaction as a mutation's effects: the mutation is then done."""

    __tablename__ = "sync_processed"

    id: Mapped[int] = mapped_column(primary_key=True)
    mutation_id: Mapped[str] = mapped_column(UUIDString, unique=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("sync_devices.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    seq: Mapped[int] = mapped_column(Integer)
    entity: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(UUIDString)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[dict] = mapped_column(JSON)
    client_at: Mapped[str | None] = mapped_column(String(40))  # the phone's clock, a claim only
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # One row per mutation ever received, looked up by mutation_id only: no other index to keep up.


class QuarantinedMutation(db.Model):
    """A rejected mutation parked for the secretary: retried after a fix, or dismissed with a reason."""

    __tablename__ = "sync_quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    mutation_id: Mapped[str] = mapped_column(UUIDString, unique=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("sync_devices.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    entity: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(UUIDString)
    base_version: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict] = mapped_column(JSON)
    code: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(20), default="open")  # open / applied / dismissed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    result_target: Mapped[str | None] = mapped_column(UUIDString)

    user = relationship("User", foreign_keys=[user_id])
    org = relationship("Organization")
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])
    device = relationship("Device")

    __table_args__ = (Index("ix_sync_quarantine_state", "state"),)
