"""Records through the web: entry forms for every type, the theme-day flag, talks' privacy, the review
cycle with versions, bulk approve, idempotent resubmission, photos and study notes."""
import io
import re
from datetime import date, datetime, time, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.records_helpers import FIELD_BRANCH, member_ids, org_named, theme_day_data
from webapp.extensions import db
from webapp.models import AuditLog, CheckIn, Membership, Organization, Record, StudyNote, User
from webapp.china_time import CHINA_TZ
from webapp.records import service, validation
from webapp.rules.life import RECORD_TYPES

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def form(org: Organization, **overrides) -> dict:
    ids = [str(i) for i in member_ids(org)]
    data = {"occurred_on": YESTERDAY, "start_time": "09:00", "end_time": "10:30", "place": "城南水文站会议室",
            "topic": "学习二十届四中全会精神", "content": "集体诵读党章；学习公报。",
            "roster_ids": ids, "attendee_ids": ids[:-1], f"leave_reason_{ids[-1]}": "外出测流",
            "invited_name": ["赵工", ""], "invited_note": ["分包单位党员", ""],
            "theme_items": ["recite_constitution", "collective_study", "pay_dues"], "theme_forms": ["discussion"]}
    data.update(overrides)
    return data


def newest(org: Organization) -> Record:
    return db.session.scalar(select(Record).where(Record.org_id == org.id).order_by(Record.id.desc()))


def test_recorder_saves_a_theme_day_from_the_form(client, auth, demo):
    org = org_named(FIELD_BRANCH)
    auth.login("dangyuan")
    page = client.get(f"/records/new/{org.id}/theme_day").get_data(as_text=True)
    assert 'data-offline-entity="record"' in page and "集体诵读党章" in page
    assert "本月主题" in page  # the committee's guiding theme of the month is shown
    response = auth.post(f"/records/new/{org.id}/theme_day", form(org))
    assert response.status_code == 302
    record = newest(org)
    assert record.topic == "学习二十届四中全会精神" and record.state == "submitted"
    assert record.meets_standard is True and record.duration_minutes == 90
    statuses = {a.user_id: (a.status, a.reason) for a in record.attendances}
    last = member_ids(org)[-1]
    assert statuses[last] == ("leave", "外出测流")
    assert sum(1 for s, _ in statuses.values() if s == "present") == len(member_ids(org)) - 1
    assert record.current.data["invited"] == [{"name": "赵工", "note": "分包单位党员"}]
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "待审核" in detail and "出席 " in detail and "赵工" in detail


def test_a_meeting_saved_before_it_ends_is_kept_with_a_warning_on_the_record(client, auth, demo):
    org = org_named(FIELD_BRANCH)
    now = datetime.now(CHINA_TZ)
    if now.strftime("%H:%M") >= "23:58":
        pytest.skip("no end time later today is left to type")
    auth.login("dangyuan")
    today = now.date().isoformat()
    response = auth.post(f"/records/new/{org.id}/theme_day",
                         form(org, occurred_on=today, start_time="00:00", end_time="23:59"))
    assert response.status_code == 302  # a warning, never a block
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "保存时会议还没有结束" in detail and "data-saved-before-end" in detail
    assert f"结束时间 {now.year}年{now.month}月{now.day}日 23:59" in detail

    # A meeting saved after it ended says nothing.
    response = auth.post(f"/records/new/{org.id}/theme_day", form(org, topic="已经结束的会议"))
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "保存时会议还没有结束" not in detail and "data-saved-before-end" not in detail


def test_a_record_synced_from_a_phone_is_judged_by_when_the_phone_saved_it(app, demo):
    org = org_named(FIELD_BRANCH)
    actor = user("dangyuan")
    day = date.today() - timedelta(days=1)
    early = service.create_record(org, "theme_day", theme_day_data(org, occurred_on=day.isoformat()), actor,
                                  client_recorded_at=datetime.combine(day, time(9, 30), tzinfo=CHINA_TZ),
                                  source="sync")
    late = service.create_record(org, "theme_day", theme_day_data(org, occurred_on=day.isoformat()), actor,
                                 client_recorded_at=datetime.combine(day, time(10, 45), tzinfo=CHINA_TZ),
                                 source="sync")
    db.session.commit()
    warning = validation.saved_before_end(early)
    assert warning and f"保存于 {day.year}年{day.month}月{day.day}日 09:30" in warning
    assert validation.saved_before_end(late) is None


