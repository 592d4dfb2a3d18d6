"""The records core: validation per type, the theme-day standard, versions, review, check-ins,
talk privacy, conflicts, photos."""
import hashlib
import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.records_helpers import FIELD_BRANCH, member_ids, org_named, theme_day_data
from webapp.extensions import db
from webapp.models import AuditLog, Attendance, Photo, Record, RecordVersion, User
from webapp.records import events, photos, service
from webapp.storage import storage
from webapp.domain_errors import Invalid, NotAllowed
from webapp.records.errors import RecordLocked, ReviewRefused, VersionConflict
from webapp.records.visibility import can_view, visible_records_filter


def visible_ids(user) -> set[int]:
    return set(db.session.scalars(select(Record.id).where(visible_records_filter(user))))


def jpeg(color=(200, 30, 30), size=(800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def test_recorder_creates_theme_day_meeting_the_standard(demo):
    org = org_named(FIELD_BRANCH)
    record = service.create_record(org, "theme_day", theme_day_data(org), demo["dangyuan"])
    db.session.commit()
    assert record.state == "submitted" and record.version == 1 and record.duration_minutes == 90
    assert record.meets_standard is True and record.standard_problems == []
    assert record.recorder_id == demo["dangyuan"].id
    statuses = {a.status for a in record.attendances}
    assert statuses == {"present", "leave"}
    assert record.starts_at.hour == 1  # 09:00 China time is 01:00 UTC
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity_id == record.uuid)) is not None


@pytest.mark.parametrize("start,end,items,meets,problem", [
    ("09:00", "09:59", ["recite_constitution", "collective_study", "pay_dues"], False, "时长不足 1 小时（实际 59 分钟）"),
    ("09:00", "10:00", ["recite_constitution", "collective_study", "pay_dues"], True, None),
    ("09:00", "11:00", ["recite_constitution", "collective_study"], False, "缺少必备内容：交纳当月党费"),
])
def test_theme_day_standard_boundaries(demo, start, end, items, meets, problem):
    org = org_named(FIELD_BRANCH)
    record = service.create_record(org, "theme_day", theme_day_data(
        org, start_time=start, end_time=end, theme_items=items), demo["dangyuan"])
    assert record.meets_standard is meets
    if problem:
        assert problem in record.standard_problems


def test_invalid_input_reports_every_field_in_chinese(demo):
    org = org_named(FIELD_BRANCH)
    outsider = db.session.scalar(select(User).where(User.username == "shuji"))
    records_before = db.session.scalar(select(func.count()).select_from(Record))
    with pytest.raises(Invalid) as error:
        service.create_record(org, "theme_day", theme_day_data(
            org, occurred_on=(date.today() + timedelta(days=3)).isoformat(), start_time="10:00",
            end_time="09:00", topic="", place="", attendee_ids=[outsider.id],
            theme_items=["dance"]), demo["dangyuan"])
    errors = error.value.errors
    assert "晚于今天" in errors["occurred_on"]
    assert errors["end_time"] == "结束时间应晚于开始时间"
    assert errors["topic"] == "请填写主题" and errors["place"] == "请填写地点"
    assert "不属于本支部" in errors["attendee_ids"]
    assert errors["theme_items"] == "必备内容无效"
    assert db.session.scalar(select(func.count()).select_from(Record)) == records_before


def test_committee_meeting_only_where_a_committee_exists(demo):
    small = org_named("规划计划处党支部")  # 7 members or fewer: a secretary only
    secretary = next(m.user for m in small_memberships(small) if m.title == "secretary")
    with pytest.raises(Invalid) as error:
        service.create_record(small, "committee_meeting", theme_day_data(small), secretary)
    assert "未设支委会" in error.value.errors["type"]
    large = org_named("办公室党支部")
    record = service.create_record(large, "committee_meeting", theme_day_data(large), demo["shuji"])
    assert record.type_label == "支委会"


def small_memberships(org):
    from webapp.models import Membership
    return list(db.session.scalars(select(Membership).where(Membership.org_id == org.id)))


