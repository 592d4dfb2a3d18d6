"""Yearly ledger exports: the workbook opened with openpyxl, the record book read with pypdf, the job's
life, and who may export and download."""
import io
import re

from openpyxl import load_workbook
from pypdf import PdfReader
from PIL import Image
from sqlalchemy import select

from tests.records_helpers import org_named, theme_day_data
from webapp.china_time import china_today
from webapp.extensions import db
from webapp.ledgers import jobs, workbook
from webapp.models import ExportJob, Record
from webapp.records import photos, service
from webapp.storage import storage

FIELD = "长江中游水文测验项目临时党支部"


def _text(reader: PdfReader) -> str:
    return re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in reader.pages))


def _export(client, auth, org, kinds=("xlsx", "pdf")):
    auth.post("/ledgers/exports", {"org_id": org.id, "year": china_today().year, "kind": list(kinds)},
              page="/ledgers/")
    return list(db.session.scalars(select(ExportJob).where(ExportJob.org_id == org.id).order_by(ExportJob.id)))


def test_workbook_has_every_installed_sheet_with_real_content(client, auth, demo):
    org = org_named(FIELD)
    record = db.session.scalar(select(Record).where(Record.org_id == org.id, Record.state == "approved")
                               .order_by(Record.occurred_on))
    present = next(a for a in record.attendances if a.status == "present")
    auth.login("linshi")
    job = [j for j in _export(client, auth, org, ("xlsx",)) if j.kind == "xlsx"][-1]
    assert job.state == "done" and job.progress == 100
    response = client.get(f"/ledgers/exports/{job.uuid}/download")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[:6] == ["目录", "花名册", "党费台账", "组织生活记录", "出勤统计", "积分台账"]
    roster = book["花名册"]
    assert [c.value for c in roster[2]][:5] == ["序号", "姓名", "性别", "出生日期", "人员类别"]
    names = {row[1] for row in roster.iter_rows(min_row=3, values_only=True)}
    assert present.user.name in names and "张晓燕" in names
    matrix = book["出勤统计"]
    header = [c.value for c in matrix[2]]
    column = next(i for i, h in enumerate(header) if h and h.startswith(f"{record.occurred_on:%m-%d}"))
    row = next(r for r in matrix.iter_rows(min_row=3, values_only=True) if r[0] == present.user.name)
    assert row[column] == "出席"
    assert book["组织生活记录"]["C3"].value  # the first approved record's topic
    points = {r[0]: r for r in book["积分台账"].iter_rows(min_row=3, values_only=True)}
    assert points[present.user.name][2] > 0  # attendance earned task points


def test_record_book_pdf_has_catalogue_records_and_photos(client, auth, demo, app):
    org = org_named(FIELD)
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (20, 120, 60)).save(buffer, "JPEG")
    photo, _ = photos.store(buffer.getvalue(), demo["dangyuan"])
    record = service.create_record(org, "theme_day", theme_day_data(
        org, topic="记录本测试：学习防汛抗旱条例", photos=[photo.sha256]), demo["dangyuan"])
    service.approve(record, demo["linshi"])
    db.session.commit()
    auth.login("linshi")
    job = [j for j in _export(client, auth, org, ("pdf",)) if j.kind == "pdf"][-1]
    assert job.state == "done", job.error
    response = client.get(f"/ledgers/exports/{job.uuid}/download")
    reader = PdfReader(io.BytesIO(response.data))
    text = _text(reader)
    assert "年度台账" in text and "组织生活档案目录" in text
    assert "记录本测试：学习防汛抗旱条例" in text and "出席" in text
    approved = db.session.scalar(select(db.func.count()).select_from(Record).where(
        Record.org_id == org.id, Record.state == "approved"))
    assert len(reader.pages) >= approved + 2  # cover, catalogue, a page per record
    assert any(page.images for page in reader.pages)


