"""What belongs to a person's account beyond the user row: signed-in sessions, notices about
changes others made to the account, and invitations to join another organization."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class UserSession(db.Model):
    """One signed-in browser. The session cookie (and the remember-me cookie) carry a random key
    whose sha256 is kept here; signing out ends the row, so a copied cookie is refused afterwards."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")


class AccountNotice(db.Model):
    """Told to the person at their next sign-in: someone else changed their account."""

    __tablename__ = "account_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    message: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_account_notices_user_seen", "user_id", "seen_at"),)


class MembershipInvitation(db.Model):
    """An invitation (邀请) for a person who already has an account to join another organization.

    Until the person accepts it (or a committee above both organizations approves it) the person is
    not on that roster and nothing of their account can be changed from there.
    """

    __tablename__ = "membership_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    relation: Mapped[str] = mapped_column(String(20), default="temporary")
    title: Mapped[str | None] = mapped_column(String(30))
    is_recorder: Mapped[bool] = mapped_column(Boolean, default=False)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    # pending / accepted / declined / withdrawn
    state: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user = relationship("User", foreign_keys=[user_id])
    org = relationship("Organization", foreign_keys=[org_id])
    group = relationship("Organization", foreign_keys=[group_id])
    invited_by = relationship("User", foreign_keys=[invited_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def is_pending(self) -> bool:
        return self.state == "pending"