def test_each_record_type_saves(demo):
    org = org_named("办公室党支部")
    ids = member_ids(org)
    group = next(c for c in org.children if c.kind == "group")
    extra = {
        "general_meeting": {}, "committee_meeting": {}, "life_meeting": {"rectification": "1. 加强学习"},
        "group_meeting": {"group_id": group.id},
        "lecture": {"lecturer_id": demo["shuji"].id},
        "theme_day": {},
        "evaluation": {"evaluation_steps": ["self", "mutual", "democratic", "organizational"],
                       "grades": {str(ids[0]): "excellent", str(ids[1]): "qualified"}},
        "talk": {"talk_with_ids": [ids[2]]},
    }
    for record_type, fields in extra.items():
        record = service.create_record(org, record_type, theme_day_data(org, **fields), demo["shuji"])
        assert record.type == record_type
    lecture = db.session.scalar(select(Record).where(Record.type == "lecture"))
    assert lecture.is_secretary_lecture is True
    talk = db.session.scalar(select(Record).where(Record.type == "talk"))
    assert talk.is_private is True


def test_type_specific_requirements(demo):
    org = org_named("办公室党支部")
    cases = {
        "group_meeting": ({}, "group_id"), "lecture": ({}, "lecturer_id"), "talk": ({}, "talk_with_ids"),
        "evaluation": ({"grades": {"999999": "excellent"}}, "grades"),
    }
    for record_type, (fields, key) in cases.items():
        with pytest.raises(Invalid) as error:
            service.create_record(org, record_type, theme_day_data(org, **fields), demo["shuji"])
        assert key in error.value.errors, record_type
    with pytest.raises(Invalid):
        service.create_record(org, "party_dance", theme_day_data(org), demo["shuji"])


def test_plain_member_cannot_record(demo):
    org = org_named("规划计划处党支部")
    with pytest.raises(NotAllowed):
        service.create_record(org, "theme_day", theme_day_data(org), demo["dangyuan"])


def test_review_cycle_keeps_every_version(demo):
    org = org_named(FIELD_BRANCH)
    recorder, leader = demo["dangyuan"], demo["linshi"]
    approved = []

    def remember(record, **_):
        approved.append(record.version)

    events.record_approved.connect(remember, weak=False)
    try:
        record = service.create_record(org, "theme_day", theme_day_data(org), recorder)
        with pytest.raises(ReviewRefused):
            service.approve(record, recorder)  # never one's own record
        with pytest.raises(Invalid):
            service.return_for_correction(record, leader, "  ")
        service.return_for_correction(record, leader, "请补充缺席人员的请假原因")
        assert record.state == "returned"
        with pytest.raises(VersionConflict):
            service.revise_record(record, theme_day_data(org, topic="新主题"), recorder, base_version=0)
        service.revise_record(record, theme_day_data(org, topic="新主题"), recorder, base_version=1)
        assert record.state == "submitted" and record.version == 2
        service.approve(record, leader, "同意")
        assert record.state == "approved" and record.approved_version == 2 and approved == [2]
        with pytest.raises(RecordLocked):
            service.revise_record(record, theme_day_data(org, topic="离线修改"), recorder,
                                  base_version=2, allow_correction=False)
        # A correction after approval is a new version needing approval; v2 stays approved.
        service.revise_record(record, theme_day_data(org, topic="更正"), recorder, base_version=2)
        assert record.state == "submitted" and record.version == 3 and record.approved_version == 2
        with pytest.raises(ReviewRefused):
            service.approve(record, recorder)
        service.approve(record, demo["jiguan"])
        assert approved == [2, 3]
        db.session.commit()
    finally:
        events.record_approved.disconnect(remember)  # only our own: points and standards stay subscribed
    assert [v.number for v in record.versions] == [1, 2, 3]
    assert [c.action for c in record.comments] == ["return", "approve", "approve"]
    from webapp.records.diffing import changes
    assert ("主题", "学习贯彻党的二十届四中全会精神", "新主题") in changes(record, 1, 2)


def test_unchanged_resave_adds_no_version(demo):
    org = org_named(FIELD_BRANCH)
    record = service.create_record(org, "theme_day", theme_day_data(org), demo["dangyuan"])
    service.revise_record(record, theme_day_data(org), demo["dangyuan"], base_version=1)
    assert record.version == 1 and len(record.versions) == 1


def test_check_ins_merge_and_count_as_present(demo):
    org = org_named(FIELD_BRANCH)
    data = theme_day_data(org)
    absent_id = data["absentees"][0]["user_id"]
    record = service.create_record(org, "theme_day", data, demo["dangyuan"])
    absent = db.session.get(User, absent_id)
    first = service.check_in(record, absent)
    again = service.check_in(record, absent)
    assert first.id == again.id and len(record.check_ins) == 1
    status = {a.user_id: a.status for a in record.attendances}
    assert status[absent_id] == "present"
    with pytest.raises(NotAllowed):
        service.check_in(record, demo["shuji"])  # not in the field branch


