"""People who sign in: party members, activists and committee staff."""
from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..rules.organization import GENDERS, MEMBER_CATEGORIES
from .base import UTCDateTime, UUIDString, new_uuid, utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    gender: Mapped[str | None] = mapped_column(String(10))
    birth_date: Mapped[date | None] = mapped_column(Date)
    category: Mapped[str | None] = mapped_column(String(20))
    join_date: Mapped[date | None] = mapped_column(Date)
    post: Mapped[str | None] = mapped_column(String(120))

    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Bumped on password change so every remembered session elsewhere is signed out.
    session_version: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    memberships = relationship(
        "Membership", back_populates="user", foreign_keys="Membership.user_id",
        cascade="all, delete-orphan",
    )

    # Flask-Login: the id stored in the session (and the remember-me cookie) carries the session
    # version and the key of this browser's server-side session (webapp/auth/sessions.py).
    session_key = None  # set per request, never stored

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}:{self.session_key or ''}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active)

    @property
    def category_label(self) -> str:
        return MEMBER_CATEGORIES.get(self.category or "", "")

    @property
    def gender_label(self) -> str:
        return GENDERS.get(self.gender or "", "")

    @property
    def login_name(self) -> str:
        return self.username or self.phone or ""

    def __repr__(self) -> str:
        return f"<User {self.id} {self.name}>"
