"""Export jobs: queued by a secretary, run by the job worker, progress saved for the page to poll.

Design: the request that starts an export commits the job row and enqueues a Huey task
(webapp/jobs/tasks.py ``ledger_export``); the job worker (`flask jobs work`) builds the file in its own
application context and database session, committing progress as it goes; the page polls the job row.
The file is built in a temporary folder and then put in the app's storage (webapp/storage/: the
instance folder by default, an object store shared by every server in production) under
``exports/<job uuid>.<kind>``; it is never served from static, and any server can serve the download.

A running job is leased by its worker (``lease_owner``, ``lease_until``) and a heartbeat thread
renews the lease while the file is built. When the worker dies the lease runs out; Huey does not know
a consumer died with a task in hand, so the worker's every-minute ``reclaim_exports`` task (and each
worker as it starts) queues such jobs again, and ``flask ledgers run-pending`` runs them by hand. Every
write of a runner checks it still holds the lease, so a runner that lost it never overwrites the new
one. A failure gives the job back to the queue (``queued``) for Huey to retry; the last try records it.
A runner takes a job at most EXPORT_MAX_ATTEMPTS times (``attempts``): a build that kills its worker
each time is then marked failed, with a message for the secretary, instead of being reclaimed forever.
"""
from __future__ import annotations

import logging
import os
import socket
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, or_, select, update

from .. import access, audit
from ..extensions import db
from ..models import ExportJob, Organization, User
from ..models.base import utcnow
from ..domain_errors import NotAllowed
from ..rules.ledgers import (EXPORT_GAVE_UP_MESSAGE, EXPORT_HEARTBEAT_SECONDS, EXPORT_LEASE_SECONDS,
                             EXPORT_MAX_ATTEMPTS, EXPORT_QUEUED_STALE_SECONDS)
from ..storage import storage

log = logging.getLogger(__name__)



def _build_xlsx(*args, **kwargs):
    from . import workbook  # openpyxl: loaded by the process that builds an export, not by every worker

    return workbook.build(*args, **kwargs)


def _build_pdf(*args, **kwargs):
    from . import record_book  # fpdf2 and its fonts, likewise

    return record_book.build(*args, **kwargs)


def _build_summary(*args, **kwargs):
    from . import summary_book  # fpdf2 and its fonts, likewise

    return summary_book.build(*args, **kwargs)


BUILDERS = {"xlsx": _build_xlsx, "pdf": _build_pdf, "summary": _build_summary}
BRANCH_KINDS = ("xlsx", "pdf")  # what the export form offers for a branch-year; "summary" is a committee's
SUFFIX = {"xlsx": ".xlsx", "pdf": ".pdf", "summary": ".pdf"}
MIMETYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "pdf": "application/pdf", "summary": "application/pdf"}
WORKBOOK_PART_REFUSED = "临时党支部的本支部党员部分只能导出台账合订本（PDF），工作簿按整个支部生成，请由上级党组织导出"


def storage_key(job: ExportJob) -> str:
    return f"exports/{job.uuid}{SUFFIX[job.kind]}"


def download_name(job: ExportJob) -> str:
    label = {"xlsx": "台账", "pdf": "台账合订本", "summary": "党支部台账汇总"}[job.kind]
    part = f"-{job.viewer_org.name}党员部分" if job.viewer_org_id is not None else ""
    return f"{job.org.name}-{job.year}年{label}{part}{SUFFIX[job.kind]}"


def _check_scope(org: Organization, kind: str, actor: User, viewer: Organization | None) -> None:
    """Raises NotAllowed unless the actor may export this: a branch-year its managers (a committee any
    branch below it); a home branch's part of a closed temporary branch the home branch's managers
    (scope.export_view); a summary a committee's managers (scope.summary_allowed)."""
    from .archives import scope

    if kind == "summary":
        if viewer is not None:
            raise ValueError(kind)
        scope.summary_allowed(actor, org)
    elif viewer is None:
        if not access.manages(actor, org):
            raise NotAllowed("只有支委和上级党组织可以导出台账")
    else:
        if kind != "pdf":
            raise NotAllowed(WORKBOOK_PART_REFUSED)
        view = scope.export_view(actor, org, viewer.id)
        if view.home is None and not access.manages(actor, viewer):
            raise NotAllowed(scope.REFUSED)


