"""Points years (年度结算), one year result per person and year, exemptions (免于积分).

Revision ID: 0013_attend_year_results
Revises: 0012_dues_ledgers
Create Date: 2026-11-30 10:41:47

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_attend_year_results'
down_revision = '0012_dues_ledgers'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('points_exemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_note', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_points_exemptions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_points_exemptions_org_id_organizations')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_points_exemptions_requested_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_points_exemptions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_exemptions')),
    sa.UniqueConstraint('user_id', 'year', name='uq_points_exemptions_user_year'),
    sa.UniqueConstraint('uuid', name=op.f('uq_points_exemptions_uuid'))
    )
    op.create_table('points_years',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('reopened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reopened_by_id', sa.Integer(), nullable=True),
    sa.Column('reopen_reason', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_points_years_closed_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_points_years_org_id_organizations')),
    sa.ForeignKeyConstraint(['reopened_by_id'], ['users.id'], name=op.f('fk_points_years_reopened_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_years')),
    sa.UniqueConstraint('org_id', 'year', name='uq_points_years_org_year')
    )
    op.create_table('year_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('base', sa.Integer(), nullable=True),
    sa.Column('task', sa.Integer(), nullable=True),
    sa.Column('bonus', sa.Integer(), nullable=True),
    sa.Column('award', sa.Integer(), nullable=True),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('points_grade', sa.String(length=20), nullable=True),
    sa.Column('evaluation_grade', sa.String(length=20), nullable=True),
    sa.Column('evaluation_record_id', sa.Integer(), nullable=True),
    sa.Column('grade', sa.String(length=20), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('frozen_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_record_id'], ['records.id'], name=op.f('fk_year_results_evaluation_record_id_records')),
    sa.ForeignKeyConstraint(['frozen_by_id'], ['users.id'], name=op.f('fk_year_results_frozen_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_year_results_org_id_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_year_results_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_year_results')),
    sa.UniqueConstraint('user_id', 'year', name='uq_year_results_user_year')
    )
    with op.batch_alter_table('year_results', schema=None) as batch_op:
        batch_op.create_index('ix_year_results_org_year', ['org_id', 'year'], unique=False)



def downgrade():
    with op.batch_alter_table('year_results', schema=None) as batch_op:
        batch_op.drop_index('ix_year_results_org_year')

    op.drop_table('year_results')
    op.drop_table('points_years')
    op.drop_table('points_exemptions')
