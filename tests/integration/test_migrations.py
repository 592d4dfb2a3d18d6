"""The migrations build exactly the schema the models describe, on each database."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from webapp.extensions import db


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_the_sync_log_keeps_only_the_index_it_is_read_by(app):
    """One row per mutation ever received, looked up by mutation_id: every other index is a cost."""
    inspector = inspect(db.engine)
    indexed = {tuple(index["column_names"]) for index in inspector.get_indexes("sync_processed")}
    indexed |= {tuple(c["column_names"]) for c in inspector.get_unique_constraints("sync_processed")}
    assert indexed == {("mutation_id",)}
