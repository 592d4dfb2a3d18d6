"""Ledger exports (台账导出) run in the background; the secretary watches progress and downloads."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, UUIDString, new_uuid, utcnow

EXPORT_KINDS = {"xlsx": "台账工作簿（Excel）", "pdf": "台账合订本（PDF）", "summary": "台账汇总（PDF）"}
EXPORT_STATES = {"queued": "排队中", "running": "生成中", "done": "已完成", "failed": "失败"}


class ExportJob(db.Model):
    __tablename__ = "export_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[str] = mapped_column(String(100), default="")
    file_name: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The process building the job and until when its lease runs (renewed by a heartbeat): a running
    # job whose lease ran out was abandoned by a dead process and is taken up again (issue 13).
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How many times a runner took the job (webapp/ledgers/jobs.py claim): a build that kills its
    # worker would otherwise be taken up again forever; past EXPORT_MAX_ATTEMPTS it is marked failed.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    # A home branch binding its members' part of a closed temporary branch (``org``): the binder holds
    # only the people whose home branch this is (webapp/ledgers/archives/scope.py export_view).
    viewer_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))

    org = relationship("Organization", foreign_keys=[org_id])
    viewer_org = relationship("Organization", foreign_keys=[viewer_org_id])
    requested_by = relationship("User")

    __table_args__ = (Index("ix_export_jobs_org_created", "org_id", "created_at"),)

    @property
    def kind_label(self) -> str:
        return EXPORT_KINDS.get(self.kind, self.kind)

    @property
    def title(self) -> str:
        """What the job binds, as the pages list it."""
        if self.viewer_org_id is not None:
            return f"{self.org.name}（{self.viewer_org.name}党员部分）"
        return self.org.name

    @property
    def state_label(self) -> str:
        return EXPORT_STATES.get(self.state, self.state)

    def stalled(self, now: datetime | None = None) -> bool:
        """Running with a lapsed lease (its process died), or queued and never started."""
        from ..rules.ledgers import EXPORT_QUEUED_STALE_SECONDS

        now = now or utcnow()
        if self.state == "running":
            return self.lease_until is None or self.lease_until < now
        if self.state == "queued" and self.created_at is not None:
            return (now - self.created_at).total_seconds() > EXPORT_QUEUED_STALE_SECONDS
        return False

    @property
    def can_restart(self) -> bool:
        return self.state == "failed" or self.stalled()
