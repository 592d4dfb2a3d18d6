"""Real job workers for tests: `flask --app wsgi jobs work` processes on the test's database, storage
folder and queue, with the test app enqueuing to the same queue (not immediate mode)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from webapp.extensions import db
from webapp.models import ExportJob

ROOT = Path(__file__).resolve().parents[1]


def stop_processes(processes: list[subprocess.Popen], sig: int) -> None:
    """Send ``sig`` to every process still running, then wait up to 15 s for each; kill the stragglers."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(sig)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class JobWorkers:
    def __init__(self, app, database_url: str, folder: Path):
        self.app, self.database_url, self.folder = app, database_url, folder
        self.processes: list[subprocess.Popen] = []
        self.uploads = Path(app.config["INSTANCE_UPLOADS"])
        self.use(f"sqlite:///{folder / 'jobs.db'}")
        app.config.update(JOBS_IMMEDIATE=False, JOBS_RETRIES=2, JOBS_RETRY_DELAY=1)

    def use(self, jobs_url: str) -> None:
        """The queue's store, for the app and the workers started after."""
        self.jobs_url = jobs_url
        self.app.config["JOBS_URL"] = jobs_url
        self.app.extensions.pop("zhibu_jobs", None)

    def start(self, **environ: str) -> subprocess.Popen:
        env = {**os.environ, "DATABASE_URL": self.database_url, "ZHIBU_SECRET_KEY": "test-secret",
               "ZHIBU_JOBS_URL": self.jobs_url, "ZHIBU_STORAGE_URL": f"file://{self.uploads}",
               "ZHIBU_LOG_FORMAT": "text", **environ}
        for name in ("ZHIBU_ENV", "ZHIBU_JOBS_IMMEDIATE", "ZHIBU_SERVERS"):
            env.pop(name, None)
        log = (self.folder / f"worker-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "work", "--workers", "1"],
                                   cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        process.log_path = log.name
        log.close()
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL: the worker dies with its task in hand, as in a crash or an OOM kill."""
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def logs(self, tail: int | None = 4000) -> str:
        return "\n".join(f"--- worker {p.pid} ---\n" + Path(p.log_path).read_text(errors="replace")[-(tail or 0):]
                         for p in self.processes)

    def stop_all(self) -> None:
        stop_processes(self.processes, signal.SIGTERM)

    def wait_for(self, job_id: int, until, timeout: float = 60.0, what: str = "") -> ExportJob:
        """Poll the job row (outside any open transaction, so the worker's writes are never blocked)."""
        deadline = time.monotonic() + timeout
        while True:
            db.session.rollback()
            job = db.session.get(ExportJob, job_id)
            db.session.refresh(job)
            if until(job):
                db.session.rollback()
                return job
            if time.monotonic() > deadline:
                raise AssertionError(f"export {job_id} still {job.state} {job.progress}% {job.step!r} "
                                     f"{job.error!r} waiting for {what}\n{self.logs()}")
            time.sleep(0.05)
