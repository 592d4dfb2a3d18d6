"""Derived ledgers: the dues ledger's first month, 代收 and theme-day payments, merged records,
整改清单 items linked to their 组织生活会.

Revision ID: 0012_dues_ledgers
Revises: 0011_push_leases
Create Date: 2026-11-30 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_dues_ledgers'
down_revision = '0011_push_leases'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dues_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('since_month', sa.String(length=7), nullable=True))

    with op.batch_alter_table('dues_payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('collected_by_org_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('record_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_dues_payments_collected_by_org_id_organizations'),
                                    'organizations', ['collected_by_org_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_dues_payments_record_id_records'), 'records',
                                    ['record_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_dues_payments_record_id'), ['record_id'], unique=False)
        batch_op.create_index('ix_dues_payments_user_month', ['user_id', 'month'], unique=False)

    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_records_merged_into_id_records'), 'records',
                                    ['merged_into_id'], ['id'])

    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_problems_record_id_records'), 'records',
                                    ['record_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_problems_record_id'), ['record_id'], unique=False)


def downgrade():
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problems_record_id'))
        batch_op.drop_constraint(batch_op.f('fk_problems_record_id_records'), type_='foreignkey')
        batch_op.drop_column('record_id')

    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_records_merged_into_id_records'), type_='foreignkey')
        batch_op.drop_column('merged_into_id')

    with op.batch_alter_table('dues_payments', schema=None) as batch_op:
        batch_op.drop_index('ix_dues_payments_user_month')
        batch_op.drop_index(batch_op.f('ix_dues_payments_record_id'))
        batch_op.drop_constraint(batch_op.f('fk_dues_payments_record_id_records'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_dues_payments_collected_by_org_id_organizations'),
                                 type_='foreignkey')
        batch_op.drop_column('record_id')
        batch_op.drop_column('collected_by_org_id')

    with op.batch_alter_table('dues_profiles', schema=None) as batch_op:
        batch_op.drop_column('since_month')
