"""对标: a branch's checklist for any period, the committee dashboard, member alerts, and the problem
list with its rectification ledger."""
from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import access
from ..china_time import china_today
from ..extensions import db
from ..htmx import render
from ..input_numbers import row_id
from ..models import Membership, Problem
from ..rules.adjustable import ADJUSTABLE_RULES, GROUPS
from ..rules.standards import PROBLEM_STATES, STANDARDS_BY_KEY
from ..dues import alerts as dues_alerts
from ..view_helpers import act, managed_org_or_404, row_or_404, save_or_errors, visible_org_or_404, year_arg
from . import (alerts, bp, checklist, dashboard, periods, problems, rollup, rule_book, rule_changes, summaries,
               ticks)


@bp.route("/")
@login_required
def dashboard_page():
    """The committee dashboard as a tree (``rollup``): ?org= drills down; outside the user's subtree: 404."""
    if not access.manages_any(current_user):
        abort(403)
    today = china_today()
    year = year_arg(request.args.get("year"), today.year)
    page = row_id(request.args.get("page", "")) or 1
    if "org" in request.args:
        node = rollup.node_or_none(current_user, row_id(request.args["org"]) or 0)
        if node is None:
            abort(404)
    else:
        node = rollup.start_of(current_user)
    crumbs = rollup.crumbs_of(current_user, node)
    several_roots = rollup.start_of(current_user) is None  # a "全部" crumb leads back to all of them
    if node is not None and rollup.is_leaf(node):
        sort = request.args.get("sort", "name")
        board = dashboard.build(current_user, year, today, temporary_only=request.args.get("temporary") == "1",
                                missing_this_month=request.args.get("missing") == "1",
                                sort=sort if sort in dashboard.SORTS else "name", page=page, under=node)
        return render("standards/dashboard.html", "standards/_dashboard_table.html", board=board, level=None,
                      node=node, crumbs=crumbs, several_roots=several_roots, year=year, sorts=dashboard.SORTS, sort=sort, args=request.args)
    level = rollup.build(current_user, node, today, year, page)
    return render("standards/dashboard.html", "standards/_dashboard_table.html", board=None, level=level,
                  node=node, crumbs=crumbs, several_roots=several_roots, year=year, sorts=dashboard.SORTS, sort="name", args=request.args)


@bp.route("/<int:org_id>")
@login_required
def checklist_page(org_id: int):
    org = managed_org_or_404(org_id)
    if org.kind != "branch":
        abort(404)
    today = china_today()
    period = periods.parse(request.args.get("period"), today)
    items = checklist.evaluate(org, period, today)
    met, due = checklist.completion(items)
    year = period.start.year
    choices = ([periods.make("year", year)] + [periods.make("half_year", year, i) for i in (1, 2)]
               + [periods.make("quarter", year, i) for i in (1, 2, 3, 4)]
               + [periods.make("month", year, m) for m in range(1, 13)])
    return render("standards/checklist.html", "standards/_checklist.html", org=org, period=period, items=items,
                  met=met, due=due, choices=choices, today=today)


@bp.route("/<int:org_id>/ticks/<key>", methods=["POST"])
@login_required
def tick(org_id: int, key: str):
    org = managed_org_or_404(org_id)
    spec = STANDARDS_BY_KEY.get(key)
    if spec is None or spec["check"] != "manual":
        abort(404)
    year = year_arg(request.form.get("year"), china_today().year)
    return act(lambda: ticks.tick(org, spec, year, request.form.get("note", ""), request.form.get("photo_sha256"),
                                  current_user),
               f"已勾选：{spec['label']}",
               url_for("standards.checklist_page", org_id=org.id, period=request.form.get("period") or year))


@bp.route("/<int:org_id>/alerts")
@login_required
def alerts_page(org_id: int):
    org = managed_org_or_404(org_id)
    return render_template("standards/alerts.html", org=org, alerts=alerts.member_alerts(org, china_today()),
                           dues_alerts=dues_alerts.member_dues_alerts(org, china_today()))


@bp.route("/<int:org_id>/problems", methods=["GET", "POST"])
@login_required
def problems_page(org_id: int):
    org = managed_org_or_404(org_id)
    errors: dict[str, str] = {}
    values = request.values
    if request.method == "POST":
        saved, errors = save_or_errors(lambda: problems.open_problem(org, request.form, current_user),
                                       "已登记问题，请按期整改",
                                       lambda _: url_for("standards.problems_page", org_id=org.id), "description")
        if saved:
            return saved
    members = list(db.session.scalars(select(Membership).where(Membership.org_id == org.id,
                                                               Membership.active.is_(True))))
    prefill = STANDARDS_BY_KEY.get(values.get("standard_key", ""))
    return render_template("standards/problems.html", org=org, problems=problems.problems_of(org),
                           errors=errors, values=values, members=members, prefill=prefill,
                           standards=STANDARDS_BY_KEY, states=PROBLEM_STATES, today=china_today()), \
        (400 if errors else 200)


@bp.route("/problems/<problem_uuid>/close", methods=["POST"])
@login_required
def close_problem(problem_uuid: str):
    problem = row_or_404(Problem, where=(Problem.uuid == problem_uuid,))
    org = managed_org_or_404(problem.org_id)
    return act(lambda: problems.close_problem(problem, request.form, current_user), "问题已销号",
               url_for("standards.problems_page", org_id=org.id))


@bp.route("/rules/<int:org_id>", methods=["GET", "POST"])
@login_required
def rules_page(org_id: int):
    """规则调整: the rules in force for an organization; its higher committee adjusts them here."""
    org = visible_org_or_404(org_id)
    can_adjust = rule_changes.may_adjust(current_user, org)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not can_adjust:
            abort(403)
        saved, errors = save_or_errors(
            lambda: rule_changes.adjust(org, request.form, current_user),
            lambda override: f"已调整：{ADJUSTABLE_RULES[override.key]['label']}，"
                             f"自 {override.effective_from:%Y-%m-%d} 起执行",
            lambda _: url_for("standards.rules_page", org_id=org.id), "key")
        if saved:
            return saved
    today = china_today()
    book = rule_book.book_for(org)
    rows = [(key, spec, book.in_force(key, today)) for key, spec in ADJUSTABLE_RULES.items()]
    history = sorted((o for key in ADJUSTABLE_RULES for o in book.changes(key)),
                     key=lambda o: (o.effective_from, o.id), reverse=True)
    above = [a for a in access.managed_orgs(current_user) if org.is_within(a) and rule_changes.may_adjust(current_user, a)
             and a.id != org.id]
    return render_template("standards/rules.html", org=org, rows=rows, history=history, groups=GROUPS,
                           rules=ADJUSTABLE_RULES, can_adjust=can_adjust, errors=errors, values=request.form,
                           today=today, show_value=rule_changes.show_value, editable_text=rule_changes.editable_text,
                           above=above, current={key: in_force.value for key, _, in_force in rows}), \
        (400 if errors else 200)


@bp.cli.command("rollup-fill")
def rollup_fill_command():
    """Fill the committee dashboard's stored figures for every year with records (run at the start of a
    year, or after loading data by hand, so that no first view waits for it)."""
    import click

    from . import rollup_store

    rows = rollup_store.refresh_all()
    db.session.commit()
    click.echo(f"已填充委员会看板汇总：{rows} 行")


@bp.cli.command("rebuild")
def rebuild_command():
    """Recount the monthly summaries from every approved record."""
    import click

    rows = summaries.rebuild()
    db.session.commit()
    click.echo(f"已重建对标统计：{rows} 行")
