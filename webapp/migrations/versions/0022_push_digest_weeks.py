"""Each branch's weekly digest decided once a week (issue 19 at a province's size): the gaps found and
whether a secretary still waits for it. The reminders are computed every minute; without it every
branch's checklist was evaluated every minute from Monday 09:00 to Sunday.

Revision ID: 0022_push_digest_weeks
Revises: 0021_ledgers_export_scope
Create Date: 2026-12-01 01:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_push_digest_weeks'
down_revision = '0021_ledgers_export_scope'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('push_digest_weeks',
    sa.Column('week', sa.String(length=10), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('gaps', sa.JSON(), nullable=False),
    sa.Column('pending', sa.Boolean(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_push_digest_weeks_org_id_organizations')),
    sa.PrimaryKeyConstraint('week', 'org_id', name=op.f('pk_push_digest_weeks'))
    )


def downgrade():
    op.drop_table('push_digest_weeks')
