"""记录: entering organizational-life records on the phone, reading them, checking in.

Review (审核) views live in ``review_routes``, photo upload and serving in ``photo_routes``; all three
form the ``records`` blueprint (``webapp/records/__init__.py``), which ``create_app`` wires with each of
them. What they share (loading a record or a branch one may record in) is in ``view_lookups``.
"""
from __future__ import annotations

from datetime import date
from itertools import pairwise, zip_longest

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from .. import access
from ..china_time import china_today
from ..extensions import db
from ..input_numbers import row_id
from ..models import AuditLog, Organization, Record
from ..rules.life import (
    EVALUATION_GRADES, EVALUATION_STEPS, RECORD_TYPES, THEME_DAY_OPTIONAL_FORMS, THEME_DAY_REQUIRED_ITEMS,
)
from ..domain_errors import Invalid, NotAllowed
from ..dues import service as dues_service
from ..standards import rectification
from ..study import themes
from ..view_helpers import act, save_or_errors
from . import bp, diffing, duplicates, queries, service, validation
from .errors import RecordLocked, VersionConflict
from .expected import Expected, expected_at, expected_for
from .form_data import RECTIFICATION_FIELDS, data_to_pairs, form_to_data
from .view_lookups import form_duplicates, record_or_404, recordable_org_or_404
from .visibility import (
    can_check_in, can_edit, can_record_type, can_review, is_own_record, recordable_branches,
)


INVITED_BLANK_ROWS = 2


@bp.route("/")
@login_required
def index():
    return render_template(
        "records/index.html",
        branches=recordable_branches(current_user),
        records=queries.visible_records(current_user),
        waiting=queries.waiting_for_review_count(current_user) if access.manages_any(current_user) else 0,
        returned=queries.my_returned(current_user),
        open_for_check_in=queries.open_for_check_in(current_user),
    )


@bp.route("/mine/attendance")
@login_required
def my_attendance():
    rows = queries.attendance_history(current_user)
    return render_template("records/my_attendance.html", rows=rows, summary=queries.attendance_summary(rows))


@bp.route("/new/<int:org_id>")
@login_required
def choose_type(org_id: int):
    org = recordable_org_or_404(org_id)
    types = [(key, RECORD_TYPES[key]) for key in queries.offered_record_types(current_user, org)]
    return render_template("records/choose_type.html", org=org, types=types)


def _form_context(org: Organization, record_type: str, values: MultiDict, errors: dict, record=None):
    roster = queries.branch_roster(org)
    occurred = values.get("occurred_on") or china_today().isoformat()
    expected = _expected_on_form(org, record_type, values, roster)
    points_basis = _points_basis(roster, occurred) if record_type == "evaluation" else {}
    theme = themes.theme_for(org, occurred[:7]) if record_type == "theme_day" else None
    listed = set(values.getlist("roster_ids"))
    return dict(
        org=org, record_type=record_type, spec=RECORD_TYPES[record_type], values=values, errors=errors,
        record=record, roster=roster, theme=theme, today=china_today().isoformat(),
        expected=expected.expected, sitting_in=expected.sitting_in, in_field=expected.in_field,
        points_basis=points_basis,
        attendees=set(values.getlist("attendee_ids")),
        expected_groups=_by_group(expected.expected),
        attendance_counts=_attendance_counts(expected.expected, values),
        fresh=not listed and not values.getlist("attendee_ids"),
        groups=[g for g in org.children if g.kind == "group" and not g.is_closed],
        required_items=THEME_DAY_REQUIRED_ITEMS, optional_forms=THEME_DAY_OPTIONAL_FORMS,
        evaluation_steps=EVALUATION_STEPS, grades=EVALUATION_GRADES,
        invited_rows=list(zip(values.getlist("invited_name"), values.getlist("invited_note"), strict=False))
        + [("", "")] * INVITED_BLANK_ROWS,
        uploaded_photos=values.getlist("photos"),
        duplicates=form_duplicates(org, record_type, occurred, values.get("group_id"), record),
        rect_rows=[list(row) for row in zip_longest(
            *(values.getlist(f"rect_{name}") for name in RECTIFICATION_FIELDS), fillvalue="")],
    )


