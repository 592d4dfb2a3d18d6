"""Push deliveries per device with leases, per-service back-off, message expiry; export job leases.

Issue 17: a message fans out into one delivery per device, each with its own state, attempts, next try
and a lease taken at the moment of the claim; a push service that asks to slow down is backed off for
every worker. Issue 13: an export job is leased by its process (heartbeat), so one abandoned by a dead
process is taken up again.

Revision ID: 0011_push_leases
Revises: 0010_periods_rules
Create Date: 2026-11-30 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_push_leases'
down_revision = '0010_periods_rules'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('push_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('service_host', sa.String(length=255), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_owner', sa.String(length=80), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['push_messages.id'], name=op.f('fk_push_deliveries_message_id_push_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_deliveries')),
    sa.UniqueConstraint('message_id', 'subscription_id', name='uq_push_deliveries_message_subscription')
    )
    with op.batch_alter_table('push_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_push_deliveries_state_next', ['state', 'next_attempt_at'], unique=False)

    op.create_table('push_service_backoff',
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('host', name=op.f('pk_push_service_backoff'))
    )

    # A message claimed under the old scheme goes back to the queue and fans out to its devices.
    op.execute("UPDATE push_messages SET state = 'queued' WHERE state = 'sending'")
    with op.batch_alter_table('push_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_column('attempts')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('claimed_at')

    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_owner', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.drop_column('lease_until')
        batch_op.drop_column('lease_owner')

    with op.batch_alter_table('push_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.drop_column('expires_at')
    op.execute("UPDATE push_messages SET state = 'queued' WHERE state = 'delivering'")

    op.drop_table('push_service_backoff')
    with op.batch_alter_table('push_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_push_deliveries_state_next')
    op.drop_table('push_deliveries')
