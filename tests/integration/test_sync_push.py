"""The sync API on both databases: push outcomes, quarantine, bearer auth, crash and retry,
sequence numbers, photo upload by hash, pull."""
import hashlib
import io
import re
import uuid

import pytest
from PIL import Image
from sqlalchemy import func, select

from sync import STATUSES
from tests.conftest import csrf_token
from tests.records_helpers import FIELD_BRANCH, member_ids, org_named, theme_day_data
from tests.sync_helpers import Phone, new_record, register
from webapp.extensions import db
from webapp.models import (
    CheckIn, Device, Photo, ProcessedMutation, QuarantinedMutation, Record, RecordVersion, StudyNote, User,
)
from webapp.offline import devices, entities
from webapp.records import service
from webapp.records.form_data import data_to_pairs


@pytest.fixture
def phone(client, auth, demo):
    return Phone(client, register(client, auth))


def count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query)


def check_ins(rid: str) -> int:
    return db.session.scalar(select(func.count()).select_from(CheckIn).join(Record).where(Record.uuid == rid))


def test_create_applied_then_identical_resend_is_duplicate(phone):
    org = org_named(FIELD_BRANCH)
    rid = str(uuid.uuid4())
    m = phone.mutation("record", new_record(org), target=rid)
    [first] = phone.push(m)["results"]
    assert first["status"] == "applied" and first["version"] == 1 and first["target"] == rid
    [again] = phone.push(m)["results"]
    assert again["status"] == "duplicate" and again["first_status"] == "applied"
    record = db.session.scalar(select(Record).where(Record.uuid == rid))
    assert record.versions[0].source == "sync" and record.versions[0].client_recorded_at is not None
    assert count(Record, uuid=rid) == 1 and count(ProcessedMutation) == 1


def test_form_fields_payload_is_parsed_like_the_web_form(phone):
    """The outbox keeps the form as [name, value] pairs; the server reads them with form_to_data."""
    org = org_named(FIELD_BRANCH)
    ids = member_ids(org)
    rid = str(uuid.uuid4())
    data = theme_day_data(org)
    fields = [["uuid", rid], ["org_id", str(org.id)], ["type", "theme_day"]]
    fields += [list(pair) for pair in data_to_pairs(data)]
    fields += [["roster_ids", str(i)] for i in ids]
    [out] = phone.push(phone.mutation("record", {"fields": fields}))["results"]
    assert out["status"] == "applied", out
    record = db.session.scalar(select(Record).where(Record.uuid == rid))
    assert record.meets_standard is True
    assert {(a.user_id, a.status, a.reason) for a in record.attendances if a.status != "present"} == {
        (ids[-1], "leave", "外出测流")}


def test_same_id_with_different_content_is_conflict(phone):
    org = org_named(FIELD_BRANCH)
    m = phone.mutation("record", new_record(org), target=str(uuid.uuid4()))
    phone.push(m)
    changed = {**m, "payload": new_record(org, topic="另一个主题")}
    [out] = phone.push(changed)["results"]
    assert out["status"] == "conflict" and out["code"] == "id_reused"
    assert db.session.scalar(select(Record.topic).where(Record.uuid == m["target"])) != "另一个主题"


def test_edit_on_old_base_is_kept_as_conflict_version(phone, demo):
    org = org_named(FIELD_BRANCH)
    rid = str(uuid.uuid4())
    phone.push(phone.mutation("record", new_record(org), target=rid))
    record = db.session.scalar(select(Record).where(Record.uuid == rid))
    service.revise_record(record, theme_day_data(org, topic="书记改过"), demo["linshi"], base_version=1)
    db.session.commit()
    [out] = phone.push(phone.mutation("record", new_record(org, topic="手机离线改的"), target=rid,
                                      base_version=1))["results"]
    assert out["status"] == "conflict" and out["conflict_version"] == 3 and out["version"] == 2
    db.session.expire_all()
    record = db.session.scalar(select(Record).where(Record.uuid == rid))
    assert record.topic == "书记改过" and record.has_conflict
    kept = record.version_number(3)
    assert kept.kind == "conflict" and kept.data["topic"] == "手机离线改的" and kept.base_version == 1


