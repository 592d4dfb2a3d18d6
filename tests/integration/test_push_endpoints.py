"""Issue 13 (push endpoints) and issue 17 (subscriptions that silently die, VAPID contact): only real
push services, never an internal address (at subscribe time and again at send time), never judged from
the Host header; a subscription the browser rotated reaches the server; production needs a contact."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from tests.conftest import _config_dict, csrf_token
from tests.push_helpers import subscribe
from webapp import create_app
from webapp.config import ProductionConfig
from webapp.extensions import db
from webapp.models import PushDelivery, PushSubscription, User
from webapp.push import keys, scheduler, sender

KEYS = {"p256dh": "BPk", "auth": "xyz"}


def _post(client, path, body, **headers):
    return client.post(path, json=body, headers={"X-CSRFToken": csrf_token(client, "/me"), **headers})


def _user(username):
    return db.session.scalar(select(User).where(User.username == username))


@pytest.mark.parametrize("endpoint, words", [
    ("https://evil.example.com/push/1", "evil.example.com 不是已知的浏览器推送服务"),
    ("https://fcm.googleapis.com.evil.example/x", "不是已知的浏览器推送服务"),
    ("https://push.services.mozilla.com.evil.example/x", "不是已知的浏览器推送服务"),
    ("http://fcm.googleapis.com/fcm/send/1", "必须使用 https"),
    ("https://fcm.googleapis.com:8443/fcm/send/1", "必须使用 https"),
    ("https://user:pw@fcm.googleapis.com/fcm/send/1", "格式不正确"),
    ("https://fcm.googleapis.com:99999/x", "格式不正确"),
    ("http://10.0.0.5/push", "不是已知的浏览器推送服务"),
])
def test_only_push_service_endpoints_are_accepted(client, auth, demo, vapid, endpoint, words):
    auth.login("dangyuan")
    # The Host header says localhost: it decides nothing.
    response = _post(client, "/push/subscriptions", {"endpoint": endpoint, "keys": KEYS}, Host="localhost")
    assert response.status_code == 400
    error = response.json["error"]
    assert error["code"] == "endpoint_refused" and words in error["message"] and error["fields"]["endpoint"]
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0


def test_names_resolving_to_internal_addresses_are_refused(app, client, auth, demo, vapid):
    app.config["PUSH_SERVICE_HOSTS"] = app.config["PUSH_SERVICE_HOSTS"] + ("localhost", "169.254.169.254",
                                                                           "*.in.test")
    auth.login("dangyuan")
    for endpoint in ("https://localhost/push/1", "https://169.254.169.254/latest/meta-data"):
        response = _post(client, "/push/subscriptions", {"endpoint": endpoint, "keys": KEYS})
        assert response.status_code == 400, endpoint
        assert response.json["error"]["code"] == "endpoint_refused"
        assert "内部网络地址" in response.json["error"]["message"]
    # Subdomains of a real push service are accepted (the name need not resolve here).
    ok = _post(client, "/push/subscriptions", {"endpoint": "https://updates.push.services.mozilla.com/wpush/v2/a",
                                               "keys": KEYS})
    assert ok.status_code == 201


def test_endpoints_are_checked_again_at_send_time(app, vapid, push_service, http, branch):
    _org, people = branch
    subscribe(push_service, people["a"])
    now = datetime.now(timezone.utc).replace(hour=4)
    message = scheduler.test_message(people["a"], now)
    db.session.commit()
    # The fake push service on 127.0.0.1 is allowed only by the test-only loopback setting: without it,
    # the stored endpoint now points at an internal address and the worker does not go there.
    app.config["PUSH_LOOPBACK_TEST_HOSTS"] = ()
    assert sender.run_once(now=now, worker="w", compute=False, session=http) == {"failed": 1}
    assert push_service.received == []
    delivery = db.session.scalar(select(PushDelivery).where(PushDelivery.message_id == message.id))
    assert delivery.state == "failed" and delivery.last_error == "推送地址必须使用 https"
    # Over https the same host is refused for its address.
    from webapp.push import endpoints

    with pytest.raises(endpoints.Refused, match="内部网络地址 127.0.0.1"):
        endpoints.check("https://127.0.0.1/push/x", resolve_required=True)


def test_the_page_asks_the_server_and_the_worker_renews_a_rotated_subscription(client, auth, demo, vapid):
    auth.login("dangyuan")
    old = "https://fcm.googleapis.com/fcm/send/old-device"
    assert _post(client, "/push/subscriptions", {"endpoint": old, "keys": KEYS}).status_code == 201
    assert client.get("/push/subscriptions/status", query_string={"endpoint": old}).json["known"] is True
    assert client.get("/push/subscriptions/status",
                      query_string={"endpoint": "https://fcm.googleapis.com/fcm/send/other"}).json == {"known": False}
    someone_else = "https://fcm.googleapis.com/fcm/send/shuji-phone"
    db.session.add(PushSubscription(user_id=_user("shuji").id, endpoint=someone_else, p256dh="x", auth="y"))
    db.session.commit()
    assert client.get("/push/subscriptions/status", query_string={"endpoint": someone_else}).json == {"known": False}
    db.session.execute(PushSubscription.__table__.delete().where(PushSubscription.endpoint == someone_else))
    db.session.commit()
    html = client.get("/me").get_data(as_text=True)
    assert 'data-push-status-url="/push/subscriptions/status"' in html
    auth.logout()
    # The service worker, with no session: the old endpoint identifies the device.
    new = "https://fcm.googleapis.com/fcm/send/new-device"
    renewed = client.post("/push/subscriptions/renew", json={"endpoint": new, "keys": {"p256dh": "BNew", "auth": "a2"},
                                                              "oldEndpoint": old})
    assert renewed.status_code == 200
    [row] = db.session.scalars(select(PushSubscription))
    assert (row.endpoint, row.p256dh, row.user_id) == (new, "BNew", _user("dangyuan").id)
    unknown = client.post("/push/subscriptions/renew", json={"endpoint": new, "keys": KEYS,
                                                             "oldEndpoint": "https://fcm.googleapis.com/fcm/send/x"})
    assert unknown.status_code == 404 and unknown.json["error"]["code"] == "unknown_subscription"
    internal = client.post("/push/subscriptions/renew", json={"endpoint": "https://169.254.169.254/x", "keys": KEYS,
                                                              "oldEndpoint": new})
    assert internal.status_code == 400 and internal.json["error"]["code"] == "endpoint_refused"
    form = client.post("/push/subscriptions/renew", data={"endpoint": new, "oldEndpoint": new})
    assert form.status_code == 400  # JSON only: a cross-site form cannot post here
    assert client.post("/push/subscriptions/renew", json=[1, 2]).status_code == 400


def test_vapid_subject_comes_from_configuration_and_production_requires_it(app, tmp_path):
    assert ProductionConfig.REQUIRE_VAPID_SUBJECT is True
    base = {**_config_dict(), "SQLALCHEMY_DATABASE_URI": "sqlite://", "SCHEMA_CHECK": False}
    with pytest.raises(keys.SubjectMissing, match="ZHIBU_VAPID_SUBJECT"):
        create_app({**base, "REQUIRE_VAPID_SUBJECT": True, "VAPID_SUBJECT": None})
    with pytest.raises(keys.SubjectMissing, match="mailto:"):
        create_app({**base, "VAPID_SUBJECT": "admin@example.cn"})
    production = create_app({**base, "REQUIRE_VAPID_SUBJECT": True, "VAPID_SUBJECT": "mailto:it@branch.example.cn"})
    assert keys.subject(production) == "mailto:it@branch.example.cn"
