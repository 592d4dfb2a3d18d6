"""The organization tree: 党委 → 党总支 → 党支部 → 党小组, temporary branches included."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..rules.organization import ORG_KINDS
from .base import UTCDateTime, UUIDString, new_uuid, utcnow


class Organization(db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    # Materialized path "/1/4/9/": a subtree is every row whose path starts with the root's path.
    path: Mapped[str] = mapped_column(String(255), default="", index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")

    is_temporary: Mapped[bool] = mapped_column(Boolean, default=False)
    project_name: Mapped[str | None] = mapped_column(String(200))
    site: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    # Group leader (党小组组长) for groups; the temporary leader of a temporary branch.
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    committee_term_start: Mapped[date | None] = mapped_column(Date)
    committee_term_end: Mapped[date | None] = mapped_column(Date)
    # A temporary branch's project as planned when it was set up: people on site and party members
    # (docs/domain.md: set up when "≥ 20 people and > 5 party members"); checked with a warning, never a block.
    planned_people: Mapped[int | None] = mapped_column(Integer)
    planned_members: Mapped[int | None] = mapped_column(Integer)

    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parent: Mapped[Organization | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Organization]] = relationship(
        back_populates="parent", order_by="Organization.name"
    )
    leader = relationship("User", foreign_keys=[leader_id])

    __table_args__ = (Index("ix_organizations_kind_closed", "kind", "closed_at"),)

    @property
    def kind_label(self) -> str:
        if self.is_temporary and self.kind == "branch":
            return "临时党支部"
        return ORG_KINDS.get(self.kind, self.kind)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def is_within(self, other: Organization) -> bool:
        """True when self is other or lies below it."""
        return self.path.startswith(other.path)

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name}>"
