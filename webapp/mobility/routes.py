"""Members on the move: temporary branches, 流动党员, 组织关系转接. Views are thin: each loads what the
user may see (404 otherwise), checks who may act (403), calls a service, commits, and redirects."""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import access
from ..accounts import rights
from ..passwords import hash_password
from ..china_time import china_today
from ..domain_errors import DomainError, Invalid, NotAllowed
from ..extensions import db
from ..input_numbers import row_id
from ..members import participation
from ..models import (
    FlowingMember, HandoverReport, Membership, MembershipInvitation, MembershipTransfer, Organization, User,
)
from ..orgs import tree
from ..records.visibility import can_record
from ..roster import members as roster_members
from ..rules.mobility import TEMPORARY_BRANCH_MAY, TEMPORARY_BRANCH_MAY_NOT
from ..view_helpers import act, managed_org_or_404, row_or_404, save_or_errors, visible_org_or_404
from . import bp, flowing_members, person_file, temporary_branches, transfers
from .forms import (
    ActionForm, CloseForm, FoundForm, IncomingForm, ObservationForm, OutflowForm, OutsideMemberForm, ReasonForm,
    ResolveForm, TransferForm, WhereaboutsForm, WorkerForm,
)



def _show(form, errors: dict[str, str], default: str = "name") -> None:
    """A refused form's messages by field, shown at their fields (at ``default`` when the form has none)."""
    for name, message in errors.items():
        target = getattr(form, name, None) or getattr(form, default, None)
        if target is None:
            flash(message, "error")
        else:
            target.errors = list(target.errors) + [message]


def _save_or_show(form, save, done, target, field: str = "name"):
    """``save_or_errors``; refused → the messages shown on ``form``, None."""
    saved, errors = save_or_errors(save, done, target, field)
    if saved is None:
        _show(form, errors, field)
    return saved


def _temporary_or_404(org_id: int) -> Organization:
    org = visible_org_or_404(org_id)
    if not org.is_temporary:
        abort(404)
    return org


def _managed_temporary(org_id: int) -> Organization:
    org = _temporary_or_404(org_id)
    if not access.manages(current_user, org):
        abort(403)
    return org


def _by_uuid(model, uuid: str):
    if len(uuid) > 36:
        abort(404)
    return row_or_404(model, where=(model.uuid == uuid.lower(),))


def _form_errors(form) -> str:
    return "；".join(e for errors in form.errors.values() for e in errors)


def _home_members(org: Organization) -> list[User]:
    return list(db.session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.org_id == org.id, Membership.relation == "home", Membership.active.is_(True))
        .order_by(User.name)))


def _branches_in_tree(org: Organization) -> list[Organization]:
    """Running, non-temporary branches under the same top organization (where transfers can go)."""
    top = org.ancestor_ids()[0] if org.ancestor_ids() else org.id
    return list(db.session.scalars(select(Organization).where(
        Organization.path.startswith(f"/{top}/"), Organization.kind == "branch",
        Organization.is_temporary.is_(False), Organization.closed_at.is_(None), Organization.id != org.id)
        .order_by(Organization.path)))


def _chosen(raw, allowed: list, _label: str = ""):
    chosen_id = row_id(raw)
    for item in allowed:
        if item.id == chosen_id:
            return item
    return None


# --- the temporary branch: founding ---------------------------------------------------------------

@bp.route("/orgs/<int:org_id>/temporary/new", methods=["GET", "POST"])
@login_required
def found_temporary(org_id: int):
    parent = managed_org_or_404(org_id)
    if parent.kind not in temporary_branches.FOUNDING_KINDS or parent.is_closed:
        abort(404)
    form = FoundForm()
    candidates = tree.leader_candidates(current_user)
    form.leader_id.choices = [("", "（请选择）")] + [(str(u.id), u.name) for u in candidates]
    form.committee_ids.choices = [(str(u.id), u.name) for u in candidates]
    warnings, status = [], 200
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in ("name", "project_name", "site", "start_date",
                                                                "end_date", "planned_people", "planned_members")}
        fields["name"], fields["site"] = fields["name"].strip(), (fields["site"] or "").strip() or None
        warnings = temporary_branches.conditions(parent, fields)
        leader = _chosen(form.leader_id.data, candidates, "临时负责人")
        saved = _save_or_show(
            form,
            lambda: temporary_branches.found(parent, current_user, fields, leader=leader,
                                             approval_number=form.approval_number.data,
                                             approval_date=form.approval_date.data,
                                             reason=form.exception_reason.data,
                                             committee=[u for u in candidates
                                                        if str(u.id) in set(form.committee_ids.data or [])]),
            lambda org: f"已成立临时党支部：{org.name}" + ("（已记录例外说明）" if warnings else ""),
            lambda org: url_for("mobility.temporary", org_id=org.id), "name")
        if saved:
            return saved
        status = 400
    elif request.method == "POST":
        status = 400
    alternatives = temporary_branches.group_alternatives(current_user, parent) if warnings else []
    return render_template("mobility/found.html", form=form, parent=parent, warnings=warnings,
                           alternatives=alternatives), status


