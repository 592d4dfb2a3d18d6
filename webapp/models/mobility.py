"""Members on the move (docs/domain.md "Members on the move"): a temporary branch's charter and closing
reports, activists observed in the field, non-member workers, the 流动党员 registry and transfers of the
formal relation (组织关系转接)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..rules.mobility import FLOWING_STATES, TRANSFER_KINDS, TRANSFER_STATES
from .base import UTCDateTime, UUIDString, new_uuid, utcnow


class TemporaryCharter(db.Model):
    """How a temporary branch was founded (approval document) and when it was closed."""

    __tablename__ = "temporary_charters"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), unique=True)
    approval_number: Mapped[str] = mapped_column(String(80), default="")
    approval_date: Mapped[date | None] = mapped_column(Date)
    founded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    founded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    org = relationship("Organization")


class FieldWorker(db.Model):
    """A non-member on the project, listed so activities can name them (列席)."""

    __tablename__ = "field_workers"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    employer: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ActivistObservation(db.Model):
    """What a temporary branch observed of an activist; handed to the home branch at closing."""

    __tablename__ = "activist_observations"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    observer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    observed_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    observer = relationship("User", foreign_keys=[observer_id])

    __table_args__ = (Index("ix_activist_observations_org_user", "org_id", "user_id"),)


class HandoverReport(db.Model):
    """One member's report from a closed temporary branch to their home branch (kept as written)."""

    __tablename__ = "handover_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    home_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    home_org_name: Mapped[str] = mapped_column(String(200), default="")
    closed_on: Mapped[date] = mapped_column(Date)
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org = relationship("Organization", foreign_keys=[org_id])
    home_org = relationship("Organization", foreign_keys=[home_org_id])
    user = relationship("User")

    __table_args__ = (UniqueConstraint("org_id", "user_id", name="uq_handover_reports_org_user"),)


class FlowingMember(db.Model):
    """The 流动党员 registry: a member of a branch here working away (outflow), or a member from an
    organization outside Zhibu taking part here (inflow, home organization by name)."""

    __tablename__ = "flowing_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    direction: Mapped[str] = mapped_column(String(20), default="outflow")
    home_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    home_org_name: Mapped[str] = mapped_column(String(200), default="")
    receiving_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    receiving_org_name: Mapped[str] = mapped_column(String(200), default="")
    destination: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(String(200), default="")
    from_date: Mapped[date] = mapped_column(Date)
    until_date: Mapped[date | None] = mapped_column(Date)
    contact_name: Mapped[str] = mapped_column(String(64), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    card_number: Mapped[str] = mapped_column(String(60), default="")  # 流动党员活动证
    state: Mapped[str] = mapped_column(String(20), default="away")
    lost_on: Mapped[date | None] = mapped_column(Date)
    returned_on: Mapped[date | None] = mapped_column(Date)
    whereabouts: Mapped[str] = mapped_column(String(200), default="")
    whereabouts_on: Mapped[date | None] = mapped_column(Date)
    inflow_accepted_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    home_org = relationship("Organization", foreign_keys=[home_org_id])
    receiving_org = relationship("Organization", foreign_keys=[receiving_org_id])

    @property
    def state_label(self) -> str:
        return FLOWING_STATES.get(self.state, self.state)

    @property
    def home_label(self) -> str:
        return self.home_org.name if self.home_org is not None else self.home_org_name

    @property
    def receiving_label(self) -> str:
        return self.receiving_org.name if self.receiving_org is not None else self.receiving_org_name


class MembershipTransfer(db.Model):
    """A transfer of the formal relation (组织关系转接): within Zhibu (转出 → 转入 / 退回), out of it by a
    letter (开具 → 在途 → 已回执 / 已退回, expired when past ``valid_until``), or in from outside."""

    __tablename__ = "membership_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    from_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    to_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    outside_name: Mapped[str] = mapped_column(String(200), default="")  # destination or origin outside
    letter_number: Mapped[str] = mapped_column(String(60), default="")
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(500), default="")
    # The person's file as it moved: roster data, party age, dues paid up to, points by year.
    file: Mapped[dict] = mapped_column(JSON, default=dict)
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str] = mapped_column(String(20), default="")  # an expired letter's resolution
    resolution_note: Mapped[str] = mapped_column(String(500), default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("membership_transfers.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    from_org = relationship("Organization", foreign_keys=[from_org_id])
    to_org = relationship("Organization", foreign_keys=[to_org_id])

    @property
    def kind_label(self) -> str:
        return TRANSFER_KINDS.get(self.kind, self.kind)

    def is_expired(self, today: date) -> bool:
        """A letter still out (开具 / 在途) after its last valid day."""
        return (self.kind == "outgoing" and self.state in ("letter_issued", "in_transit")
                and self.valid_until is not None and today > self.valid_until)

    def state_label_on(self, today: date) -> str:
        from ..rules.mobility import EXPIRED_LABEL
        return EXPIRED_LABEL if self.is_expired(today) else TRANSFER_STATES.get(self.state, self.state)
