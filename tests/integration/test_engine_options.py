"""How the app's engine talks to each database."""
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ProcessedMutation


def test_postgresql_statements_are_never_left_on_a_stale_generic_plan(app, backend):
    """psycopg would prepare a statement after 5 runs and PostgreSQL could keep a plan made while
    the table was small; the app has each statement planned for its own values."""
    connection = db.session.connection().connection.driver_connection
    if backend == "sqlite":
        assert connection.execute("pragma busy_timeout").fetchone()[0] == 30000
        return
    assert connection.prepare_threshold is None
    for _ in range(8):
        db.session.execute(select(ProcessedMutation.id).where(ProcessedMutation.mutation_id.in_(["a", "b"])))
    assert connection.execute("select count(*) from pg_prepared_statements").fetchone()[0] == 0
