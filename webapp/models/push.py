"""Web push: subscriptions, preferences and the outbound reminder queue (issue 5). Planned activities
and study tasks, which the reminders are about, are in ``plans.py``."""
from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..rules.reminders import KINDS, QUIET_END_DEFAULT, QUIET_START_DEFAULT
from .base import UTCDateTime, utcnow


class PushSubscription(db.Model):
    """One browser on one device of one user (a PushSubscription from the browser)."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))

    user = relationship("User")

    @property
    def device_label(self) -> str:
        ua = self.user_agent or ""
        for needle, label in (("Android", "安卓"), ("iPhone", "iPhone"), ("iPad", "iPad"),
                              ("Windows", "Windows"), ("Mac OS", "Mac"), ("Linux", "Linux")):
            if needle in ua:
                device = label
                break
        else:
            device = "未知设备"
        for needle, label in (("Edg/", "Edge"), ("Firefox", "Firefox"), ("Chrome", "Chrome"),
                              ("Safari", "Safari")):
            if needle in ua:
                return f"{device} · {label}"
        return device

    def info(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class NotificationPreference(db.Model):
    """A user's kinds switched off and quiet hours (China wall-clock time)."""

    __tablename__ = "notification_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    kinds_off: Mapped[list] = mapped_column(JSON, default=list)
    quiet_start: Mapped[time | None] = mapped_column(Time, default=QUIET_START_DEFAULT)
    quiet_end: Mapped[time | None] = mapped_column(Time, default=QUIET_END_DEFAULT)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def wants(self, kind: str) -> bool:
        return kind not in (self.kinds_off or [])


class PushMessage(db.Model):
    """The outbound queue: one reminder for one recipient. When it falls due the worker fans it out into
    one :class:`PushDelivery` per device of the recipient; each delivery has its own state and retries.

    ``payload`` holds the facts the words are made from (rendered at send time, webapp/push/words.py);
    ``expires_at`` is the moment after which it is no use (an event's start); ``dedupe_key`` is unique,
    so recomputing the schedule never queues the same reminder twice.
    """

    __tablename__ = "push_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payload: Mapped[dict] = mapped_column(JSON)
    topic: Mapped[str] = mapped_column(String(32))
    # What caused it, for superseding: ("activity", id), ("study_task", id), ("digest", org id).
    source_type: Mapped[str] = mapped_column(String(20), default="")
    source_id: Mapped[int | None] = mapped_column(Integer)
    # queued → delivering (fanned out to devices) → sent | failed | dropped (too late to be useful);
    # queued or delivering → superseded (a change or a cancellation replaced it).
    state: Mapped[str] = mapped_column(String(20), default="queued")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")
    deliveries = relationship("PushDelivery", back_populates="message", order_by="PushDelivery.id")

    __table_args__ = (
        Index("ix_push_messages_state_next", "state", "next_attempt_at"),
        Index("ix_push_messages_source", "source_type", "source_id", "state"),
    )

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, {}).get("label", self.kind)


class PushDelivery(db.Model):
    """One message to one device. A worker takes it with a lease (``lease_owner`` until ``lease_until``,
    set at the moment of the claim) and every later write checks it still holds that lease.

    ``subscription_id`` is deliberately no foreign key: a device removed while its delivery waits ends
    that delivery as ``gone``. ``service_host`` is the push service's host, for per-service back-off.
    """

    __tablename__ = "push_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("push_messages.id"))
    subscription_id: Mapped[int] = mapped_column(Integer)
    service_host: Mapped[str] = mapped_column(String(255))
    # queued → sending (leased) → sent | failed | gone | dropped; queued → superseded.
    state: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    message = relationship("PushMessage", back_populates="deliveries")

    __table_args__ = (
        UniqueConstraint("message_id", "subscription_id", name="uq_push_deliveries_message_subscription"),
        Index("ix_push_deliveries_state_next", "state", "next_attempt_at"),
    )


class PushServiceBackoff(db.Model):
    """A push service (by host) that asked us to slow down (429 or 5xx with Retry-After): nothing is sent
    to it before ``until``, by any worker."""

    __tablename__ = "push_service_backoff"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PushDigestWeek(db.Model):
    """A branch's weekly digest, decided once a week: what the branch missed when the week's digest
    moment came (or when the worker first ran after it), and whether a secretary still waits for it
    (one without a device yet, who turns notifications on later in the week). The reminders are
    computed every minute; this keeps each branch's checklist to one evaluation a week."""

    __tablename__ = "push_digest_weeks"

    week: Mapped[str] = mapped_column(String(10), primary_key=True)  # ISO week of the moment: "2026-W49"
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    gaps: Mapped[list] = mapped_column(JSON, default=list)
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


__all__ = ["NotificationPreference", "PushDelivery", "PushDigestWeek", "PushMessage", "PushServiceBackoff",
           "PushSubscription"]
