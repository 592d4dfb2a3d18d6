"""关怀帮扶 and 经费保障 (seed 003): the 困难党员台账 with visits and help given, and the branch's activity
funds — the retained share of dues (computed, never typed) and spending per activity with receipts."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, UUIDString, new_uuid, utcnow


class HardshipCase(db.Model):
    """A member in hardship (困难党员): the situation, since when, closed when it is over."""

    __tablename__ = "hardship_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    situation: Mapped[str] = mapped_column(Text)
    since: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    visits = relationship("HardshipVisit", order_by="HardshipVisit.visited_on", cascade="all, delete-orphan")


class HardshipVisit(db.Model):
    """走访慰问: who visited, when, and the help given (money in fen, if any)."""

    __tablename__ = "hardship_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("hardship_cases.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    visitors: Mapped[str] = mapped_column(String(200))
    help_given: Mapped[str] = mapped_column(Text)
    amount_fen: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FundSpending(db.Model):
    """Activity funds spent (经费): on what activity, how much, with receipt photos by hash."""

    __tablename__ = "fund_spendings"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    spent_on: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(String(200))
    amount_fen: Mapped[int] = mapped_column(Integer)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    record = relationship("Record")
    receipts = relationship("FundReceipt", order_by="FundReceipt.id", cascade="all, delete-orphan")

    __table_args__ = (Index("ix_fund_spendings_org_spent", "org_id", "spent_on"),)


class FundReceipt(db.Model):
    __tablename__ = "fund_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    spending_id: Mapped[int] = mapped_column(ForeignKey("fund_spendings.id"))
    sha256: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("spending_id", "sha256", name="uq_fund_receipts_spending_sha"),)
