"""发展党员: development files (keyed by person), their recorded steps, and notes (talks, observations).

Revision ID: 0016_development_pipeline
Revises: 0015_mobility_registry
Create Date: 2026-11-30 14:14:03.626118

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_development_pipeline'
down_revision = '0015_mobility_registry'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('development_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('extension_months', sa.Integer(), nullable=True),
    sa.Column('extended_on', sa.Date(), nullable=True),
    sa.Column('extension_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_development_files_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_development_files')),
    sa.UniqueConstraint('user_id', name=op.f('uq_development_files_user_id')),
    sa.UniqueConstraint('uuid', name=op.f('uq_development_files_uuid'))
    )
    op.create_table('development_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('written_on', sa.Date(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('client_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_development_notes_author_id_users')),
    sa.ForeignKeyConstraint(['file_id'], ['development_files.id'], name=op.f('fk_development_notes_file_id_development_files')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_development_notes_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_development_notes')),
    sa.UniqueConstraint('uuid', name=op.f('uq_development_notes_uuid'))
    )
    with op.batch_alter_table('development_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_development_notes_file_id'), ['file_id'], unique=False)

    op.create_table('development_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=30), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('photos', sa.JSON(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['development_files.id'], name=op.f('fk_development_steps_file_id_development_files')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_development_steps_org_id_organizations')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_development_steps_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_development_steps'))
    )
    with op.batch_alter_table('development_steps', schema=None) as batch_op:
        batch_op.create_index('ix_development_steps_file_step', ['file_id', 'step'], unique=True)
        batch_op.create_index(batch_op.f('ix_development_steps_org_id'), ['org_id'], unique=False)



def downgrade():
    with op.batch_alter_table('development_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_development_steps_org_id'))
        batch_op.drop_index('ix_development_steps_file_step')

    op.drop_table('development_steps')
    with op.batch_alter_table('development_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_development_notes_file_id'))

    op.drop_table('development_notes')
    op.drop_table('development_files')
