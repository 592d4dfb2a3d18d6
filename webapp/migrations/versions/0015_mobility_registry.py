"""Members on the move: temporary branch charters and handover reports, activists observed in the
field, non-member workers, the 流动党员 registry and membership transfers (组织关系转接).

Revision ID: 0015_mobility_registry
Revises: 0014_speed_compact_storage
Create Date: 2026-11-30 14:14:14

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_mobility_registry'
down_revision = '0014_speed_compact_storage'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('activist_observations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('observer_id', sa.Integer(), nullable=True),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['observer_id'], ['users.id'], name=op.f('fk_activist_observations_observer_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_activist_observations_org_id_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_activist_observations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activist_observations'))
    )
    with op.batch_alter_table('activist_observations', schema=None) as batch_op:
        batch_op.create_index('ix_activist_observations_org_user', ['org_id', 'user_id'], unique=False)

    op.create_table('field_workers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('employer', sa.String(length=200), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_field_workers_created_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_field_workers_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_field_workers'))
    )
    with op.batch_alter_table('field_workers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_field_workers_org_id'), ['org_id'], unique=False)

    op.create_table('flowing_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=20), nullable=False),
    sa.Column('home_org_id', sa.Integer(), nullable=True),
    sa.Column('home_org_name', sa.String(length=200), nullable=False),
    sa.Column('receiving_org_id', sa.Integer(), nullable=True),
    sa.Column('receiving_org_name', sa.String(length=200), nullable=False),
    sa.Column('destination', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('from_date', sa.Date(), nullable=False),
    sa.Column('until_date', sa.Date(), nullable=True),
    sa.Column('contact_name', sa.String(length=64), nullable=False),
    sa.Column('contact_phone', sa.String(length=30), nullable=False),
    sa.Column('card_number', sa.String(length=60), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('lost_on', sa.Date(), nullable=True),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.Column('whereabouts', sa.String(length=200), nullable=False),
    sa.Column('whereabouts_on', sa.Date(), nullable=True),
    sa.Column('inflow_accepted_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_flowing_members_created_by_id_users')),
    sa.ForeignKeyConstraint(['home_org_id'], ['organizations.id'], name=op.f('fk_flowing_members_home_org_id_organizations')),
    sa.ForeignKeyConstraint(['receiving_org_id'], ['organizations.id'], name=op.f('fk_flowing_members_receiving_org_id_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_flowing_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flowing_members')),
    sa.UniqueConstraint('uuid', name=op.f('uq_flowing_members_uuid'))
    )
    with op.batch_alter_table('flowing_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flowing_members_home_org_id'), ['home_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_flowing_members_receiving_org_id'), ['receiving_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_flowing_members_user_id'), ['user_id'], unique=False)

    op.create_table('handover_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('home_org_id', sa.Integer(), nullable=True),
    sa.Column('home_org_name', sa.String(length=200), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['home_org_id'], ['organizations.id'], name=op.f('fk_handover_reports_home_org_id_organizations')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_handover_reports_org_id_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_handover_reports_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_reports')),
    sa.UniqueConstraint('org_id', 'user_id', name='uq_handover_reports_org_user'),
    sa.UniqueConstraint('uuid', name=op.f('uq_handover_reports_uuid'))
    )
    with op.batch_alter_table('handover_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_reports_home_org_id'), ['home_org_id'], unique=False)

    op.create_table('membership_transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('from_org_id', sa.Integer(), nullable=True),
    sa.Column('to_org_id', sa.Integer(), nullable=True),
    sa.Column('outside_name', sa.String(length=200), nullable=False),
    sa.Column('letter_number', sa.String(length=60), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('file', sa.JSON(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.String(length=20), nullable=False),
    sa.Column('resolution_note', sa.String(length=500), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('replaced_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_membership_transfers_created_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_membership_transfers_decided_by_id_users')),
    sa.ForeignKeyConstraint(['from_org_id'], ['organizations.id'], name=op.f('fk_membership_transfers_from_org_id_organizations')),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['membership_transfers.id'], name=op.f('fk_membership_transfers_replaced_by_id_membership_transfers')),
    sa.ForeignKeyConstraint(['to_org_id'], ['organizations.id'], name=op.f('fk_membership_transfers_to_org_id_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_membership_transfers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_transfers')),
    sa.UniqueConstraint('uuid', name=op.f('uq_membership_transfers_uuid'))
    )
    with op.batch_alter_table('membership_transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_transfers_from_org_id'), ['from_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_transfers_to_org_id'), ['to_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_transfers_user_id'), ['user_id'], unique=False)

    op.create_table('temporary_charters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('approval_number', sa.String(length=80), nullable=False),
    sa.Column('approval_date', sa.Date(), nullable=True),
    sa.Column('founded_by_id', sa.Integer(), nullable=True),
    sa.Column('founded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_temporary_charters_closed_by_id_users')),
    sa.ForeignKeyConstraint(['founded_by_id'], ['users.id'], name=op.f('fk_temporary_charters_founded_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_temporary_charters_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_temporary_charters')),
    sa.UniqueConstraint('org_id', name=op.f('uq_temporary_charters_org_id'))
    )


def downgrade():
    op.drop_table('temporary_charters')
    with op.batch_alter_table('membership_transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_transfers_user_id'))
        batch_op.drop_index(batch_op.f('ix_membership_transfers_to_org_id'))
        batch_op.drop_index(batch_op.f('ix_membership_transfers_from_org_id'))

    op.drop_table('membership_transfers')
    with op.batch_alter_table('handover_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_reports_home_org_id'))

    op.drop_table('handover_reports')
    with op.batch_alter_table('flowing_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flowing_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_flowing_members_receiving_org_id'))
        batch_op.drop_index(batch_op.f('ix_flowing_members_home_org_id'))

    op.drop_table('flowing_members')
    with op.batch_alter_table('field_workers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_field_workers_org_id'))

    op.drop_table('field_workers')
    with op.batch_alter_table('activist_observations', schema=None) as batch_op:
        batch_op.drop_index('ix_activist_observations_org_user')

    op.drop_table('activist_observations')
