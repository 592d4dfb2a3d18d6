"""Input found to end in a server error on both databases (issue "Trust boundaries"): a lone UTF-16
surrogate in any JSON string, JSON nested 100,000 deep, an image whose header claims 20000×20000
pixels, a truncated PNG. Each is now a structured 400 (or, inside a sync batch, that mutation's own
rejection while the rest of the batch applies)."""
import hashlib
import io
import json
import uuid

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.conftest import csrf_token
from tests.hostile_payloads import DEEP, LONE, bomb_png, truncated_png
from tests.records_helpers import FIELD_BRANCH, org_named, theme_day_data
from webapp.extensions import db
from webapp.models import Device, Photo, QuarantinedMutation, Record



def is_text(value: str) -> bool:
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace") == value


def bearer(client, auth) -> dict:
    auth.login("dangyuan")
    answer = client.post("/api/sync/devices", json={"name": "测试手机"}, headers={"X-CSRFToken": csrf_token(client, "/")})
    assert answer.status_code == 201
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def mutation(seq: int, org, **overrides) -> dict:
    data = theme_day_data(org, **overrides.pop("data", {}))
    body = {"id": str(uuid.uuid4()), "seq": seq, "entity": "record", "target": str(uuid.uuid4()),
            "payload": {"data": data, "org_id": org.id, "type": "theme_day"}}
    return {**body, **overrides}


def records() -> int:
    return db.session.scalar(select(func.count()).select_from(Record))


@pytest.mark.parametrize("path,body", [
    ("/api/sync/devices", {"name": LONE, "client_key": "k"}),
    ("/api/sync/devices", {"name": "手机", LONE: "x"}),
    ("/push/subscriptions", {"endpoint": "https://push.example/1", "keys": {"p256dh": LONE, "auth": "a"}}),
    ("/push/subscriptions/remove", {"endpoint": "https://push.example/" + LONE}),
    ("/account/password", {"current_password": LONE, "password": "x", "confirm": "x"}),
])
def test_a_lone_surrogate_in_a_json_body_is_a_structured_400(client, auth, demo, path, body):
    auth.login("dangyuan")
    answer = client.post(path, json=body, headers={"X-CSRFToken": csrf_token(client, "/")})
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "bad_text"
    assert "代理项" in answer.get_json()["error"]["message"]


def test_a_surrogate_sent_as_raw_bytes_is_refused_too(client, auth, demo):
    auth.login("dangyuan")
    answer = client.post("/api/sync/devices", data='{"name": "手机'.encode() + b"\xed\xa0\x80" + b'"}',
                         content_type="application/json", headers={"X-CSRFToken": csrf_token(client, "/")})
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "bad_text"
    assert db.session.scalar(select(func.count()).select_from(Device)) == 0


def test_a_valid_surrogate_pair_is_text_like_any_other(client, auth, demo):
    auth.login("dangyuan")
    answer = client.post("/api/sync/devices", data=b'{"name": "\\ud83d\\ude00 phone"}', content_type="application/json",
                         headers={"X-CSRFToken": csrf_token(client, "/")})
    assert answer.status_code == 201 and answer.get_json()["name"] == "😀 phone"


@pytest.mark.parametrize("path", ["/api/sync/devices", "/api/sync/push", "/push/subscriptions", "/account/password"])
def test_json_nested_100000_deep_is_a_structured_400(client, auth, demo, path):
    auth.login("dangyuan")
    answer = client.post(path, data=DEEP, content_type="application/json", headers={"X-CSRFToken": csrf_token(client, "/")})
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "too_deep"


def test_a_mutation_nested_too_deep_inside_is_refused_not_walked(client, auth, demo):
    headers = bearer(client, auth)
    org = org_named(FIELD_BRANCH)
    payload = {"data": theme_day_data(org), "org_id": org.id, "type": "theme_day", "extra": []}
    inner = payload["extra"]
    for _ in range(200):
        inner.append([])
        inner = inner[0]
    answer = client.post("/api/sync/push", json={"mutations": [{**mutation(1, org), "payload": payload}]}, headers=headers)
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "too_deep"


