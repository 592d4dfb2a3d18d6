"""Security headers, cookie flags, schema check, structured errors."""
import pytest
from sqlalchemy import create_engine, text

from webapp import create_app
from webapp.schema_check import SchemaOutOfDate
from webapp.pwa.worker_version import static_version


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


DOCUMENT_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "Permissions-Policy",
                    "Cross-Origin-Opener-Policy", "Referrer-Policy")


def test_files_a_page_loads_carry_nosniff_and_not_the_document_headers(client):
    # A script, a style sheet, an icon or the manifest never becomes a document: its policy is the
    # page's, so the five document headers would only weigh on the phone's wire (issue 16).
    for url in ("/static/js/app.js", "/static/css/app.css", "/static/icons/icon-192.png", "/manifest.webmanifest"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert not [h for h in DOCUMENT_HEADERS if h in response.headers], url
    # Pages, the worker (its CSP governs what it fetches) and the API keep them all.
    for url in ("/login", "/sw.js", "/api/sync/pull", "/static/no-such-file.js"):
        response = client.get(url)
        assert all(h in response.headers for h in DOCUMENT_HEADERS), url


def test_pages_carry_no_inline_script(client, auth, demo):
    auth.login("jiguan")
    for path in ("/", "/me", "/orgs/", "/login"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "onclick=" not in html, path
        for tag in html.split("<script")[1:]:
            assert "src=" in tag.split(">")[0], path


def test_session_cookie_flags(client, auth, demo):
    response = auth.login("dangyuan")
    session_cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")][0]
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie


def test_production_config_sets_secure_cookies():
    from webapp.config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE


def test_templates_escape_user_input(client, auth, demo, app):
    from webapp.extensions import db

    demo["dangyuan"].post = "<script>alert(1)</script>"
    db.session.commit()
    auth.login("dangyuan")
    html = client.get("/me").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_unknown_page_is_chinese_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)


def test_api_errors_are_json(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_refuses_to_start_on_unmigrated_database(tmp_path):
    url = "sqlite:///" + str(tmp_path / "empty.db")
    with pytest.raises(SchemaOutOfDate) as error:
        create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    assert "flask --app wsgi db upgrade" in str(error.value)
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("select count(*) from sqlite_master where name='users'")).scalar() == 0
    engine.dispose()


def test_starts_on_migrated_database(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    assert app.name == "webapp"
    from webapp.extensions import db
    with app.app_context():
        db.engine.dispose()


def test_service_worker_is_served_from_the_root_and_always_revalidated(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response.headers["Cache-Control"]
    text = response.get_data(as_text=True)
    assert 'importScripts("/static/sw/offline.js", "/static/sw/push.js")' in text
    # Its version is the static files' hash, so any change to them installs a new worker.
    version = static_version(client.application.static_folder)
    assert f'self.SW_VERSION = "{version}";' in text
    assert response.headers["ETag"] == f'"{version}"'
    again = client.get("/sw.js", headers={"If-None-Match": f'"{version}"'})
    assert again.status_code == 304