# --- the temporary branch: its page, gathering, workers, observations, closing ------------------------

@bp.route("/temporary/<int:org_id>")
@login_required
def temporary(org_id: int):
    org = _temporary_or_404(org_id)
    manages = access.manages(current_user, org)
    members = temporary_branches.members_by_home(org)
    activists = [m for _, group in members for m in group if m.user.category == "activist"]
    return render_template(
        "mobility/temporary.html", org=org, charter=temporary_branches.charter(org), manages=manages,
        members=members, activists=activists, workers=temporary_branches.workers(org),
        inflow=flowing_members.inflow_to(org), reports=temporary_branches.reports_of(org) if manages else [],
        pending=list(db.session.scalars(select(MembershipInvitation).where(
            MembershipInvitation.org_id == org.id, MembershipInvitation.state == "pending"))) if manages else [],
        may=TEMPORARY_BRANCH_MAY, may_not=TEMPORARY_BRANCH_MAY_NOT, outside_form=OutsideMemberForm(),
        can_record_here=can_record(current_user, org),
        worker_form=WorkerForm(), observation_form=ObservationForm(), close_form=CloseForm(on=china_today()),
        results=None, query="")


@bp.route("/temporary/<int:org_id>/gather", methods=["GET", "POST"])
@login_required
def gather(org_id: int):
    org = _managed_temporary(org_id)
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)

        def gathered(outcome) -> str:
            if isinstance(outcome, MembershipInvitation):
                return f"已向 {outcome.user.name} 发出邀请，本人接受（或上级党组织批准）后加入"
            return f"{outcome.user.name} 已加入 {org.name}"

        return act(lambda: temporary_branches.gather(org, row_id(request.form.get("user_id")) or 0, current_user),
                   gathered, url_for("mobility.gather", org_id=org.id))
    query = (request.args.get("q") or "").strip()
    try:
        results = temporary_branches.search(org, current_user, query)
    except DomainError as error:
        flash(error.message, "error")
        results = []
    return render_template("mobility/gather.html", org=org, results=results, query=query,
                           masked=temporary_branches.masked_phone)


def _temporary_post(org_id: int, form_class, action):
    org = _managed_temporary(org_id)
    form = form_class()
    if not form.validate_on_submit():
        flash(_form_errors(form), "error")
        return redirect(url_for("mobility.temporary", org_id=org.id)), 303
    # The action returns the message to flash.
    return act(lambda: action(org, form), lambda message: message, url_for("mobility.temporary", org_id=org.id))


@bp.route("/temporary/<int:org_id>/outside", methods=["POST"])
@login_required
def add_outside(org_id: int):
    def action(org, form):
        entry = flowing_members.register_from_outside(org, current_user, form.data)
        return f"已登记流动党员 {entry.user.name}（{entry.home_org_name}）"
    return _temporary_post(org_id, OutsideMemberForm, action)


@bp.route("/temporary/<int:org_id>/workers", methods=["POST"])
@login_required
def add_worker(org_id: int):
    def action(org, form):
        worker = temporary_branches.add_worker(org, current_user, form.data)
        return f"已登记项目人员 {worker.name}"
    return _temporary_post(org_id, WorkerForm, action)


@bp.route("/temporary/<int:org_id>/observations", methods=["POST"])
@login_required
def observe(org_id: int):
    def action(org, form):
        note = temporary_branches.observe(org, current_user, row_id(form.user_id.data) or 0, form.text.data)
        return f"已记录对 {note.user.name} 的考察意见"
    return _temporary_post(org_id, ObservationForm, action)


