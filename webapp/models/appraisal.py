"""民主评议党员 as a workflow (seed 003 order: 个人自评 → 党员互评 → 民主测评 → 组织评定).

The grade the committee decides is written to ``YearResult.evaluation_grade`` (one grade per person and
year, the one the points year end uses); nothing here keeps a second copy of it.

Anonymity of 党员互评 (peer ballots): a ballot row names the appraisal, the member assessed, a grade and
a remark, and nothing about who filled it in: no voter column, a random key (no sequence that could be
lined up with the receipts) and no timestamp. Who has already handed in a ballot sheet is kept apart in
``AppraisalBallotReceipt`` (voter and appraisal only), so a member cannot vote twice and the committee
sees turnout, while no query the application can make links a ballot to its voter.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, UUIDString, new_uuid, utcnow


class Appraisal(db.Model):
    """One branch's 民主评议 of one year."""

    __tablename__ = "appraisals"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    year: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="open")  # open / decided
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # 民主测评: how many ballot papers the meeting handed out and got back (counts are per member below).
    vote_ballots_returned: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    org = relationship("Organization")

    __table_args__ = (UniqueConstraint("org_id", "year", name="uq_appraisals_org_year"),)

    @property
    def is_decided(self) -> bool:
        return self.state == "decided"


class SelfAssessment(db.Model):
    """个人自评: the member's own text, written on the phone (offline too)."""

    __tablename__ = "appraisal_self_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    appraisal_id: Mapped[int] = mapped_column(ForeignKey("appraisals.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    client_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User")
    appraisal = relationship("Appraisal")

    __table_args__ = (UniqueConstraint("appraisal_id", "user_id", name="uq_appraisal_self_user"),)


class AppraisalBallot(db.Model):
    """One line of a 党员互评 ballot sheet: a grade (and remark) for one member, without the voter."""

    __tablename__ = "appraisal_ballots"

    key: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_uuid)
    appraisal_id: Mapped[int] = mapped_column(ForeignKey("appraisals.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    grade: Mapped[str] = mapped_column(String(20))
    remark: Mapped[str] = mapped_column(String(500), default="")


class AppraisalBallotReceipt(db.Model):
    """That a member handed in their 互评 sheet (not what it said)."""

    __tablename__ = "appraisal_ballot_receipts"

    appraisal_id: Mapped[int] = mapped_column(ForeignKey("appraisals.id"), primary_key=True)
    voter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class AppraisalVoteCount(db.Model):
    """民主测评: the counted votes per grade for one member, entered by the committee from the count."""

    __tablename__ = "appraisal_vote_counts"

    appraisal_id: Mapped[int] = mapped_column(ForeignKey("appraisals.id"), primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    excellent: Mapped[int] = mapped_column(Integer, default=0)
    qualified: Mapped[int] = mapped_column(Integer, default=0)
    basic: Mapped[int] = mapped_column(Integer, default=0)
    unqualified: Mapped[int] = mapped_column(Integer, default=0)