def test_members_and_other_branches_cannot_export_or_download(client, auth, demo):
    org = org_named(FIELD)
    auth.login("linshi")
    job = _export(client, auth, org, ("xlsx",))[-1]
    auth.logout()
    auth.login("shuji")  # another branch's secretary
    assert client.get(f"/ledgers/exports/{job.uuid}/download").status_code == 404
    before = db.session.scalar(select(db.func.count()).select_from(ExportJob))
    assert auth.post("/ledgers/exports", {"org_id": org.id, "year": 2026}, page="/ledgers/").status_code == 404
    assert db.session.scalar(select(db.func.count()).select_from(ExportJob)) == before
    auth.logout()
    auth.login("dangyuan")  # a member and recorder, not the committee
    assert client.get("/ledgers/").status_code == 403
    assert client.get(f"/ledgers/exports/{job.uuid}/download").status_code in (403, 404)


def test_job_runs_exactly_once_and_failures_are_recorded(app, demo):
    org = org_named(FIELD)
    job = jobs.request_export(org, 2026, "xlsx", demo["linshi"])
    db.session.commit()
    assert jobs.claim(job.id) is True
    assert jobs.claim(job.id) is False  # a second runner does not build it again
    broken = jobs.request_export(org, 2026, "xlsx", demo["linshi"])
    db.session.commit()
    original = jobs.BUILDERS["xlsx"]
    jobs.BUILDERS["xlsx"] = lambda *a, **k: (_ for _ in ()).throw(OSError("磁盘已满"))
    try:
        jobs.run(broken.id)
    finally:
        jobs.BUILDERS["xlsx"] = original
    db.session.refresh(broken)
    assert broken.state == "failed" and "磁盘已满" in broken.error


