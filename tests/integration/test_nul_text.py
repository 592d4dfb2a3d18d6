"""Text with NUL characters (refused by PostgreSQL text columns) is kept without them, on both
databases: web forms, query arguments, the sync API's JSON; a path with one is not found."""
import uuid
from datetime import date, timedelta

from sqlalchemy import select

from tests.conftest import csrf_token
from tests.records_helpers import FIELD_BRANCH, org_named, theme_day_data
from webapp.extensions import db
from webapp.models import Record, StudyNote

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


def test_a_web_form_with_nul_characters_is_saved_without_them(client, auth, demo):
    org = org_named(FIELD_BRANCH)
    auth.login("dangyuan")
    response = auth.post(f"/study/notes/new/{org.id}", {"noted_on": YESTERDAY, "topic": "学习\x00防汛条例",
                                                       "text": "汛期\x00值班制度"})
    assert response.status_code == 302
    note = db.session.scalar(select(StudyNote).where(StudyNote.topic == "学习防汛条例"))
    assert note is not None and note.text == "汛期值班制度"


def test_sync_json_with_nul_characters_is_applied_without_them(client, auth, demo):
    org = org_named(FIELD_BRANCH)
    auth.login("dangyuan")
    device = client.post("/api/sync/devices", json={"name": "测试\x00手机"},
                         headers={"X-CSRFToken": csrf_token(client, "/")}).get_json()
    target = str(uuid.uuid4())
    mutation = {"id": str(uuid.uuid4()), "seq": 1, "entity": "record", "target": target,
                "client_at": "2026-11-20T09:00:00+08:00\x00",
                "payload": {"data": theme_day_data(org, topic="野外\x00主题党日", place="水文站\x00"),
                            "org_id": org.id, "type": "theme_day"}}
    answer = client.post("/api/sync/push", json={"mutations": [mutation]},
                         headers={"Authorization": f"Bearer {device['token']}"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["results"][0]["status"] == "applied"
    record = db.session.scalar(select(Record).where(Record.uuid == target))
    assert (record.topic, record.place) == ("野外主题党日", "水文站")


def test_query_arguments_and_paths_with_nul(client, auth, demo):
    auth.login("shuji")
    assert client.get("/records/?q=%00").status_code == 200
    assert client.get(f"/records/{uuid.uuid4()}%00").status_code == 404
