"""Planned activities (活动安排) and study tasks (学习任务): what a branch or committee schedules ahead.
The service that creates and changes them is ``webapp/plans/service.py``; their reminders are queued by
``webapp/push/scheduler.py``."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..rules.reminders import ACTIVITY_STATES, ACTIVITY_TYPES
from .base import UTCDateTime, UUIDString, new_uuid, utcnow


class PlannedActivity(db.Model):
    """活动安排: a theme day or meeting a branch has scheduled (not yet a record of what happened)."""

    __tablename__ = "planned_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    type: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    on_date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    place: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(20), default="planned")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org = relationship("Organization")
    created_by = relationship("User")

    __table_args__ = (Index("ix_planned_activities_org_date", "org_id", "on_date"),
                      Index("ix_planned_activities_state_date", "state", "on_date"))

    @property
    def type_label(self) -> str:
        return ACTIVITY_TYPES.get(self.type, {}).get("label", self.type)

    @property
    def state_label(self) -> str:
        return ACTIVITY_STATES.get(self.state, self.state)

    @property
    def kind(self) -> str:
        return ACTIVITY_TYPES.get(self.type, {}).get("kind", "meeting")

    @property
    def is_cancelled(self) -> bool:
        return self.state == "cancelled"


class StudyTask(db.Model):
    """学习任务: a study topic with a text or a link and a due date, for everyone in an organization's
    subtree."""

    __tablename__ = "study_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    topic: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    due_on: Mapped[date] = mapped_column(Date)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    org = relationship("Organization")
    published_by = relationship("User")
    done_marks = relationship("StudyTaskDone", back_populates="task", cascade="all, delete-orphan")


class StudyTaskDone(db.Model):
    """A member marked a study task done (once per task and person)."""

    __tablename__ = "study_task_done"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("study_tasks.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    task = relationship("StudyTask", back_populates="done_marks")
    user = relationship("User")

    __table_args__ = (UniqueConstraint("task_id", "user_id", name="uq_study_task_done_task_user"),)
