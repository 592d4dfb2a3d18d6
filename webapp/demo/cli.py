"""``flask --app wsgi demo load``: demo data for a newcomer and for the tests."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..passwords import hash_password
from ..extensions import db
from . import dataset, loader

cli = AppGroup("demo", help="Demo data.")


@cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has people.")
def load_command(if_empty: bool) -> None:
    """Load the demo organization, people and accounts."""
    if not loader.database_is_empty():
        if if_empty:
            click.echo("数据库已有数据，跳过演示数据。Database not empty: demo data skipped.")
            return
        raise click.ClickException("数据库已有数据，不能重复载入演示数据 (database is not empty)")
    accounts = loader.load(hash_password)
    db.session.commit()
    click.echo("已载入演示数据。Demo data loaded. Accounts (password %s):" % dataset.DEMO_PASSWORD)
    for username in accounts:
        click.echo(f"  {username}")
