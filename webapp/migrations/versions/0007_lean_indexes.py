"""Drop indexes nothing reads: each sync batch paid to keep them up.

The sync log (sync_processed, a row per mutation ever received) is looked up by mutation_id only;
record_versions.record_id, record_photos.record_id and sync_devices.user_id lead a composite index
that serves the same lookups.

Revision ID: 0007_lean_indexes
Revises: 0006_standards
Create Date: 2026-11-23 11:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007_lean_indexes'
down_revision = '0006_standards'
branch_labels = None
depends_on = None

DROPPED = [
    # (table, index, columns)
    ('sync_processed', 'ix_sync_processed_device_seq', ['device_id', 'seq']),
    ('sync_processed', 'ix_sync_processed_user', ['user_id', 'processed_at']),
    ('record_versions', 'ix_record_versions_record_id', ['record_id']),
    ('record_photos', 'ix_record_photos_record_id', ['record_id']),
    ('sync_devices', 'ix_sync_devices_user_id', ['user_id']),
]


def upgrade():
    for table, index, _columns in DROPPED:
        op.drop_index(index, table_name=table)


def downgrade():
    for table, index, columns in reversed(DROPPED):
        op.create_index(index, table, columns, unique=False)
