"""审核: the secretary's review queue, approving, returning, comments, conflict resolution, and merging
two records of the same meeting."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import access
from ..extensions import db
from ..htmx import is_fragment_request, render
from ..models import Record
from ..rules.life import RECORD_STATES, RECORD_TYPE_LABELS, RECORD_TYPES
from ..domain_errors import DomainError
from ..view_helpers import act, row_or_404
from . import bp, duplicates, queries, service
from .view_lookups import form_duplicates, record_or_404, recordable_org_or_404
from .visibility import is_own_record


def _managed_branches():
    return access.managed_orgs(current_user, kinds=("branch",))


def _review_page(status: int = 200):
    filters = queries.ReviewFilters.from_args(request.values)
    records = list(db.session.scalars(queries.review_query(current_user, filters)))
    return render(
        "records/review.html", "records/_review_table.html", status=status,
        records=records, filters=filters, branches=_managed_branches(), types=RECORD_TYPE_LABELS,
        states=RECORD_STATES, recorders=queries.recorders_in(current_user), limit=queries.LIST_LIMIT,
        own_ids={r.id for r in records if is_own_record(current_user, r)},
        duplicate_pairs=duplicates.pairs_for_review(current_user, filters.org_id),
    )


@bp.route("/review")
@login_required
def review():
    if not access.manages_any(current_user):
        abort(403)
    return _review_page()


@bp.route("/review/approve", methods=["POST"])
@login_required
def bulk_approve():
    if not access.manages_any(current_user):
        abort(403)
    uuids = request.form.getlist("uuid")
    approved, refused = 0, []
    for uuid in uuids:
        record = db.session.scalar(select(Record).where(Record.uuid == uuid))
        if record is None or not access.manages(current_user, record.org):
            refused.append(f"{uuid[:8]}：记录不存在或无权审核")
            continue
        try:
            service.approve(record, current_user)
            approved += 1
        except DomainError as error:
            refused.append(f"{record.occurred_on} {record.type_label}“{record.topic}”：{error.message}")
    db.session.commit()
    if not uuids:
        flash("请先勾选要通过的记录", "error")
    if approved:
        flash(f"已审核通过 {approved} 条记录", "success")
    for message in refused:
        flash(message, "error")
    if is_fragment_request():
        return _review_page()
    return redirect(url_for("records.review", **{k: v for k, v in request.args.items()}))


def _decide(uuid: str, action):
    record = record_or_404(uuid)
    if not access.manages(current_user, record.org):
        abort(403)
    return act(lambda: action(record), None, url_for("records.detail", uuid=uuid))


@bp.route("/<uuid>/approve", methods=["POST"])
@login_required
def approve(uuid: str):
    def act(record):
        service.approve(record, current_user, request.form.get("comment", ""))
        flash("已审核通过", "success")
    return _decide(uuid, act)


@bp.route("/<uuid>/return", methods=["POST"])
@login_required
def return_record(uuid: str):
    def act(record):
        service.return_for_correction(record, current_user, request.form.get("comment", ""))
        flash("已退回记录人修改", "success")
    return _decide(uuid, act)


@bp.route("/<uuid>/comment", methods=["POST"])
@login_required
def comment(uuid: str):
    def act(record):
        service.comment(record, current_user, request.form.get("comment", ""))
        flash("意见已添加", "success")
    return _decide(uuid, act)


@bp.route("/<uuid>/conflicts/<int:number>", methods=["POST"])
@login_required
def resolve_conflict(uuid: str, number: int):
    def act(record):
        version = record.version_number(number)
        if version is None:
            abort(404)
        adopt = request.form.get("decision") == "adopt"
        service.resolve_conflict(record, version, current_user, adopt=adopt)
        flash("已采纳冲突修改，等待重新审核" if adopt else "已保留原记录，冲突修改存档备查", "success")
    return _decide(uuid, act)


@bp.route("/new/<int:org_id>/<record_type>/duplicates")
@login_required
def duplicate_check(org_id: int, record_type: str):
    """The record form asks, when its date changes, whether this meeting is already recorded."""
    org = recordable_org_or_404(org_id)
    if record_type not in RECORD_TYPES:
        abort(404)
    try:
        day = date.fromisoformat(request.args.get("occurred_on", ""))
    except ValueError:
        day = None
    found = []
    if day is not None:
        exclude = db.session.scalar(select(Record).where(Record.uuid == request.args.get("exclude", "")))
        found = form_duplicates(org, record_type, day.isoformat(), request.args.get("group_id"), exclude)
    return render("records/_duplicate_warning.html", "records/_duplicate_warning.html", duplicates=found)


def _managed_record(uuid: str) -> Record:
    record = record_or_404(uuid)
    if not access.manages(current_user, record.org):
        abort(403)
    return record


@bp.route("/<uuid>/duplicates/<other>")
@login_required
def compare_duplicates(uuid: str, other: str):
    """Two records that look like the same meeting, side by side, each with 合并 (keep this one)."""
    first, second = _managed_record(uuid), _managed_record(other)
    if first.org_id != second.org_id or first.id == second.id:
        abort(404)
    sides = []
    for record, counterpart in ((first, second), (second, first)):
        sides.append({"record": record, "other": counterpart, "data": record.current.data if record.current else {},
                      "present": [a.user.name for a in record.attendances if a.status == "present"]})
    return render_template("records/compare.html", sides=sides)


@bp.route("/<uuid>/merge", methods=["POST"])
@login_required
def merge(uuid: str):
    keep = _managed_record(uuid)
    other = row_or_404(Record, where=(Record.uuid == (request.form.get("other") or ""),),
                       visible=lambda other: access.manages(current_user, other.org))
    try:
        duplicates.merge(keep, other, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("records.compare_duplicates", uuid=keep.uuid, other=other.uuid))
    db.session.commit()
    flash("已合并为一条记录：出席和照片已合在一起，另一条记录保存在版本历史中，不再重复计数", "success")
    return redirect(url_for("records.detail", uuid=keep.uuid))