def test_talks_are_visible_to_committee_only(demo):
    org = org_named("办公室党支部")
    ids = member_ids(org)
    talk_partner = db.session.get(User, ids[3])
    talk = service.create_record(org, "talk", theme_day_data(
        org, talk_with_ids=[talk_partner.id], attendee_ids=[talk_partner.id], absentees=[]), demo["shuji"])
    meeting = service.create_record(org, "general_meeting", theme_day_data(
        org, attendee_ids=[talk_partner.id], absentees=[]), demo["shuji"])
    db.session.commit()
    assert talk.id in visible_ids(demo["shuji"]) and talk.id in visible_ids(demo["jiguan"])
    assert talk.id not in visible_ids(talk_partner) and not can_view(talk_partner, talk)
    assert meeting.id in visible_ids(talk_partner)  # attended it
    assert meeting.id not in visible_ids(demo["dangyuan"]) and talk.id not in visible_ids(demo["dangyuan"])


def test_conflict_is_kept_and_resolved(demo):
    org = org_named(FIELD_BRANCH)
    record = service.create_record(org, "theme_day", theme_day_data(org), demo["dangyuan"])
    service.revise_record(record, theme_day_data(org, topic="线上修改"), demo["linshi"], base_version=1)
    conflict = service.store_conflict(record, theme_day_data(org, topic="离线修改"), demo["dangyuan"],
                                      base_version=1)
    assert record.has_conflict and record.topic == "线上修改" and conflict.is_conflict
    service.resolve_conflict(record, conflict, demo["linshi"], adopt=True)
    assert record.topic == "离线修改" and not record.has_conflict and record.version == 4
    assert conflict.resolution == "adopted"
    with pytest.raises(ReviewRefused):
        service.resolve_conflict(record, conflict, demo["linshi"], adopt=False)


def test_photos_by_hash_idempotent_and_missing_until_uploaded(demo):
    org = org_named(FIELD_BRANCH)
    content = jpeg()
    sha = hashlib.sha256(content).hexdigest()
    record = service.create_record(org, "theme_day", theme_day_data(org, photos=[sha]), demo["dangyuan"])
    db.session.commit()
    assert record.photos_missing == 1
    photo, created = photos.store(content, demo["dangyuan"], expected_sha256=sha)
    again, created_again = photos.store(content, demo["dangyuan"], expected_sha256=sha)
    db.session.commit()
    db.session.refresh(record)
    assert created and not created_again and photo.sha256 == again.sha256 == sha
    assert record.photos_missing == 0 and photo.width == 800
    assert storage().open(photos.key_for(sha)).read() == content and storage().exists(photos.key_for(sha, thumb=True))
    with pytest.raises(photos.PhotoRejected) as error:
        photos.store(b"not an image", demo["dangyuan"])
    assert error.value.code == "invalid_photo"
    with pytest.raises(photos.PhotoRejected) as error:
        photos.store(jpeg(color=(1, 2, 3)), demo["dangyuan"], expected_sha256=sha)
    assert error.value.code == "hash_mismatch"
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 1


def test_recording_late_is_shown_honestly(demo):
    org = org_named(FIELD_BRANCH)
    record = service.create_record(org, "theme_day", theme_day_data(
        org, occurred_on=(date.today() - timedelta(days=12)).isoformat()), demo["dangyuan"])
    assert record.recorded_late_days in (11, 12, 13)  # China date vs UTC date at the day's edges


def test_closed_branch_takes_no_new_records(demo):
    from webapp.models.base import utcnow
    org = org_named(FIELD_BRANCH)
    org.closed_at = utcnow()
    with pytest.raises((Invalid, NotAllowed)):
        service.create_record(org, "theme_day", theme_day_data(org), demo["linshi"])


def test_versions_are_stored_in_full(demo):
    org = org_named(FIELD_BRANCH)
    record = service.create_record(org, "theme_day", theme_day_data(org), demo["dangyuan"])
    db.session.commit()
    stored = db.session.scalar(select(RecordVersion).where(RecordVersion.record_id == record.id))
    assert stored.data["topic"] == record.topic and stored.data["absentees"][0]["reason"] == "外出测流"
    assert db.session.scalar(select(func.count()).select_from(Attendance).where(
        Attendance.record_id == record.id)) == len(record.attendances)
