"""Dues (党费), points (积分制) and ledger export jobs.

Revision ID: 0004_dues_points
Revises: 0003_push
Create Date: 2026-11-23 02:12:27.091173

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_dues_points'
down_revision = '0003_push'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dues_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_dues_payments_org_id_organizations')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_dues_payments_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_dues_payments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dues_payments')),
    sa.UniqueConstraint('org_id', 'user_id', 'month', name='uq_dues_payments_org_user_month'),
    sa.UniqueConstraint('uuid', name=op.f('uq_dues_payments_uuid'))
    )
    with op.batch_alter_table('dues_payments', schema=None) as batch_op:
        batch_op.create_index('ix_dues_payments_org_month', ['org_id', 'month'], unique=False)

    op.create_table('dues_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('base_fen', sa.Integer(), nullable=False),
    sa.Column('override_fen', sa.Integer(), nullable=True),
    sa.Column('override_reason', sa.String(length=200), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_dues_profiles_org_id_organizations')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_dues_profiles_updated_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_dues_profiles_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dues_profiles')),
    sa.UniqueConstraint('org_id', 'user_id', name='uq_dues_profiles_org_user')
    )
    op.create_table('export_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=100), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('downloaded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_export_jobs_org_id_organizations')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_export_jobs_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_jobs')),
    sa.UniqueConstraint('uuid', name=op.f('uq_export_jobs_uuid'))
    )
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.create_index('ix_export_jobs_org_created', ['org_id', 'created_at'], unique=False)

    op.create_table('points_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('bucket', sa.String(length=10), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('photo_sha256', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('review_note', sa.String(length=500), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_note', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_points_applications_decided_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_points_applications_org_id_organizations')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_points_applications_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_points_applications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_applications')),
    sa.UniqueConstraint('uuid', name=op.f('uq_points_applications_uuid'))
    )
    op.create_table('points_grade_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_points_grade_overrides_org_id_organizations')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_points_grade_overrides_set_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_points_grade_overrides_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_grade_overrides')),
    sa.UniqueConstraint('org_id', 'user_id', 'year', name='uq_points_grade_overrides')
    )
    op.create_table('points_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('bucket', sa.String(length=10), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['points_applications.id'], name=op.f('fk_points_lines_application_id_points_applications')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_points_lines_created_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_points_lines_org_id_organizations')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_points_lines_record_id_records')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_points_lines_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_lines')),
    sa.UniqueConstraint('record_id', 'user_id', name='uq_points_lines_record_user')
    )
    with op.batch_alter_table('points_lines', schema=None) as batch_op:
        batch_op.create_index('ix_points_lines_org_year', ['org_id', 'year'], unique=False)
        batch_op.create_index('ix_points_lines_user_year', ['user_id', 'year'], unique=False)



def downgrade():
    with op.batch_alter_table('points_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_points_lines_user_year')
        batch_op.drop_index('ix_points_lines_org_year')

    op.drop_table('points_lines')
    op.drop_table('points_grade_overrides')
    op.drop_table('points_applications')
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_export_jobs_org_created')

    op.drop_table('export_jobs')
    op.drop_table('dues_profiles')
    with op.batch_alter_table('dues_payments', schema=None) as batch_op:
        batch_op.drop_index('ix_dues_payments_org_month')

    op.drop_table('dues_payments')
