"""台账: choose a branch and year, export the workbook and the meeting record book, watch, download."""
from __future__ import annotations

import click
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from .. import access
from ..china_time import china_today
from ..extensions import db
from ..htmx import render
from ..models import ExportJob
from ..models.base import utcnow
from ..storage.serve import send_object
from ..domain_errors import NotAllowed
from ..view_helpers import managed_org_or_404, row_or_404, visible_org_or_404
from . import archives, bp, jobs
from .archives import scope


def _job_or_404(job_uuid: str) -> ExportJob:
    """The job, for those who may see it (jobs.may_see); 404 for anyone else (nothing leaks)."""
    job = row_or_404(ExportJob, where=(ExportJob.uuid == job_uuid,))
    if not jobs.may_see(job, current_user):
        abort(404)
    return job


def _started(job: ExportJob, message: str):
    db.session.commit()
    jobs.start(job)
    flash(message, "success")
    return redirect(url_for("ledgers.job_status", job_uuid=job.uuid))


@bp.route("/")
@login_required
def index():
    branches = access.managed_orgs(current_user, kinds=("branch",))
    if not branches:
        abort(403)
    ids = [o.id for o in access.managed_orgs(current_user)]
    recent = list(db.session.scalars(select(ExportJob).where(
        or_(ExportJob.org_id.in_(ids), ExportJob.viewer_org_id.in_(ids))).order_by(ExportJob.id.desc()).limit(30)))
    year = china_today().year
    return render_template("ledgers/index.html", branches=branches, recent=recent,
                           years=list(range(year, year - 6, -1)),
                           parts=scope.closed_parts(current_user, branches))


@bp.route("/exports", methods=["POST"])
@login_required
def start_export():
    try:
        org_id, year = int(request.form.get("org_id", "")), int(request.form.get("year", ""))
    except ValueError:
        flash("请选择支部和年度", "error")
        return redirect(url_for("ledgers.index"))
    org = managed_org_or_404(org_id)
    kinds = [k for k in request.form.getlist("kind") if k in jobs.BRANCH_KINDS] or list(jobs.BRANCH_KINDS)
    started = [jobs.request_export(org, year, kind, current_user) for kind in kinds]
    db.session.commit()
    for job in started:
        jobs.start(job)
    flash(f"已开始导出 {org.name} {year} 年台账，完成后可在此下载", "success")
    return redirect(url_for("ledgers.index"))


@bp.route("/exports/<job_uuid>")
@login_required
def job_status(job_uuid: str):
    job = _job_or_404(job_uuid)
    return render("ledgers/job.html", "ledgers/_job.html", job=job)


@bp.route("/exports/<job_uuid>/restart", methods=["POST"])
@login_required
def restart_export(job_uuid: str):
    """重新生成: a failed or stalled export starts again as a new job."""
    job = _job_or_404(job_uuid)
    if not job.can_restart:
        flash("该导出仍在进行或已完成，无需重新生成", "error")
        return redirect(url_for("ledgers.job_status", job_uuid=job.uuid))
    new = jobs.restart(job, current_user)
    db.session.commit()
    jobs.start(new)
    flash("已重新开始导出", "success")
    return redirect(url_for("ledgers.job_status", job_uuid=new.uuid))


@bp.route("/exports/<job_uuid>/download")
@login_required
def download(job_uuid: str):
    job = _job_or_404(job_uuid)
    if job.state != "done":
        abort(404)
    # Opened before the download is noted: a missing file (404) or a store that is down (503) is not
    # a download.
    response = send_object(jobs.storage_key(job), jobs.MIMETYPES[job.kind], as_attachment=True,
                           download_name=job.file_name)
    if job.requested_by_id == current_user.id and job.downloaded_at is None:
        job.downloaded_at = utcnow()
        db.session.commit()
    return response


def _year_or_404(year: int) -> int:
    if not 2000 <= year <= china_today().year + 1:
        abort(404)
    return year


@bp.route("/archives/<int:org_id>/<int:year>")
@login_required
def archive_catalogue(org_id: int, year: int):
    """The six archives' catalogue of a branch-year, as the binder will hold them (404: not visible;
    403: visible but not bindable by this user)."""
    org = visible_org_or_404(org_id)
    year = _year_or_404(year)
    try:
        view = scope.export_view(current_user, org, request.args.get("home", type=int))
    except NotAllowed:
        abort(403)
    return render_template("ledgers/archives.html", binder=archives.binder(org, year, viewer=view.home),
                           export_url=url_for("ledgers.export_binder", org_id=org.id, year=year),
                           home=view.home)


@bp.route("/archives/<int:org_id>/<int:year>/export", methods=["POST"])
@login_required
def export_binder(org_id: int, year: int):
    """The binder PDF of a branch-year, or a home branch's members' part of a closed temporary branch
    (form field ``home``); who may is scope.export_view (404: not visible; 403: not bindable)."""
    org = visible_org_or_404(org_id)
    year = _year_or_404(year)
    try:
        view = scope.export_view(current_user, org, request.form.get("home", type=int))
        job = jobs.request_export(org, year, "pdf", current_user, viewer=view.home)
    except NotAllowed:
        abort(403)
    part = f"中{view.home.name}党员部分" if view.home is not None else ""
    return _started(job, f"已开始导出 {org.name} {year} 年台账合订本{part}，完成后可在此下载")


@bp.route("/archives/<int:org_id>/<int:year>/summary")
@login_required
def archive_summary(org_id: int, year: int):
    """A committee's summary of the branches below it."""
    org = visible_org_or_404(org_id)
    year = _year_or_404(year)
    try:
        scope.summary_allowed(current_user, org)
    except NotAllowed:
        abort(403)
    return render_template("ledgers/archives.html", binder=archives.summary(org, year),
                           export_url=url_for("ledgers.export_summary", org_id=org.id, year=year), home=None)


@bp.route("/archives/<int:org_id>/<int:year>/summary/export", methods=["POST"])
@login_required
def export_summary(org_id: int, year: int):
    """A committee's summary across the branches below it, as a PDF: its managers only."""
    org = visible_org_or_404(org_id)
    year = _year_or_404(year)
    try:
        job = jobs.request_export(org, year, "summary", current_user)
    except NotAllowed:
        abort(403)
    return _started(job, f"已开始导出 {org.name} {year} 年党支部台账汇总，完成后可在此下载")


@bp.cli.command("run-pending")
def run_pending_command():
    """Run queued exports (for example after a restart interrupted the web process)."""
    click.echo(f"已处理 {jobs.run_pending()} 个导出任务")
