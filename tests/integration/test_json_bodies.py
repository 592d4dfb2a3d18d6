"""A JSON body that is not an object is a structured 400, never a server error (found by posting
arrays and numbers to every POST route: Flask-WTF and several views read the body as a mapping)."""
import pytest

from tests.conftest import csrf_token


@pytest.mark.parametrize("path", ["/account/password", "/api/sync/devices", "/push/subscriptions",
                                  "/push/subscriptions/remove", "/push/subscriptions/renew"])
@pytest.mark.parametrize("body", [[1], "text", 5])
def test_a_json_body_that_is_not_an_object_is_refused(client, auth, demo, path, body):
    auth.login("shuji")
    response = client.post(path, json=body, headers={"X-CSRFToken": csrf_token(client, "/")})
    assert response.status_code == 400
    assert response.get_json()["error"] == {"code": "bad_request", "message": "请求内容必须是 JSON 对象"}


def test_push_subscription_keys_that_are_not_an_object(client, auth, demo):
    auth.login("shuji")
    response = client.post("/push/subscriptions", json={"endpoint": "https://fcm.googleapis.com/fcm/send/1", "keys": "k"},
                           headers={"X-CSRFToken": csrf_token(client, "/")})
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {"keys": "缺少订阅密钥"}