@pytest.mark.parametrize("record_type", sorted(RECORD_TYPES))
def test_every_record_type_can_be_entered_through_its_form(client, auth, demo, record_type):
    org = org_named("办公室党支部")
    auth.login("shuji")
    assert client.get(f"/records/new/{org.id}/{record_type}").status_code == 200
    ids = [str(i) for i in member_ids(org)]
    extra = {
        "lecture": {"lecturer_id": str(demo["shuji"].id)},
        "talk": {"talk_with_ids": [ids[2]], "roster_ids": [], "attendee_ids": []},
        "group_meeting": {"group_id": str(next(g.id for g in org.children if g.kind == "group"))},
        "evaluation": {"evaluation_steps": ["self", "mutual", "democratic", "organizational"],
                       f"grade_{ids[0]}": "excellent"},
        "life_meeting": {"rectification": "一、理论学习不够系统：制定学习计划。"},
    }.get(record_type, {})
    before = db.session.scalar(select(func.count()).select_from(Record))
    response = auth.post(f"/records/new/{org.id}/{record_type}", form(org, **extra))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Record)) == before + 1
    record = newest(org)
    assert record.type == record_type
    if record_type == "lecture":
        assert record.is_secretary_lecture
    if record_type == "talk":
        assert record.is_private
    if record_type == "evaluation":
        assert record.current.data["grades"] == {ids[0]: "excellent"}


def test_short_theme_day_is_saved_but_flagged_with_reasons(client, auth, demo):
    org = org_named(FIELD_BRANCH)
    auth.login("dangyuan")
    response = auth.post(f"/records/new/{org.id}/theme_day",
                         form(org, end_time="09:59", theme_items=["recite_constitution", "collective_study"]))
    assert response.status_code == 302
    record = newest(org)
    assert record.meets_standard is False
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "未达标准" in html and "时长不足 1 小时（实际 59 分钟）" in html and "缺少必备内容：交纳当月党费" in html


def test_rejected_save_keeps_everything_typed_and_explains_in_chinese(client, auth, demo):
    org = org_named(FIELD_BRANCH)
    auth.login("dangyuan")
    before = db.session.scalar(select(func.count()).select_from(Record))
    response = auth.post(f"/records/new/{org.id}/theme_day",
                         form(org, topic="", end_time="08:00", place="江心测验断面", content="详细的会议内容"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请填写主题" in html and "结束时间应晚于开始时间" in html
    assert 'value="江心测验断面"' in html and "详细的会议内容" in html and 'value="外出测流"' in html
    assert db.session.scalar(select(func.count()).select_from(Record)) == before


def test_resubmitting_the_same_uuid_never_duplicates(client, auth, demo):
    org = org_named(FIELD_BRANCH)
    auth.login("dangyuan")
    uuid = "5b0c8d8e-8f7a-4c1e-9a57-0f3f1f7c2a11"
    first = auth.post(f"/records/new/{org.id}/theme_day", form(org, uuid=uuid))
    second = auth.post(f"/records/new/{org.id}/theme_day", form(org, uuid=uuid))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Record).where(Record.uuid == uuid)) == 1