def _by_group(members) -> list[tuple[str, list]]:
    """应到 grouped by 党小组 (members of no group last), names in order within each."""
    groups: dict[int | None, list] = {}
    for m in members:
        groups.setdefault(m.group_id, []).append(m)
    named = sorted(((g[0].group.name, g) for key, g in groups.items() if key is not None and g[0].group),
                   key=lambda row: row[0])
    rest = [m for key, g in groups.items() if key is None or not g[0].group for m in g]
    return named + ([("未分组", rest)] if rest else [])


def _attendance_counts(members, values: MultiDict) -> dict[str, int]:
    """The live count's first figures (offline JS keeps them current as boxes are ticked)."""
    present = set(values.getlist("attendee_ids"))
    absent = [m for m in members if str(m.user_id) not in present]
    leave = sum(1 for m in absent if (values.get(f"leave_reason_{m.user_id}") or "").strip())
    return {"present": len(members) - len(absent), "leave": leave, "absent": len(absent) - leave}


def _points_basis(roster, occurred: str) -> dict[int, tuple[int, str]]:
    """For 民主评议: each member's points so far this year and the grade they would give — the basis of
    the organizational assessment, so the two feed one year result rather than disagree."""
    from ..points.service import person_rows
    from ..rules.points import GRADE_LABELS, grade_for

    year = int(occurred[:4]) if occurred[:4].isdigit() else china_today().year
    rows = person_rows([m.user for m in roster], year)
    return {uid: (row.total, GRADE_LABELS[grade_for(row.total)]) for uid, row in rows.items()}


def _expected_on_form(org: Organization, record_type: str, values: MultiDict, roster) -> Expected:
    """Who the form lists as 应到 (with a leave reason each) and who as 列席, for the day and group
    entered so far (validation decides again on save)."""
    try:
        day = date.fromisoformat(values.get("occurred_on") or "")
    except ValueError:
        day = china_today()
    return expected_for(org, record_type, day, group_id=row_id(values.get("group_id")),
                        talk_with_ids=[i for i in (row_id(v) for v in values.getlist("talk_with_ids")) if i],
                        members=roster)


@bp.route("/new/<int:org_id>/<record_type>", methods=["GET", "POST"])
@login_required
def new(org_id: int, record_type: str):
    org = recordable_org_or_404(org_id)
    if record_type not in RECORD_TYPES:
        abort(404)
    if not can_record_type(current_user, org, record_type):
        abort(403)  # 谈心谈话 for a recorder off the committee: never offered
    errors: dict[str, str] = {}
    if request.method == "POST":
        uuid = (request.form.get("uuid") or "").strip() or None
        existing = db.session.scalar(select(Record).where(Record.uuid == uuid)) if uuid else None
        if existing is not None:
            if existing.org_id == org.id and current_user.id == existing.created_by_id:
                flash("这条记录已经保存过了（重复提交已忽略）", "success")
                return redirect(url_for("records.detail", uuid=existing.uuid))
            abort(409)
        saved, errors = save_or_errors(
            lambda: service.create_record(org, record_type, form_to_data(request.form), current_user, uuid=uuid),
            _saved_message, lambda record: url_for("records.detail", uuid=record.uuid), "org")
        if saved:
            return saved
        values = request.form
    else:
        values = MultiDict({"recorder_id": str(current_user.id)})
    return render_template("records/form.html", **_form_context(org, record_type, values, errors)), \
        (400 if errors else 200)


def _saved_message(record: Record) -> str:
    message = f"已保存{record.type_label}，等待支部审核"
    if record.meets_standard is False:
        message += "。注意：" + "；".join(record.standard_problems)
    early = validation.saved_before_end(record)
    if early:
        message += "。" + early
    return message


