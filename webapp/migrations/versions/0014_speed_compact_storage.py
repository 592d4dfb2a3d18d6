"""Compact storage of what every synced record writes.

Record version snapshots are stored compressed: zlib of UTF-8 JSON without ``\\uXXXX`` escapes.
Every existing snapshot is converted, in batches, on SQLite and PostgreSQL alike
(``webapp/models/compressed_json.py`` says why). Downgrading turns them back into JSON.

Attendance (about ten rows a record) is keyed by (record_id, user_id) itself: no surrogate id and
no separate unique index; on SQLite the table is WITHOUT ROWID, its rows kept in that key.

Revision ID: 0014_speed_compact_storage
Revises: 0013_attend_year_results
Create Date: 2026-11-30 11:00:00

"""
import json
import zlib

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014_speed_compact_storage'
down_revision = '0013_attend_year_results'
branch_labels = None
depends_on = None

BATCH = 500


def _compress(value) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(',', ':'))
    try:
        raw = text.encode('utf-8')
    except UnicodeEncodeError:  # a lone surrogate: kept escaped, as it was
        raw = json.dumps(value, separators=(',', ':')).encode('ascii')
    return zlib.compress(raw, 6)


def _decompress(stored) -> object:
    return json.loads(zlib.decompress(bytes(stored)))


def _copy(source: str, source_type, target: str, target_type, transform) -> None:
    """Fill ``target`` from ``source`` for every row, ``BATCH`` rows at a time in id order."""
    bind = op.get_bind()
    table = sa.table('record_versions', sa.column('id', sa.Integer()), sa.column(source, source_type),
                     sa.column(target, target_type))
    update = (table.update().where(table.c.id == sa.bindparam('row_id'))
              .values({target: sa.bindparam('new_value', type_=target_type)}))
    last = 0
    while True:
        rows = bind.execute(sa.select(table.c.id, table.c[source]).where(table.c.id > last)
                            .order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            return
        bind.execute(update, [{'row_id': row[0], 'new_value': transform(row[1])} for row in rows])
        last = rows[-1][0]


def _swap(old: str, new: str, new_type) -> None:
    with op.batch_alter_table('record_versions', schema=None) as batch_op:
        batch_op.drop_column(old)
        batch_op.alter_column(new, new_column_name=old, existing_type=new_type, nullable=False)


def _recreate_on_sqlite() -> str:
    """SQLite changes a primary key (and WITHOUT ROWID) only by copying the table; PostgreSQL alters it."""
    return 'always' if op.get_bind().dialect.name == 'sqlite' else 'auto'


def upgrade():
    with op.batch_alter_table('record_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_compressed', sa.LargeBinary(), nullable=True))
    _copy('data', sa.JSON(), 'data_compressed', sa.LargeBinary(), _compress)
    _swap('data', 'data_compressed', sa.LargeBinary())

    with op.batch_alter_table('attendances', schema=None, recreate=_recreate_on_sqlite(),
                              table_kwargs={'sqlite_with_rowid': False}) as batch_op:
        batch_op.drop_constraint('uq_attendances_record_user', type_='unique')
        batch_op.drop_constraint('pk_attendances', type_='primary')
        batch_op.drop_column('id')
        batch_op.create_primary_key('pk_attendances', ['record_id', 'user_id'])


def downgrade():
    # The rows get ids anew (nothing refers to them).
    with op.batch_alter_table('attendances', schema=None, recreate=_recreate_on_sqlite(),
                              table_kwargs={'sqlite_with_rowid': True}) as batch_op:
        batch_op.drop_constraint('pk_attendances', type_='primary')
        batch_op.add_column(sa.Column('id', sa.Integer(), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute('CREATE SEQUENCE attendances_id_seq OWNED BY attendances.id')
        op.execute("UPDATE attendances SET id = nextval('attendances_id_seq')")
        op.execute("ALTER TABLE attendances ALTER COLUMN id SET DEFAULT nextval('attendances_id_seq')")
    else:
        op.execute('UPDATE attendances SET id = (SELECT COUNT(*) FROM attendances AS a WHERE '
                   '(a.record_id, a.user_id) <= (attendances.record_id, attendances.user_id))')
    with op.batch_alter_table('attendances', schema=None, recreate=_recreate_on_sqlite(),
                              table_kwargs={'sqlite_with_rowid': True}) as batch_op:
        batch_op.alter_column('id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_primary_key('pk_attendances', ['id'])
        batch_op.create_unique_constraint('uq_attendances_record_user', ['record_id', 'user_id'])

    with op.batch_alter_table('record_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_json', sa.JSON(), nullable=True))
    _copy('data', sa.LargeBinary(), 'data_json', sa.JSON(), _decompress)
    _swap('data', 'data_json', sa.JSON())
