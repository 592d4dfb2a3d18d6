"""Rules a higher committee adjusted for its subtree, and exceptions to the structural rules it accepted."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class RuleOverride(db.Model):
    """From ``effective_from`` on, ``key`` (a key of rules/adjustable.py) is ``value`` in the subtree of
    ``org_id``. Rows are only added: a later row for the same key replaces the earlier one from its date."""

    __tablename__ = "rule_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    key: Mapped[str] = mapped_column(String(60))
    value: Mapped[object] = mapped_column(JSON)
    effective_from: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org = relationship("Organization")
    created_by = relationship("User")

    __table_args__ = (Index("ix_rule_overrides_org_key", "org_id", "key", "effective_from"),)


class StructuralException(db.Model):
    """Structural rules (temporary-branch conditions, committee size, group size, term length) that an
    organization did not meet when it was set up or changed, accepted with a reason: shown and audited."""

    __tablename__ = "structural_exceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # [{"key": "temporary_conditions", "message": "工期 5 天，未超过 15 天"}, …] as warned at the time.
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by = relationship("User")

    @property
    def keys(self) -> set[str]:
        return {w.get("key") for w in self.warnings or [] if isinstance(w, dict)}
