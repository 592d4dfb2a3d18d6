"""A benchmark's PostgreSQL database, created anew for each run.

Dropping and re-creating the schema instead leaves the dropped tables' rows dead in the system
catalogs; where autovacuum is off (as on this machine) they pile up and every later run plans and
connects slower, so figures would depend on how many runs came before.
"""
from __future__ import annotations

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


def fresh_database(url: str) -> None:
    """Drop (closing its sessions) and create the database ``url`` names; raises when no server."""
    target = make_url(url)
    if not target.database or target.database in ("postgres", "template0", "template1"):
        raise ValueError(f"refusing to recreate database {target.database!r}")
    maintenance = target.set(drivername="postgresql", database="postgres")
    with psycopg.connect(maintenance.render_as_string(hide_password=False), autocommit=True) as conn:
        name = sql.Identifier(target.database)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
