"""Push reminders of 发展党员 (issue 21), queued with the push scheduler's ``enqueue`` (dedupe keys make a
recomputation queue nothing twice):

- a contact (培养联系人) whose half-yearly observation report is due within REMIND_OBSERVATION_WITHIN_DAYS;
- the secretary of the home branch when an applicant's talk is due within the month;
- the secretary and the person when the probation ends next month.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from ..china_time import china_datetime, china_today
from ..extensions import db
from ..models import DevelopmentFile, DevelopmentStep, Organization
from ..push import scheduler
from ..rules import reminders as R
from ..rules.development import REMIND_OBSERVATION_WITHIN_DAYS, REMIND_TALK_WITHIN_DAYS
from ..rules.life import SECRETARY_TITLES
from ..standards import rule_book
from . import pipeline


def _next_month(today: date) -> tuple[int, int]:
    return (today.year + (today.month == 12), today.month % 12 + 1)


def _reminders_of(finding, file: DevelopmentFile, secretaries: list[int],
                  today: date) -> list[tuple[str, int, date, str]]:
    """The reminders one dated finding raises on ``today``: the talk to the secretaries, the observation
    report to the contacts, the end of the probation to the secretaries and the person."""
    name = file.user.name
    if finding.step == "application_talk" and finding.level == "due" \
            and finding.due - today <= timedelta(days=REMIND_TALK_WITHIN_DAYS):
        return [("talk", uid, finding.due, f"{name}的入党申请谈话应于 {finding.due} 前完成（{finding.source}）")
                for uid in secretaries]
    if finding.step in ("activist_observed", "probation_observed") \
            and finding.due - today <= timedelta(days=REMIND_OBSERVATION_WITHIN_DAYS):
        contacts = pipeline.steps_by_key(file).get("contacts_named")
        return [("observation", uid, finding.due, f"{name}的半年考察报告应于 {finding.due} 前完成（{finding.source}）")
                for uid in ((contacts.data.get("people") or []) if contacts else [])]
    if finding.step == "full_vote" and finding.level == "due" \
            and (finding.due.year, finding.due.month) == _next_month(today):
        return [("probation", uid, finding.due, f"{name}的预备期于 {finding.due} 期满，请提出转正申请、安排支部大会讨论")
                for uid in {*secretaries, file.user_id}]
    return []


def due_reminders(file: DevelopmentFile, org: Organization, book: rule_book.RuleBook, secretaries: list[int],
                  today: date) -> list[tuple[str, int, date, str]]:
    """(what, recipient, due date, body) for one person's file on ``today``; ``org`` is the person's home
    branch, ``book`` its rule book and ``secretaries`` who holds its secretary's seat."""
    if "full_approved" in pipeline.done_dates(file):
        return []
    return [reminder for finding in pipeline.findings(file, org, today, book) if finding.due is not None
            for reminder in _reminders_of(finding, file, secretaries, today)]


def schedule(now: datetime) -> int:
    today = china_today(now)
    moment = max(now, china_datetime(today, R.STUDY_REMIND_AT))
    # Computed every minute: files whose person is a full member already raise nothing and are not
    # read (over the years they are most files). The rest are read with their people, home branches,
    # rule books, secretaries and the keys queued so far in a few queries, however many there are.
    open_files = select(DevelopmentFile.id).where(~exists().where(
        DevelopmentStep.file_id == DevelopmentFile.id, DevelopmentStep.step == "full_approved"))
    files = db.session.scalars(select(DevelopmentFile).where(DevelopmentFile.id.in_(open_files)).options(
        selectinload(DevelopmentFile.steps), selectinload(DevelopmentFile.notes),
        selectinload(DevelopmentFile.user)).order_by(DevelopmentFile.id)).all()
    if not files:
        return 0
    people = select(DevelopmentFile.user_id).where(DevelopmentFile.id.in_(open_files))
    homes = pipeline.home_branches(people)
    books = rule_book.books_for(list({org.id: org for org in homes.values()}.values()))
    secretaries = scheduler.holders_by_org(pipeline.home_branch_ids(people), SECRETARY_TITLES)
    known = scheduler.held_keys("development", open_files)
    devices = scheduler.device_user_ids()
    queued = 0
    for file in files:
        org = homes.get(file.user_id)
        if org is None:
            continue
        for what, user_id, due, body in due_reminders(file, org, books[org.id], secretaries.get(org.id, []), today):
            url = (f"/development/{org.id}/notes/new" if what == "observation"
                   else f"/development/{org.id}/people/{file.user_id}")
            payload = {"title": "发展党员提醒", "body": body, "url": url, "tag": f"dev-{file.id}-{what}",
                       "kind": "development"}
            expires = china_datetime(due + timedelta(days=1), R.STUDY_REMIND_AT)
            key = f"dev:{file.id}:{what}:{due.isoformat()}:{user_id}"
            if scheduler.enqueue("development", user_id, moment, payload, f"dev-{file.id}-{what}", key,
                                 source_type="development", source_id=file.id, known=known, devices=devices,
                                 expires_at=expires):
                queued += 1
                known.add(key)
    return queued