def request_export(org: Organization, year: int, kind: str, actor: User,
                   viewer: Organization | None = None) -> ExportJob:
    """``viewer``: the home branch whose members' part of the closed temporary branch ``org`` is bound."""
    if kind not in BUILDERS:
        raise ValueError(kind)
    if viewer is not None and viewer.id == org.id:
        viewer = None
    _check_scope(org, kind, actor, viewer)
    job = ExportJob(org_id=org.id, year=year, kind=kind, requested_by_id=actor.id,
                    viewer_org_id=viewer.id if viewer is not None else None)
    db.session.add(job)
    db.session.flush()
    part = f"（{viewer.name}党员部分）" if viewer is not None else ""
    audit.record(actor, "export", "export_job", job.uuid, org_id=org.id,
                 summary=f"导出 {year} 年{job.kind_label}{part}")
    return job


def may_see(job: ExportJob, user: User) -> bool:
    """Who sees a job's progress and file: the managers of its branch (a summary: of its committee); a
    home branch's part also the managers of that home branch."""
    if access.manages(user, job.org):
        return True
    return job.viewer_org_id is not None and access.manages(user, job.viewer_org)


def runner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


class LeaseLost(Exception):
    """Another runner took the job over (this one was presumed dead): stop without writing."""


def _lease_until(now: datetime) -> datetime:
    return now + timedelta(seconds=EXPORT_LEASE_SECONDS)


def _takeable(now: datetime):
    """Queued, or running under a lease that ran out (its process died)."""
    return or_(ExportJob.state == "queued",
               and_(ExportJob.state == "running",
                    or_(ExportJob.lease_until.is_(None), ExportJob.lease_until < now)))


def claim(job_id: int, owner: str | None = None, now: datetime | None = None) -> bool:
    """Take a queued (or abandoned) job with a lease, exactly once: a conditional update, so two runners
    never build the same file. A job already taken EXPORT_MAX_ATTEMPTS times is marked failed instead
    (its build kept killing its worker), so it is never taken up again."""
    now = now or utcnow()
    takeable = (ExportJob.id == job_id, _takeable(now))
    gave_up = db.session.execute(update(ExportJob).where(*takeable, ExportJob.attempts >= EXPORT_MAX_ATTEMPTS)
                                 .values(state="failed", step="已停止重试", finished_at=now, lease_until=None,
                                         error=EXPORT_GAVE_UP_MESSAGE.format(attempts=EXPORT_MAX_ATTEMPTS)))
    if gave_up.rowcount:
        log.error("export %s: taken %d times without finishing, marked failed", job_id, EXPORT_MAX_ATTEMPTS)
    result = db.session.execute(update(ExportJob).where(*takeable)
                                .values(state="running", started_at=now, progress=1, step="开始生成",
                                        error=None, lease_owner=owner or runner_id(),
                                        lease_until=_lease_until(now), attempts=ExportJob.attempts + 1))
    db.session.commit()
    return result.rowcount == 1


def _owned(job_id: int, owner: str):
    return update(ExportJob).where(ExportJob.id == job_id, ExportJob.lease_owner == owner,
                                   ExportJob.state == "running")


class Heartbeat:
    """Renews the lease every EXPORT_HEARTBEAT_SECONDS on its own connection while the file is built."""

    def __init__(self, job_id: int, owner: str):
        self.job_id, self.owner = job_id, owner
        self.engine = db.engine
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"export-heartbeat-{job_id}", daemon=True)

    def _beat(self) -> None:
        while not self.stop.wait(EXPORT_HEARTBEAT_SECONDS):
            try:
                with self.engine.begin() as connection:
                    renewed = connection.execute(_owned(self.job_id, self.owner)
                                                 .values(lease_until=_lease_until(utcnow()))).rowcount
            except Exception:  # noqa: BLE001 - a missed beat is retried; the lease has room for three
                log.warning("export %s: heartbeat failed", self.job_id, exc_info=True)
                continue
            if not renewed:
                return

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=5)


class RetryLater(Exception):
    """The build failed and the job went back to the queue: the task queue tries again later."""