def test_progress_partial_polls_while_running_and_home_tells_when_ready(client, auth, demo):
    org = org_named(FIELD)
    job = jobs.request_export(org, 2026, "pdf", demo["linshi"])
    db.session.commit()
    auth.login("linshi")
    partial = client.get(f"/ledgers/exports/{job.uuid}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in partial and "排队中" in partial
    jobs.run(job.id)
    partial = client.get(f"/ledgers/exports/{job.uuid}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "hx-trigger" not in partial and "下载" in partial
    assert "台账已生成" in client.get("/").get_data(as_text=True)
    client.get(f"/ledgers/exports/{job.uuid}/download")
    assert "台账已生成" not in client.get("/").get_data(as_text=True)


def test_registry_skips_capabilities_not_installed_and_runs_extra_writers(demo, tmp_path):
    org = org_named(FIELD)
    sheets = [("webapp.ledgers.sheets.roster", "花名册", "党员管理档案"),
              ("webapp.no_such_capability.ledger_sheet", "不存在", "x"),
              ("tests.integration.test_ledger_exports", "测试表", "测试")]
    path = workbook.build(org, 2026, tmp_path / "t.xlsx", sheets=sheets)
    assert load_workbook(path).sheetnames == ["花名册", "测试表"]
    assert load_workbook(path)["测试表"]["A1"].value == f"{org.name}-2026"


def write(ws, org, year):
    """A sheet writer registered by the registry test above."""
    ws.append([f"{org.name}-{year}"])


def test_a_job_abandoned_by_a_dead_process_is_taken_up_by_run_pending(app, demo):
    from datetime import timedelta

    from webapp.models.base import utcnow

    org = org_named(FIELD)
    abandoned = jobs.request_export(org, 2026, "xlsx", demo["linshi"])
    alive = jobs.request_export(org, 2026, "pdf", demo["linshi"])
    db.session.commit()
    # A process took the first job ten minutes ago and died: its lease ran out long since.
    assert jobs.claim(abandoned.id, owner="dead-host:4242", now=utcnow() - timedelta(minutes=10))
    # Another process is building the second one right now, its lease still running.
    assert jobs.claim(alive.id, owner="busy-host:7")
    assert jobs.run_pending() == 1
    db.session.expire_all()
    assert abandoned.state == "done" and abandoned.progress == 100 and storage().exists(jobs.storage_key(abandoned))
    assert abandoned.lease_owner != "dead-host:4242"
    assert alive.state == "running" and alive.lease_owner == "busy-host:7"  # left to its process
    assert jobs.claim(abandoned.id) is False  # done: nobody builds it again


def test_status_partial_stops_polling_and_offers_restart(client, auth, demo):
    from datetime import timedelta

    from webapp.models.base import utcnow

    org = org_named(FIELD)
    stalled = jobs.request_export(org, 2026, "xlsx", demo["linshi"])
    failed = jobs.request_export(org, 2026, "pdf", demo["linshi"])
    db.session.commit()
    jobs.claim(stalled.id, owner="dead-host:1", now=utcnow() - timedelta(minutes=10))
    failed.state, failed.error = "failed", "磁盘已满"
    db.session.commit()
    auth.login("linshi")
    for job, words in ((stalled, "处理进程已停止"), (failed, "磁盘已满")):
        partial = client.get(f"/ledgers/exports/{job.uuid}", headers={"HX-Request": "true"}).get_data(as_text=True)
        assert "hx-trigger" not in partial, job.state  # never polls forever
        assert words in partial and "重新生成" in partial
    response = auth.post(f"/ledgers/exports/{stalled.uuid}/restart", page=f"/ledgers/exports/{stalled.uuid}")
    assert response.status_code == 302
    db.session.expire_all()
    assert stalled.state == "failed"
    again = db.session.scalar(select(ExportJob).where(ExportJob.id > failed.id))
    assert response.headers["Location"].endswith(f"/ledgers/exports/{again.uuid}")
    assert (again.org_id, again.year, again.kind, again.state) == (org.id, 2026, "xlsx", "done")
    # A job still running under a live lease is not restarted.
    busy = jobs.request_export(org, 2026, "xlsx", demo["linshi"])
    db.session.commit()
    jobs.claim(busy.id, owner="busy-host:7")
    partial = client.get(f"/ledgers/exports/{busy.uuid}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in partial and "重新生成" not in partial
    auth.post(f"/ledgers/exports/{busy.uuid}/restart", page=f"/ledgers/exports/{busy.uuid}")
    db.session.expire_all()
    assert busy.state == "running" and db.session.scalar(select(ExportJob).where(ExportJob.id > busy.id)) is None


def test_a_build_that_keeps_killing_its_worker_is_given_up_after_the_limit(client, auth, demo):
    """Issue 19, known gap: each runner dies mid-build (its lease runs out), the job is taken up again;
    after EXPORT_MAX_ATTEMPTS takes it is marked failed with a message for the secretary, not re-queued."""
    from datetime import timedelta

    from webapp.models.base import utcnow
    from webapp.rules.ledgers import EXPORT_LEASE_SECONDS, EXPORT_MAX_ATTEMPTS

    org = org_named(FIELD)
    job = jobs.request_export(org, 2026, "pdf", demo["linshi"])
    db.session.commit()
    long_ago = utcnow() - timedelta(seconds=EXPORT_LEASE_SECONDS * 10)
    for attempt in range(EXPORT_MAX_ATTEMPTS):  # each runner takes it and dies: its lease ran out long ago
        assert jobs.claim(job.id, owner=f"dead-host:{attempt}", now=long_ago + attempt * timedelta(seconds=EXPORT_LEASE_SECONDS + 1))
        assert job.id in jobs.reclaimable()  # the worker's every-minute reclaim would queue it again
    db.session.expire_all()
    assert job.attempts == EXPORT_MAX_ATTEMPTS
    jobs.run(job.id)  # what the reclaimed task does
    db.session.expire_all()
    assert job.state == "failed" and job.lease_until is None and job.finished_at is not None
    assert f"已尝试生成 {EXPORT_MAX_ATTEMPTS} 次" in job.error and "重新生成" in job.error
    assert job.attempts == EXPORT_MAX_ATTEMPTS and not storage().exists(jobs.storage_key(job))
    assert job.id not in jobs.reclaimable() and jobs.run_pending() == 0  # never taken up again
    auth.login("linshi")
    page = client.get(f"/ledgers/exports/{job.uuid}").get_data(as_text=True)
    assert "已停止重试" in page and "重新生成" in page
    auth.post(f"/ledgers/exports/{job.uuid}/restart", page=f"/ledgers/exports/{job.uuid}")
    again = db.session.scalar(select(ExportJob).where(ExportJob.id > job.id))
    assert again.state == "done" and again.attempts == 1  # a fresh job gets fresh tries