def test_edit_on_current_base_applies(phone):
    org = org_named(FIELD_BRANCH)
    rid = str(uuid.uuid4())
    phone.push(phone.mutation("record", new_record(org), target=rid))
    [out] = phone.push(phone.mutation("record", new_record(org, topic="补充"), target=rid, base_version=1))["results"]
    assert out["status"] == "applied" and out["version"] == 2


def test_record_approved_meanwhile_is_not_changed(phone, demo):
    org = org_named(FIELD_BRANCH)
    rid = str(uuid.uuid4())
    phone.push(phone.mutation("record", new_record(org), target=rid))
    record = db.session.scalar(select(Record).where(Record.uuid == rid))
    service.approve(record, demo["linshi"])
    db.session.commit()
    [out] = phone.push(phone.mutation("record", new_record(org, topic="审核后才改"), target=rid,
                                      base_version=1))["results"]
    assert out["status"] == "conflict" and "审核通过" in out["message"] and out["approved_version"] == 1
    db.session.expire_all()
    record = db.session.scalar(select(Record).where(Record.uuid == rid))
    assert record.state == "approved" and record.version == 1 and record.topic != "审核后才改"
    assert record.version_number(2).kind == "conflict"


def test_rejected_goes_to_quarantine_and_does_not_block(phone, client, auth, demo):
    org = org_named(FIELD_BRANCH)
    bad = phone.mutation("record", new_record(org, topic="", place=""), target=str(uuid.uuid4()))
    good = phone.mutation("record", new_record(org), target=str(uuid.uuid4()))
    bad_out, good_out = phone.push(bad, good)["results"]
    assert bad_out["status"] == "rejected" and bad_out["code"] == "invalid"
    assert bad_out["fields"]["topic"] == "请填写主题" and bad_out["fields"]["place"] == "请填写地点"
    assert good_out["status"] == "applied"
    item = db.session.scalar(select(QuarantinedMutation))
    assert item.org_id == org.id and item.state == "open" and item.mutation_id == bad["id"]
    [again] = phone.push(bad)["results"]
    assert again["status"] == "duplicate" and again["first_status"] == "rejected"
    assert count(QuarantinedMutation) == 1
    # the phone sees it needs attention through pull as well
    pulled = client.get("/api/sync/pull", headers={"Authorization": f"Bearer {phone.device['token']}"}).get_json()
    assert pulled["quarantine"][0]["id"] == bad["id"] and pulled["quarantine"][0]["state"] == "open"
    # the temporary branch's leader sees it and dismisses it with a reason
    auth.logout()
    auth.login("linshi")
    page = client.get("/offline/quarantine").get_data(as_text=True)
    assert "请填写主题" in page and "不予入库" in page
    token = csrf_token(client, "/offline/quarantine")
    assert client.post(f"/offline/quarantine/{item.id}/dismiss", data={"csrf_token": token, "reason": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(QuarantinedMutation, item.id).state == "open"
    client.post(f"/offline/quarantine/{item.id}/dismiss", data={"csrf_token": token, "reason": "重复记录"})
    db.session.expire_all()
    assert db.session.get(QuarantinedMutation, item.id).state == "dismissed"
    [after] = phone.push(bad)["results"]
    assert after["first_status"] == "rejected" and "重复记录" in after["message"]


def test_quarantine_retry_after_the_cause_is_fixed(phone, client, auth, demo):
    """A check-in for a record that had not arrived yet: once it is there, the retry applies."""
    org = org_named(FIELD_BRANCH)
    rid = str(uuid.uuid4())
    [out] = phone.push(phone.mutation("check_in", {}, target=rid))["results"]
    assert out["status"] == "rejected" and out["code"] == "not_found"
    service.create_record(org, "theme_day", theme_day_data(org), demo["linshi"], uuid=rid)
    db.session.commit()
    item = db.session.scalar(select(QuarantinedMutation))
    item.org_id = org.id
    db.session.commit()
    auth.logout()
    auth.login("linshi")
    client.post(f"/offline/quarantine/{item.id}/retry", data={"csrf_token": csrf_token(client, "/offline/quarantine")})
    db.session.expire_all()
    assert db.session.get(QuarantinedMutation, item.id).state == "applied"
    assert check_ins(rid) == 1


def test_check_ins_merge_as_a_set(phone, client, auth, demo, caplog):
    org = org_named(FIELD_BRANCH)
    rid = str(uuid.uuid4())
    phone.push(phone.mutation("record", new_record(org), target=rid))
    outs = phone.push(phone.mutation("check_in", {}, target=rid), phone.mutation("check_in", {}, target=rid))["results"]
    assert [o["status"] for o in outs] == ["applied", "applied"]
    # Again in a later batch: the batch knows she is checked in already, so it neither writes a
    # second check-in nor has to fall back to one transaction per mutation.
    [again] = phone.push(phone.mutation("check_in", {}, target=rid))["results"]
    assert again["status"] == "applied" and check_ins(rid) == 1
    assert "redone one by one" not in caplog.text
    auth.logout()
    other = Phone(client, register(client, auth, "linshi"))
    [o] = other.push(other.mutation("check_in", {"fields": [["record_uuid", rid]]}))["results"]
    assert o["status"] == "applied"
    record = db.session.scalar(select(Record).where(Record.uuid == rid))
    assert {c.user_id for c in record.check_ins} == {demo["dangyuan"].id, demo["linshi"].id}
    assert check_ins(rid) == 2


def test_study_note_created_once(phone):
    org = org_named(FIELD_BRANCH)
    nid = str(uuid.uuid4())
    fields = [["uuid", nid], ["org_id", str(org.id)], ["noted_on", "2026-11-01"], ["topic", "党章学习"],
              ["text", "第一章总纲"]]
    m = phone.mutation("study_note", {"fields": fields})
    assert phone.push(m)["results"][0]["status"] == "applied"
    assert phone.push(m)["results"][0]["status"] == "duplicate"
    bad = phone.mutation("study_note", {"fields": [["uuid", str(uuid.uuid4())], ["org_id", str(org.id)]]})
    out = phone.push(bad)["results"][0]
    assert out["status"] == "rejected" and "topic" in out["fields"]


def test_auth_bearer_works_without_session_and_revoked_device_is_refused(client, auth, demo):
    device = register(client, auth)
    auth.logout()
    phone = Phone(client, device)
    org = org_named(FIELD_BRANCH)
    assert phone.push(phone.mutation("record", new_record(org), target=str(uuid.uuid4())))["results"][0]["status"] == "applied"
    no_auth = client.post("/api/sync/push", json={"mutations": []})
    assert no_auth.status_code == 401 and no_auth.get_json()["error"]["code"] == "sign_in_required"
    bogus = client.post("/api/sync/push", json={"mutations": []}, headers={"Authorization": "Bearer nope"})
    assert bogus.status_code == 401
    # a secretary of the member's branch revokes the phone
    auth.login("linshi")
    row = db.session.scalar(select(Device).where(Device.uuid == device["device"]))
    listing = client.get(f"/offline/devices/org/{org_named(FIELD_BRANCH).id}").get_data(as_text=True)
    assert "测试手机" in listing
    client.post(f"/offline/devices/{row.uuid}/revoke", data={"csrf_token": csrf_token(client, "/")})
    db.session.expire_all()
    assert db.session.get(Device, row.id).revoked_at is not None
    refused = phone.push(phone.mutation("record", new_record(org), target=str(uuid.uuid4())), expect=401)
    assert refused["error"]["code"] == "device_refused" and "停用" in refused["error"]["message"]


def test_session_path_needs_csrf_and_own_device(client, auth, demo):
    device = register(client, auth)
    assert device["user_id"] == demo["dangyuan"].id
    assert client.get("/api/sync/whoami").get_json()["user_id"] == demo["dangyuan"].id
    body = {"device": device["device"], "mutations": []}
    assert client.post("/api/sync/push", json=body).status_code == 400
    ok = client.post("/api/sync/push", json=body, headers={"X-CSRFToken": csrf_token(client, "/")})
    assert ok.status_code == 200 and ok.get_json()["results"] == []
    foreign = client.post("/api/sync/push", json={"device": str(uuid.uuid4()), "mutations": []},
                          headers={"X-CSRFToken": csrf_token(client, "/")})
    assert foreign.status_code == 401


def test_bad_input_answers_structured_chinese_errors(phone, client):
    headers = {"Authorization": f"Bearer {phone.device['token']}"}
    assert client.post("/api/sync/push", data="x", headers=headers).get_json()["error"]["code"] == "bad_request"
    too_many = client.post("/api/sync/push", json={"mutations": [{}] * 201}, headers=headers)
    assert too_many.status_code == 400 and "最多" in too_many.get_json()["error"]["message"]
    out = client.post("/api/sync/push", json={"mutations": [{"id": "x", "seq": -1}]}, headers=headers).get_json()
    assert out["results"][0]["status"] == "rejected" and out["results"][0]["code"] == "malformed"
    huge = client.post("/api/sync/push", data=b"{" + b" " * (3 * 1024 * 1024) + b"}", headers={
        **headers, "Content-Type": "application/json"})
    assert huge.status_code == 413 and huge.get_json()["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize("entity", ["record", "check_in", "study_note", "dues_payment", "self_assessment",
                                    "member_report"])
def test_an_unreadable_queued_form_is_rejected_in_its_batch_not_a_fault(phone, entity, caplog):
    """Found by fuzzing the OpenAPI document: a dues payment whose form fields were not a list of
    pairs ended the batch in a server error."""
    org = org_named(FIELD_BRANCH)
    good = phone.mutation("record", new_record(org))
    bad = phone.mutation(entity, {"fields": {"not": "pairs"}})
    results = phone.push(good, bad)["results"]
    assert [r["status"] for r in results] == ["applied", "rejected"]
    assert results[1]["code"] == "invalid" and results[1]["message"] == "表单内容格式不正确"
    assert count(QuarantinedMutation, mutation_id=bad["id"]) == 1
    assert "redone one by one" not in caplog.text and "sync push failed" not in caplog.text


def test_out_of_range_ids_and_malformed_uuids_in_a_payload_are_rejected_not_a_fault(phone, caplog):
    """Found by fuzzing the OpenAPI document: ids beyond the integer columns reached the database."""
    org = org_named(FIELD_BRANCH)
    huge = str(10**30)
    cases = [
        phone.mutation("record", {"data": theme_day_data(org), "org_id": huge, "type": "theme_day"}),
        phone.mutation("record", {"data": theme_day_data(org, host_id=huge), "org_id": org.id, "type": "theme_day"}),
        phone.mutation("study_note", {"data": {"topic": "学习", "text": "笔记", "noted_on": "2026-11-20"},
                                      "org_id": huge}),
        phone.mutation("study_note", {"data": {"topic": "学习", "text": "笔记"}, "org_id": org.id,
                                      "uuid": "x" * 80}),
        phone.mutation("dues_payment", {"fields": [["org_id", huge], ["uuid", str(uuid.uuid4())]]}),
        phone.mutation("dues_payment", {"fields": [["org_id", "999999"], ["user_id", "1"], ["month", "2026-10"],
                                                   ["amount", "12.00"], ["uuid", str(uuid.uuid4())]]}),
        phone.mutation("record", {"fields": [["record_uuid", "not-a-uuid"], ["org_id", str(org.id)]]}),
    ]
    results = phone.push(*cases)["results"]
    assert [r["status"] for r in results] == ["rejected"] * len(cases), results
    assert results[6]["message"] == "标识（uuid）格式不正确"
    assert count(QuarantinedMutation) == len(cases)
    # The branch a phone named that does not exist is not linked: the item is parked with the
    # person's own (home) branch.
    parked = db.session.scalar(select(QuarantinedMutation).where(QuarantinedMutation.mutation_id == cases[5]["id"]))
    assert parked.org_id == org_named("规划计划处党支部").id
    assert "redone one by one" not in caplog.text and "sync push failed" not in caplog.text


def test_crash_mid_batch_then_retry_converges(phone, monkeypatch):
    org = org_named(FIELD_BRANCH)
    rid = str(uuid.uuid4())
    batch = [phone.mutation("record", new_record(org), target=rid),
             phone.mutation("check_in", {}, target=rid),
             phone.mutation("record", new_record(org, topic="第二版"), target=rid, base_version=1)]
    real = entities.HANDLERS["check_in"]

    def crashing(actor, mutation):
        real(actor, mutation)  # effects written, then the server dies before committing
        raise RuntimeError("simulated crash")

    monkeypatch.setitem(entities.HANDLERS, "check_in", crashing)
    crashed = phone.push(*batch, expect=500)
    assert [r["status"] for r in crashed["results"]] == ["applied"]
    db.session.expire_all()
    assert check_ins(rid) == 0 and count(ProcessedMutation) == 1
    monkeypatch.setitem(entities.HANDLERS, "check_in", real)
    outs = phone.push(*batch)["results"]
    assert [o["status"] for o in outs] == ["duplicate", "applied", "applied"]
    assert phone.push(*batch)["results"][2]["status"] == "duplicate"
    assert check_ins(rid) == 1 and count(Record, uuid=rid) == 1 and count(ProcessedMutation) == 3
    assert db.session.scalar(select(func.count()).select_from(RecordVersion).join(Record)
                             .where(Record.uuid == rid)) == 2


def test_a_fault_while_writing_a_batch_in_bulk_undoes_it_and_it_is_redone_one_by_one(phone, monkeypatch):
    from webapp.offline.bulk_ingest import BulkIngest

    org = org_named(FIELD_BRANCH)
    rids = [str(uuid.uuid4()) for _ in range(3)]
    batch = [phone.mutation("record", new_record(org, topic=f"第{i}次"), target=rid) for i, rid in enumerate(rids)]
    batch.append(phone.mutation("check_in", {}, target=rids[0]))
    real_flush = BulkIngest.flush

    def failing(self):
        real_flush(self)  # rows written, then the database connection fails before the commit
        raise RuntimeError("connection lost")

    monkeypatch.setattr(BulkIngest, "flush", failing)
    answer = phone.push(*batch)
    outs = answer["results"]
    assert [o["status"] for o in outs] == ["applied"] * 4 and answer["last_seq"] == 4
    assert sum(count(Record, uuid=rid) for rid in rids) == 3 and check_ins(rids[0]) == 1
    assert count(ProcessedMutation) == 4 and count(RecordVersion) == db.session.scalar(
        select(func.count()).select_from(Record))
    monkeypatch.setattr(BulkIngest, "flush", real_flush)
    answer = phone.push(*batch)
    assert [o["status"] for o in answer["results"]] == ["duplicate"] * 4 and count(ProcessedMutation) == 4
    assert answer["last_seq"] == 4


def test_a_batch_of_new_records_and_check_ins_is_written_like_one_by_one(phone, client, auth):
    """The bulk path writes the same rows as the records service: versions, attendance with the
    check-in counted, the audit trail, processed markers, photos still missing."""
    from webapp.models import AuditLog

    org = org_named(FIELD_BRANCH)
    me = db.session.scalar(select(User).where(User.username == "dangyuan"))
    leader = db.session.scalar(select(User).where(User.username == "linshi"))
    photo = "ab" * 32
    rids = [str(uuid.uuid4()) for _ in range(3)]
    batch = [phone.mutation("record", new_record(org, photos=[photo]), target=rids[0]),
             # the leader marked absent, then checks in from her phone
             phone.mutation("record", new_record(org, topic="第二次", attendee_ids=[me.id],
                                                 absentees=[{"user_id": leader.id, "reason": ""}]), target=rids[1]),
             # the leader not listed at all
             phone.mutation("record", new_record(org, topic="第三次", attendee_ids=[me.id], absentees=[]),
                            target=rids[2]),
             phone.mutation("check_in", {}, target=rids[0]),
             phone.mutation("check_in", {}, target=rids[0])]  # twice: a set
    answer = phone.push(*batch)
    outs = answer["results"]
    assert [o["status"] for o in outs] == ["applied"] * 5 and outs[3]["version"] == 1
    assert answer["last_seq"] == 5
    record = db.session.scalar(select(Record).where(Record.uuid == rids[0]))
    assert record.state == "submitted" and record.version == 1 and len(record.versions) == 1
    assert record.versions[0].source == "sync" and record.photos_missing == 1
    assert [p.sha256 for p in record.photos] == [photo]
    ids = member_ids(org)
    assert {a.user_id: a.status for a in record.attendances} == {
        **{i: "present" for i in ids[:-1]}, ids[-1]: "leave", me.id: "present"}
    assert [c.user_id for c in record.check_ins] == [me.id]
    actions = sorted(db.session.scalars(select(AuditLog.action).where(AuditLog.entity_id == rids[0])))
    assert actions == ["check_in", "create"]
    device = db.session.scalar(select(Device).where(Device.uuid == phone.device["device"]))
    assert device.last_seq == 5 and device.last_seen_at is not None  # noted with the batch
    # Check-ins to records that exist already, from another phone: absent becomes present, and one
    # not listed is added.
    auth.logout()
    other = Phone(client, register(client, auth, "linshi"))
    outs = other.push(other.mutation("check_in", {}, target=rids[1]),
                      other.mutation("check_in", {}, target=rids[2]))["results"]
    assert [o["status"] for o in outs] == ["applied", "applied"]
    db.session.expire_all()
    for rid in rids[1:]:
        again = db.session.scalar(select(Record).where(Record.uuid == rid))
        assert {a.user_id: a.status for a in again.attendances} == {me.id: "present", leader.id: "present"}
        assert [c.user_id for c in again.check_ins] == [leader.id]


def test_sequence_numbers_gap_and_late_arrival(phone):
    org = org_named(FIELD_BRANCH)
    phone.seq = 4
    [out] = phone.push(phone.mutation("record", new_record(org), target=str(uuid.uuid4())))["results"]
    assert out["status"] == "applied" and out["gap"] == 4
    # A mutation numbered below what the device sent before (a restored outbox export, a second
    # tab) was never processed: it is applied, and the answer says it arrived out of order.
    phone.seq = 2
    late_record = phone.mutation("record", new_record(org, topic="迟到的记录"), target=str(uuid.uuid4()))
    answer = phone.push(late_record)
    [late] = answer["results"]
    assert late["status"] == "applied" and late["out_of_order"] is True and late["last_seq"] == 5
    assert "gap" not in late
    assert db.session.scalar(select(Device.last_seq)) == 5 and answer["last_seq"] == 5
    assert count(Record, uuid=late_record["target"]) == 1
    [again] = phone.push(late_record)["results"]
    assert again["status"] == "duplicate" and count(Record, uuid=late_record["target"]) == 1


def jpeg(color=(10, 120, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(buffer, "JPEG")
    return buffer.getvalue()


def test_photo_upload_is_idempotent_and_fills_missing(phone, client):
    org = org_named(FIELD_BRANCH)
    content = jpeg()
    sha = hashlib.sha256(content).hexdigest()
    rid = str(uuid.uuid4())
    phone.push(phone.mutation("record", new_record(org, photos=[sha]), target=rid))
    assert db.session.scalar(select(Record.photos_missing).where(Record.uuid == rid)) == 1
    headers = {"Authorization": f"Bearer {phone.device['token']}", "Content-Type": "image/jpeg"}
    first = client.put(f"/api/sync/photos/{sha}", data=content, headers=headers)
    second = client.put(f"/api/sync/photos/{sha}", data=content, headers=headers)
    assert first.status_code == 201 and second.status_code == 200
    assert count(Photo, sha256=sha) == 1
    db.session.expire_all()
    assert db.session.scalar(select(Record.photos_missing).where(Record.uuid == rid)) == 0
    wrong = client.put(f"/api/sync/photos/{'0' * 64}", data=content, headers=headers)
    assert wrong.status_code == 400 and wrong.get_json()["error"]["code"] == "hash_mismatch"


def test_pull_gives_branches_rosters_and_own_records(phone, client, demo):
    org = org_named(FIELD_BRANCH)
    rid = str(uuid.uuid4())
    phone.push(phone.mutation("record", new_record(org), target=rid))
    headers = {"Authorization": f"Bearer {phone.device['token']}"}
    body = client.get("/api/sync/pull", headers=headers).get_json()
    field = next(b for b in body["branches"] if b["id"] == org.id)
    assert field["i_record"] is True and any(p["name"] == demo["linshi"].name for p in field["roster"])
    mine = [r for r in body["records"] if r["uuid"] == rid]
    assert len(mine) == 1 and mine[0]["state"] == "submitted"
    again = client.get("/api/sync/pull", headers=headers, query_string={"cursor": body["cursor"]}).get_json()
    assert again["records"] == []
    outsider = db.session.scalar(select(User).where(User.username == "shuji"))
    theirs = pull_for(client, outsider)
    assert theirs and all(b["id"] != org.id for b in theirs)  # their own branches, never this one


def pull_for(client, user):
    _device, token = devices.register(user, "x")
    db.session.commit()
    return client.get("/api/sync/pull", headers={"Authorization": f"Bearer {token}"}).get_json()["branches"]


def test_openapi_document_names_every_sync_route_the_server_serves_and_no_other(app, client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    documented = {(method.upper(), re.sub(r"\{(\w+)\}", r"<\1>", path))
                  for path, operations in doc["paths"].items() for method in operations}
    served = {(method, re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", rule.rule))
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/sync/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert ("POST", "/api/sync/push") in served
    assert documented == served


def test_openapi_document_names_the_entities_and_statuses_the_server_knows(client):
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    assert set(schemas["Mutation"]["properties"]["entity"]["enum"]) == set(entities.HANDLERS)
    assert schemas["Result"]["properties"]["status"]["enum"] == list(STATUSES)


def test_openapi_push_example_is_applied_by_the_server(client, demo):
    doc = client.get("/api/openapi.json").get_json()
    example = doc["paths"]["/api/sync/push"]["post"]["requestBody"]["content"]["application/json"]["example"]
    [mutation] = example["mutations"]
    org = org_named(FIELD_BRANCH)
    fields = [[name, str(org.id) if name == "org_id" else value] for name, value in mutation["payload"]["fields"]]
    _device, token = devices.register(demo["dangyuan"], "example")
    db.session.commit()
    response = client.post("/api/sync/push", json={"mutations": [{**mutation, "payload": {"fields": fields}}]},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    [result] = response.get_json()["results"]
    assert result["status"] == "applied", result
    note_uuid = dict(fields)["uuid"]
    assert db.session.scalar(select(StudyNote).where(StudyNote.uuid == note_uuid)).topic == dict(fields)["topic"]


def test_check_in_on_an_approved_record_waits_for_the_secretary(phone, client, auth, demo):
    org = org_named(FIELD_BRANCH)
    rid = str(uuid.uuid4())
    service.create_record(org, "theme_day", theme_day_data(org), demo["linshi"], uuid=rid)
    db.session.commit()
    record = db.session.scalar(select(Record).where(Record.uuid == rid))
    service.approve(record, demo["jiguan"])
    db.session.commit()
    [out] = phone.push(phone.mutation("check_in", {"fields": [["record_uuid", rid]]}))["results"]
    assert out["status"] == "rejected" and out["code"] == "locked"
    assert check_ins(rid) == 0
    item = db.session.scalar(select(QuarantinedMutation))
    auth.logout()
    auth.login("linshi")
    client.post(f"/offline/quarantine/{item.id}/retry", data={"csrf_token": csrf_token(client, "/offline/quarantine")})
    db.session.expire_all()
    assert db.session.get(QuarantinedMutation, item.id).state == "applied" and check_ins(rid) == 1


def test_records_ui_form_fields_with_record_type(phone):
    org = org_named(FIELD_BRANCH)
    rid = str(uuid.uuid4())
    fields = [["uuid", rid], ["org_id", str(org.id)], ["record_type", "theme_day"]]
    fields += [list(pair) for pair in data_to_pairs(theme_day_data(org))]
    [out] = phone.push(phone.mutation("record", {"fields": fields,
                                                 "action": f"/records/new/{org.id}/theme_day"}))["results"]
    assert out["status"] == "applied" and out["target"] == rid


def test_concurrent_pushes_from_two_devices_and_two_users_on_one_record(app, client, auth, demo):
    """Edits on the same base from two phones of one user and from another user, at the same
    moment: exactly one applies, the others are kept as conflict versions, each exactly once."""
    import threading

    org = org_named(FIELD_BRANCH)
    rid = str(uuid.uuid4())
    service.create_record(org, "theme_day", theme_day_data(org), demo["dangyuan"], uuid=rid)
    db.session.commit()
    tokens = [register(client, auth)["token"]]
    second = client.post("/api/sync/devices", json={"name": "第二台手机"},
                         headers={"X-CSRFToken": csrf_token(client, "/")})
    tokens.append(second.get_json()["token"])
    auth.logout()
    tokens.append(register(client, auth, "linshi")["token"])
    auth.logout()
    edits = [{"id": str(uuid.uuid4()), "seq": 1, "entity": "record", "target": rid, "base_version": 1,
              "payload": {"data": theme_day_data(org, topic=f"并发修改 {i}")}} for i in range(3)]
    answers: dict[int, dict] = {}
    start = threading.Barrier(3)

    def push(i):
        own = app.test_client()
        start.wait()
        for _attempt in range(8):  # a server error (SQLite busy) is retried, as the phone does
            response = own.post("/api/sync/push", json={"mutations": [edits[i]]},
                                headers={"Authorization": f"Bearer {tokens[i]}"})
            if response.status_code == 200:
                answers[i] = response.get_json()["results"][0]
                return

    threads = [threading.Thread(target=push, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(a["status"] for a in answers.values()) == ["applied", "conflict", "conflict"]
    db.session.expire_all()
    record = db.session.scalar(select(Record).where(Record.uuid == rid))
    assert record.version == 2 and record.has_conflict
    assert sorted(v.kind for v in record.versions) == ["conflict", "conflict", "edit", "edit"]
    assert count(ProcessedMutation) == 3


def test_dues_payment_through_sync_is_idempotent(client, auth, demo):
    from webapp.china_time import china_today
    from webapp.models import DuesPayment, Membership

    phone = Phone(client, register(client, auth, "shuji"))
    org = org_named("办公室党支部")
    member = db.session.scalar(select(Membership).where(Membership.org_id == org.id,
                                                        Membership.user_id != demo["shuji"].id)).user
    pid = str(uuid.uuid4())
    fields = [["uuid", pid], ["org_id", str(org.id)], ["user_id", str(member.id)],
              ["month", f"{china_today().year - 1}-12"], ["amount", "30"],
              ["paid_on", china_today().isoformat()], ["channel", "cash"]]
    m = phone.mutation("dues_payment", {"fields": fields})
    assert phone.push(m)["results"][0]["status"] == "applied"
    again = phone.mutation("dues_payment", {"fields": fields})  # the same form queued twice
    assert phone.push(again)["results"][0]["status"] == "applied"
    assert count(DuesPayment, uuid=pid) == 1
    changed = phone.mutation("dues_payment", {"fields": [f if f[0] != "amount" else ["amount", "31"] for f in fields]})
    out = phone.push(changed)["results"][0]
    assert out["status"] == "rejected" and out["code"] == "conflict"


def test_registering_again_from_the_same_browser_renews_its_device(client, auth, demo):
    auth.login("dangyuan")
    headers = {"X-CSRFToken": csrf_token(client, "/")}
    first = client.post("/api/sync/devices", json={"name": "手机", "client_key": "k-1"}, headers=headers).get_json()
    again = client.post("/api/sync/devices", json={"name": "手机", "client_key": "k-1"}, headers=headers).get_json()
    other = client.post("/api/sync/devices", json={"name": "平板", "client_key": "k-2"}, headers=headers).get_json()
    assert first["device"] == again["device"] != other["device"] and first["token"] != again["token"]
    assert count(Device, user_id=demo["dangyuan"].id) == 2
    auth.logout()
    stale = Phone(client, first)
    assert stale.push(expect=401)["error"]["code"] == "device_refused"
    assert Phone(client, again).push()["results"] == []


def test_secretary_corrects_a_quarantined_record_and_it_is_applied(phone, client, auth, demo):
    org = org_named(FIELD_BRANCH)
    rid = str(uuid.uuid4())
    fields = [["uuid", rid], ["org_id", str(org.id)], ["record_type", "theme_day"]]
    fields += [list(p) for p in data_to_pairs(theme_day_data(org, place="")) if p[0] != "place"]
    [out] = phone.push(phone.mutation("record", {"fields": fields}))["results"]
    assert out["status"] == "rejected" and "place" in out["fields"]
    item = db.session.scalar(select(QuarantinedMutation))
    auth.logout()
    auth.login("linshi")
    page = client.get(f"/offline/quarantine/{item.id}/edit").get_data(as_text=True)
    assert "请填写地点" in page and 'name="topic"' in page
    token = csrf_token(client, f"/offline/quarantine/{item.id}/edit")
    form = {"csrf_token": token, "place": "城南水文站", **{k: v for k, v in data_to_pairs(theme_day_data(org))
                                                           if k in ("occurred_on", "start_time", "end_time", "topic", "content")}}
    assert client.post(f"/offline/quarantine/{item.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(QuarantinedMutation, item.id).state == "applied"
    assert db.session.scalar(select(Record.place).where(Record.uuid == rid)) == "城南水文站"
    auth.logout()
    auth.login("dangyuan")  # the recorder may see the item but not correct it
    assert client.get(f"/offline/quarantine/{item.id}/edit").status_code == 403