def test_talks_are_visible_to_the_committee_only(client, auth, demo):
    org = org_named("办公室党支部")
    talk = db.session.scalar(select(Record).where(Record.org_id == org.id, Record.type == "talk"))
    talked_with = talk.current.data["talk_with_ids"][0]
    ordinary = db.session.get(User, talked_with)
    assert client.get(f"/records/{talk.uuid}").status_code == 302  # sign in first
    auth.login("shuji")
    assert client.get(f"/records/{talk.uuid}").status_code == 200
    auth.logout()
    auth.login("jiguan")
    assert client.get(f"/records/{talk.uuid}").status_code == 200
    listing = client.get("/records/").get_data(as_text=True)
    assert talk.topic in listing
    # An ordinary member of the branch (even the person talked with) never sees it.
    ordinary.username = "talked"
    ordinary.password_hash = demo["shuji"].password_hash
    db.session.commit()
    auth.logout()
    auth.login("talked")
    assert client.get(f"/records/{talk.uuid}").status_code == 404
    assert talk.topic not in client.get("/records/").get_data(as_text=True)


def test_review_cycle_return_correct_approve_and_correction_after_approval(client, auth, demo):
    org = org_named(FIELD_BRANCH)
    auth.login("dangyuan")
    auth.post(f"/records/new/{org.id}/theme_day", form(org))
    record = newest(org)
    # The recorder cannot review their own record.
    assert auth.post(f"/records/{record.uuid}/approve").status_code == 403
    auth.logout()
    auth.login("linshi")
    assert "审核通过" in client.get(f"/records/{record.uuid}").get_data(as_text=True)
    auth.post(f"/records/{record.uuid}/return", {"comment": ""})
    db.session.refresh(record)
    assert record.state == "submitted"  # a return needs a reason
    auth.post(f"/records/{record.uuid}/return", {"comment": "请补充缺席人员的请假原因"})
    db.session.refresh(record)
    assert record.state == "returned"
    auth.logout()
    auth.login("dangyuan")
    edit = client.get(f"/records/{record.uuid}/edit").get_data(as_text=True)
    assert 'name="base_version" value="1"' in edit and 'value="学习二十届四中全会精神"' in edit
    response = auth.post(f"/records/{record.uuid}/edit", form(org, base_version="1", place="城南水文站院内"))
    assert response.status_code == 302
    db.session.refresh(record)
    assert (record.state, record.version, record.place) == ("submitted", 2, "城南水文站院内")
    # A stale edit is refused with a clear message, and nothing typed is lost.
    stale = auth.post(f"/records/{record.uuid}/edit", form(org, base_version="1", place="另一个地点"))
    assert stale.status_code == 409 and "已被他人修改" in stale.get_data(as_text=True)
    assert 'value="另一个地点"' in stale.get_data(as_text=True)
    auth.logout()
    auth.login("linshi")
    detail = client.get(f"/records/{record.uuid}").get_data(as_text=True)
    assert "城南水文站会议室" in detail and "城南水文站院内" in detail  # what changed between versions
    auth.post(f"/records/{record.uuid}/approve", {"comment": "内容完整"})
    db.session.refresh(record)
    assert record.state == "approved" and record.approved_version == 2
    # Approved records are locked: a correction is a new version that needs approval again.
    auth.logout()
    auth.login("dangyuan")
    auth.post(f"/records/{record.uuid}/edit", form(org, base_version="2", topic="学习四中全会公报"))
    db.session.refresh(record)
    assert (record.state, record.version, record.approved_version) == ("submitted", 3, 2)
    assert len(record.versions) == 3
    actions = set(db.session.scalars(select(AuditLog.action).where(AuditLog.entity_id == record.uuid)))
    assert {"create", "return", "revise", "approve"} <= actions


def test_background_page_fetch_leaves_the_approval_message_for_the_page_the_user_opens(client, auth, demo):
    """The service worker keeps pages for offline use in the background; such a fetch arriving
    between the approval and the redirected page must not swallow the confirmation."""
    org = org_named(FIELD_BRANCH)
    auth.login("dangyuan")
    auth.post(f"/records/new/{org.id}/theme_day", form(org))
    record = newest(org)
    auth.logout()
    auth.login("linshi")
    response = auth.post(f"/records/{record.uuid}/approve", {"comment": "记录完整"})
    assert response.status_code == 302
    kept = client.get("/", headers={"X-Zhibu-Keep-Page": "1"}).get_data(as_text=True)
    assert "已审核通过" not in kept  # a page kept for offline use carries no stale message
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<p class="flash flash-success">已审核通过</p>' in shown


