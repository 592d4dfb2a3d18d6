"""A light wire (issue 16): compressed responses, versioned static files cached for a year, the
service worker never cached, each page with only its own scripts, and a sync pull that sends only
what changed."""
import gzip
import json
import re
import subprocess
import uuid

import brotli
import pytest
from sqlalchemy import select

from tests.records_helpers import FIELD_BRANCH, org_named
from webapp.extensions import db
from webapp.models import Membership, User
from webapp.pwa.worker_version import SHELL_FILES
from webapp.static_assets import IMMUTABLE

SCRIPT_SRC = re.compile(r'<script\b[^>]*\bsrc="([^"]+)"')
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
OFFLINE_PARTS = ("store.js", "queue.js", "sync.js", "capture.js", "outbox-ui.js", "idb-", "photos.js", "push.js")


def script_paths(html: str) -> list[str]:
    return [src.split("?")[0] for src in SCRIPT_SRC.findall(html)]


# --- compression --------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding, decode", [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_pages_scripts_css_and_json_are_compressed_as_the_browser_asks(client, encoding, decode):
    plain = client.get("/login")
    assert "Content-Encoding" not in plain.headers  # a client that asks for nothing gets plain text
    page = client.get("/login", headers={"Accept-Encoding": f"{encoding}, identity"})
    assert page.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in page.headers["Vary"]
    assert decode(page.get_data()).decode("utf-8").startswith("<!doctype html>")
    css_url = STYLESHEET.search(plain.get_data(as_text=True)).group(1)
    for url in (css_url, "/static/vendor/htmx-2.0.11.min.js", "/static/js/app.js", "/api/openapi.json"):
        response = client.get(url, headers={"Accept-Encoding": encoding})
        assert response.headers.get("Content-Encoding") == encoding, url
        assert len(decode(response.get_data())) > len(response.get_data()), url


