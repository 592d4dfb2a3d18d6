"""Sign-in, remember me, sign-out, password change, rate limits, no user enumeration."""
from sqlalchemy import select

from tests.conftest import csrf_token
from webapp.extensions import db
from webapp.models import AuditLog, User


def test_sign_in_with_username_and_with_phone(client, auth, demo):
    response = auth.login("dangyuan")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "张晓燕" in client.get("/").get_data(as_text=True)
    auth.logout()
    response = auth.login(demo["dangyuan"].phone)
    assert response.status_code == 302
    assert "我的支部" in client.get("/").get_data(as_text=True)


def test_remember_me_cookie_lasts_weeks(client, auth, demo):
    response = auth.login("dangyuan", remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember, cookies
    assert "HttpOnly" in remember[0]
    # Flask-Login writes Expires; 60 days ahead is weeks, not hours.
    from email.utils import parsedate_to_datetime
    from datetime import datetime, timezone
    expires = [p.split("=", 1)[1] for p in remember[0].split("; ") if p.startswith("Expires=")][0]
    assert (parsedate_to_datetime(expires) - datetime.now(timezone.utc)).days >= 28


def test_wrong_password_and_unknown_user_read_the_same(client, auth, demo):
    wrong = auth.login("dangyuan", "not-the-password")
    unknown = auth.login("nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    body_wrong, body_unknown = wrong.get_data(as_text=True), unknown.get_data(as_text=True)
    assert "账号或密码不正确" in body_wrong and "账号或密码不正确" in body_unknown
    strip = lambda html: html.replace("dangyuan", "X").replace("nobody-here", "X")  # noqa: E731
    import re
    token = re.compile(r'value="[^"]{40,}"|"X-CSRFToken": "[^"]+"')
    assert token.sub("", strip(body_wrong)) == token.sub("", strip(body_unknown))


def test_deactivated_account_cannot_sign_in(client, auth, demo):
    user = demo["dangyuan"]
    user.active = False
    db.session.commit()
    response = auth.login("dangyuan")
    assert response.status_code == 401
    assert "账号或密码不正确" in response.get_data(as_text=True)


def test_empty_form_gets_chinese_errors(client):
    token = csrf_token(client)
    response = client.post("/login", data={"csrf_token": token, "login": "", "password": ""})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "请输入手机号或用户名" in body and "请输入密码" in body


def test_login_without_csrf_token_is_refused(client, demo):
    response = client.post("/login", data={"login": "dangyuan", "password": "zhibu-demo"})
    assert response.status_code == 400
    assert "表单安全校验失败" in response.get_data(as_text=True)


def test_failed_attempts_are_limited_per_account(client, auth, demo, app):
    for _ in range(5):
        assert auth.login("shuji", "wrong-password").status_code == 401
    blocked = auth.login("shuji", "zhibu-demo")
    assert blocked.status_code == 429
    assert "尝试次数过多" in blocked.get_data(as_text=True)
    # Another account from the same address is not blocked by shuji's failures.
    assert auth.login("dangyuan").status_code == 302


def test_username_and_phone_share_one_account_budget(client, auth, demo):
    phone = demo["shuji"].phone
    for login in ("shuji", phone, "shuji", phone, "SHUJI"):
        assert auth.login(login, "wrong-password").status_code == 401
    assert auth.login(phone, "zhibu-demo").status_code == 429


def test_failed_attempts_are_limited_per_address(client, auth, demo, app):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    for name in ("a1", "a2", "a3"):
        assert auth.login(name, "wrong-password").status_code == 401
    assert auth.login("dangyuan").status_code == 429


def test_successful_sign_ins_do_not_count_against_the_limit(client, auth, demo):
    for _ in range(7):
        assert auth.login("dangyuan").status_code == 302
        auth.logout()


def test_open_redirect_is_refused(client, demo):
    token = csrf_token(client)
    response = client.post("/login?next=https://evil.example/x",
                           data={"csrf_token": token, "login": "dangyuan", "password": "zhibu-demo"})
    assert response.headers["Location"] == "/"
    token = csrf_token(client, "/me")
    client.post("/logout", data={"csrf_token": token})
    token = csrf_token(client)
    response = client.post("/login?next=/me",
                           data={"csrf_token": token, "login": "dangyuan", "password": "zhibu-demo"})
    assert response.headers["Location"] == "/me"


def test_sign_out(client, auth, demo):
    auth.login("dangyuan")
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # back to the sign-in page


def test_change_password_signs_out_other_sessions(app, client, auth, demo):
    other = app.test_client()
    token = csrf_token(other)
    other.post("/login", data={"csrf_token": token, "login": "dangyuan", "password": "zhibu-demo"})
    assert other.get("/").status_code == 200

    auth.login("dangyuan")
    token = csrf_token(client, "/account/password")
    response = client.post("/account/password", data={
        "csrf_token": token, "current": "zhibu-demo", "new": "new-secret-2026", "confirm": "new-secret-2026"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session stays
    assert other.get("/").status_code == 302  # the other one is signed out
    auth.logout()
    assert auth.login("dangyuan", "zhibu-demo").status_code == 401
    assert auth.login("dangyuan", "new-secret-2026").status_code == 302
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "change_password")) is not None


def test_change_password_errors(client, auth, demo):
    auth.login("dangyuan")
    cases = [
        ({"current": "bad", "new": "new-secret-2026", "confirm": "new-secret-2026"}, "当前密码不正确"),
        ({"current": "zhibu-demo", "new": "short", "confirm": "short"}, "密码至少需要 8 位"),
        ({"current": "zhibu-demo", "new": "12345678901", "confirm": "12345678901"}, "密码不能全是数字"),
        ({"current": "zhibu-demo", "new": "new-secret-2026", "confirm": "other-2026"}, "两次输入的新密码不一致"),
    ]
    for data, message in cases:
        token = csrf_token(client, "/account/password")
        response = client.post("/account/password", data={"csrf_token": token, **data})
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.username == "dangyuan"))
    db.session.refresh(user)
    assert user.session_version == 1


def test_passwords_are_stored_as_argon2id(demo):
    assert demo["dangyuan"].password_hash.startswith("$argon2id$")
