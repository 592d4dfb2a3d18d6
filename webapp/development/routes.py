"""发展党员: the branch's board, one person's file, recording a step, notes (also offline)."""
from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import access
from ..china_time import china_today
from ..domain_errors import Invalid, NotAllowed
from ..extensions import db
from ..models import Membership, User
from ..rules.development import NOTE_KINDS, ORDER, RECORDED_STEPS, STAGES, STEPS, STEPS_BY_KEY
from ..view_helpers import act, managed_org_or_404, save_or_errors, visible_org_or_404
from . import board, bp, forms, pipeline



@bp.route("/")
@login_required
def index():
    branches = [o for o in access.managed_orgs(current_user, kinds=("branch",)) if not o.is_temporary]
    if len(branches) == 1:
        return redirect(url_for("development.board_page", org_id=branches[0].id))
    return render_template("development/index.html", branches=branches)


@bp.route("/<int:org_id>")
@login_required
def board_page(org_id: int):
    org = managed_org_or_404(org_id)
    today = china_today()
    return render_template("development/board.html", org=org, rows=board.rows(org, today), today=today,
                           steps=STEPS_BY_KEY, stages=STAGES, applicants=_without_file(org))


def _without_file(org) -> list[User]:
    people = db.session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.org_id == org.id, Membership.relation == "home", Membership.active.is_(True))
        .order_by(User.name))
    return [p for p in people if pipeline.file_of(p) is None and p.category not in ("full", "probationary")]


def _person_in(org, user_id: int) -> User:
    """A person whose home branch is ``org`` (404 otherwise: their file is kept where they are now)."""
    person = db.session.get(User, user_id)
    home = pipeline.home_branch(person) if person else None
    if home is None or home.id != org.id:
        abort(404)
    return person


@bp.route("/<int:org_id>/people/<int:user_id>")
@login_required
def person(org_id: int, user_id: int):
    org = managed_org_or_404(org_id)
    who = _person_in(org, user_id)
    file = pipeline.file_of(who)
    if file is None:
        abort(404)
    row = board.row_for(file, org, china_today())
    steps = pipeline.steps_by_key(file)
    return render_template("development/person.html", org=org, person=who, file=file, row=row, steps=steps,
                           all_steps=STEPS, stages=STAGES, note_kinds=NOTE_KINDS, full_on=pipeline.full_on(file),
                           votes={k: pipeline.vote_of(s) for k, s in steps.items()},
                           names=_names(pipeline.named(file)))


def _names(ids) -> dict[int, str]:
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}


def _full_members(org) -> list[User]:
    return list(db.session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.org_id == org.id, Membership.active.is_(True), User.category == "full").order_by(User.name)))


@bp.route("/<int:org_id>/apply", methods=["GET", "POST"])
@login_required
def apply(org_id: int):
    """Step 1 for a member of the branch who has no file yet."""
    org = managed_org_or_404(org_id)
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else {"done_on": china_today().isoformat()}
    if request.method == "POST":
        user_id = forms.person_id(request.form)
        who = db.session.get(User, user_id) if user_id else None
        home = pipeline.home_branch(who) if who else None
        if who is None or home is None or home.id != org.id:
            errors = {"user_id": "请选择本支部的人员"}
        else:
            saved, errors = save_or_errors(
                lambda: pipeline.record_step(org, who, "application", forms.step_form(request.form), current_user),
                f"已登记 {who.name} 的入党申请",
                lambda _: url_for("development.person", org_id=org.id, user_id=who.id), "user_id")
            if saved:
                return saved
    return render_template("development/apply.html", org=org, people=_without_file(org), values=values,
                           errors=errors, today=china_today()), (400 if errors else 200)


