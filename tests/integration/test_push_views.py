"""The pages and APIs of push reminders: 我的 settings, subscription API, 活动安排 and 学习任务."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.records_helpers import org_named
from webapp.china_time import china_today
from webapp.extensions import db
from webapp.models import AuditLog, NotificationPreference, PlannedActivity, PushMessage, PushSubscription
from webapp.models import Membership, StudyTask, User

OFFICE = "办公室党支部"


def _json_post(client, auth, path, body):
    from tests.conftest import csrf_token

    return client.post(path, json=body, headers={"X-CSRFToken": csrf_token(client, "/me")})


def _user(username):
    return db.session.scalar(select(User).where(User.username == username))


def test_public_key_is_served_to_signed_in_users(client, auth, demo, vapid):
    assert client.get("/push/vapid-public-key").status_code in (302, 401)
    auth.login("dangyuan")
    response = client.get("/push/vapid-public-key")
    assert response.status_code == 200
    assert response.json["publicKey"] == vapid and len(vapid) == 87


def test_subscribe_lists_the_device_and_test_notification_is_queued(client, auth, demo, vapid):
    auth.login("dangyuan")
    html = client.get("/me").get_data(as_text=True)
    assert "通知提醒" in html and "还没有设备开启通知" in html and "data-push-enable" in html
    body = {"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": {"p256dh": "BPk", "auth": "xyz"}}
    response = _json_post(client, auth, "/push/subscriptions", body)
    assert response.status_code == 201
    again = _json_post(client, auth, "/push/subscriptions", body)
    assert again.status_code == 200  # same endpoint: updated, not duplicated
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 1
    html = client.get("/me", headers={"User-Agent": "x"}).get_data(as_text=True)
    assert "已开启通知的设备" in html and "发送测试通知" in html
    response = auth.post("/push/test", page="/me")
    assert response.status_code == 302
    message = db.session.scalar(select(PushMessage).where(PushMessage.kind == "test"))
    assert message.kind == "test" and message.user_id == _user("dangyuan").id and message.state == "queued"


def test_bad_subscription_is_refused_with_chinese_fields(client, auth, demo, vapid):
    auth.login("dangyuan")
    response = _json_post(client, auth, "/push/subscriptions", {"endpoint": "ftp://x", "keys": {}})
    assert response.status_code == 400
    assert response.json["error"]["fields"] == {"endpoint": "不接受此推送地址：x 不是已知的浏览器推送服务",
                                                "keys": "缺少订阅密钥"}


def test_someone_elses_device_cannot_be_removed(client, auth, demo, vapid):
    other = PushSubscription(user_id=_user("shuji").id, endpoint="https://push.example/s", p256dh="x", auth="y")
    db.session.add(other)
    db.session.commit()
    auth.login("dangyuan")
    assert auth.post(f"/push/subscriptions/{other.id}/delete", page="/me").status_code == 404
    auth.logout()
    auth.login("shuji")
    assert auth.post(f"/push/subscriptions/{other.id}/delete", page="/me").status_code == 302
    assert db.session.get(PushSubscription, other.id) is None


def test_preferences_save_kinds_and_quiet_hours(client, auth, demo):
    auth.login("dangyuan")
    response = auth.post("/push/preferences", {"kinds": ["study", "meeting"], "quiet_on": "y",
                                               "quiet_start": "21:30", "quiet_end": "06:45"}, page="/me")
    assert response.status_code == 302
    prefs = db.session.scalar(select(NotificationPreference))
    assert prefs.kinds_off == ["theme_day"]
    assert prefs.quiet_start.strftime("%H:%M") == "21:30" and prefs.quiet_end.strftime("%H:%M") == "06:45"
    html = client.get("/me").get_data(as_text=True)
    assert 'value="21:30"' in html
    bad = auth.post("/push/preferences", {"kinds": ["study"], "quiet_on": "y", "quiet_start": "",
                                          "quiet_end": "07:00"}, page="/me")
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "请填写免打扰的开始和结束时间" in text and 'value="07:00"' in text


def test_secretary_schedules_edits_and_cancels_an_activity(client, auth, demo):
    office = org_named(OFFICE)
    with_device = list(db.session.scalars(select(Membership.user_id).where(
        Membership.org_id == office.id).order_by(Membership.id).limit(2)))
    for user_id in with_device:
        db.session.add(PushSubscription(user_id=user_id, endpoint=f"https://push.example/{user_id}",
                                        p256dh="x", auth="y"))
    db.session.commit()
    auth.login("shuji")
    day = china_today() + timedelta(days=5)
    form = {"type": "theme_day", "title": "重温入党誓词", "on_date": day.isoformat(), "start_time": "09:30",
            "place": "五楼党员活动室"}
    response = auth.post(f"/plans/new/{office.id}", form, page=f"/plans/new/{office.id}")
    assert response.status_code == 302
    activity = db.session.scalar(select(PlannedActivity).where(PlannedActivity.title == "重温入党誓词"))
    assert activity.org_id == office.id and activity.version == 1
    queued = list(db.session.scalars(select(PushMessage.user_id).where(
        PushMessage.state == "queued", PushMessage.source_type == "activity", PushMessage.source_id == activity.id)))
    # The day before and two hours before, for every member with a device (others when they subscribe).
    assert sorted(queued) == sorted(with_device * 2)
    assert "重温入党誓词" in client.get("/plans/").get_data(as_text=True)
    assert "重温入党誓词" in client.get("/").get_data(as_text=True)
    response = auth.post(f"/plans/{activity.id}/edit", {**form, "start_time": "14:00"},
                         page=f"/plans/{activity.id}/edit")
    assert response.status_code == 302
    db.session.refresh(activity)
    assert activity.version == 2
    updates = list(db.session.scalars(select(PushMessage).where(
        PushMessage.dedupe_key.like(f"act:{activity.id}:v2:update:%"))))
    assert updates and all(m.payload["title"] == "活动变更：重温入党誓词" for m in updates)
    assert auth.post(f"/plans/{activity.id}/cancel", page=f"/plans/{activity.id}").status_code == 302
    db.session.refresh(activity)
    assert activity.state == "cancelled"
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.entity_id == activity.uuid,
        AuditLog.action.in_(("plan.create", "plan.update", "plan.cancel")))) == 3
    assert "已取消" in client.get(f"/plans/{activity.id}").get_data(as_text=True)


def test_activity_form_rejects_with_chinese_messages_and_keeps_input(client, auth, demo):
    office = org_named(OFFICE)
    auth.login("shuji")
    response = auth.post(f"/plans/new/{office.id}", {"type": "theme_day", "title": "", "on_date": "",
                                                      "start_time": "09:00", "place": "三楼"},
                         page=f"/plans/new/{office.id}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "请填写活动主题" in html and "请填写日期" in html and 'value="三楼"' in html


def test_member_sees_but_cannot_schedule(client, auth, demo):
    auth.login("dangyuan")
    own = org_named("规划计划处党支部")
    assert client.get(f"/plans/new/{own.id}").status_code == 403
    assert "安排活动" not in client.get("/plans/").get_data(as_text=True)


def test_committee_publishes_a_study_task_members_mark_it_done(client, auth, demo):
    auth.login("jiguan")
    from webapp.models import Organization

    committee = db.session.scalar(select(Organization).where(Organization.kind == "committee"))
    db.session.add(PushSubscription(user_id=_user("dangyuan").id, endpoint="https://push.example/d",
                                    p256dh="x", auth="y"))
    db.session.commit()
    due = china_today() + timedelta(days=7)
    response = auth.post(f"/study-tasks/new/{committee.id}", {"topic": "学习新修订的党章", "body": "",
                                                               "link": "https://www.12371.cn/",
                                                               "due_on": due.isoformat()},
                         page=f"/study-tasks/new/{committee.id}")
    assert response.status_code == 302
    task = db.session.scalar(select(StudyTask).where(StudyTask.topic == "学习新修订的党章"))
    dangyuan = _user("dangyuan")
    mine = db.session.scalar(select(PushMessage).where(PushMessage.user_id == dangyuan.id,
                                                       PushMessage.source_type == "study_task",
                                                       PushMessage.source_id == task.id))
    assert mine is not None and mine.state == "queued"
    auth.logout()
    auth.login("dangyuan")
    assert "学习新修订的党章" in client.get("/study-tasks/").get_data(as_text=True)
    assert auth.post(f"/study-tasks/{task.id}/done", page=f"/study-tasks/{task.id}").status_code == 302
    db.session.refresh(mine)
    assert mine.state == "superseded"
    assert "您已完成" in client.get(f"/study-tasks/{task.id}").get_data(as_text=True)


def test_study_task_needs_text_or_link(client, auth, demo):
    office = org_named(OFFICE)
    auth.login("shuji")
    response = auth.post(f"/study-tasks/new/{office.id}", {"topic": "学习", "body": "", "link": "",
                                                            "due_on": china_today().isoformat()},
                         page=f"/study-tasks/new/{office.id}")
    assert response.status_code == 400
    assert "请填写学习内容或链接" in response.get_data(as_text=True)


def test_an_overdue_study_task_can_still_be_marked_done(client, auth, demo):
    from webapp.models import Organization

    office = org_named(OFFICE)
    task = StudyTask(org_id=office.id, topic="学习《关于新时代加强和改进思想政治工作的意见》", body="原文学习",
                     due_on=china_today() - timedelta(days=3))
    db.session.add(task)
    db.session.commit()
    assert isinstance(office, Organization)
    auth.login("shuji")
    html = client.get("/study-tasks/").get_data(as_text=True)
    assert "已过期，仍可完成" in html
    assert auth.post(f"/study-tasks/{task.id}/done", page=f"/study-tasks/{task.id}").status_code == 302
    assert "您已完成" in client.get(f"/study-tasks/{task.id}").get_data(as_text=True)
