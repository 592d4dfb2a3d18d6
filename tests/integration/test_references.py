"""References the client names are its claims: a photo hash, a branch, a record type.

- A hash names a photo only for someone who uploaded it or may already see it: attaching another
  photo (study note, record, points application; by form and by sync) is refused, and the photo
  route does not open to whoever attached it (the private 谈心谈话 photo stays private).
- A rejected sync mutation is parked with the person's own branch, not with the one the payload names.
- A recorder off the committee is neither offered nor accepted a 谈心谈话.
"""
import io
import uuid
from datetime import date, timedelta

from flask_migrate import downgrade, upgrade
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from tests.conftest import csrf_token
from tests.records_helpers import FIELD_BRANCH, org_named, theme_day_data
from webapp.extensions import db
from webapp.models import (
    Membership, PhotoUpload, PointsApplication, QuarantinedMutation, Record, RecordPhoto, RecordVersion,
    StudyNote, User,
)
from webapp.records import photos, service
from webapp.records.form_data import data_to_pairs

OFFICE = "办公室党支部"
PLANNING = "规划计划处党支部"
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


def png(color) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, "PNG")
    return buffer.getvalue()


def private_talk_photo(demo) -> tuple[Record, str]:
    """A photo the office secretary attached to a 谈心谈话 (visible to the committee only)."""
    talk = db.session.scalar(select(Record).where(Record.org_id == org_named(OFFICE).id, Record.type == "talk"))
    photo, _ = photos.store(png((10, 200, 90)), demo["shuji"])
    talk.photos.append(RecordPhoto(sha256=photo.sha256, position=0))
    db.session.commit()
    return talk, photo.sha256


def plain_member(org_name: str) -> User:
    """A member of the branch without a committee title, recorder role or demo account."""
    org = org_named(org_name)
    return next(m.user for m in db.session.scalars(select(Membership).where(
        Membership.org_id == org.id, Membership.active.is_(True)).order_by(Membership.id))
        if not m.title and not m.is_recorder and not m.user.username
        and len(m.user.memberships) == 1)


def login_as(auth, user: User):
    response = auth.login(user.username or user.phone)
    assert response.status_code == 302, response.get_data(as_text=True)


def register_phone(client) -> str:
    response = client.post("/api/sync/devices", json={"name": "测试手机"},
                           headers={"X-CSRFToken": csrf_token(client, "/")})
    assert response.status_code == 201
    return response.get_json()["token"]