@bp.route("/<uuid>")
@login_required
def detail(uuid: str):
    record = record_or_404(uuid)
    data = record.current.data if record.current else {}
    names = queries.user_names(
        [data.get(k) for k in ("host_id", "recorder_id", "lecturer_id")] + list(data.get("talk_with_ids", []))
        + [a.user_id for a in record.attendances] + [int(k) for k in data.get("grades", {})]
        + [i.get("responsible_id") for i in data.get("rectification_items") or []])
    versions = [v for v in record.versions]
    diffs = {}
    edits = [v for v in versions if v.kind == "edit"]
    for previous, version in pairwise(edits):
        diffs[version.number] = diffing.changes(record, previous.number, version.number)
    for version in versions:
        if version.is_conflict and version.base_version:
            diffs[version.number] = diffing.changes(record, version.base_version, version.number)
    manages = access.manages(current_user, record.org)
    trail = list(db.session.scalars(select(AuditLog).where(
        AuditLog.entity_type == "record", AuditLog.entity_id == record.uuid).order_by(AuditLog.id))) \
        if manages else []
    expected = expected_at(record)
    return render_template(
        "records/detail.html", record=record, data=data, names=names, diffs=diffs, trail=trail,
        saved_before_end=validation.saved_before_end(record),
        expected_ids=expected.expected_ids, in_field=expected.in_field,
        manages=manages, can_edit=can_edit(current_user, record), can_review=can_review(current_user, record),
        own=is_own_record(current_user, record),
        can_check_in=can_check_in(current_user, record) and record.state != "approved",
        checked_in=any(c.user_id == current_user.id for c in record.check_ins),
        required_items=THEME_DAY_REQUIRED_ITEMS, optional_forms=THEME_DAY_OPTIONAL_FORMS,
        evaluation_steps=EVALUATION_STEPS, grades=EVALUATION_GRADES,
        ledger_items={p.description: p for p in rectification.problems_of_record(record)}
        if record.type == "life_meeting" else {},
        duplicates=duplicates.likely_duplicates(record.org_id, record.type, record.occurred_on,
                                                group_id=record.group_id, exclude_id=record.id)
        if manages and record.merged_into_id is None else [],
        can_collect_dues=record.type == "theme_day" and record.merged_into_id is None
        and dues_service.can_record_payments(current_user, record.org),
    )


@bp.route("/<uuid>/edit", methods=["GET", "POST"])
@login_required
def edit(uuid: str):
    record = record_or_404(uuid)
    if not can_edit(current_user, record):
        abort(403)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        base = request.form.get("base_version", "")
        try:
            service.revise_record(record, form_to_data(request.form), current_user,
                                  base_version=row_id(base))
        except VersionConflict as error:
            errors = {"base_version": f"这条记录已被他人修改（现为第 {error.current_version} 版），"
                                      "请复制您的修改后刷新页面重新填写"}
            status = 409
        except (Invalid, RecordLocked, NotAllowed) as error:
            errors = error.field_errors("org")
            status = 400
        else:
            db.session.commit()
            flash(_saved_message(record) if record.state == "submitted" else "没有修改", "success")
            return redirect(url_for("records.detail", uuid=record.uuid))
        values = request.form
    else:
        values = MultiDict(data_to_pairs(record.current.data))
        values.setlist("roster_ids", [str(m.user_id) for m in expected_at(record).expected])
    context = _form_context(record.org, record.type, values, errors, record=record)
    return render_template("records/form.html", **context), status


@bp.route("/<uuid>/check-in", methods=["POST"])
@login_required
def check_in(uuid: str):
    record = record_or_404(uuid)

    def check_in_now():
        if record.state == "approved":
            raise RecordLocked("记录已审核通过，不能再签到")
        service.check_in(record, current_user)

    return act(check_in_now, "签到成功", url_for("records.detail", uuid=uuid))

