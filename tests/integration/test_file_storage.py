"""Photos, thumbnails and ledger exports through the storage interface, on both storages: the local
folder (the embedded default) and a real S3-compatible server (SeaweedFS on loopback, see
tests/conftest.py ``s3_server``). A missing object answers 404; a store that is down or refuses the
app's keys answers 503 with a Chinese message, never 500, and records nothing half-done."""
from __future__ import annotations

import hashlib
import io

import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.conftest import csrf_token
from tests.records_helpers import org_named, theme_day_data
from webapp.extensions import db
from webapp.ledgers import jobs
from webapp.models import ExportJob, Photo
from webapp.records import photo_access, photos, service
from webapp.rules.life import PHOTO_THUMB_EDGE_PX
from webapp.storage import UNAVAILABLE_MESSAGE, storage

FIELD = "长江中游水文测验项目临时党支部"
BOTH = pytest.mark.parametrize("storage_settings", ["local", "s3"], indirect=True)


def _jpeg(width=1600, height=1200, color=(30, 90, 160)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG")
    return buffer.getvalue()


def _upload(client, content: bytes):
    token = csrf_token(client, "/")
    return client.post("/records/photos", data={"photo": (io.BytesIO(content), "a.jpg"), "csrf_token": token},
                       headers={"Accept": "application/json"})


def _where_it_went(app, tmp_path, key: str) -> None:
    """The object is in the configured store, and only there."""
    kind = storage().kind
    assert storage().exists(key)
    assert (tmp_path / "uploads" / key).exists() == (kind == "local")
    if kind == "s3":  # read back with a client of its own, straight from the server
        from webapp.storage.s3 import S3Storage

        s = storage()
        other = S3Storage(s.bucket, endpoint=s.endpoint, access_key=app.config["STORAGE_ACCESS_KEY"],
                          secret_key=app.config["STORAGE_SECRET_KEY"])
        assert other.exists(key)


@BOTH
def test_photo_uploaded_served_and_thumbnailed(app, client, auth, demo, tmp_path):
    org = org_named(FIELD)
    auth.login("dangyuan")
    content = _jpeg()
    answer = _upload(client, content)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    sha = answer.get_json()["sha256"]
    assert sha == hashlib.sha256(content).hexdigest()
    assert _upload(client, content).status_code == 200  # the same bytes again: nothing new
    _where_it_went(app, tmp_path, photos.key_for(sha))
    _where_it_went(app, tmp_path, photos.key_for(sha, thumb=True))
    service.create_record(org, "theme_day", theme_day_data(org, photos=[sha]), demo["dangyuan"])
    db.session.commit()

    full = client.get(f"/records/photos/{sha}")
    assert full.status_code == 200 and full.data == content and full.mimetype == "image/jpeg"
    assert full.headers["Cache-Control"] == "private, max-age=86400, immutable"
    thumb = client.get(f"/records/photos/{sha}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert int(thumb.headers["Content-Length"]) == len(thumb.data)
    assert max(Image.open(io.BytesIO(thumb.data)).size) == PHOTO_THUMB_EDGE_PX
    auth.logout()
    auth.login("shuji")  # another branch's secretary: the app still decides who sees what
    assert client.get(f"/records/photos/{sha}").status_code == 404


@BOTH
def test_phone_sends_a_photo_through_sync_into_the_store(app, client, auth, demo, tmp_path):
    auth.login("dangyuan")
    content = _jpeg(color=(200, 10, 10))
    sha = hashlib.sha256(content).hexdigest()
    device = client.post("/api/sync/devices", json={"name": "测试手机"},
                         headers={"X-CSRFToken": csrf_token(client, "/")}).get_json()
    answer = client.put(f"/api/sync/photos/{sha}", data=content,
                        headers={"Authorization": f"Bearer {device['token']}", "Content-Type": "image/jpeg"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert storage().open(photos.key_for(sha)).read() == content


@BOTH
def test_export_written_to_the_store_and_downloaded(app, client, auth, demo, tmp_path):
    org = org_named(FIELD)
    photo, _ = photos.store(_jpeg(1200, 900, (20, 120, 60)), demo["dangyuan"])
    record = service.create_record(org, "theme_day", theme_day_data(
        org, topic="存储测试：学习防汛抗旱条例", photos=[photo.sha256]), demo["dangyuan"])
    service.approve(record, demo["linshi"])
    db.session.commit()
    auth.login("linshi")
    auth.post("/ledgers/exports", {"org_id": org.id, "year": record.occurred_on.year, "kind": ["xlsx", "pdf"]},
              page="/ledgers/")
    made = {j.kind: j for j in db.session.scalars(select(ExportJob).where(ExportJob.org_id == org.id))}
    for job in made.values():
        assert job.state == "done", job.error
        _where_it_went(app, tmp_path, jobs.storage_key(job))
    sheet = client.get(f"/ledgers/exports/{made['xlsx'].uuid}/download")
    assert sheet.status_code == 200 and "attachment" in sheet.headers["Content-Disposition"]
    assert int(sheet.headers["Content-Length"]) == made["xlsx"].size == len(sheet.data)
    assert "花名册" in load_workbook(io.BytesIO(sheet.data)).sheetnames
    book = client.get(f"/ledgers/exports/{made['pdf'].uuid}/download")
    reader = PdfReader(io.BytesIO(book.data))
    assert any(page.images for page in reader.pages)  # the thumbnail came out of the store
    db.session.expire_all()
    assert made["xlsx"].downloaded_at is not None


@BOTH
def test_missing_objects_answer_404(app, client, auth, demo):
    org = org_named(FIELD)
    auth.login("linshi")
    sha = _upload(client, _jpeg()).get_json()["sha256"]
    storage().delete(photos.key_for(sha))
    assert client.get(f"/records/photos/{sha}").status_code == 404
    assert client.get(f"/records/photos/{sha}/thumb").status_code == 200  # only the original went
    auth.post("/ledgers/exports", {"org_id": org.id, "year": 2026, "kind": ["xlsx"]}, page="/ledgers/")
    job = db.session.scalar(select(ExportJob).where(ExportJob.org_id == org.id))
    assert job.state == "done"
    storage().delete(jobs.storage_key(job))
    assert client.get(f"/ledgers/exports/{job.uuid}/download").status_code == 404
    db.session.expire_all()
    assert job.downloaded_at is None  # a download that did not happen is not noted


@pytest.mark.parametrize("storage_settings", ["nobody-listening", "wrong-key"], indirect=True)
def test_store_down_answers_503_in_chinese_and_records_nothing(app, client, auth, demo):
    org = org_named(FIELD)
    auth.login("linshi")
    answer = _upload(client, _jpeg())
    assert answer.status_code == 503
    assert answer.get_json()["error"] == {"code": "storage_unavailable", "message": UNAVAILABLE_MESSAGE}
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 0
    page = client.get("/records/photos/" + "ab" * 32, headers={"Accept": "text/html"})
    assert page.status_code == 404  # no such photo row: nothing asked of the store

    # A photo recorded earlier, while the store answered, cannot be served now: 503, not 500.
    sha = "cd" * 32
    db.session.add(Photo(sha256=sha, content_type="image/jpeg", size=10, width=1, height=1))
    photo_access.note_uploader(demo["linshi"], sha)
    db.session.commit()
    page = client.get(f"/records/photos/{sha}", headers={"Accept": "text/html"})
    assert page.status_code == 503 and UNAVAILABLE_MESSAGE in page.get_data(as_text=True)

    auth.post("/ledgers/exports", {"org_id": org.id, "year": 2026, "kind": ["xlsx"]}, page="/ledgers/")
    job = db.session.scalar(select(ExportJob).where(ExportJob.org_id == org.id))
    assert job.state == "failed" and job.error == UNAVAILABLE_MESSAGE  # the secretary sees why
    job.state = "done"
    db.session.commit()
    assert client.get(f"/ledgers/exports/{job.uuid}/download").status_code == 503


@pytest.fixture
def signed_urls(app):
    app.config["STORAGE_SIGNED_URL_SECONDS"] = 120
    return app


@pytest.mark.parametrize("storage_settings", ["s3"], indirect=True)
def test_signed_urls_send_the_bytes_straight_from_the_store_after_the_app_checks(signed_urls, client, auth, demo):
    from urllib.error import HTTPError
    from urllib.request import urlopen

    org = org_named(FIELD)
    auth.login("linshi")
    content = _jpeg()
    sha = _upload(client, content).get_json()["sha256"]
    answer = client.get(f"/records/photos/{sha}")
    assert answer.status_code == 302 and answer.headers["Cache-Control"] == "private, max-age=60"
    location = answer.headers["Location"]
    assert "X-Amz-Signature=" in location and "X-Amz-Expires=120" in location
    with urlopen(location, timeout=10) as fetched:  # the phone follows it to the store
        assert fetched.read() == content
    with pytest.raises(HTTPError) as refused:  # the signature covers the key: no other object
        urlopen(location.replace(sha, "ab" * 32), timeout=10)
    assert refused.value.code == 403

    auth.post("/ledgers/exports", {"org_id": org.id, "year": 2026, "kind": ["xlsx"]}, page="/ledgers/")
    job = db.session.scalar(select(ExportJob).where(ExportJob.org_id == org.id))
    download = client.get(f"/ledgers/exports/{job.uuid}/download")
    assert download.status_code == 302
    with urlopen(download.headers["Location"], timeout=10) as fetched:
        assert "attachment" in fetched.headers["Content-Disposition"]
        assert "花名册" in load_workbook(io.BytesIO(fetched.read())).sheetnames
    storage().delete(photos.key_for(sha))
    assert client.get(f"/records/photos/{sha}").status_code == 404
    auth.logout()
    auth.login("shuji")  # another branch: refused before any URL is signed
    assert client.get(f"/records/photos/{sha}/thumb").status_code == 404


@BOTH
def test_backup_and_restore_of_every_object_through_the_cli(app, client, auth, demo, tmp_path):
    org = org_named(FIELD)
    auth.login("linshi")
    shas = [_upload(client, _jpeg(color=(i * 80, 50, 90))).get_json()["sha256"] for i in range(3)]
    auth.post("/ledgers/exports", {"org_id": org.id, "year": 2026, "kind": ["xlsx"]}, page="/ledgers/")
    job = db.session.scalar(select(ExportJob).where(ExportJob.org_id == org.id))
    runner = app.test_cli_runner()
    kept = tmp_path / "backup"
    done = runner.invoke(args=["storage", "backup", str(kept)])
    assert done.exit_code == 0 and "复制 7 个对象" in done.output, done.output  # 3 photos, 3 thumbs, 1 export
    assert "跳过已有 7 个" in runner.invoke(args=["storage", "backup", str(kept)]).output  # incremental
    for key, _size in list(storage().keys()):
        storage().delete(key)
    assert client.get(f"/records/photos/{shas[0]}").status_code == 404
    done = runner.invoke(args=["storage", "restore", str(kept)])
    assert done.exit_code == 0 and "复制 7 个对象" in done.output, done.output
    for sha in shas:
        assert client.get(f"/records/photos/{sha}").status_code == 200
    assert client.get(f"/ledgers/exports/{job.uuid}/download").status_code == 200
