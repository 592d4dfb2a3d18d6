"""活动安排 (/plans/…) and 学习任务 (/study-tasks/…): thin views over webapp/plans/service.py."""
from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from .. import access
from ..china_time import china_today
from ..extensions import db
from ..models import Organization, PlannedActivity, StudyTask, StudyTaskDone
from ..push import scheduler
from ..view_helpers import managed_org_or_404, row_or_404, save_or_errors
from . import bp
from . import service as planning
from .forms import ActivityForm, ConfirmForm, StudyTaskForm


PLAN_ORG_KINDS = ("branch",)
TASK_ORG_KINDS = ("committee", "general_branch", "branch")
OVERDUE_SHOWN = timedelta(days=30)


def _activity_or_404(plan_id: int) -> PlannedActivity:
    return row_or_404(PlannedActivity, plan_id, visible=lambda activity: access.can_view(current_user, activity.org))


def _task_visible(task: StudyTask) -> bool:
    if access.can_view(current_user, task.org):
        return True
    # A task of a higher committee reaches every member below it.
    return any(m.org.is_within(task.org) for m in access.active_memberships(current_user))


def _task_or_404(task_id: int) -> StudyTask:
    return row_or_404(StudyTask, task_id, visible=_task_visible)


def _show_errors(form, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        target = getattr(form, name, None) or form.title
        target.errors = list(target.errors) + [message]


def _save(form, save, message: str, target):
    """Validate ``form`` and run ``save()``: (a redirect to ``target(saved)``, 302) once saved and
    committed, else (None, the status to render the form with, its errors shown)."""
    if form.validate_on_submit():
        saved, errors = save_or_errors(save, message, target, "title")
        if saved:
            return saved, 302
        _show_errors(form, errors)
        return None, 400
    return None, 400 if form.is_submitted() else 200


def _activity_data(form) -> dict:
    return {name: getattr(form, name).data for name in planning.ACTIVITY_FIELDS}


# --- 活动安排 ----------------------------------------------------------------------------------------

@bp.route("/plans/")
@login_required
def index():
    today = china_today()
    orgs = access.visible_orgs(current_user, kinds=PLAN_ORG_KINDS)
    org_ids = {o.id for o in orgs}
    activities = planning.upcoming_for(current_user, org_ids, today)
    schedulable = [o for o in access.managed_orgs(current_user, kinds=PLAN_ORG_KINDS) if not o.is_closed]
    return render_template("plans/index.html", activities=activities, schedulable=schedulable)


@bp.route("/plans/new/<int:org_id>", methods=["GET", "POST"])
@login_required
def new(org_id: int):
    org = managed_org_or_404(org_id)
    if org.kind not in PLAN_ORG_KINDS or org.is_closed:
        abort(404)
    form = ActivityForm()
    saved, status = _save(form, lambda: planning.create_activity(org, _activity_data(form), current_user),
                          "已安排活动，支部党员将在前一天和开始前两小时收到提醒",
                          lambda activity: url_for("plans.detail", plan_id=activity.id))
    return saved or (render_template("plans/form.html", org=org, form=form, activity=None), status)


@bp.route("/plans/<int:plan_id>")
@login_required
def detail(plan_id: int):
    activity = _activity_or_404(plan_id)
    return render_template("plans/detail.html", activity=activity,
                           can_manage=access.manages(current_user, activity.org), confirm_form=ConfirmForm())


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@login_required
def edit(plan_id: int):
    activity = _activity_or_404(plan_id)
    if not access.manages(current_user, activity.org):
        abort(403)
    if activity.is_cancelled:
        abort(404)
    form = ActivityForm(obj=activity)
    saved, status = _save(form, lambda: planning.update_activity(activity, _activity_data(form), current_user),
                          "已保存，变更通知将发送给支部党员", lambda _: url_for("plans.detail", plan_id=activity.id))
    return saved or (render_template("plans/form.html", org=activity.org, form=form, activity=activity), status)


@bp.route("/plans/<int:plan_id>/cancel", methods=["POST"])
@login_required
def cancel(plan_id: int):
    activity = _activity_or_404(plan_id)
    if not access.manages(current_user, activity.org):
        abort(403)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    planning.cancel_activity(activity, current_user)
    db.session.commit()
    flash("活动已取消，取消通知将发送给支部党员", "success")
    return redirect(url_for("plans.detail", plan_id=activity.id))


# --- 学习任务 ----------------------------------------------------------------------------------------

def _my_task_query():
    memberships = access.active_memberships(current_user)
    ancestor_ids = {i for m in memberships for i in m.org.ancestor_ids()} | {m.org_id for m in memberships}
    clauses = [StudyTask.org_id.in_(ancestor_ids or {-1}),
               StudyTask.org_id.in_(select(Organization.id).where(access.visible_filter(current_user)))]
    return select(StudyTask).where(or_(*clauses))


@bp.route("/study-tasks/")
@login_required
def tasks():
    today = china_today()
    # Overdue tasks stay listed for a while: a deadline warns, it never blocks (docs/domain.md last section).
    rows = list(db.session.scalars(_my_task_query().where(StudyTask.due_on >= today - OVERDUE_SHOWN)
                                   .order_by(StudyTask.due_on.desc(), StudyTask.id)))
    done = set(db.session.scalars(select(StudyTaskDone.task_id).where(StudyTaskDone.user_id == current_user.id)))
    publishable = [o for o in access.managed_orgs(current_user, kinds=TASK_ORG_KINDS) if not o.is_closed]
    return render_template("plans/tasks.html", tasks=rows, done=done, publishable=publishable, today=today)


@bp.route("/study-tasks/new/<int:org_id>", methods=["GET", "POST"])
@login_required
def new_task(org_id: int):
    org = managed_org_or_404(org_id)
    if org.kind not in TASK_ORG_KINDS or org.is_closed:
        abort(404)
    form = StudyTaskForm()
    fields = ("topic", "body", "link", "due_on")
    saved, status = _save(form, lambda: planning.publish_task(org, {name: getattr(form, name).data for name in fields},
                                                              current_user),
                          "学习任务已发布，未完成的党员将在期限前一天收到提醒",
                          lambda task: url_for("plans.task_detail", task_id=task.id))
    return saved or (render_template("plans/task_form.html", org=org, form=form), status)


@bp.route("/study-tasks/<int:task_id>")
@login_required
def task_detail(task_id: int):
    task = _task_or_404(task_id)
    is_done = db.session.scalar(select(StudyTaskDone.id).where(
        StudyTaskDone.task_id == task.id, StudyTaskDone.user_id == current_user.id)) is not None
    can_manage = access.manages(current_user, task.org)
    progress = None
    if can_manage:
        progress = (db.session.scalar(select(func.count()).select_from(StudyTaskDone)
                                      .where(StudyTaskDone.task_id == task.id)),
                    len(scheduler.subtree_member_ids(task.org)))
    can_mark = current_user.id in scheduler.subtree_member_ids(task.org)
    return render_template("plans/task_detail.html", task=task, is_done=is_done, progress=progress,
                           can_mark=can_mark, confirm_form=ConfirmForm())


@bp.route("/study-tasks/<int:task_id>/done", methods=["POST"])
@login_required
def task_done(task_id: int):
    task = _task_or_404(task_id)
    if current_user.id not in scheduler.subtree_member_ids(task.org):
        abort(403)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if planning.mark_done(task, current_user):
        db.session.commit()
        flash("已标记为完成", "success")
    return redirect(url_for("plans.task_detail", task_id=task.id))


@bp.app_template_global("plans_home")
def plans_home() -> dict:
    """What the 首页 section shows: the next activities and how many study tasks are open."""
    if not current_user.is_authenticated:
        return {"activities": [], "open_tasks": 0}
    today = china_today()
    org_ids = {o.id for o in access.visible_orgs(current_user, kinds=PLAN_ORG_KINDS)}
    activities = [a for a in planning.upcoming_for(current_user, org_ids, today) if not a.is_cancelled][:3]
    done = select(StudyTaskDone.task_id).where(StudyTaskDone.user_id == current_user.id)
    open_tasks = db.session.scalar(select(func.count()).select_from(
        _my_task_query().where(StudyTask.due_on >= today, StudyTask.id.not_in(done)).subquery()))
    return {"activities": activities, "open_tasks": open_tasks}
