"""Export jobs: queued by a secretary, run in the background, progress saved for the page to poll.

Design: the web process starts a thread per export (``EXPORTS_IN_THREAD``, default on) that works in
its own application context and database session, committing progress as it goes; the page polls the
job row. Files are kept under the instance folder, never served from static.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select, update

from .. import access, audit
from ..extensions import db
from ..models import ExportJob, Organization, User
from ..models.base import utcnow
from ..records.errors import NotAllowed

log = logging.getLogger(__name__)



def _build_xlsx(*args, **kwargs):
    from . import workbook  # openpyxl: loaded by the process that builds an export, not by every worker

    return workbook.build(*args, **kwargs)


def _build_pdf(*args, **kwargs):
    from . import record_book  # fpdf2 and its fonts, likewise

    return record_book.build(*args, **kwargs)


BUILDERS = {"xlsx": _build_xlsx, "pdf": _build_pdf}
SUFFIX = {"xlsx": ".xlsx", "pdf": ".pdf"}
MIMETYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "pdf": "application/pdf"}


def exports_dir() -> Path:
    return Path(current_app.instance_path) / "exports"


def file_path(job: ExportJob) -> Path:
    return exports_dir() / f"{job.uuid}{SUFFIX[job.kind]}"


def download_name(job: ExportJob) -> str:
    label = "台账" if job.kind == "xlsx" else "会议记录本"
    return f"{job.org.name}-{job.year}年{label}{SUFFIX[job.kind]}"


def request_export(org: Organization, year: int, kind: str, actor: User) -> ExportJob:
    if not access.manages(actor, org):
        raise NotAllowed("只有支委和上级党组织可以导出台账")
    if kind not in BUILDERS:
        raise ValueError(kind)
    job = ExportJob(org_id=org.id, year=year, kind=kind, requested_by_id=actor.id)
    db.session.add(job)
    db.session.flush()
    audit.record(actor, "export", "export_job", job.uuid, org_id=org.id,
                 summary=f"导出 {year} 年{job.kind_label}")
    return job


def claim(job_id: int) -> bool:
    """Take a queued job exactly once (a conditional update), so two runners never build the same file."""
    result = db.session.execute(update(ExportJob).where(ExportJob.id == job_id, ExportJob.state == "queued")
                                .values(state="running", started_at=utcnow(), progress=1, step="开始生成"))
    db.session.commit()
    return result.rowcount == 1


def run(job_id: int) -> None:
    """Build the file of a queued job, saving progress; failures are recorded, never raised."""
    if not claim(job_id):
        return
    job = db.session.get(ExportJob, job_id)

    def progress(percent: int, step: str) -> None:
        db.session.execute(update(ExportJob).where(ExportJob.id == job_id)
                           .values(progress=max(1, min(99, percent)), step=step[:100]))
        db.session.commit()

    try:
        path = BUILDERS[job.kind](job.org, job.year, file_path(job), progress)
    except Exception as error:  # recorded for the secretary; the log keeps the traceback
        log.exception("export %s failed", job.uuid)
        db.session.rollback()
        job = db.session.get(ExportJob, job_id)
        job.state, job.error, job.finished_at = "failed", str(error)[:2000] or error.__class__.__name__, utcnow()
        db.session.commit()
        return
    job = db.session.get(ExportJob, job_id)
    job.state, job.progress, job.step = "done", 100, "已完成"
    job.file_name, job.size, job.finished_at = download_name(job), path.stat().st_size, utcnow()
    db.session.commit()


def _run_in_thread(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run(job_id)
        finally:
            db.session.remove()


def start(job: ExportJob) -> None:
    """Run the committed job: in a background thread, or right here when threads are off (tests)."""
    if current_app.config.get("EXPORTS_IN_THREAD", True):
        app = current_app._get_current_object()
        threading.Thread(target=_run_in_thread, args=(app, job.id), name=f"export-{job.id}", daemon=True).start()
    else:
        run(job.id)


def run_pending() -> int:
    """Run every queued job (CLI, or after a restart interrupted the web process)."""
    ids = list(db.session.scalars(select(ExportJob.id).where(ExportJob.state == "queued").order_by(ExportJob.id)))
    for job_id in ids:
        run(job_id)
    return len(ids)


def ready_for(user: User) -> list[ExportJob]:
    """Finished exports the person asked for and has not downloaded yet (the home page tells them)."""
    return list(db.session.scalars(select(ExportJob).where(
        ExportJob.requested_by_id == user.id, ExportJob.state == "done", ExportJob.downloaded_at.is_(None))
        .order_by(ExportJob.id.desc()).limit(5)))
