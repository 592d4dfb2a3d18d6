"""Export jobs count their attempts (issue 19): a build that kills its worker is no longer taken up
again forever; past EXPORT_MAX_ATTEMPTS (webapp/rules/ledgers.py) the job is marked failed.

Revision ID: 0019_jobs_export_attempts
Revises: 0018_sync_compact_storage
Create Date: 2026-11-30 17:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_jobs_export_attempts'
down_revision = '0018_sync_compact_storage'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('export_jobs') as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('export_jobs') as batch_op:
        batch_op.drop_column('attempts')
