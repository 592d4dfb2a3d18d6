"""The committee dashboard's stored roll-up: per organization, standard and unit, the branches below that
owe it and those that reached it (kept on approval), and the years filled for every branch.

Revision ID: 0020_standards_rollups
Revises: 0019_jobs_export_attempts
Create Date: 2026-11-30 17:30:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0020_standards_rollups'
down_revision = '0019_jobs_export_attempts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('standard_rollups',
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('ends', sa.Date(), nullable=False),
    sa.Column('due', sa.Integer(), nullable=False),
    sa.Column('reached', sa.Integer(), nullable=False),
    sa.Column('overdue', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_standard_rollups_org_id_organizations')),
    sa.PrimaryKeyConstraint('org_id', 'key', 'period', 'ends', name=op.f('pk_standard_rollups'))
    )
    op.create_table('standard_rollup_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('filled_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_standard_rollup_years'))
    )


def downgrade():
    op.drop_table('standard_rollup_years')
    op.drop_table('standard_rollups')
