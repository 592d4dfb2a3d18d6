"""Checking against the standard: monthly counts, manual ticks, problems and rectification.

Revision ID: 0006_standards
Revises: 0005_sync
Create Date: 2026-11-23 02:39:06.862728

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_standards'
down_revision = '0005_sync'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('problems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('standard_key', sa.String(length=40), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('measure', sa.Text(), nullable=False),
    sa.Column('responsible_id', sa.Integer(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('evidence_photo_sha256', sa.String(length=64), nullable=True),
    sa.Column('found_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_problems_closed_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_problems_created_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_problems_org_id_organizations')),
    sa.ForeignKeyConstraint(['responsible_id'], ['users.id'], name=op.f('fk_problems_responsible_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problems')),
    sa.UniqueConstraint('uuid', name=op.f('uq_problems_uuid'))
    )
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problems_org_id'), ['org_id'], unique=False)

    op.create_table('standard_month_counts',
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_standard_month_counts_org_id_organizations')),
    sa.PrimaryKeyConstraint('org_id', 'month', 'key', name=op.f('pk_standard_month_counts'))
    )
    with op.batch_alter_table('standard_month_counts', schema=None) as batch_op:
        batch_op.create_index('ix_standard_month_counts_key_month', ['key', 'month', 'org_id', 'count'], unique=False)

    op.create_table('standard_ticks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('photo_sha256', sa.String(length=64), nullable=True),
    sa.Column('ticked_by_id', sa.Integer(), nullable=True),
    sa.Column('ticked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_standard_ticks_org_id_organizations')),
    sa.ForeignKeyConstraint(['ticked_by_id'], ['users.id'], name=op.f('fk_standard_ticks_ticked_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_ticks')),
    sa.UniqueConstraint('org_id', 'key', 'year', name='uq_standard_ticks_org_key_year')
    )


def downgrade():
    op.drop_table('standard_ticks')
    with op.batch_alter_table('standard_month_counts', schema=None) as batch_op:
        batch_op.drop_index('ix_standard_month_counts_key_month')

    op.drop_table('standard_month_counts')
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problems_org_id'))

    op.drop_table('problems')