def push(client, token: str, entity: str, payload: dict) -> dict:
    mutation = {"id": str(uuid.uuid4()), "seq": 1, "entity": entity, "payload": payload, "target": None,
                "base_version": None, "client_at": "2026-11-20T09:00:00+08:00"}
    response = client.post("/api/sync/push", json={"mutations": [mutation]},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    [result] = response.get_json()["results"]
    return {**result, "mutation_id": mutation["id"]}


def note_count() -> int:
    return db.session.scalar(select(func.count()).select_from(StudyNote))


# --- photos ------------------------------------------------------------------------------------

def test_a_study_note_cannot_pull_a_private_talk_photo_into_view(client, auth, demo):
    _talk, sha = private_talk_photo(demo)
    member = plain_member(OFFICE)
    login_as(auth, member)
    assert client.get(f"/records/photos/{sha}").status_code == 404
    own = org_named(OFFICE)
    before = note_count()
    page = auth.post(f"/study/notes/new/{own.id}", {"noted_on": YESTERDAY, "topic": "学习", "text": "x",
                                                    "photo_sha256": sha}, page=f"/study/notes/new/{own.id}")
    assert page.status_code == 400
    assert "只能添加您本人上传或有权查看的照片" in page.get_data(as_text=True)
    assert note_count() == before
    assert client.get(f"/records/photos/{sha}").status_code == 404
    assert client.get(f"/records/photos/{sha}/thumb").status_code == 404


def test_a_study_note_by_sync_naming_a_photo_it_may_not_see_is_refused(client, auth, demo):
    _talk, sha = private_talk_photo(demo)
    auth.login("dangyuan")
    token = register_phone(client)
    own = org_named(PLANNING)
    before = note_count()
    result = push(client, token, "study_note", {"data": {"noted_on": YESTERDAY, "topic": "学习", "text": "x",
                                                         "photo_sha256": sha}, "org_id": own.id})
    assert result["status"] == "rejected" and result["code"] == "invalid", result
    assert result["fields"] == {"photo_sha256": "只能添加您本人上传或有权查看的照片"}
    assert note_count() == before
    assert client.get(f"/records/photos/{sha}").status_code == 404


def test_editing_a_note_to_name_a_foreign_photo_is_refused(client, auth, demo):
    _talk, sha = private_talk_photo(demo)
    own = org_named(PLANNING)
    note = StudyNote(user_id=demo["dangyuan"].id, org_id=own.id, noted_on=date.today(), topic="学习", text="x")
    db.session.add(note)
    db.session.commit()
    auth.login("dangyuan")
    page = auth.post(f"/study/notes/{note.uuid}/edit", {"noted_on": YESTERDAY, "topic": "学习", "text": "x",
                                                        "photo_sha256": sha}, page=f"/study/notes/{note.uuid}/edit")
    assert page.status_code == 400
    db.session.expire_all()
    assert db.session.get(StudyNote, note.id).photo_sha256 is None


def test_records_take_only_photos_the_recorder_uploaded_or_may_see(client, auth, demo):
    _talk, sha = private_talk_photo(demo)
    field = org_named(FIELD_BRANCH)
    auth.login("dangyuan")  # recorder of the field branch
    before = db.session.scalar(select(func.count()).select_from(Record))
    form = MultiDict(data_to_pairs(theme_day_data(field, photos=[sha])))
    form.add("csrf_token", csrf_token(client, f"/records/new/{field.id}/theme_day"))
    page = client.post(f"/records/new/{field.id}/theme_day", data=form)
    assert page.status_code == 400
    assert "只能添加您本人上传或有权查看的照片" in page.get_data(as_text=True)
    token = register_phone(client)
    result = push(client, token, "record", {"data": theme_day_data(field, photos=[sha]), "org_id": field.id,
                                            "type": "theme_day"})
    assert result["status"] == "rejected" and result["fields"].get("photos"), result
    assert db.session.scalar(select(func.count()).select_from(Record)) == before
    assert client.get(f"/records/photos/{sha}").status_code == 404


def test_an_edit_by_sync_cannot_add_a_foreign_photo_to_a_record(client, auth, demo):
    _talk, sha = private_talk_photo(demo)
    field = org_named(FIELD_BRANCH)
    record = service.create_record(field, "theme_day", theme_day_data(field), demo["dangyuan"])
    db.session.commit()
    auth.login("dangyuan")
    token = register_phone(client)
    mutation = {"id": str(uuid.uuid4()), "seq": 1, "entity": "record", "target": record.uuid, "base_version": 1,
                "payload": {"data": theme_day_data(field, photos=[sha])}, "client_at": None}
    response = client.post("/api/sync/push", json={"mutations": [mutation]},
                           headers={"Authorization": f"Bearer {token}"})
    [result] = response.get_json()["results"]
    assert result["status"] == "rejected" and result["fields"].get("photos"), result
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(RecordVersion)
                             .where(RecordVersion.record_id == record.id)) == 1


def test_a_points_application_cannot_name_a_photo_it_may_not_see(client, auth, demo):
    _talk, sha = private_talk_photo(demo)
    own = org_named(PLANNING)
    auth.login("dangyuan")
    before = db.session.scalar(select(func.count()).select_from(PointsApplication))
    page = auth.post(f"/points/{own.id}/apply", {"bucket": "bonus", "points": "2", "note": "志愿服务",
                                                 "photo_sha256": sha}, page=f"/points/{own.id}/apply")
    assert page.status_code == 400
    assert "只能添加您本人上传或有权查看的照片" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PointsApplication)) == before
    assert client.get(f"/records/photos/{sha}").status_code == 404


def test_own_uploads_visible_photos_and_photos_still_on_their_way_may_be_attached(client, auth, demo):
    """What keeps working: one's own upload (also the same bytes another person sent first), a
    photo one may see on a record, a hash no photo has arrived under yet, and an edit that keeps the
    photos a record carries although the editor never uploaded them."""
    field = org_named(FIELD_BRANCH)
    shared, _ = photos.store(png((1, 2, 3)), demo["linshi"])
    db.session.commit()
    auth.login("dangyuan")
    again = client.post("/records/photos", data={"photo": (io.BytesIO(png((1, 2, 3))), "a.png"),
                                                 "csrf_token": csrf_token(client, "/")})
    assert again.status_code == 200 and again.get_json()["sha256"] == shared.sha256
    assert db.session.scalar(select(func.count()).select_from(PhotoUpload)
                             .where(PhotoUpload.sha256 == shared.sha256)) == 2
    on_the_way = "ab" * 32
    token = register_phone(client)
    result = push(client, token, "record", {"data": theme_day_data(field, photos=[shared.sha256, on_the_way]),
                                            "org_id": field.id, "type": "theme_day"})
    assert result["status"] == "applied", result
    record = db.session.scalar(select(Record).where(Record.uuid == result["target"]))
    assert record.photos_missing == 1
    # The branch's temporary leader edits it, keeping both photos (one not his, one not arrived).
    auth.logout()
    auth.login("linshi")
    edited = service.revise_record(record, theme_day_data(field, photos=[shared.sha256, on_the_way],
                                                          topic="改过的主题"), demo["linshi"], base_version=1)
    assert edited.number == 2
    db.session.commit()
    assert client.get(f"/records/photos/{shared.sha256}").status_code == 200


