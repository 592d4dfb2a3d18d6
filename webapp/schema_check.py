"""Refuse to serve a database whose schema is behind the migrations.

Read without Alembic (which a web worker then never loads): the heads are the revisions of
``migrations/versions`` that no other revision names as its ``down_revision``, and the database's
are the rows of ``alembic_version``. ``tests/integration/test_schema_check.py`` holds both to what
Alembic itself answers.
"""
from __future__ import annotations

import ast
import functools
from pathlib import Path

from sqlalchemy import inspect, text

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
UPGRADE_HINT = "flask --app wsgi db upgrade"


class SchemaOutOfDate(RuntimeError):
    pass


def _identifiers(path: Path) -> dict:
    """The module-level ``revision`` and ``down_revision`` of one migration file."""
    found = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                    found[target.id] = ast.literal_eval(node.value)
    return found


def expected_heads() -> set[str]:
    files = tuple((path, path.stat().st_mtime_ns) for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")))
    return set(_heads(files))


@functools.lru_cache(maxsize=4)
def _heads(files: tuple[tuple[Path, int], ...]) -> frozenset[str]:
    """Parsed once per set of migration files (each app created checks the schema: parsing them all
    took a third of ``create_app``)."""
    revisions, parents = set(), set()
    for path, _mtime in files:
        found = _identifiers(path)
        if "revision" not in found:
            continue
        revisions.add(found["revision"])
        down = found.get("down_revision")
        parents.update(down if isinstance(down, (tuple, list)) else [down] if down else [])
    return frozenset(revisions - parents)


def current_heads(engine) -> set[str]:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return set()
        return set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


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
