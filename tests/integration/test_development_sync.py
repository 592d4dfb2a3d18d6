"""发展党员 notes through the sync API on both databases: a contact's observation report written offline
applies once (a resend is a duplicate), shows on the secretary's board, and is parked — without blocking
the rest of the batch — when it names someone the writer may not write about or carries bad data."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import Auth, csrf_token
from webapp.passwords import hash_password
from webapp.development import pipeline
from webapp.extensions import db
from webapp.models import DevelopmentNote, Membership, Organization, QuarantinedMutation, User
from webapp.roster import joining

OFFICE = "办公室党支部"


def org(name: str) -> Organization:
    return db.session.scalar(select(Organization).where(Organization.name == name))


@pytest.fixture
def activist(demo):
    """An activist of the office branch with a named contact (a plain full member who has an account)."""
    office = org(OFFICE)
    person = User(name="周雨桐", phone="13800002222", category=None, password_hash=hash_password("zhibu-demo"))
    db.session.add(person)
    db.session.flush()
    joining.join(office, person, {"relation": "home"}, demo["shuji"])
    contact = next(m.user for m in db.session.scalars(select(Membership).where(
        Membership.org_id == office.id, Membership.active.is_(True)).order_by(Membership.id))
        if m.user.category == "full" and m.title is None and m.user.phone and m.user_id != person.id)
    start = date.today() - timedelta(days=200)
    for key, days in (("application", 0), ("application_talk", 10), ("activist_decided", 40), ("contacts_named", 41)):
        pipeline.record_step(office, person, key, {"done_on": (start + timedelta(days=days)).isoformat(),
                                                   "people": [str(contact.id)]}, demo["shuji"])
    db.session.commit()
    return person, contact


def push(client, token, *mutations):
    response = client.post("/api/sync/push", json={"mutations": list(mutations)},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


def mutation(seq, fields, target=None):
    return {"id": str(uuid.uuid4()), "seq": seq, "entity": "development_note", "payload": {"fields": fields},
            "target": target, "client_at": "2026-11-20T09:00:00+08:00"}


def test_contact_observation_syncs_once_and_reaches_the_board(app, client, demo, activist):
    person, contact = activist
    office = org(OFFICE)
    Auth(client).login(contact.phone)
    device = client.post("/api/sync/devices", json={"name": "手机"},
                         headers={"X-CSRFToken": csrf_token(client, "/")}).get_json()
    # The contact's phone keeps the note form of the branch for offline use.
    pages = client.get("/api/sync/pull", headers={"Authorization": f"Bearer {device['token']}"}).get_json()["branches"]
    assert f"/development/{office.id}/notes/new" in [p for b in pages for p in b["entry_pages"]]

    note_id = str(uuid.uuid4())
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    good = mutation(1, [["uuid", note_id], ["org_id", str(office.id)], ["user_id", str(person.id)],
                        ["kind", "observation"], ["written_on", yesterday], ["text", "在工地带头抢测洪峰"]],
                    target=note_id)
    someone_else = next(m.user_id for m in db.session.scalars(select(Membership).where(
        Membership.org_id == office.id)) if m.user_id not in (person.id, contact.id))
    not_mine = mutation(2, [["uuid", str(uuid.uuid4())], ["org_id", str(office.id)],
                            ["user_id", str(someone_else)], ["kind", "observation"], ["written_on", yesterday],
                            ["text", "x"]])
    future = mutation(3, [["uuid", str(uuid.uuid4())], ["org_id", str(office.id)], ["user_id", str(person.id)],
                          ["kind", "observation"], ["written_on", "2999-01-01"], ["text", "x"]])
    bad_shape = {**mutation(4, []), "payload": {"fields": [["text", {"nested": 1}]]}}
    results = push(client, device["token"], not_mine, good, future, bad_shape)
    by_id = {r["id"]: r for r in results}
    assert by_id[good["id"]]["status"] == "applied"
    assert [by_id[m["id"]]["status"] for m in (not_mine, future, bad_shape)] == ["rejected"] * 3
    assert by_id[not_mine["id"]]["code"] == "forbidden" and by_id[future["id"]]["code"] == "invalid"
    # A resend (the phone never saw the answer) is a duplicate; the note exists once.
    [again] = push(client, device["token"], good)
    assert again["status"] == "duplicate"
    assert db.session.scalar(select(func.count()).select_from(DevelopmentNote)) == 1
    assert db.session.scalar(select(func.count()).select_from(QuarantinedMutation)) == 3
    note = db.session.scalar(select(DevelopmentNote))
    assert note.uuid == note_id and note.author_id == contact.id and note.client_recorded_at is not None

    secretary = app.test_client()
    Auth(secretary).login("shuji")
    html = secretary.get(f"/development/{office.id}").get_data(as_text=True)
    assert "在工地带头抢测洪峰" in html and contact.name in html