@bp.route("/<int:org_id>/people/<int:user_id>/steps/<step>", methods=["GET", "POST"])
@login_required
def record_step(org_id: int, user_id: int, step: str):
    org = managed_org_or_404(org_id)
    who = _person_in(org, user_id)
    if step not in RECORDED_STEPS or step == "application":
        abort(404)
    spec = STEPS_BY_KEY[step]
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else {"done_on": china_today().isoformat()}
    if request.method == "POST":
        try:
            recorded = pipeline.record_step(org, who, step, forms.step_form(request.form), current_user)
        except Invalid as error:
            errors = error.errors
        except NotAllowed:
            abort(403)
        else:
            db.session.commit()
            flash(f"已记录 {who.name}：{spec['label']}", "success")
            for finding in recorded.warnings:
                flash(f"提醒：{finding.message}（{finding.source}）", "warning")
            if spec["kind"] == "vote":
                vote = pipeline.vote_of(recorded.step)
                flash("；".join(vote.arithmetic()), "success" if vote.passed else "warning")
            return redirect(url_for("development.person", org_id=org.id, user_id=who.id))
    return render_template("development/step.html", org=org, person=who, step=step, spec=spec, values=values,
                           errors=errors, full_members=[m for m in _full_members(org) if m.id != who.id],
                           order=ORDER[step], today=china_today()), (400 if errors else 200)


@bp.route("/<int:org_id>/people/<int:user_id>/extend", methods=["POST"])
@login_required
def extend(org_id: int, user_id: int):
    org = managed_org_or_404(org_id)
    who = _person_in(org, user_id)
    return act(lambda: pipeline.extend_probation(org, who, request.form, current_user),
               f"已延长 {who.name} 的预备期", url_for("development.person", org_id=org.id, user_id=who.id))


@bp.route("/<int:org_id>/notes/new", methods=["GET", "POST"])
@login_required
def new_note(org_id: int):
    """A talk, an observation report or a contact's note; the page works offline (sync entity
    ``development_note``)."""
    org = visible_org_or_404(org_id)
    people = pipeline.note_people(current_user, org)
    if not people and not access.manages(current_user, org):
        abort(403)
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else {"written_on": china_today().isoformat(),
                                                            "kind": "observation"}
    if request.method == "POST":
        try:
            note, _new = pipeline.add_note(current_user, org, forms.note_form(request.form),
                                           uuid=forms.note_uuid(request.form))
        except Invalid as error:
            errors = error.errors
        except NotAllowed:
            abort(403)
        else:
            db.session.commit()
            flash(f"已保存 {note.file.user.name} 的{NOTE_KINDS[note.kind]}", "success")
            return redirect(url_for("development.new_note", org_id=org.id))
    kinds = {k: v for k, v in NOTE_KINDS.items() if not org.is_temporary or k == "observation"}
    return render_template("development/note_form.html", org=org, people=people, kinds=kinds, values=values,
                           errors=errors, today=china_today()), (400 if errors else 200)


# --- exports (xlsx and PDF, in inspection order) ---------------------------------------------------

MIMETYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


def _download(content: bytes, kind: str, name: str):
    return send_file(io.BytesIO(content), mimetype=MIMETYPES[kind], as_attachment=True,
                     download_name=f"{name}.{kind}")


@bp.route("/<int:org_id>/ledger.<any(xlsx, pdf):kind>")
@login_required
def ledger_export(org_id: int, kind: str):
    org = managed_org_or_404(org_id)
    from . import exports  # fpdf and openpyxl load only when a file is asked for

    content = exports.ledger_xlsx(org) if kind == "xlsx" else exports.ledger_pdf(org)
    return _download(content, kind, f"{org.name}-发展党员工作台账-{china_today()}")


@bp.route("/<int:org_id>/people/<int:user_id>/file.<any(xlsx, pdf):kind>")
@login_required
def file_export(org_id: int, user_id: int, kind: str):
    org = managed_org_or_404(org_id)
    who = _person_in(org, user_id)
    file = pipeline.file_of(who)
    if file is None:
        abort(404)
    from . import exports  # fpdf and openpyxl load only when a file is asked for

    content = exports.file_xlsx(file, org) if kind == "xlsx" else exports.file_pdf(file, org)
    return _download(content, kind, f"{who.name}-发展党员档案")
