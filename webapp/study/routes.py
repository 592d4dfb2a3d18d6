"""学习: a member's study notes (学习笔记), who kept notes this month, and the monthly theme."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from .. import access
from ..china_time import china_today, month_bounds, month_key
from ..extensions import db
from ..models import MonthlyTheme, StudyNote
from ..records import queries
from . import bp
from . import notes as study_notes, themes
from ..records.form_data import note_form_to_data
from ..view_helpers import row_or_404, save_or_errors, visible_org_or_404


def _member_branches():
    return [m.org for m in access.active_memberships(current_user) if m.org.kind == "branch"]


@bp.route("/")
@login_required
def index():
    notes = list(db.session.scalars(select(StudyNote).where(StudyNote.user_id == current_user.id)
                                    .order_by(StudyNote.noted_on.desc(), StudyNote.id.desc()).limit(100)))
    start, end = month_bounds(month_key(china_today()))
    managed = access.managed_orgs(current_user, kinds=("branch",))
    month = china_today().strftime("%Y-%m")
    theme_orgs = [o for o in access.managed_orgs(current_user, kinds=("committee", "general_branch"))]
    current_themes = {b.id: themes.theme_for(b, month) for b in _member_branches()}
    return render_template(
        "study/index.html", notes=notes, branches=_member_branches(), month=month,
        keepers=[(org, queries.notes_this_month(org, start, end)) for org in managed[:20]],
        theme_orgs=theme_orgs, current_themes=current_themes,
    )


def _note_or_404(uuid: str) -> StudyNote:
    return row_or_404(StudyNote, where=(StudyNote.uuid == uuid,),
                      visible=lambda note: study_notes.can_view_note(current_user, note))


@bp.route("/notes/new/<int:org_id>", methods=["GET", "POST"])
@login_required
def new_note(org_id: int):
    org = visible_org_or_404(org_id)
    if org.id not in {b.id for b in _member_branches()}:
        abort(403)
    errors: dict[str, str] = {}
    values = MultiDict({"noted_on": china_today().isoformat()})
    if request.method == "POST":
        values = request.form
        uuid = (request.form.get("uuid") or "").strip() or None
        existing = db.session.scalar(select(StudyNote).where(StudyNote.uuid == uuid)) if uuid else None
        if existing is not None and existing.user_id == current_user.id:
            flash("这篇笔记已经保存过了（重复提交已忽略）", "success")
            return redirect(url_for("study.note", note_uuid=existing.uuid))
        saved, errors = save_or_errors(
            lambda: study_notes.create_note(current_user, org, note_form_to_data(request.form), uuid=uuid),
            "学习笔记已保存", lambda note: url_for("study.note", note_uuid=note.uuid), "topic")
        if saved:
            return saved
    return render_template("study/note_form.html", org=org, values=values, errors=errors, note=None), \
        (400 if errors else 200)


@bp.route("/notes/<note_uuid>")
@login_required
def note(note_uuid: str):
    return render_template("study/note.html", note=_note_or_404(note_uuid))


@bp.route("/notes/<note_uuid>/edit", methods=["GET", "POST"])
@login_required
def edit_note(note_uuid: str):
    note = _note_or_404(note_uuid)
    if note.user_id != current_user.id:
        abort(403)
    errors: dict[str, str] = {}
    values = MultiDict({"noted_on": note.noted_on.isoformat(), "topic": note.topic, "text": note.text,
                        "photo_sha256": note.photo_sha256 or ""})
    if request.method == "POST":
        values = request.form
        saved, errors = save_or_errors(
            lambda: study_notes.update_note(note, current_user, note_form_to_data(request.form)),
            "学习笔记已保存", lambda _: url_for("study.note", note_uuid=note.uuid), "topic")
        if saved:
            return saved
    return render_template("study/note_form.html", org=note.org, values=values, errors=errors, note=note), \
        (400 if errors else 200)


@bp.route("/themes/<int:org_id>", methods=["GET", "POST"])
@login_required
def monthly_theme(org_id: int):
    org = visible_org_or_404(org_id)
    if org.kind not in ("committee", "general_branch") or not access.manages(current_user, org):
        abort(403)
    errors: dict[str, str] = {}
    month = request.values.get("month") or china_today().strftime("%Y-%m")
    existing = db.session.scalar(select(MonthlyTheme).where(MonthlyTheme.org_id == org.id,
                                                            MonthlyTheme.month == month))
    values = MultiDict({"month": month, "title": existing.title if existing else "",
                        "guidance": existing.guidance if existing else ""})
    if request.method == "POST":
        values = request.form
        saved, errors = save_or_errors(
            lambda: themes.set_theme(org, values.get("month", "").strip(), values.get("title", ""),
                                     values.get("guidance", ""), current_user),
            f"已发布 {values.get('month')} 月度主题",
            lambda _: url_for("study.monthly_theme", org_id=org.id, month=values.get("month")), "title")
        if saved:
            return saved
    recent = list(db.session.scalars(select(MonthlyTheme).where(MonthlyTheme.org_id == org.id)
                                     .order_by(MonthlyTheme.month.desc()).limit(12)))
    return render_template("study/theme.html", org=org, values=values, errors=errors, recent=recent), \
        (400 if errors else 200)