def test_migration_backfills_who_uploaded_each_stored_photo(app, demo):
    """Photos stored before the uploads table keep their uploaders: the recorded first uploader, and
    for a photo of unknown uploader the people whose records and notes name it."""
    field = org_named(FIELD_BRANCH)
    known, _ = photos.store(png((5, 5, 5)), demo["linshi"])
    unknown, _ = photos.store(png((6, 6, 6)), demo["linshi"])
    unknown.uploaded_by_id = None
    record = service.create_record(field, "theme_day", theme_day_data(field), demo["dangyuan"])
    record.photos.append(RecordPhoto(sha256=unknown.sha256, position=0))
    note = StudyNote(user_id=demo["jiguan"].id, org_id=field.id, noted_on=date.today(), topic="学习",
                     text="x", photo_sha256=unknown.sha256)
    db.session.add(note)
    db.session.commit()
    expected = {(known.sha256, demo["linshi"].id), (unknown.sha256, record.created_by_id),
                (unknown.sha256, demo["jiguan"].id)}
    db.session.remove()
    downgrade(revision="0008_accounts_sessions")  # the revision just below the photo uploads
    upgrade()
    assert set(db.session.execute(select(PhotoUpload.sha256, PhotoUpload.user_id)).all()) == expected


# --- the quarantine ----------------------------------------------------------------------------

def test_a_rejected_mutation_naming_another_branch_is_parked_with_the_senders_own(client, auth, demo):
    office = org_named(OFFICE)
    auth.login("dangyuan")  # not in the office branch
    token = register_phone(client)
    result = push(client, token, "record", {"data": theme_day_data(office, topic="给办公室书记的话"),
                                            "org_id": office.id, "type": "theme_day"})
    assert result["status"] == "rejected" and result["code"] == "forbidden", result
    item = db.session.scalar(select(QuarantinedMutation).where(
        QuarantinedMutation.mutation_id == result["mutation_id"]))
    assert item.org_id == org_named(PLANNING).id  # her home branch
    auth.logout()
    auth.login("shuji")
    page = client.get("/offline/quarantine").get_data(as_text=True)
    assert "给办公室书记的话" not in page
    assert client.get(f"/offline/quarantine/{item.id}/edit").status_code in (403, 404)


def test_a_rejected_mutation_in_ones_own_branch_stays_with_that_branch(client, auth, demo):
    field = org_named(FIELD_BRANCH)
    auth.login("dangyuan")
    token = register_phone(client)
    result = push(client, token, "record", {"data": theme_day_data(field, topic=""), "org_id": field.id,
                                            "type": "theme_day"})
    assert result["status"] == "rejected"
    item = db.session.scalar(select(QuarantinedMutation).where(
        QuarantinedMutation.mutation_id == result["mutation_id"]))
    assert item.org_id == field.id


# --- 谈心谈话 is the committee's ---------------------------------------------------------------

def test_a_recorder_off_the_committee_is_not_offered_a_talk(client, auth, demo):
    field = org_named(FIELD_BRANCH)
    auth.login("dangyuan")  # the field branch's recorder, not on its committee
    choices = client.get(f"/records/new/{field.id}").get_data(as_text=True)
    assert "谈心谈话" not in choices and "主题党日" in choices
    assert client.get(f"/records/new/{field.id}/talk").status_code == 403
    before = db.session.scalar(select(func.count()).select_from(Record))
    talk = {"occurred_on": YESTERDAY, "start_time": "16:00", "end_time": "16:40", "topic": "谈心",
            "place": "站里", "talk_with_ids": [demo["linshi"].id], "content": "x"}
    token = register_phone(client)
    result = push(client, token, "record", {"data": talk, "org_id": field.id, "type": "talk"})
    assert result["status"] == "rejected" and result["code"] == "forbidden", result
    assert result["message"] == "谈心谈话仅支委会可见，只有支委可以记录"
    assert db.session.scalar(select(func.count()).select_from(Record)) == before
    assert f"/records/new/{field.id}/talk" not in str(client.get(
        "/api/sync/pull", headers={"Authorization": f"Bearer {token}"}).get_json())


def test_the_committee_still_records_talks(client, auth, demo):
    field = org_named(FIELD_BRANCH)
    auth.login("linshi")
    choices = client.get(f"/records/new/{field.id}").get_data(as_text=True)
    assert "谈心谈话" in choices
    assert client.get(f"/records/new/{field.id}/talk").status_code == 200