@bp.route("/temporary/<int:org_id>/close", methods=["POST"])
@login_required
def close_temporary(org_id: int):
    def action(org, form):
        reports = temporary_branches.close(org, current_user, form.on.data)
        return f"{org.name} 已撤销，{len(reports)} 份移交报告已送达各党员正式组织关系所在支部"
    return _temporary_post(org_id, CloseForm, action)


# --- handover reports ---------------------------------------------------------------------------

def _report_or_404(report_uuid: str) -> HandoverReport:
    report = _by_uuid(HandoverReport, report_uuid)
    if not temporary_branches.may_see_report(current_user, report):
        abort(404)
    return report


@bp.route("/handover/<report_uuid>")
@login_required
def handover(report_uuid: str):
    return render_template("mobility/handover.html", report=_report_or_404(report_uuid))


@bp.route("/handover/<report_uuid>.pdf")
@login_required
def handover_pdf_file(report_uuid: str):
    from . import handover_pdf  # fpdf only where a PDF is made (tests/unit/test_lazy_imports.py)

    report = _report_or_404(report_uuid)
    response = make_response(handover_pdf.build(report))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f"attachment; filename=handover-{report.uuid}.pdf"
    return response


@bp.route("/orgs/<int:org_id>/handovers")
@login_required
def handovers(org_id: int):
    org = managed_org_or_404(org_id)
    return render_template("mobility/handovers.html", org=org,
                           reports=temporary_branches.reports_for_home(org) + temporary_branches.reports_of(org))


# --- 流动党员 --------------------------------------------------------------------------------------

@bp.route("/orgs/<int:org_id>/flowing")
@login_required
def flowing(org_id: int):
    org = managed_org_or_404(org_id)
    return render_template("mobility/flowing.html", org=org, away=flowing_members.away_from(org),
                           inflow=flowing_members.inflow_to(org), reason_form=ReasonForm())


@bp.route("/orgs/<int:org_id>/flowing/new", methods=["GET", "POST"])
@login_required
def register_outflow(org_id: int):
    org = managed_org_or_404(org_id)
    form = OutflowForm()
    people = _home_members(org)
    branches = _branches_in_tree(org)
    form.user_id.choices = [("", "（请选择）")] + [(str(u.id), u.name) for u in people]
    form.receiving_org_id.choices = [("", "（系统外或暂不确定）")] + [(str(b.id), b.name) for b in branches]
    status = 200
    if form.validate_on_submit():
        person = _chosen(form.user_id.data, people, "党员")
        data = dict(form.data)
        if data.get("receiving_org_id") and _chosen(data["receiving_org_id"], branches, "") is None:
            data["receiving_org_id"] = "invalid"

        def register():
            if person is None:
                raise Invalid({"user_id": "请选择本支部党员"})
            return flowing_members.register_outflow(org, person, current_user, data)

        saved = _save_or_show(form, register, lambda _: f"已登记 {person.name} 外出流动",
                              lambda _: url_for("mobility.flowing", org_id=org.id), "destination")
        if saved:
            return saved
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("mobility/outflow.html", form=form, org=org), status


def _flowing_action(flowing_uuid: str, may, action, message: str):
    entry = _by_uuid(FlowingMember, flowing_uuid)
    if not flowing_members.may_see(current_user, entry):
        abort(404)
    if not may(entry):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    org = entry.home_org or entry.receiving_org
    if not access.manages(current_user, org):
        org = entry.receiving_org
    return act(lambda: action(entry), message.format(name=entry.user.name), url_for("mobility.flowing", org_id=org.id))


def _keeps(entry: FlowingMember) -> bool:
    org = entry.home_org or entry.receiving_org
    return org is not None and access.manages(current_user, org)


def _receives(entry: FlowingMember) -> bool:
    return entry.receiving_org is not None and access.manages(current_user, entry.receiving_org)


@bp.route("/flowing/<flowing_uuid>/lost", methods=["POST"])
@login_required
def flowing_lost(flowing_uuid: str):
    return _flowing_action(flowing_uuid, _keeps, lambda e: flowing_members.mark_lost(e, current_user),
                           "已登记 {name} 失联")


@bp.route("/flowing/<flowing_uuid>/returned", methods=["POST"])
@login_required
def flowing_returned(flowing_uuid: str):
    return _flowing_action(flowing_uuid, _keeps, lambda e: flowing_members.mark_returned(e, current_user),
                           "已登记 {name} 返回")


