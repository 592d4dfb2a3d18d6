"""The reminders are recomputed every minute (the job worker's ``push_reminders``): what a minute costs
must not grow with the number of branches (issue 19: a province has 20,000). Branches with a digest
decided this week, a term reminder queued, a theme day planned, a study task published and an applicant
whose talk is due cost no statement of their own in the next minute."""
from __future__ import annotations

from datetime import date, time

from sqlalchemy import event, func, select

from tests.push_helpers import china, subscribe
from webapp.development import pipeline
from webapp.extensions import db
from webapp.models import Membership, Organization, PushMessage, User
from webapp.orgs import tree
from webapp.plans import service as planning
from webapp.push import scheduler


def _branches(committee, numbers: range, push_service, now) -> None:
    for index in numbers:
        org = tree.create_child(committee, "branch", None, name=f"规模测试党支部{index}")
        org.committee_term_start, org.committee_term_end = date(2022, 3, 1), date(2027, 2, 28)
        secretary = User(name=f"书记{index}", username=f"scale_secretary_{index}", phone=f"1370000{index:04d}",
                         category="full")
        db.session.add_all([secretary, Membership(user=secretary, org=org, relation="home", title="secretary")])
        db.session.flush()
        subscribe(push_service, secretary)
        planning.create_activity(org, {"type": "theme_day", "title": "学习党章", "on_date": date(2026, 12, 15),
                                       "start_time": time(9, 0), "place": "会议室"}, secretary, now=now)
        planning.publish_task(org, {"topic": "学习公报", "body": "全文学习", "due_on": date(2026, 12, 20)},
                              secretary, now=now)
        applicant = User(name=f"申请人{index}", phone=f"1371000{index:04d}")
        db.session.add_all([applicant, Membership(user=applicant, org=org, relation="home")])
        db.session.flush()
        pipeline.record_step(org, applicant, "application", {"done_on": "2026-11-27"}, secretary)
    db.session.commit()


def _statements_of_a_minute(now) -> int:
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        scheduler.compute_due(now)
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    return count


def test_a_minute_of_reminders_costs_the_same_for_two_branches_and_for_ten(app, branch, push_service, vapid):
    org, _people = branch
    committee = db.session.get(Organization, org.parent_id)
    monday = china(2026, 12, 7, 9)
    _branches(committee, range(0, 2), push_service, monday)
    scheduler.compute_due(monday)  # decides the week's digests and queues the term reminders
    db.session.commit()
    few = _statements_of_a_minute(china(2026, 12, 7, 9, 1))

    _branches(committee, range(2, 10), push_service, china(2026, 12, 7, 9, 2))
    scheduler.compute_due(china(2026, 12, 7, 9, 2))
    db.session.commit()
    many = _statements_of_a_minute(china(2026, 12, 7, 9, 3))

    assert many == few
    # and every new branch's secretary got the week's digest, the 3-month term reminder, the study task
    # and the applicant's talk, once
    for kind in ("digest", "term", "study", "development"):
        queued = db.session.scalars(select(PushMessage.user_id).join(User).where(
            PushMessage.kind == kind, User.username.startswith("scale_secretary_"))).all()
        assert len(queued) == len(set(queued)) == 10, kind
    assert db.session.scalar(select(func.count()).select_from(PushMessage).where(PushMessage.kind == "term")) >= 10
