"""`flask push keys` and `flask push work` (issue 5): the push worker delivers; the job worker computes
what is due (webapp/jobs/tasks.py)."""
from __future__ import annotations

import signal
import time

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from ..rules.reminders import WORKER_POLL_SECONDS
from . import keys

cli = AppGroup("push", help="Web push: VAPID keys and the reminder worker.")


@cli.command("keys")
@click.option("--if-missing", is_flag=True, help="Do nothing (and succeed) when keys exist.")
def keys_command(if_missing: bool):
    """Create the VAPID key pair in the instance folder (never overwrites)."""
    path = keys.key_path()
    if path.exists():
        if if_missing:
            return
        raise click.ClickException(f"VAPID keys already exist at {path}; refusing to overwrite "
                                   "(every browser subscription depends on them).")
    keys.create_keys(path)
    click.echo(f"VAPID keys written to {path}")
    click.echo(f"public key: {keys.public_key()}")


@cli.command("work")
@click.option("--once", is_flag=True, help="One round, then exit.")
@click.option("--interval", default=WORKER_POLL_SECONDS, show_default=True, help="Seconds between rounds.")
@click.option("--compute", is_flag=True,
              help="Also recompute due reminders each round (the job worker does it every minute).")
def work_command(once: bool, interval: int, compute: bool):
    """Send the queue of due notifications, continuously. The reminders themselves are computed by the
    job worker (`flask jobs work`, its every-minute ``push_reminders`` task; docs/jobs.md)."""
    from . import sender  # pywebpush, requests and aiohttp: only the push worker loads them

    if not keys.key_path().exists():
        raise click.ClickException("no VAPID keys: run `flask --app wsgi push keys` first")
    stop = {"now": False}

    def _stop(*_):
        stop["now"] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    worker = sender.worker_id()
    current_app.logger.info("push worker %s started", worker)
    while True:
        try:
            counts = sender.run_once(worker=worker, compute=compute)
        except Exception:  # noqa: BLE001 - keep the worker alive; the round is retried
            db.session.rollback()
            current_app.logger.exception("push worker round failed")
            counts = {}
        finally:
            db.session.remove()
        if counts:
            click.echo(" ".join(f"{k}={v}" for k, v in sorted(counts.items())))
        if once or stop["now"]:
            break
        for _ in range(interval):
            if stop["now"]:
                break
            time.sleep(1)
