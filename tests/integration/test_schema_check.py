"""The schema check reads the migration heads without Alembic: it must agree with Alembic."""
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from webapp.extensions import db
from webapp.schema_check import MIGRATIONS_DIR, current_heads, expected_heads, problem


def test_the_heads_are_alembics(app):
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert expected_heads() == set(ScriptDirectory.from_config(config).get_heads())
    with db.engine.connect() as connection:
        assert current_heads(db.engine) == set(MigrationContext.configure(connection).get_current_heads())
    assert problem(db.engine) is None


def test_an_empty_database_is_not_migrated(tmp_path):
    from sqlalchemy import create_engine

    engine = create_engine("sqlite:///" + str(tmp_path / "empty.db"))
    assert current_heads(engine) == set()
    assert "flask --app wsgi db upgrade" in problem(engine)
    engine.dispose()