@bp.route("/flowing/<flowing_uuid>/accept", methods=["POST"])
@login_required
def flowing_accept(flowing_uuid: str):
    return _flowing_action(flowing_uuid, _receives, lambda e: flowing_members.accept_inflow(e, current_user),
                           "已接收流动党员 {name}")


@bp.route("/me/whereabouts", methods=["GET", "POST"])
@login_required
def my_whereabouts():
    entry = flowing_members.open_entry(current_user)
    form = WhereaboutsForm(obj=entry)
    status = 200
    if form.validate_on_submit():
        saved = _save_or_show(form, lambda: flowing_members.update_whereabouts(current_user, form.data),
                              "所在地已更新", lambda _: url_for("mobility.my_whereabouts"), "whereabouts")
        if saved:
            return saved
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("mobility/whereabouts.html", form=form, entry=entry), status


# --- 组织关系转接 ----------------------------------------------------------------------------------

@bp.route("/orgs/<int:org_id>/transfers")
@login_required
def transfer_list(org_id: int):
    org = managed_org_or_404(org_id)
    return render_template("mobility/transfers.html", org=org, rows=transfers.for_org(org),
                           pocket=transfers.pocket_members(org), today=china_today(), reason_form=ReasonForm(),
                           resolve_form=ResolveForm())


@bp.route("/orgs/<int:org_id>/transfers/new", methods=["GET", "POST"])
@login_required
def new_transfer(org_id: int):
    org = managed_org_or_404(org_id)
    form = TransferForm()
    people, branches = _home_members(org), _branches_in_tree(org)
    form.user_id.choices = [("", "（请选择）")] + [(str(u.id), u.name) for u in people]
    form.to_org_id.choices = [("", "（系统外）")] + [(str(b.id), b.name) for b in branches]
    status = 200
    if form.validate_on_submit():
        person = _chosen(form.user_id.data, people, "党员")

        def issue():
            if person is None:
                raise Invalid({"user_id": "请选择本支部党员"})
            if form.kind.data == "within":
                to_org = _chosen(form.to_org_id.data, branches, "转入党支部")
                if to_org is None:
                    raise Invalid({"to_org_id": "请选择转入党支部"})
                return transfers.issue_within(person, org, to_org, current_user, note=form.note.data)
            return transfers.issue_letter(person, org, current_user, destination=form.destination.data,
                                          letter_number=form.letter_number.data, valid_until=form.valid_until.data)

        saved = _save_or_show(form, issue, lambda transfer: f"已办理 {person.name} 的{transfer.kind_label}",
                              lambda _: url_for("mobility.transfer_list", org_id=org.id), "user_id")
        if saved:
            return saved
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("mobility/transfer_form.html", form=form, org=org), status


def _transfer_action(transfer_uuid: str, acting_org, form_class, action, message: str):
    transfer = _by_uuid(MembershipTransfer, transfer_uuid)
    if not transfers.may_see(current_user, transfer):
        abort(404)
    org = acting_org(transfer)
    if org is None or not access.manages(current_user, org):
        abort(403)
    form = form_class()
    target = url_for("mobility.transfer_list", org_id=org.id)
    if not form.validate_on_submit():
        flash(_form_errors(form), "error")
        return redirect(target)
    return act(lambda: action(transfer, form), message.format(name=transfer.user.name), target)


@bp.route("/transfers/<transfer_uuid>/accept", methods=["POST"])
@login_required
def transfer_accept(transfer_uuid: str):
    return _transfer_action(transfer_uuid, lambda t: t.to_org, ActionForm,
                            lambda t, f: transfers.accept(t, current_user), "{name} 的组织关系已转入")


@bp.route("/transfers/<transfer_uuid>/return", methods=["POST"])
@login_required
def transfer_return(transfer_uuid: str):
    return _transfer_action(transfer_uuid, lambda t: t.to_org if t.kind == "within" else t.from_org, ReasonForm,
                            lambda t, f: transfers.return_transfer(t, current_user, f.reason.data),
                            "{name} 的组织关系转接已退回")


