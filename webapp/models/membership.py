"""A person's place in an organization: home or temporary relation, committee title, recorder."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..rules.organization import COMMITTEE_TITLES, MANAGING_TITLES, RELATIONS
from .base import UTCDateTime, utcnow


class Membership(db.Model):
    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # "home" (正式组织关系) or "temporary" (临时组织关系, a project branch).
    relation: Mapped[str] = mapped_column(String(20), default="home")
    # Committee title; any title manages the organization it is held in (and what lies below).
    title: Mapped[str | None] = mapped_column(String(30))
    is_recorder: Mapped[bool] = mapped_column(Boolean, default=False)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User", back_populates="memberships", foreign_keys=[user_id])
    org = relationship("Organization", foreign_keys=[org_id])
    group = relationship("Organization", foreign_keys=[group_id])

    __table_args__ = (
        Index("ix_memberships_org_active", "org_id", "active"),
        Index("ix_memberships_user_org", "user_id", "org_id", unique=True),
    )

    @property
    def manages(self) -> bool:
        return self.active and self.title in MANAGING_TITLES

    @property
    def title_label(self) -> str:
        return COMMITTEE_TITLES.get(self.title or "", "")

    @property
    def relation_label(self) -> str:
        return RELATIONS.get(self.relation, self.relation)