def test_comments_are_append_only(client, auth, demo, app):
    record = db.session.scalar(select(Record).where(Record.org_id == org_named(FIELD_BRANCH).id))
    auth.login("linshi")
    auth.post(f"/records/{record.uuid}/comment", {"comment": "照片请补充活动全景"})
    assert "照片请补充活动全景" in client.get(f"/records/{record.uuid}").get_data(as_text=True)
    comment_rules = [r for r in app.url_map.iter_rules() if "comment" in r.rule]
    assert comment_rules and all(r.methods - {"HEAD", "OPTIONS"} == {"POST"} for r in comment_rules)
    assert not [r for r in app.url_map.iter_rules() if "comment" in r.rule and ("edit" in r.rule or "delete" in r.rule)]


def test_bulk_approve_refuses_own_records_and_approves_the_rest(client, auth, demo):
    org = org_named("办公室党支部")
    own = service.create_record(org, "committee_meeting", {
        **{k: v for k, v in form(org).items() if k in ("occurred_on", "start_time", "end_time", "place", "topic")},
        "attendee_ids": member_ids(org)[:3]}, demo["shuji"])
    other = service.create_record(org, "theme_day", {
        **{k: v for k, v in form(org).items() if not k.startswith("leave_reason") and k not in (
            "roster_ids", "invited_name", "invited_note")}}, demo["jiguan"])
    db.session.commit()
    auth.login("shuji")
    page = client.get("/records/review?state=submitted").get_data(as_text=True)
    assert f'value="{other.uuid}"' in page and f'value="{own.uuid}"' not in page
    response = auth.post("/records/review/approve", {"uuid": [own.uuid, other.uuid]},
                         headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "已审核通过 1 条记录" in html and "不能审核自己记录" in html
    db.session.refresh(own), db.session.refresh(other)
    assert own.state == "submitted" and other.state == "approved"


def test_waiting_for_review_counts_only_what_the_reviewer_may_approve(client, auth, demo):
    from webapp.records import queries

    org = org_named("办公室党支部")
    base = queries.waiting_for_review_count(demo["shuji"])
    fields = {k: v for k, v in form(org).items() if k in ("occurred_on", "start_time", "end_time", "place", "topic")}
    own = service.create_record(org, "committee_meeting", {**fields, "attendee_ids": member_ids(org)[:3]},
                                demo["shuji"])
    other = service.create_record(org, "committee_meeting", {**fields, "attendee_ids": member_ids(org)[:3]},
                                  demo["jiguan"])
    db.session.commit()
    assert queries.waiting_for_review_count(demo["shuji"]) == base + 1  # not her own
    # Once she edits the other's record, it is hers too: someone else reviews it.
    service.revise_record(other, {**fields, "attendee_ids": member_ids(org)[:2]}, demo["shuji"], base_version=1)
    db.session.commit()
    assert queries.waiting_for_review_count(demo["shuji"]) == base
    assert own.state == "submitted"
    auth.login("shuji")
    page = client.get("/records/").get_data(as_text=True)
    assert (f"待我审核 {base} 条" in page) if base else ("待我审核" not in page)


def test_review_queue_filters_and_higher_committee_sees_all_branches(client, auth, demo):
    auth.login("jiguan")
    html = client.get("/records/review").get_data(as_text=True)
    for name in ("办公室党支部", "规划计划处党支部", FIELD_BRANCH):
        assert name in html
    only = client.get("/records/review?type=committee_meeting", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert only.startswith('<div id="review-table">') and "<td>支委会</td>" in only
    assert "<td>主题党日</td>" not in only
    auth.logout()
    auth.login("shuji")
    html = client.get("/records/review").get_data(as_text=True)
    assert "办公室党支部" in html and "规划计划处党支部" not in html
    auth.logout()
    auth.login("dangyuan")
    assert client.get("/records/review").status_code in (200, 403)  # recorder of a field branch only


def test_member_checks_in_and_sees_attendance_history(client, auth, demo):
    org = org_named(FIELD_BRANCH)
    record = db.session.scalar(select(Record).where(Record.org_id == org.id, Record.state == "submitted")
                               .order_by(Record.id.desc()))
    auth.login("linshi")
    assert client.get(f"/records/{record.uuid}").status_code == 200
    before = db.session.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.record_id == record.id))
    auth.post(f"/records/{record.uuid}/check-in")
    auth.post(f"/records/{record.uuid}/check-in")
    after = db.session.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.record_id == record.id))
    assert after == before + 1
    history = client.get("/records/mine/attendance").get_data(as_text=True)
    assert record.topic in history and "出席" in history


