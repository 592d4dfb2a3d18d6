"""Export jobs name the home branch binding its members' part of a closed temporary branch (issue 23
"Scope and privacy"): ``export_jobs.viewer_org_id``, null for a whole branch-year or a summary.

Revision ID: 0021_ledgers_export_scope
Revises: 0020_standards_rollups
Create Date: 2026-11-30 18:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_ledgers_export_scope'
down_revision = '0020_standards_rollups'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('export_jobs') as batch_op:
        batch_op.add_column(sa.Column('viewer_org_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_export_jobs_viewer_org_id_organizations'), 'organizations',
                                    ['viewer_org_id'], ['id'])


def downgrade():
    with op.batch_alter_table('export_jobs') as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_export_jobs_viewer_org_id_organizations'), type_='foreignkey')
        batch_op.drop_column('viewer_org_id')
