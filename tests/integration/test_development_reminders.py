"""发展党员 push reminders through the push scheduler (compute_due), on both databases: the contact whose
half-yearly report is due within two weeks, the secretary whose applicant's talk is due within the month,
the secretary and the person whose probation ends next month — and nobody else; recomputing queues
nothing twice."""
from __future__ import annotations

from datetime import time, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from webapp.china_time import china_datetime, china_today
from webapp.development import pipeline
from webapp.extensions import db
from webapp.models import Membership, Organization, PushMessage, PushSubscription, User
from webapp.push import scheduler
from webapp.roster import joining
from webapp.rules.development import STEPS_BY_KEY

OFFICE = "办公室党支部"
CHAIN = ["application", "application_talk", "activist_decided", "activist_filed", "contacts_named",
         "candidate_decided", "candidate_filed", "sponsors_named", "political_review", "training",
         "committee_review", "prereview", "application_form", "acceptance_vote", "committee_talk",
         "acceptance_approved"]


def _person(office, shuji, name, phone):
    user = User(name=name, phone=phone)
    db.session.add(user)
    db.session.flush()
    joining.join(office, user, {"relation": "home"}, shuji)
    return user


def _advance(office, person, upto, anchor_key, anchor, shuji, contact, sponsors):
    """Record the chain up to ``upto``, one day apart, with ``anchor_key`` falling on ``anchor``."""
    keys = CHAIN[:CHAIN.index(upto) + 1]
    start = anchor - timedelta(days=keys.index(anchor_key))
    for i, key in enumerate(keys):
        form = {"done_on": (start + timedelta(days=i)).isoformat(), "days": "3", "hours": "24",
                "expected": "9", "present": "8", "in_favour": "8", "against": "0", "abstaining": "0"}
        if STEPS_BY_KEY[key]["kind"] == "people":
            form["people"] = [str(contact.id)] if key == "contacts_named" else [str(s.id) for s in sponsors]
        pipeline.record_step(office, person, key, form, shuji)


def _messages():
    return sorted((m.user_id, m.dedupe_key.split(":")[2]) for m in db.session.scalars(
        select(PushMessage).where(PushMessage.kind == "development")))


def test_who_is_reminded_of_what(app, demo):
    shuji = demo["shuji"]
    office = db.session.scalar(select(Organization).where(Organization.name == OFFICE))
    today = china_today()
    full = [m.user for m in db.session.scalars(select(Membership).where(Membership.org_id == office.id))
            if m.user.category == "full" and m.user_id != shuji.id]
    contact_c, contact_d, contact_e, sponsor_a, sponsor_b = full[:5]
    applicant = _person(office, shuji, "甲申请", "13800005001")
    _advance(office, applicant, "application", "application", today - timedelta(days=10), shuji, None, [])
    soon = _person(office, shuji, "乙积极", "13800005002")   # report due in 10 days: reminded
    _advance(office, soon, "contacts_named", "activist_decided", today - relativedelta(months=6) + timedelta(days=10),
             shuji, contact_c, [])
    later = _person(office, shuji, "丙积极", "13800005003")  # report due in 20 days: not yet
    _advance(office, later, "contacts_named", "activist_decided",
             today - relativedelta(months=6) + timedelta(days=20), shuji, contact_d, [])
    ending = _person(office, shuji, "丁预备", "13800005004")  # probation ends next month
    _advance(office, ending, "acceptance_approved", "acceptance_vote",
             today - relativedelta(months=12) + relativedelta(months=1), shuji, contact_e, [sponsor_a, sponsor_b])
    not_yet = _person(office, shuji, "戊预备", "13800005005")  # ends in two months
    _advance(office, not_yet, "acceptance_approved", "acceptance_vote",
             today - relativedelta(months=12) + relativedelta(months=2), shuji, contact_e, [sponsor_a, sponsor_b])
    everyone = [shuji, contact_c, contact_d, contact_e, applicant, soon, later, ending, not_yet]
    for user in everyone:
        db.session.add(PushSubscription(user_id=user.id, endpoint=f"https://fcm.googleapis.com/x/{user.id}",
                                        p256dh="x", auth="x"))
    db.session.commit()

    # Noon in China: recomputing an hour later stays on the same Chinese day (a run near midnight UTC+8
    # would otherwise see the next day's reminders, rightly).
    now = china_datetime(today, time(12, 0))
    scheduler.compute_due(now)
    db.session.commit()
    got = _messages()
    assert (shuji.id, "talk") in got  # 甲's talk is due within the month
    assert (contact_c.id, "observation") in got and (contact_d.id, "observation") not in got
    assert (contact_e.id, "observation") in got  # 丁 and 戊's probation reports are overdue
    assert (shuji.id, "probation") in got and (ending.id, "probation") in got
    assert (not_yet.id, "probation") not in got
    assert {uid for uid, _ in got} <= {shuji.id, contact_c.id, contact_e.id, ending.id}
    bodies = [m.payload["body"] for m in db.session.scalars(select(PushMessage).where(
        PushMessage.kind == "development", PushMessage.user_id == ending.id))]
    assert bodies and "丁预备的预备期于" in bodies[0]

    scheduler.compute_due(now + timedelta(hours=1))  # recomputing queues nothing twice
    db.session.commit()
    assert _messages() == got
