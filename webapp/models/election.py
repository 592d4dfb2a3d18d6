"""换届选举, 补选 and term extensions of a branch committee (seed 003; docs/domain.md Organization)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, UUIDString, new_uuid, utcnow


class Election(db.Model):
    """One election at a general meeting: ballots, votes per candidate, result, the higher committee's
    approval. The new titles and term take effect from the approval date."""

    __tablename__ = "elections"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # general (换届) / by_election (补选)
    held_on: Mapped[date] = mapped_column(Date)
    seats: Mapped[int] = mapped_column(Integer)
    electors: Mapped[int] = mapped_column(Integer)  # 应到会有选举权的党员
    ballots_issued: Mapped[int] = mapped_column(Integer)
    ballots_returned: Mapped[int] = mapped_column(Integer)
    term_years: Mapped[int | None] = mapped_column(Integer)  # 换届 only
    state: Mapped[str] = mapped_column(String(20), default="reported")  # reported / approved / rejected
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_on: Mapped[date | None] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(String(500), default="")

    org = relationship("Organization")
    candidates = relationship("ElectionCandidate", back_populates="election", order_by="ElectionCandidate.id",
                              cascade="all, delete-orphan")


class ElectionCandidate(db.Model):
    __tablename__ = "election_candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    votes: Mapped[int] = mapped_column(Integer)
    elected: Mapped[bool] = mapped_column(default=False)
    # The title the new committee gave the person (分工), applied on approval.
    title: Mapped[str | None] = mapped_column(String(30))

    election = relationship("Election", back_populates="candidates")
    user = relationship("User")

    __table_args__ = (UniqueConstraint("election_id", "user_id", name="uq_election_candidates_person"),)


class TermExtension(db.Model):
    """延期换届: asked by the branch, approved by the higher committee; at most one year in all."""

    __tablename__ = "term_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    months: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    term_end_before: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), default="requested")  # requested / approved / rejected
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