@bp.route("/transfers/<transfer_uuid>/in-transit", methods=["POST"])
@login_required
def transfer_in_transit(transfer_uuid: str):
    return _transfer_action(transfer_uuid, lambda t: t.from_org, ActionForm,
                            lambda t, f: transfers.mark_in_transit(t, current_user), "{name} 的介绍信已登记在途")


@bp.route("/transfers/<transfer_uuid>/receipt", methods=["POST"])
@login_required
def transfer_receipt(transfer_uuid: str):
    return _transfer_action(transfer_uuid, lambda t: t.from_org, ActionForm,
                            lambda t, f: transfers.receipt(t, current_user), "{name} 的介绍信已回执")


@bp.route("/transfers/<transfer_uuid>/resolve", methods=["POST"])
@login_required
def transfer_resolve(transfer_uuid: str):
    return _transfer_action(transfer_uuid, lambda t: t.from_org, ResolveForm,
                            lambda t, f: transfers.resolve_pocket(t, current_user, f.resolution.data, f.note.data,
                                                                  letter_number=f.letter_number.data or "",
                                                                  valid_until=f.valid_until.data),
                            "{name} 的过期介绍信已处理")


@bp.route("/orgs/<int:org_id>/transfers/incoming", methods=["GET", "POST"])
@login_required
def register_incoming(org_id: int):
    org = managed_org_or_404(org_id)
    form = IncomingForm()
    status = 200
    if form.validate_on_submit():
        data = {"name": form.name.data, "phone": form.phone.data, "gender": form.gender.data or None,
                "birth_date": form.birth_date.data, "category": form.category.data, "join_date": form.join_date.data,
                "post": form.post.data, "relation": "home"}
        try:
            phone = roster_members.normalize_phone(form.phone.data)
            if db.session.scalar(select(User.id).where(User.phone == phone)) is not None:
                raise Invalid({"phone": "该手机号已有账号：系统内的转接请由原支部办理转出"})
            if org.is_temporary:
                raise NotAllowed("临时党支部不办理组织关系转接")
            added = roster_members.add_member(org, data, current_user, hash_password)
            transfers.register_incoming(org, added.membership.user, current_user, origin=form.origin.data,
                                        letter_number=form.letter_number.data, issued_on=form.issued_on.data,
                                        dues_paid_through=(form.dues_paid_through.data or "").strip() or None)
        except roster_members.RosterError as error:
            db.session.rollback()
            for name, message in error.errors.items():
                target = getattr(form, name, None) or form.name
                target.errors = list(target.errors) + [message]
        except DomainError as error:
            db.session.rollback()
            _show(form, error.field_errors("letter_number"), "letter_number")
        else:
            db.session.commit()
            flash(f"已登记 {added.membership.user.name} 转入，初始密码：{added.initial_password}", "success")
            return redirect(url_for("mobility.transfer_list", org_id=org.id))
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("mobility/incoming.html", form=form, org=org), status


# --- a person's file: one continuous history across branches ----------------------------------------

@bp.route("/people/<int:user_id>/file")
@login_required
def person(user_id: int):
    person = db.session.get(User, user_id)
    if person is None or not rights.manages_account(current_user, person):
        abort(404)
    today = china_today()
    return render_template("mobility/person.html", person=person, file=person_file.snapshot(person, today),
                           took=participation.history([person.id])[person.id],
                           branches=participation.branches_of(person.id), moves=transfers.of_person(person),
                           today=today)


# --- on site: a member from outside Zhibu added to an activity's attendance ---------------------------

@bp.route("/records/<record_uuid>/outside-attendee", methods=["POST"])
@login_required
def outside_attendee(record_uuid: str):
    from ..models import Record
    from ..records.visibility import can_view
    from . import outside_attendance

    record = _by_uuid(Record, record_uuid)
    if not can_view(current_user, record):
        abort(404)
    if not access.manages(current_user, record.org):
        abort(403)
    form = OutsideMemberForm()
    target = url_for("records.detail", uuid=record.uuid)
    if not form.validate_on_submit():
        flash(_form_errors(form), "error")
        return redirect(target)
    entry_uuid = (request.form.get("uuid") or "").strip().lower() or None
    if entry_uuid is not None and (len(entry_uuid) != 36 or entry_uuid.count("-") != 4):
        entry_uuid = None
    return act(lambda: outside_attendance.add(current_user, record, form.data, entry_uuid),
               lambda entry: f"已登记流动党员 {entry.user.name} 出席", target)