def _jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_photo_upload_is_idempotent_and_served_only_to_people_who_may_see_it(client, auth, demo):
    org = org_named(FIELD_BRANCH)
    auth.login("dangyuan")
    content = _jpeg(1600, 1200)
    token_page = f"/records/new/{org.id}/theme_day"
    first = auth.post("/records/photos", {"photo": (io.BytesIO(content), "a.jpg")}, page=token_page)
    second = auth.post("/records/photos", {"photo": (io.BytesIO(content), "a.jpg")}, page=token_page)
    assert first.status_code == 201 and second.status_code == 200
    sha = first.get_json()["sha256"]
    bad = auth.post("/records/photos", {"photo": (io.BytesIO(b"not an image"), "x.jpg")}, page=token_page)
    assert bad.status_code == 400 and bad.get_json()["error"]["message"] == "无法识别的图片文件"
    auth.post(f"/records/new/{org.id}/theme_day", form(org, photos=[sha]))
    record = newest(org)
    assert [p.sha256 for p in record.photos] == [sha] and record.photos_missing == 0
    assert client.get(f"/records/photos/{sha}/thumb").status_code == 200
    auth.logout()
    auth.login("shuji")  # another branch's secretary
    assert client.get(f"/records/photos/{sha}").status_code == 404


def test_record_naming_a_photo_not_yet_uploaded_says_so(client, auth, demo):
    org = org_named(FIELD_BRANCH)
    auth.login("dangyuan")
    auth.post(f"/records/new/{org.id}/theme_day", form(org, photos=["ab" * 32]))
    record = newest(org)
    assert record.photos_missing == 1
    assert "照片待上传" in client.get(f"/records/{record.uuid}").get_data(as_text=True)


def test_study_notes_are_private_to_the_member_and_the_committee(client, auth, demo):
    org = org_named(FIELD_BRANCH)
    auth.login("dangyuan")
    response = auth.post(f"/study/notes/new/{org.id}", {"noted_on": YESTERDAY, "topic": "学习防汛条例",
                                                       "text": "汛期值班制度要点"})
    assert response.status_code == 302
    note = db.session.scalar(select(StudyNote).where(StudyNote.topic == "学习防汛条例"))
    empty = auth.post(f"/study/notes/new/{org.id}", {"noted_on": YESTERDAY, "topic": "只写了题目"})
    assert empty.status_code == 400 and "请填写学习内容或拍下手写笔记" in empty.get_data(as_text=True)
    assert 'value="只写了题目"' in empty.get_data(as_text=True)
    auth.logout()
    auth.login("linshi")  # the field branch's leader sees notes and who kept them this month
    assert client.get(f"/study/notes/{note.uuid}").status_code == 200
    study = client.get("/study/").get_data(as_text=True)
    assert "本月笔记情况" in study
    auth.logout()
    auth.login("shuji")
    assert client.get(f"/study/notes/{note.uuid}").status_code == 404


