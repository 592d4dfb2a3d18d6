"""Refuse to serve a database whose schema is behind the migrations."""
from __future__ import annotations

from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
UPGRADE_HINT = "flask --app wsgi db upgrade"


class SchemaOutOfDate(RuntimeError):
    pass


def expected_heads() -> set[str]:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return set(ScriptDirectory.from_config(config).get_heads())


def current_heads(engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def problem(engine) -> str | None:
    """None when the database is at the newest migration, else a message saying what to run."""
    current = current_heads(engine)
    expected = expected_heads()
    if current == expected:
        return None
    state = "尚未初始化" if not current else f"版本 {', '.join(sorted(current))} 落后于 {', '.join(sorted(expected))}"
    return (
        f"数据库{state}。请先运行：{UPGRADE_HINT}\n"
        f"The database is not migrated ({sorted(current) or 'empty'} != {sorted(expected)}). "
        f"Run: {UPGRADE_HINT}"
    )
