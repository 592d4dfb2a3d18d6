"""换届提醒 by push (issue 22): the branch committee hears 6 and 3 months before the term ends, then
monthly while it is overdue — each stage once, however often the reminders are recomputed; an approved
extension starts the stages afresh for the new end."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.push_helpers import china, subscribe
from webapp.extensions import db
from webapp.models import PushMessage
from webapp.push import scheduler


def _term(user):
    return [m.dedupe_key.split(":")[3] for m in db.session.scalars(
        select(PushMessage).where(PushMessage.user_id == user.id, PushMessage.kind == "term")
        .order_by(PushMessage.id))]


def test_term_reminders_by_stage_and_month(app, branch, push_service, vapid):
    org, people = branch
    for user in people.values():
        subscribe(push_service, user)
    org.committee_term_start, org.committee_term_end = date(2022, 7, 1), date(2027, 6, 30)
    db.session.commit()
    for day in (date(2026, 12, 29), date(2026, 12, 30), date(2027, 1, 15), date(2027, 3, 30), date(2027, 6, 30),
                date(2027, 7, 1), date(2027, 7, 20), date(2027, 7, 31), date(2027, 8, 31)):
        scheduler.compute_due(china(day.year, day.month, day.day, 10))
        scheduler.compute_due(china(day.year, day.month, day.day, 11))  # recomputing queues nothing twice
        db.session.commit()
    assert _term(people["secretary"]) == ["6m", "3m", "overdue-0", "overdue-1", "overdue-2"]
    assert _term(people["a"]) == []  # not on the committee
    assert _term(people["outsider"]) == []
    message = db.session.scalar(select(PushMessage).where(PushMessage.kind == "term"))
    assert message.payload["url"] == f"/elections/{org.id}" and "2027-06-30" in message.payload["body"]

    org.committee_term_end = date(2028, 6, 30)  # an approved extension
    db.session.commit()
    scheduler.compute_due(china(2028, 1, 5, 10))
    db.session.commit()
    assert _term(people["secretary"])[-1] == "6m"