def test_higher_committee_sets_the_monthly_theme_shown_on_theme_day_forms(client, auth, demo):
    committee = db.session.scalar(select(Organization).where(Organization.parent_id.is_(None)))
    auth.login("jiguan")
    month = date.today().strftime("%Y-%m")
    response = auth.post(f"/study/themes/{committee.id}", {"month": month, "title": "冬训：学思想 强党性",
                                                           "guidance": "围绕冬训开展"})
    assert response.status_code == 302
    auth.logout()
    auth.login("dangyuan")
    page = client.get(f"/records/new/{org_named(FIELD_BRANCH).id}/theme_day").get_data(as_text=True)
    assert "冬训：学思想 强党性" in page
    # A member can neither see nor set the committee's themes.
    assert auth.post(f"/study/themes/{committee.id}", {"month": month, "title": "x"}).status_code == 404


def _waiting_shown(client) -> int:
    """The number the home page shows on its "records waiting for me" line (0 when the line is absent)."""
    match = re.search(r'待我审核的记录 <span class="tag tag-warn">(\d+)</span>', client.get("/").get_data(as_text=True))
    return int(match.group(1)) if match else 0


def test_home_shows_what_waits_for_me(client, auth, demo):
    org = org_named(FIELD_BRANCH)
    auth.login("linshi")  # the field branch's temporary leader reviews what its recorder enters
    waiting = _waiting_shown(client)
    assert waiting >= 1  # the demo's latest theme day, entered by dangyuan
    record = service.create_record(org, "theme_day", theme_day_data(
        org, occurred_on=(date.today() - timedelta(days=2)).isoformat()), demo["dangyuan"])
    db.session.commit()
    assert _waiting_shown(client) == waiting + 1
    service.approve(record, demo["linshi"])
    db.session.commit()
    assert _waiting_shown(client) == waiting


def test_branch_member_finds_an_open_activity_and_checks_in(client, auth, demo):
    org = org_named(FIELD_BRANCH)
    auth.login("dangyuan")
    auth.post(f"/records/new/{org.id}/theme_day", form(org, occurred_on=date.today().isoformat(), roster_ids=[],
                                                         attendee_ids=[str(demo["dangyuan"].id)]))
    record = newest(org)
    auth.logout()
    member = db.session.get(User, next(i for i in member_ids(org) if i not in (demo["dangyuan"].id, demo["linshi"].id)))
    member.username, member.password_hash = "field_member", demo["dangyuan"].password_hash
    db.session.commit()
    auth.login("field_member")
    listing = client.get("/records/").get_data(as_text=True)
    assert "正在进行的活动（可签到）" in listing and record.uuid in listing
    assert client.get(f"/records/{record.uuid}").status_code == 200
    auth.post(f"/records/{record.uuid}/check-in", page=f"/records/{record.uuid}")
    assert any(c.user_id == member.id for c in db.session.get(Record, record.id).check_ins)
    # Once approved, the activity is closed to people who were not there.
    auth.logout()
    auth.login("linshi")
    auth.post(f"/records/{record.uuid}/approve")
    auth.logout()
    titled = set(db.session.scalars(select(Membership.user_id).where(Membership.title.is_not(None))))
    other = db.session.get(User, next(i for i in member_ids(org) if i not in (
        demo["dangyuan"].id, demo["linshi"].id, member.id) and i not in titled))
    other.username, other.password_hash = "other_member", demo["dangyuan"].password_hash
    db.session.commit()
    auth.login("other_member")
    assert client.get(f"/records/{record.uuid}").status_code == 404


def test_the_records_page_lists_a_bounded_number_of_open_activities(client, auth, demo):
    """A phone's backlog of unreviewed theme days does not make the records page load them all."""
    from webapp.records.queries import OPEN_LIMIT

    org = org_named(FIELD_BRANCH)
    today = date.today().isoformat()
    made = [service.create_record(org, "theme_day", theme_day_data(org, occurred_on=today, topic=f"积压 {i}"),
                                  demo["dangyuan"]) for i in range(OPEN_LIMIT + 5)]
    db.session.commit()
    auth.login("dangyuan")
    listing = client.get("/records/").get_data(as_text=True)
    section = listing.split("正在进行的活动（可签到）", 1)[1].split("</section>", 1)[0]
    assert section.count('class="list-item"') == OPEN_LIMIT
    assert made[-1].uuid in section  # the newest first
