"""Issue 13, sessions and devices: signing out ends the session on the server; sign out everywhere;
a password change or reset stops the person's sync devices."""
from sqlalchemy import select

from tests.conftest import Auth, csrf_token
from webapp.extensions import db
from webapp.models import AuditLog, Device


def _copy(source, target, name: str) -> bool:
    cookie = source.get_cookie(name)
    if cookie is None:
        return False
    target.set_cookie(name, cookie.value)
    return True


def _register_device(client) -> str:
    response = client.post("/api/sync/devices", json={"name": "测试手机"},
                           headers={"X-CSRFToken": csrf_token(client, "/")})
    assert response.status_code == 201
    return response.get_json()["token"]


def _pull(app, token):
    return app.test_client().get("/api/sync/pull", headers={"Authorization": f"Bearer {token}"})


def test_copied_session_cookie_is_refused_after_sign_out(app, client, auth, demo):
    auth.login("dangyuan", remember=False)
    thief = app.test_client()
    assert _copy(client, thief, "session")
    assert thief.get("/").status_code == 200  # the copy works while the session lives
    auth.logout()
    assert thief.get("/").status_code == 302
    assert thief.get("/api/sync/whoami").status_code == 401


def test_copied_remember_me_cookie_is_refused_after_sign_out(app, client, auth, demo):
    auth.login("dangyuan", remember=True)
    before = app.test_client()
    assert _copy(client, before, "remember_token")
    assert before.get("/").status_code == 200  # the remember-me cookie alone signs in
    auth.logout()
    after = app.test_client()
    assert _copy(before, after, "remember_token")
    assert after.get("/").status_code == 302
    assert before.get("/").status_code == 302
    from webapp.models import UserSession

    row = db.session.scalar(select(UserSession).where(UserSession.user_id == demo["dangyuan"].id))
    assert row.ended_at is not None
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "logout")) is not None


def test_sign_out_everywhere_ends_other_clients_and_devices(app, client, auth, demo):
    other = app.test_client()
    Auth(other).login("dangyuan")
    token = _register_device(other)
    assert _pull(app, token).status_code == 200
    auth.login("dangyuan")
    assert "退出所有设备" in client.get("/me").get_data(as_text=True)
    response = auth.post("/account/sign-out-everywhere", page="/me")
    assert response.status_code == 302
    assert other.get("/").status_code == 302
    assert client.get("/").status_code == 302
    refused = _pull(app, token)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "device_refused"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "sign_out_everywhere"))
    assert entry.changes == {"sessions_ended": 2, "devices_revoked": 1}


def test_password_change_revokes_sync_devices(app, client, auth, demo):
    auth.login("dangyuan")
    token = _register_device(client)
    assert _pull(app, token).status_code == 200
    response = auth.post("/account/password", {"current": "zhibu-demo", "new": "new-secret-2026",
                                               "confirm": "new-secret-2026"}, page="/account/password")
    assert response.status_code == 302
    refused = _pull(app, token)
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "device_refused"
    device = db.session.scalar(select(Device).where(Device.user_id == demo["dangyuan"].id))
    db.session.refresh(device)
    assert device.revoked_at is not None
    assert client.get("/").status_code == 200  # this browser stays signed in
    # The phone registers again after signing in anew, and syncs.
    assert _pull(app, _register_device(client)).status_code == 200


def test_password_reset_by_secretary_revokes_devices_and_sessions(app, client, auth, demo):
    from webapp.models import Membership, Organization

    office = db.session.scalar(select(Organization).where(Organization.name == "办公室党支部"))
    membership = db.session.scalar(select(Membership).where(Membership.org_id == office.id,
                                                            Membership.title.is_(None)).order_by(Membership.id))
    membership.user.username = "office-member"
    db.session.commit()
    phone = app.test_client()
    Auth(phone).login("office-member")
    token = _register_device(phone)
    auth.login("shuji")
    assert auth.post(f"/orgs/{office.id}/roster/{membership.id}/reset-password").status_code == 302
    assert phone.get("/").status_code == 302
    assert _pull(app, token).status_code == 401


def test_a_remember_me_cookie_outliving_its_duration_is_refused(app, client, auth, demo):
    from datetime import timedelta

    from webapp.models import UserSession
    from webapp.models.base import utcnow

    auth.login("dangyuan", remember=True)
    copy = app.test_client()
    assert _copy(client, copy, "remember_token")
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == demo["dangyuan"].id))
    row.created_at = utcnow() - app.config["REMEMBER_COOKIE_DURATION"] - timedelta(minutes=1)
    db.session.commit()
    # The cookie's value never expires by itself; the server-side session does.
    assert copy.get("/").status_code == 302
    assert client.get("/").status_code == 302
