"""`flask jobs work`: the Huey consumer (the job worker), and `flask jobs status`."""
from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import AppGroup

from . import queue

cli = AppGroup("jobs", help="The background job worker (Huey).")


@cli.command("work")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
@click.option("--no-periodic", is_flag=True, help="Leave the every-minute tasks to another worker.")
def work_command(workers: int, no_periodic: bool):
    """Run the job worker: ledger exports, reclaiming abandoned exports, reminder computation."""
    huey = queue.huey_for(current_app)
    if huey.immediate:
        raise click.ClickException("JOBS_IMMEDIATE is on: tasks run where they are enqueued, there is "
                                   "nothing for a worker to do")
    logging.getLogger("huey").setLevel(logging.INFO)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    current_app.logger.info("job worker: %s store, %d threads", queue.describe(current_app.config.get("JOBS_URL")),
                            workers)
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=not no_periodic)
    consumer.run()


@cli.command("status")
def status_command():
    """Tasks waiting in the queue and scheduled (retries)."""
    huey = queue.huey_for(current_app)
    click.echo(f"store={queue.describe(current_app.config.get('JOBS_URL'))} pending={huey.pending_count()} "
               f"scheduled={huey.scheduled_count()}")