@pytest.mark.parametrize("number", [b"NaN", b"-Infinity", b"1e999"])
def test_a_number_json_cannot_hold_is_a_structured_400_and_nothing_is_written(client, auth, demo, number):
    """Python's json reads NaN, Infinity and 1e999 (as inf); they are not JSON, and no fingerprint or
    column can hold them: the push says so instead of failing on them later."""
    headers = bearer(client, auth)
    org = org_named(FIELD_BRANCH)
    good = mutation(1, org)
    body = json.dumps({"mutations": [good, mutation(2, org)]}, ensure_ascii=False).encode()
    body = body.replace(b'"seq": 2', b'"seq": 2, "n": ' + number)
    before = records()
    answer = client.post("/api/sync/push", data=body, content_type="application/json", headers=headers)
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "bad_number"
    assert "NaN" in answer.get_json()["error"]["message"] and records() == before


@pytest.mark.parametrize("where", ["topic", "entity", "key", "id", "client_at", "fields"])
def test_one_mutation_with_a_lone_surrogate_is_rejected_alone_and_the_batch_applies(client, auth, demo, where):
    headers = bearer(client, auth)
    org = org_named(FIELD_BRANCH)
    before, good1 = records(), mutation(1, org)
    bad = mutation(2, org)
    if where == "topic":
        bad["payload"]["data"]["topic"] = "主题" + LONE
    elif where == "entity":
        bad["entity"] = "record" + LONE
    elif where == "key":
        bad["payload"]["data"][LONE] = "x"
    elif where == "id":
        bad["id"] = LONE
    elif where == "client_at":
        bad["client_at"] = LONE
    else:
        bad["payload"] = {"fields": [["topic", LONE]], "action": "/records/new/1/theme_day"}
    good2 = mutation(3, org)
    answer = client.post("/api/sync/push", json={"mutations": [good1, bad, good2]}, headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    by_seq = {r.get("seq", 2): r for r in answer.get_json()["results"]}
    assert by_seq[1]["status"] == "applied" and by_seq[3]["status"] == "applied"
    rejected = [r for r in answer.get_json()["results"] if r["status"] == "rejected"]
    assert len(rejected) == 1 and rejected[0]["code"] == "bad_text" and rejected[0]["index"] == 1
    assert rejected[0]["id"] == (None if where == "id" else bad["id"])
    assert records() == before + 2
    assert db.session.scalar(select(func.count()).select_from(QuarantinedMutation)) == 0


def test_a_lone_surrogate_outside_the_mutations_refuses_the_request(client, auth, demo):
    headers = bearer(client, auth)
    org = org_named(FIELD_BRANCH)
    answer = client.post("/api/sync/push", json={"device": LONE, "mutations": [mutation(1, org)]}, headers=headers)
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "bad_text"


def over_the_limit_png() -> bytes:
    """Over Pillow's own warning threshold once it is lowered, under its error threshold."""
    buffer = io.BytesIO()
    Image.new("1", (5000, 4000)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("make", [bomb_png, truncated_png, over_the_limit_png])
def test_a_bomb_or_a_truncated_image_is_refused_on_the_form_and_the_api(client, auth, demo, make):
    content = make()
    headers = bearer(client, auth)
    sha = hashlib.sha256(content).hexdigest()
    api = client.put(f"/api/sync/photos/{sha}", data=content, headers={**headers, "Content-Type": "image/png"})
    assert api.status_code == 400 and api.get_json()["error"]["code"] == "invalid_photo"
    form = client.post("/records/photos", data={"photo": (io.BytesIO(content), "p.png"), "sha256": sha},
                       headers={"X-CSRFToken": csrf_token(client, "/")}, content_type="multipart/form-data")
    assert form.status_code == 400 and form.get_json()["error"]["code"] == "invalid_photo"
    assert "照片" in form.get_json()["error"]["message"] or "图片" in form.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 0


@pytest.mark.parametrize("kind", ["urlencoded", "raw", "multipart"])
def test_form_text_never_holds_a_lone_surrogate(client, auth, demo, kind):
    """Form bodies are decoded by Werkzeug without letting a surrogate through (its UTF-8-like bytes
    stay escaped or become replacement characters): saved like any other text, never a server error."""
    auth.login("dangyuan")
    token = csrf_token(client, "/me")
    headers = {"X-CSRFToken": token}
    if kind == "multipart":
        body = (b"--B\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n\xed\xa0\x80\r\n--B--\r\n")
        answer = client.post("/api/sync/devices", data=body, content_type="multipart/form-data; boundary=B",
                             headers=headers)
    else:
        name = b"%ED%A0%80" if kind == "urlencoded" else b"\xed\xa0\x80"
        answer = client.post("/api/sync/devices", data=b"name=" + name, headers=headers,
                             content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 201
    name = answer.get_json()["name"]
    assert name and is_text(name)
    assert is_text(db.session.scalar(select(Device.name)))