def test_brotli_is_preferred_when_both_are_offered(client):
    response = client.get("/login", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Content-Encoding"] == "br"


def test_images_are_not_compressed_again(client):
    response = client.get("/static/icons/icon-192.png", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert response.get_data()[:8] == b"\x89PNG\r\n\x1a\n"


# --- versioned static files ----------------------------------------------------------------------

def test_static_urls_carry_a_content_hash_and_are_immutable(client):
    html = client.get("/login").get_data(as_text=True)
    css_url = STYLESHEET.search(html).group(1)
    assert re.fullmatch(r"/static/css/app\.css\?v=[0-9a-f]{12}", css_url)
    for url in [css_url] + SCRIPT_SRC.findall(html):
        assert "?v=" in url, url
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == IMMUTABLE, url


def test_unversioned_or_stale_static_urls_are_revalidated(client):
    for url in ("/static/css/app.css", "/static/css/app.css?v=000000000000", "/static/sw/offline.js"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-cache", url
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304, url


def test_our_scripts_and_css_are_minified_and_still_parse(client, app, tmp_path):
    from pathlib import Path

    folder = Path(app.static_folder)
    scripts = [p for p in folder.rglob("*.js") if not p.name.endswith(".min.js")]
    assert len(scripts) >= 10
    for path in scripts + [folder / "css" / "app.css"]:
        name = path.relative_to(folder).as_posix()
        served = client.get(f"/static/{name}").get_data()
        assert len(served) < len(path.read_bytes()), name
        if path.suffix == ".js":
            copy = tmp_path / path.name
            copy.write_bytes(served)
            checked = subprocess.run(["node", "--check", str(copy)], capture_output=True, text=True)
            assert checked.returncode == 0, (name, checked.stderr)


def test_static_names_that_leave_the_folder_are_not_found(client):
    for url in ("/static/../config.py", "/static/%2e%2e/config.py", "/static/css/nothing.css",
                "/static/js/\u7a7a.js", "/static/css"):
        assert client.get(url).status_code == 404, url


def test_service_worker_is_never_cached_and_precaches_the_pages_own_urls(client, auth, demo):
    worker = client.get("/sw.js")
    assert worker.headers["Cache-Control"] == "no-cache"
    text = worker.get_data(as_text=True)
    shell = json.loads(re.search(r"self\.SW_SHELL = (\[.*?\]);", text).group(1))
    assert len(shell) == len(SHELL_FILES)
    assert all(re.search(r"\?v=[0-9a-f]{12}$", url) for url in shell)
    auth.login("dangyuan")
    org = org_named(FIELD_BRANCH)
    html = client.get(f"/records/new/{org.id}/theme_day").get_data(as_text=True)
    used = set(SCRIPT_SRC.findall(html)) | {STYLESHEET.search(html).group(1)}
    assert used <= set(shell), used - set(shell)  # offline, every file the form asks for is precached


# --- each page its own scripts ----------------------------------------------------------------------

def test_sign_in_page_loads_no_offline_sync_or_push_script(client):
    paths = script_paths(client.get("/login").get_data(as_text=True))
    assert paths == ["/static/js/app.js"]
    assert not any(part in p for p in paths for part in OFFLINE_PARTS)


def test_signed_in_pages_load_the_offline_core_and_only_their_own_extras(client, auth, demo):
    auth.login("dangyuan")
    org = org_named(FIELD_BRANCH)
    home = script_paths(client.get("/").get_data(as_text=True))
    assert "/static/js/offline/sync.js" in home and "/static/js/offline/outbox-ui.js" in home
    assert not {"/static/js/offline/capture.js", "/static/js/photos.js", "/static/js/push.js"} & set(home)
    form = script_paths(client.get(f"/records/new/{org.id}/theme_day").get_data(as_text=True))
    assert {"/static/js/offline/capture.js", "/static/js/photos.js"} <= set(form)
    assert "/static/js/push.js" not in form
    assert form.index("/static/js/offline/sync.js") < form.index("/static/js/offline/capture.js")
    me = script_paths(client.get("/me").get_data(as_text=True))
    assert "/static/js/push.js" in me and "/static/js/offline/capture.js" not in me
    outbox = script_paths(client.get("/offline/outbox").get_data(as_text=True))
    # The outbox announces what was kept offline or imported through capture.js.
    assert {"/static/js/offline/outbox-ui.js", "/static/js/offline/capture.js"} <= set(outbox)
    assert "/static/js/photos.js" not in outbox


# --- the pull sends only what changed -------------------------------------------------------------

def _device(client, auth) -> dict:
    from tests.conftest import csrf_token

    auth.login("dangyuan")
    response = client.post("/api/sync/devices", json={"name": "测试手机"},
                           headers={"X-CSRFToken": csrf_token(client, "/")})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _pull(client, headers, **query):
    response = client.get("/api/sync/pull", headers=headers, query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json(), len(response.get_data())


def test_a_second_pull_is_small_and_the_roster_comes_again_only_when_it_changed(client, auth, demo):
    headers = _device(client, auth)
    first, first_size = _pull(client, headers)
    assert first["branches"] and first["records"]  # the first pull: everything, as before
    assert first["branches_etag"] and first["quarantine_etag"] and first["offline_pages_etag"]
    assert first["offline_pages"]
    known = {"cursor": first["cursor"], "branches_etag": first["branches_etag"],
             "quarantine_etag": first["quarantine_etag"], "offline_pages_etag": first["offline_pages_etag"]}
    second, second_size = _pull(client, headers, **known)
    assert second["branches"] is None and second["quarantine"] is None and second["records"] == []
    assert second["offline_pages"] is None and second["offline_pages_etag"] == first["offline_pages_etag"]
    assert second["branches_etag"] == first["branches_etag"]
    assert second_size < 600 and second_size * 10 < first_size, (first_size, second_size)

    # A member joins the field branch: the roster has changed, so the branches come in full.
    org = org_named(FIELD_BRANCH)
    newcomer = db.session.scalar(select(User).where(User.username == "shuji"))
    assert not db.session.scalar(select(Membership).where(Membership.org_id == org.id,
                                                          Membership.user_id == newcomer.id))
    db.session.add(Membership(org_id=org.id, user_id=newcomer.id, active=True))
    db.session.commit()
    third, _ = _pull(client, headers, **known)
    assert third["branches_etag"] != first["branches_etag"]
    field = next(b for b in third["branches"] if b["id"] == org.id)
    assert newcomer.id in {p["id"] for p in field["roster"]}


@pytest.mark.parametrize("hostile", ["", "x" * 5000, "\u202e\u0000", "null", "[]", "' OR 1=1 --"])
def test_a_strange_etag_gets_the_full_snapshot(client, auth, demo, hostile):
    headers = _device(client, auth)
    body, _ = _pull(client, headers, branches_etag=hostile, quarantine_etag=hostile, cursor=str(uuid.uuid4()))
    assert isinstance(body["branches"], list) and body["branches"]
    assert isinstance(body["quarantine"], list)


def test_manifest_icons_are_the_pages_versioned_icon_urls(client):
    html = client.get("/login").get_data(as_text=True)
    page_icon = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
    icons = [icon["src"] for icon in client.get("/manifest.webmanifest").get_json()["icons"]]
    assert page_icon in icons  # one download of the icon, not two
    for src in icons:
        assert "?v=" in src and client.get(src).headers["Cache-Control"] == IMMUTABLE, src
