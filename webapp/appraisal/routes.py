"""民主评议党员 pages: a member writes the self-assessment and hands in the 互评 sheet; the committee sees
progress (who has not written — never a ranking), enters the 民主测评 counts and decides the grades."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import access
from ..china_time import china_today
from ..domain_errors import Invalid
from ..input_numbers import row_id
from ..models import Organization
from ..rules.branch_year import APPRAISAL_GRADES, APPRAISAL_STEPS
from ..view_helpers import act, managed_org_or_404, own_branch_or_404
from . import bp, workflow



def _year(year: int) -> int:
    if not 2000 <= year <= china_today().year:
        abort(404)
    return year


def _appraisal_or_404(org: Organization, year: int):
    appraisal = workflow.appraisal_of(org, _year(year))
    if appraisal is None:
        abort(404)
    return appraisal


def _back(org: Organization, year: int) -> str:
    return url_for("appraisal.page", org_id=org.id, year=year)


def _taking_part(appraisal) -> None:
    """403 for anyone who is not one of the appraisal's members (before the service, as before)."""
    if not any(u.id == current_user.id for u in workflow.participants(appraisal)):
        abort(403)


@bp.route("/<int:org_id>")
@login_required
def this_year(org_id: int):
    org = own_branch_or_404(org_id)
    return redirect(_back(org, china_today().year))


@bp.route("/<int:org_id>/<int:year>")
@login_required
def page(org_id: int, year: int):
    org = own_branch_or_404(org_id)
    year = _year(year)
    appraisal = workflow.appraisal_of(org, year)
    manages = access.manages(current_user, org)
    context = {"org": org, "year": year, "appraisal": appraisal, "manages": manages, "steps": APPRAISAL_STEPS,
               "grades": APPRAISAL_GRADES}
    if appraisal is not None:
        people = workflow.participants(appraisal)
        context.update(
            taking_part=any(u.id == current_user.id for u in people),
            others=[u for u in people if u.id != current_user.id],
            mine=workflow.self_assessment_of(appraisal, current_user),
            voted=workflow.has_voted(appraisal, current_user),
            progress=workflow.progress(appraisal),
            tallies=workflow.tallies(appraisal) if manages else [],
            cap=workflow.excellent_cap(appraisal, len(people), china_today()) if manages else None,
        )
    return render_template("appraisal/page.html", **context)


@bp.route("/<int:org_id>/<int:year>/open", methods=["POST"])
@login_required
def open_appraisal(org_id: int, year: int):
    org = managed_org_or_404(org_id)
    return act(lambda: workflow.open_appraisal(org, _year(year), current_user),
               f"{year} 年度民主评议已启动，党员可以填写个人自评", _back(org, year))


@bp.route("/<int:org_id>/<int:year>/self", methods=["POST"])
@login_required
def write_self(org_id: int, year: int):
    org = own_branch_or_404(org_id)
    appraisal = _appraisal_or_404(org, year)
    _taking_part(appraisal)
    uuid = (request.form.get("uuid") or "").lower() or None
    return act(lambda: workflow.write_self_assessment(appraisal, current_user, request.form.get("text", ""),
                                                      uuid=uuid if uuid and len(uuid) == 36 else None),
               "个人自评已保存", _back(org, year))


@bp.route("/<int:org_id>/<int:year>/ballot", methods=["POST"])
@login_required
def ballot(org_id: int, year: int):
    org = own_branch_or_404(org_id)
    appraisal = _appraisal_or_404(org, year)
    _taking_part(appraisal)
    sheet = {}
    for name in request.form:
        if name.startswith("grade_"):
            subject_id = row_id(name[6:])
            if subject_id is not None:
                sheet[subject_id] = (request.form.get(name, ""), request.form.get(f"remark_{subject_id}", ""))
    return act(lambda: workflow.cast_ballot(appraisal, current_user, sheet),
               lambda count: f"互评表已提交（{count} 名党员），不记名保存", _back(org, year))


def _count(value) -> int:
    value = (value or "0").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 6:
        raise Invalid({"counts": "票数应为非负整数"})
    return int(value)


@bp.route("/<int:org_id>/<int:year>/counts", methods=["POST"])
@login_required
def counts(org_id: int, year: int):
    org = managed_org_or_404(org_id)
    appraisal = _appraisal_or_404(org, year)

    def record() -> None:
        returned = _count(request.form.get("ballots_returned"))
        by_subject: dict[int, dict[str, int]] = {}
        for name in request.form:
            grade, _, raw_id = name.partition("__")
            subject_id = row_id(raw_id)
            if grade in APPRAISAL_GRADES and subject_id is not None:
                by_subject.setdefault(subject_id, {})[grade] = _count(request.form.get(name))
        workflow.record_vote_counts(appraisal, current_user, returned, by_subject)

    return act(record, "民主测评票数已登记", _back(org, year))


@bp.route("/<int:org_id>/<int:year>/decide", methods=["POST"])
@login_required
def decide(org_id: int, year: int):
    org = managed_org_or_404(org_id)
    appraisal = _appraisal_or_404(org, year)
    grades = {}
    for name in request.form:
        if name.startswith("grade_") and row_id(name[6:]) is not None:
            grades[row_id(name[6:])] = request.form.get(name, "")
    return act(lambda: workflow.decide(appraisal, current_user, grades),
               lambda count: f"组织评定完成：{count} 名党员的评议等次已计入年度结果", _back(org, year))
