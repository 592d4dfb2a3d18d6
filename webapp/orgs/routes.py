"""The organization tree: browse, create, edit, close (higher committee)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from .. import access
from ..records.visibility import can_record
from ..extensions import db
from ..models import Membership, Organization, StructuralException, User
from ..rules.organization import ALLOWED_CHILD_KINDS, COMMITTEE_TITLES, MEMBER_CATEGORIES, ORG_KINDS
from ..view_helpers import act, org_editable_by_current_user, visible_org_or_404
from . import bp, structural, tree
from .forms import OrgForm


TITLE_ORDER = {title: rank for rank, title in enumerate(COMMITTEE_TITLES)}

FIELDS = ("name", "description", "project_name", "site", "start_date", "end_date",
          "committee_term_start", "committee_term_end", "planned_people", "planned_members")
# Fields the structural rules read: changing one re-checks them on edit.
STRUCTURAL_FIELDS = ("start_date", "end_date", "planned_people", "planned_members", "committee_term_start",
                     "committee_term_end")
NEEDS_REASON = "以上情况不符合规定；如确需继续，请写明理由（将记录在案）"


def _member_counts(org_ids):
    """Active people per organization; a party group counts the branch members assigned to it."""
    if not org_ids:
        return {}
    counts = dict(db.session.execute(
        select(Membership.org_id, func.count())
        .where(Membership.org_id.in_(org_ids), Membership.active.is_(True))
        .group_by(Membership.org_id)
    ).all())
    counts.update(db.session.execute(
        select(Membership.group_id, func.count())
        .where(Membership.group_id.in_(org_ids), Membership.active.is_(True))
        .group_by(Membership.group_id)
    ).all())
    return counts


@bp.route("/")
@login_required
def index():
    orgs = access.visible_orgs(current_user)
    base_depth = min((len(o.ancestor_ids()) for o in orgs), default=1)
    return render_template(
        "orgs/index.html", orgs=orgs, base_depth=base_depth,
        counts=_member_counts([o.id for o in orgs]),
    )


@bp.route("/<int:org_id>")
@login_required
def detail(org_id: int):
    org = visible_org_or_404(org_id)
    committee = sorted((m for m in _active_members(org) if m.title),
                       key=lambda m: TITLE_ORDER.get(m.title, len(TITLE_ORDER)))
    children = [c for c in org.children if access.can_view(current_user, c)]
    return render_template(
        "orgs/detail.html", org=org, committee=committee, children=children,
        parent_visible=org.parent is not None and access.can_view(current_user, org.parent),
        counts=_member_counts([org.id] + [c.id for c in children]),
        can_manage=access.manages(current_user, org),
        can_record_here=can_record(current_user, org),
        can_edit=org_editable_by_current_user(org),
        exceptions=_exceptions(org),
        child_kinds=[(k, ORG_KINDS[k]) for k in ALLOWED_CHILD_KINDS.get(org.kind, ())]
        if access.manages(current_user, org) and not org.is_closed else [],
    )


def _exceptions(org) -> list[StructuralException]:
    return list(db.session.scalars(select(StructuralException).where(StructuralException.org_id == org.id)
                                   .order_by(StructuralException.created_at, StructuralException.id)))


def _group_choices(parent) -> list[Membership]:
    """Branch members who may be put into a new party group."""
    if parent.kind != "branch":
        return []
    return [m for m in _active_members(parent) if m.relation == "home" or parent.is_temporary]


def _chosen(form, members: list[Membership]) -> list[Membership]:
    by_id = {str(m.id): m for m in members}
    raw = form.group_member_ids.data or []
    if any(i not in by_id for i in raw):
        form.group_member_ids.errors.append("只能选择本支部的党员")
        return []
    return [by_id[i] for i in dict.fromkeys(raw)]


def _party_sizes(memberships: list[Membership]) -> tuple[int, int]:
    party = [m for m in memberships if m.user.category in ("full", "probationary")]
    return len(party), sum(1 for m in party if m.user.category == "full")


def _active_members(org):
    return list(db.session.scalars(
        select(Membership).join(User, Membership.user_id == User.id)
        .where(Membership.org_id == org.id, Membership.active.is_(True)).order_by(User.name)
    ))


def _form(kind_choices, obj=None):
    form = OrgForm(obj=obj)
    form.kind.choices = kind_choices
    candidates = tree.leader_candidates(current_user)
    form.leader_id.choices = [("", "（不指定）")] + [
        (str(u.id), f"{u.name}（{u.phone or u.username or ''}）") for u in candidates
    ]
    return form, {u.id: u for u in candidates}


def _fields(form) -> dict:
    fields = {name: getattr(form, name).data if getattr(form, name).data is not None and
              getattr(form, name).data != "" else None for name in FIELDS}
    fields["name"] = form.name.data.strip()
    fields["description"] = (form.description.data or "").strip()
    return fields


def _leader(form, candidates):
    raw = form.leader_id.data
    if not raw:
        return None
    try:
        leader = candidates.get(int(raw))
    except ValueError:
        leader = None
    if leader is None:
        form.leader_id.errors.append("只能指定您所管理组织中的人员")
    return leader


def _child_warnings(form, parent: Organization, fields: dict, is_temporary: bool, chosen: list,
                    reason: str) -> list:
    """The structural warnings of the new child, none while the form itself has an error; a warning needs a
    reason (the form gains the errors)."""
    warnings = structural.creation_warnings(form.kind.data, is_temporary, fields,
                                            _party_sizes(chosen) if form.kind.data == "group" else None)
    try:
        tree.validate_child(parent, form.kind.data, is_temporary, fields)
    except tree.TreeError as error:
        form.name.errors.append(str(error))
        warnings = []  # the form's own errors first
    if warnings and not reason:
        form.exception_reason.errors.append(NEEDS_REASON)
    return warnings


def _create_child(form, parent: Organization, leader, is_temporary: bool, fields: dict, chosen: list,
                  warnings: list, reason: str) -> Organization | None:
    """The child created and committed, with its group members and accepted warnings; None (the form gains
    the error) when the tree refuses it."""
    try:
        org = tree.create_child(parent, form.kind.data, current_user, leader=leader,
                                is_temporary=is_temporary, **fields)
    except tree.TreeError as error:
        form.name.errors.append(str(error))
        return None
    tree.assign_group_members(org, chosen, current_user)
    if warnings:
        tree.accept_exception(org, warnings, reason, current_user)
    db.session.commit()
    return org


@bp.route("/<int:org_id>/children/new", methods=["GET", "POST"])
@login_required
def new_child(org_id: int):
    parent = visible_org_or_404(org_id)
    if not access.manages(current_user, parent):
        abort(403)
    kinds = [(k, ORG_KINDS[k]) for k in ALLOWED_CHILD_KINDS.get(parent.kind, ())]
    if not kinds:
        abort(404)
    form, candidates = _form(kinds)
    members = _group_choices(parent)
    form.group_member_ids.choices = [(str(m.id), f"{m.user.name}（{MEMBER_CATEGORIES.get(m.user.category, '')}）")
                                     for m in members]
    if request.method == "GET" and request.args.get("kind") in dict(kinds):
        form.kind.data = request.args["kind"]
        form.is_temporary.data = request.args.get("temporary", "0")
    status, warnings = 200, []
    if form.validate_on_submit():
        leader = _leader(form, candidates)
        chosen = _chosen(form, members) if form.kind.data == "group" else []
        fields = _fields(form)
        is_temporary = form.is_temporary.data == "1"
        reason = (form.exception_reason.data or "").strip()
        warnings = _child_warnings(form, parent, fields, is_temporary, chosen, reason)
        if not (form.name.errors or form.leader_id.errors or form.group_member_ids.errors
                or form.exception_reason.errors):
            org = _create_child(form, parent, leader, is_temporary, fields, chosen, warnings, reason)
            if org is not None:
                flash(f"已新建{org.kind_label}：{org.name}" + ("（已记录例外说明）" if warnings else ""), "success")
                return redirect(url_for("orgs.detail", org_id=org.id))
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("orgs/form.html", form=form, parent=parent, org=None, warnings=warnings), status


def _edit_warnings(form, org: Organization, fields: dict, reason: str) -> list:
    """Changing a field the structural rules read re-checks them; warnings already accepted stand. None while
    the dates are wrong; a warning needs a reason (the form gains the errors)."""
    changed = any(fields[name] != getattr(org, name) for name in STRUCTURAL_FIELDS)
    accepted = {w.get("message") for e in _exceptions(org) for w in e.warnings or [] if isinstance(w, dict)}
    warnings = [w for w in structural.creation_warnings(org.kind, org.is_temporary, fields)
                if w.message not in accepted] if changed else []
    try:
        tree.validate_dates(fields.get("start_date"), fields.get("end_date"))
    except tree.TreeError as error:
        form.end_date.errors.append(str(error))
        warnings = []
    if warnings and not reason:
        form.exception_reason.errors.append(NEEDS_REASON)
    return warnings


def _save_edit(form, org: Organization, leader, fields: dict, warnings: list, reason: str) -> bool:
    """The organization updated and committed with its accepted warnings; False (the form gains the error)
    when the tree refuses it."""
    try:
        tree.update(org, current_user, leader=leader, **fields)
    except tree.TreeError as error:
        form.end_date.errors.append(str(error))
        return False
    if warnings:
        tree.accept_exception(org, warnings, reason, current_user)
    db.session.commit()
    return True


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@login_required
def edit(org_id: int):
    org = visible_org_or_404(org_id)
    if not org_editable_by_current_user(org):
        abort(403)
    form, candidates = _form([(org.kind, org.kind_label)], obj=org)
    del form.kind, form.is_temporary, form.group_member_ids  # fixed once created; groups fill from the roster
    if request.method == "GET":
        form.leader_id.data = str(org.leader_id or "")
    status, warnings = 200, []
    if form.validate_on_submit():
        leader = _leader(form, candidates)
        fields = _fields(form)
        reason = (form.exception_reason.data or "").strip()
        warnings = _edit_warnings(form, org, fields, reason)
        if not (form.end_date.errors or form.leader_id.errors or form.exception_reason.errors) \
                and _save_edit(form, org, leader, fields, warnings, reason):
            flash("已保存" + ("（已记录例外说明）" if warnings else ""), "success")
            return redirect(url_for("orgs.detail", org_id=org.id))
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("orgs/form.html", form=form, parent=org.parent, org=org, warnings=warnings), status


@bp.route("/<int:org_id>/close", methods=["POST"])
@login_required
def close(org_id: int):
    org = visible_org_or_404(org_id)
    if not org_editable_by_current_user(org):
        abort(403)
    return act(lambda: tree.close(org, current_user), f"已撤销 {org.name}，其记录仍可查阅",
               url_for("orgs.detail", org_id=org.id))


@bp.route("/<int:org_id>/reopen", methods=["POST"])
@login_required
def reopen(org_id: int):
    org = visible_org_or_404(org_id)
    if not org_editable_by_current_user(org):
        abort(403)
    return act(lambda: tree.reopen(org, current_user), f"已恢复 {org.name}", url_for("orgs.detail", org_id=org.id))
