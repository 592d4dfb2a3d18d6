"""Ledger exports on the job queue (issue 19) with real `flask jobs work` processes: the request only
enqueues, a worker builds the file; a worker killed mid-export leaves the job to another once the lease
runs out; a transient failure is retried and a lasting one recorded after bounded tries; Redis once."""
import io
import time
from datetime import time as clock_time, timedelta

from openpyxl import load_workbook
from sqlalchemy import select, update

from tests.records_helpers import org_named
from webapp.china_time import china_today
from webapp.extensions import db
from webapp.ledgers import jobs
from webapp.models import ExportJob
from webapp.models.base import utcnow

FIELD = "长江中游水文测验项目临时党支部"
REDIS_URL = "redis://127.0.0.1:6379/10"


def _start_export(auth, org, kind="xlsx") -> int:
    auth.post("/ledgers/exports", {"org_id": org.id, "year": china_today().year, "kind": [kind]}, page="/ledgers/")
    job_id = db.session.scalar(select(ExportJob.id).where(ExportJob.org_id == org.id).order_by(ExportJob.id.desc()))
    db.session.rollback()
    return job_id


def _download_workbook(client, job: ExportJob):
    response = client.get(f"/ledgers/exports/{job.uuid}/download")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))


def test_the_request_enqueues_and_a_worker_builds_the_export(client, auth, demo, job_workers):
    auth.login("linshi")
    job_id = _start_export(auth, org_named(FIELD))
    # Nobody consumes yet: the request answered without building anything.
    assert db.session.get(ExportJob, job_id).state == "queued"
    db.session.rollback()
    job_workers.start()
    job = job_workers.wait_for(job_id, lambda j: j.state in ("done", "failed"), what="the worker")
    assert job.state == "done" and job.progress == 100, job.error
    assert "花名册" in _download_workbook(client, job).sheetnames


def test_a_worker_killed_mid_export_leaves_it_to_another(client, auth, demo, job_workers):
    auth.login("linshi")
    first = job_workers.start(ZHIBU_EXPORT_STEP_PAUSE="0.5")
    job_id = _start_export(auth, org_named(FIELD))
    job = job_workers.wait_for(job_id, lambda j: j.state == "running" and j.progress > 1, what="the build")
    assert f":{first.pid}:" in job.lease_owner
    job_workers.kill(first)
    job = job_workers.wait_for(job_id, lambda j: True)
    assert job.state == "running" and job.progress < 100  # stranded with its dead worker's lease
    # The lease would run out EXPORT_LEASE_SECONDS after the last heartbeat; skip that wait.
    db.session.execute(update(ExportJob).where(ExportJob.id == job_id)
                       .values(lease_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    second = job_workers.start()  # reclaims the export as it starts (then every minute)
    job = job_workers.wait_for(job_id, lambda j: j.state in ("done", "failed"), what="the second worker")
    assert job.state == "done" and job.progress == 100, job.error
    assert f":{second.pid}:" in job.lease_owner
    assert "花名册" in _download_workbook(client, job).sheetnames


def test_a_transient_failure_is_retried(client, auth, demo, job_workers):
    # The storage folder cannot take exports for now: a file stands where the exports folder goes.
    job_workers.uploads.mkdir(parents=True, exist_ok=True)
    blocker = job_workers.uploads / "exports"
    blocker.write_text("in the way")
    job_workers.app.config["JOBS_RETRY_DELAY"] = 3
    auth.login("linshi")
    job_id = _start_export(auth, org_named(FIELD))
    job_workers.start()
    job = job_workers.wait_for(job_id, lambda j: j.error is not None, what="the first failure")
    assert job.state == "queued" and job.step == "出错，稍后重试"  # given back for the retry
    blocker.unlink()  # the store is back before the retry comes
    job = job_workers.wait_for(job_id, lambda j: j.state in ("done", "failed"), what="the retry")
    assert job.state == "done" and job.error is None
    assert "花名册" in _download_workbook(client, job).sheetnames


def test_a_lasting_failure_is_recorded_after_bounded_tries(auth, demo, job_workers):
    job_workers.uploads.mkdir(parents=True, exist_ok=True)
    (job_workers.uploads / "exports").write_text("in the way")
    auth.login("linshi")
    job_id = _start_export(auth, org_named(FIELD))
    job_workers.start()
    job = job_workers.wait_for(job_id, lambda j: j.state == "failed", what="the last try")
    assert "文件存储暂不可用" in job.error and job.lease_until is None
    assert job_workers.logs(tail=None).count(f"export {job_id} failed") == 3  # the first try and two retries


def test_the_redis_queue_carries_an_export(client, auth, demo, job_workers, backend):
    if backend != "sqlite":
        import pytest

        pytest.skip("the Redis store is exercised once, with the SQLite database")
    from webapp.jobs.queue import huey_for

    job_workers.use(REDIS_URL)
    huey = huey_for(job_workers.app)
    huey.flush()
    try:
        auth.login("linshi")
        job_id = _start_export(auth, org_named(FIELD))
        assert huey.pending_count() == 1  # waiting in Redis
        job_workers.start()
        job = job_workers.wait_for(job_id, lambda j: j.state in ("done", "failed"), what="the Redis worker")
        assert job.state == "done", job.error
        assert "花名册" in _download_workbook(client, job).sheetnames
        assert huey.pending_count() == 0
    finally:
        huey.flush()
    assert jobs.claim(job_id) is False


def test_the_job_worker_computes_due_reminders(branch, push_service, job_workers):
    """The every-minute ``push_reminders`` task (enqueued here rather than waiting for the minute):
    the job worker recomputes reminders; delivery stays with `flask push work`."""
    from tests.push_helpers import subscribe
    from webapp.china_time import china_today as today
    from webapp.jobs.queue import tasks
    from webapp.models import PushMessage
    from webapp.plans import service as planning

    org, people = branch
    for user in people.values():
        subscribe(push_service, user)
    activity = planning.create_activity(org, {"type": "theme_day", "title": "学习党章", "place": "三楼会议室",
                                              "on_date": today() + timedelta(days=3), "start_time": clock_time(9, 0)},
                                        people["secretary"])
    db.session.commit()
    # Whatever planning queued at once is gone: only the worker's computation can bring reminders back.
    db.session.execute(PushMessage.__table__.delete())
    db.session.commit()
    tasks(job_workers.app).push_reminders()
    job_workers.start()
    deadline = time.monotonic() + 60
    while True:
        queued = db.session.scalars(select(PushMessage).where(PushMessage.source_type == "activity",
                                                              PushMessage.source_id == activity.id)).all()
        db.session.rollback()
        if queued or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert {m.user_id for m in queued} >= {people["a"].id, people["b"].id}, job_workers.logs()
    assert all(m.state == "queued" for m in queued)  # computed, not sent: the push worker delivers