def run(job_id: int, owner: str | None = None, final: bool = True) -> None:
    """Build the file of a queued (or abandoned) job, saving progress. A failure is recorded on the job
    when ``final``; otherwise the job is given back to the queue and RetryLater raised."""
    owner = owner or runner_id()
    pause = float(current_app.config.get("EXPORT_STEP_PAUSE") or 0)
    if not claim(job_id, owner):
        return
    job = db.session.get(ExportJob, job_id)

    def progress(percent: int, step: str) -> None:
        result = db.session.execute(_owned(job_id, owner).values(
            progress=max(1, min(99, percent)), step=step[:100], lease_until=_lease_until(utcnow())))
        db.session.commit()
        if result.rowcount != 1:
            raise LeaseLost(job_id)
        if pause:
            time.sleep(pause)

    try:
        with Heartbeat(job_id, owner), tempfile.TemporaryDirectory(prefix="zhibu-export-") as folder:
            extra = {"viewer": job.viewer_org} if job.viewer_org_id is not None else {}
            path = BUILDERS[job.kind](job.org, job.year, Path(folder) / f"{job.uuid}{SUFFIX[job.kind]}", progress,
                                      **extra)
            size = path.stat().st_size
            progress(99, "正在保存文件")
            storage().put_file(storage_key(job), str(path), MIMETYPES[job.kind])
    except LeaseLost:
        log.warning("export %s: taken over by another runner, stopping", job_id)
        db.session.rollback()
        return
    except Exception as error:  # recorded for the secretary; the log keeps the traceback
        log.exception("export %s failed%s", job_id, "" if final else ", to be tried again")
        db.session.rollback()
        if not final:
            db.session.execute(_owned(job_id, owner).values(
                state="queued", progress=0, step="出错，稍后重试", error=str(error)[:2000] or error.__class__.__name__,
                lease_owner=None, lease_until=None))
            db.session.commit()
            raise RetryLater(job_id) from error
        db.session.execute(_owned(job_id, owner).values(
            state="failed", error=str(error)[:2000] or error.__class__.__name__, finished_at=utcnow(),
            lease_until=None))
        db.session.commit()
        return
    job = db.session.get(ExportJob, job_id)
    result = db.session.execute(_owned(job_id, owner).values(
        state="done", progress=100, step="已完成", file_name=download_name(job), size=size,
        finished_at=utcnow(), lease_until=None))
    db.session.commit()
    if result.rowcount != 1:
        log.warning("export %s: finished after another runner took it over", job_id)


def restart(job: ExportJob, actor: User) -> ExportJob:
    """重新生成: a failed or stalled job is closed as failed and a new one queued in its place."""
    now = utcnow()
    if job.state != "failed":
        db.session.execute(update(ExportJob).where(ExportJob.id == job.id, _takeable(now)).values(
            state="failed", error="处理进程已停止，导出未完成", finished_at=now, lease_until=None))
    return request_export(job.org, job.year, job.kind, actor, viewer=job.viewer_org)


def start(job: ExportJob) -> None:
    """Hand the committed job to the job worker (or, in immediate mode, run it right here)."""
    from ..jobs.queue import tasks

    tasks().ledger_export(job.id)


def reclaimable(now: datetime | None = None) -> list[int]:
    """Jobs to queue again: running under a lease that ran out (their worker died), or queued, never
    tried, and not started within EXPORT_QUEUED_STALE_SECONDS (the task was lost: the web process died
    between committing and enqueuing). A job waiting for a retry is left alone: the retry is kept in the
    queue's store and survives its worker. Running one twice is harmless: claim() takes it once."""
    now = now or utcnow()
    waited = now - timedelta(seconds=EXPORT_QUEUED_STALE_SECONDS)
    return list(db.session.scalars(select(ExportJob.id).where(or_(
        and_(ExportJob.state == "running", or_(ExportJob.lease_until.is_(None), ExportJob.lease_until < now)),
        and_(ExportJob.state == "queued", ExportJob.error.is_(None), ExportJob.created_at < waited)))
        .order_by(ExportJob.id)))


def run_pending(now: datetime | None = None) -> int:
    """Run every queued job and every job abandoned by a dead process (its lease ran out): the CLI, or
    after a restart interrupted the web process."""
    now = now or utcnow()
    ids = list(db.session.scalars(select(ExportJob.id).where(_takeable(now)).order_by(ExportJob.id)))
    for job_id in ids:
        run(job_id)
    return len(ids)


def ready_for(user: User) -> list[ExportJob]:
    """Finished exports the person asked for and has not downloaded yet (the home page tells them)."""
    return list(db.session.scalars(select(ExportJob).where(
        ExportJob.requested_by_id == user.id, ExportJob.state == "done", ExportJob.downloaded_at.is_(None))
        .order_by(ExportJob.id.desc()).limit(5)))
