"""sync: registered devices, processed mutations log, quarantine of rejected mutations

Revision ID: 0005_sync
Revises: 0004_dues_points
Create Date: 2026-11-23

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_sync'
down_revision = '0004_dues_points'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sync_devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('client_key', sa.String(length=64), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_sync_devices_revoked_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sync_devices_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_devices')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sync_devices_token_hash')),
    sa.UniqueConstraint('uuid', name=op.f('uq_sync_devices_uuid'))
    )
    with op.batch_alter_table('sync_devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_devices_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_sync_devices_user_client_key', ['user_id', 'client_key'], unique=False)

    op.create_table('sync_processed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mutation_id', sa.String(length=36), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=36), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.JSON(), nullable=False),
    sa.Column('client_at', sa.String(length=40), nullable=True),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['sync_devices.id'], name=op.f('fk_sync_processed_device_id_sync_devices')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sync_processed_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_processed')),
    sa.UniqueConstraint('mutation_id', name=op.f('uq_sync_processed_mutation_id'))
    )
    with op.batch_alter_table('sync_processed', schema=None) as batch_op:
        batch_op.create_index('ix_sync_processed_device_seq', ['device_id', 'seq'], unique=False)
        batch_op.create_index('ix_sync_processed_user', ['user_id', 'processed_at'], unique=False)

    op.create_table('sync_quarantine',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mutation_id', sa.String(length=36), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=36), nullable=True),
    sa.Column('base_version', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=False),
    sa.Column('result_target', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['sync_devices.id'], name=op.f('fk_sync_quarantine_device_id_sync_devices')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_sync_quarantine_org_id_organizations')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_sync_quarantine_resolved_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sync_quarantine_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_quarantine')),
    sa.UniqueConstraint('mutation_id', name=op.f('uq_sync_quarantine_mutation_id'))
    )
    with op.batch_alter_table('sync_quarantine', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_quarantine_org_id'), ['org_id'], unique=False)
        batch_op.create_index('ix_sync_quarantine_state', ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_sync_quarantine_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('sync_quarantine', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_quarantine_user_id'))
        batch_op.drop_index('ix_sync_quarantine_state')
        batch_op.drop_index(batch_op.f('ix_sync_quarantine_org_id'))

    op.drop_table('sync_quarantine')
    with op.batch_alter_table('sync_processed', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_processed_user')
        batch_op.drop_index('ix_sync_processed_device_seq')

    op.drop_table('sync_processed')
    with op.batch_alter_table('sync_devices', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_devices_user_client_key')
        batch_op.drop_index(batch_op.f('ix_sync_devices_user_id'))

    op.drop_table('sync_devices')
