"""Party dues (党费): each member's base and category per branch, and payments per month, in fen."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, UUIDString, new_uuid, utcnow


class DuesProfile(db.Model):
    """What a member owes each month in a branch: category, base, and the secretary's override."""

    __tablename__ = "dues_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    category: Mapped[str] = mapped_column(String(20), default="salaried")
    base_fen: Mapped[int] = mapped_column(Integer, default=0)
    override_fen: Mapped[int | None] = mapped_column(Integer)
    override_reason: Mapped[str] = mapped_column(String(200), default="")
    # 起缴月份: the first month (YYYY-MM) this ledger tracks; earlier months were kept elsewhere.
    since_month: Mapped[str | None] = mapped_column(String(7))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User", foreign_keys=[user_id])

    __table_args__ = (UniqueConstraint("org_id", "user_id", name="uq_dues_profiles_org_user"),)


class DuesPayment(db.Model):
    """One month's dues paid by one member. The uuid makes a resend from a phone harmless."""

    __tablename__ = "dues_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM the payment is for
    amount_fen: Mapped[int] = mapped_column(Integer)
    paid_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20), default="cash")
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # 代收: a temporary branch collected this payment for the member's home branch (org_id).
    collected_by_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    # The theme day (主题党日) at which it was paid, when entered from that record.
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    org = relationship("Organization", foreign_keys=[org_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    collected_by = relationship("Organization", foreign_keys=[collected_by_org_id])
    # Record.dues_payments: the theme day's "交纳当月党费" is derived from these.
    record = relationship("Record", foreign_keys=[record_id], backref="dues_payments")

    __table_args__ = (
        UniqueConstraint("org_id", "user_id", "month", name="uq_dues_payments_org_user_month"),
        Index("ix_dues_payments_org_month", "org_id", "month"),
        Index("ix_dues_payments_user_month", "user_id", "month"),
    )
