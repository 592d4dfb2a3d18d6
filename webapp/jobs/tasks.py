"""The job worker's tasks, registered on an app's Huey instance (queue.huey_for).

- ``ledger_export(job_id)``: builds an ExportJob's file (webapp/ledgers/jobs.py). A failure is retried
  ``JOBS_RETRIES`` times, ``JOBS_RETRY_DELAY`` seconds apart; the last failure is recorded on the job.
- ``reclaim_exports``: every minute (and when a worker starts), exports whose worker died (their lease
  ran out) or that were never picked up are queued again. Huey does not know a consumer died with a
  task in hand; the ExportJob lease does.
- ``push_reminders``: every minute, the push scheduler recomputes due reminders (idempotent);
  ``flask push work`` delivers them (docs/jobs.md says why delivery stays there).
- ``rollup_years``: every hour, the committee dashboard's stored figures are filled for this year and
  the last when missing (a new year, or after a standard's rule changed), so that no view waits for it.

Each task runs in its own application context and database session, except in immediate mode inside
a request (tests), where it runs in the request's context.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from flask import Flask, current_app, has_app_context

from ..extensions import db

if TYPE_CHECKING:
    from huey import Huey


@dataclass
class Tasks:
    ledger_export: Any
    reclaim_exports: Any
    push_reminders: Any
    rollup_years: Any


def _in_app(app: Flask, work: Callable[[], Any]) -> Any:
    if has_app_context() and current_app._get_current_object() is app:
        return work()  # immediate mode, inside the request that enqueued
    with app.app_context():
        try:
            return work()
        finally:
            db.session.remove()


def register(huey: Huey, app: Flask) -> Tasks:
    from huey import crontab

    retries = int(app.config.get("JOBS_RETRIES", 2))
    delay = int(app.config.get("JOBS_RETRY_DELAY", 30))

    @huey.task(retries=retries, retry_delay=delay, context=True, name="ledger_export")
    def ledger_export(job_id: int, task=None):
        from ..ledgers import jobs

        final = task is None or not task.retries
        return _in_app(app, lambda: jobs.run(job_id, final=final))

    @huey.periodic_task(crontab(minute="*"), name="reclaim_exports")
    def reclaim_exports():
        from ..ledgers import jobs

        ids = _in_app(app, jobs.reclaimable)
        for job_id in ids:
            ledger_export(job_id)
        return len(ids)

    @huey.on_startup(name="reclaim_exports_at_start")
    def reclaim_at_start():
        reclaim_exports()  # queued, not run here: the worker threads take it

    @huey.periodic_task(crontab(minute="*"), name="push_reminders")
    def push_reminders():
        def compute():
            from ..push import scheduler

            queued = scheduler.compute_due()
            db.session.commit()
            return queued

        return _in_app(app, compute)

    @huey.periodic_task(crontab(minute="7"), name="rollup_years")
    def rollup_years():
        def fill():
            from ..china_time import china_today
            from ..standards import rollup_store

            year = china_today().year
            return rollup_store.ensure({year - 1, year})

        return _in_app(app, fill)

    return Tasks(ledger_export=ledger_export, reclaim_exports=reclaim_exports, push_reminders=push_reminders,
                 rollup_years=rollup_years)
