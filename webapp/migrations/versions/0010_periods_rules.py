"""Rules a higher committee adjusts with an effective date, accepted structural exceptions, and the
planned size of a temporary branch's project.

Revision ID: 0010_periods_rules
Revises: 0009_refs_photo_uploads
Create Date: 2026-11-30 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_periods_rules'
down_revision = '0009_refs_photo_uploads'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rule_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_rule_overrides_created_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_rule_overrides_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_overrides'))
    )
    with op.batch_alter_table('rule_overrides', schema=None) as batch_op:
        batch_op.create_index('ix_rule_overrides_org_key', ['org_id', 'key', 'effective_from'], unique=False)

    op.create_table('structural_exceptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                            name=op.f('fk_structural_exceptions_created_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'],
                            name=op.f('fk_structural_exceptions_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_structural_exceptions'))
    )
    with op.batch_alter_table('structural_exceptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_structural_exceptions_org_id'), ['org_id'], unique=False)

    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_people', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('planned_members', sa.Integer(), nullable=True))


def downgrade():
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+ has it): a batch copy would drop and recreate
    # ``organizations``, which every branch's rows reference, and SQLite's foreign keys refuse that.
    op.drop_column('organizations', 'planned_members')
    op.drop_column('organizations', 'planned_people')
    with op.batch_alter_table('structural_exceptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_structural_exceptions_org_id'))
    op.drop_table('structural_exceptions')
    with op.batch_alter_table('rule_overrides', schema=None) as batch_op:
        batch_op.drop_index('ix_rule_overrides_org_key')
    op.drop_table('rule_overrides')
