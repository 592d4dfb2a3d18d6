"""The branch's year as workflows (issue 22): 民主评议 (appraisals, self-assessments, anonymous peer
ballots with separate receipts, vote counts), 组织生活会 preparation (opinions, 对照检查材料, criticism per
member), elections, candidates and term extensions, 承诺践诺 commitments, 示范岗/责任区 with notes,
volunteering hours, the branch's reports and members' yearly reports, the 困难党员台账 with visits, activity-fund
spending with receipts. Year results name the appraisal that graded them; points lines may name the
fulfilled commitment they come from.

Revision ID: 0017_yearly_workflows
Revises: 0016_development_pipeline
Create Date: 2026-11-30 14:38:18.815838

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_yearly_workflows'
down_revision = '0016_development_pipeline'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('appraisals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('vote_ballots_returned', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_appraisals_decided_by_id_users')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_appraisals_opened_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_appraisals_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appraisals')),
    sa.UniqueConstraint('org_id', 'year', name='uq_appraisals_org_year'),
    sa.UniqueConstraint('uuid', name=op.f('uq_appraisals_uuid'))
    )
    op.create_table('branch_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_branch_reports_org_id_organizations')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_branch_reports_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_branch_reports')),
    sa.UniqueConstraint('org_id', 'year', 'kind', name='uq_branch_reports_org_year_kind'),
    sa.UniqueConstraint('uuid', name=op.f('uq_branch_reports_uuid'))
    )
    op.create_table('commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('review_note', sa.String(length=500), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_commitments_org_id_organizations')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_commitments_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_commitments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitments')),
    sa.UniqueConstraint('uuid', name=op.f('uq_commitments_uuid'))
    )
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.create_index('ix_commitments_org_year', ['org_id', 'year'], unique=False)

    op.create_table('elections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('electors', sa.Integer(), nullable=False),
    sa.Column('ballots_issued', sa.Integer(), nullable=False),
    sa.Column('ballots_returned', sa.Integer(), nullable=False),
    sa.Column('term_years', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_elections_decided_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_elections_org_id_organizations')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_elections_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_elections')),
    sa.UniqueConstraint('uuid', name=op.f('uq_elections_uuid'))
    )
    with op.batch_alter_table('elections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_elections_org_id'), ['org_id'], unique=False)

    op.create_table('hardship_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('situation', sa.Text(), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_hardship_cases_created_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_hardship_cases_org_id_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_hardship_cases_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hardship_cases')),
    sa.UniqueConstraint('uuid', name=op.f('uq_hardship_cases_uuid'))
    )
    with op.batch_alter_table('hardship_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hardship_cases_org_id'), ['org_id'], unique=False)

    op.create_table('member_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('client_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_member_reports_org_id_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_member_reports_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_reports')),
    sa.UniqueConstraint('org_id', 'user_id', 'year', name='uq_member_reports_org_user_year'),
    sa.UniqueConstraint('uuid', name=op.f('uq_member_reports_uuid'))
    )
    op.create_table('role_posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_role_posts_created_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_role_posts_org_id_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_role_posts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_posts')),
    sa.UniqueConstraint('uuid', name=op.f('uq_role_posts_uuid'))
    )
    with op.batch_alter_table('role_posts', schema=None) as batch_op:
        batch_op.create_index('ix_role_posts_org_year', ['org_id', 'year'], unique=False)

    op.create_table('term_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('term_end_before', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_term_extensions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_term_extensions_org_id_organizations')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_term_extensions_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_term_extensions')),
    sa.UniqueConstraint('uuid', name=op.f('uq_term_extensions_uuid'))
    )
    with op.batch_alter_table('term_extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_term_extensions_org_id'), ['org_id'], unique=False)

    op.create_table('volunteer_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('activity', sa.String(length=200), nullable=False),
    sa.Column('served_on', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_volunteer_hours_created_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_volunteer_hours_org_id_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_volunteer_hours_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_hours'))
    )
    with op.batch_alter_table('volunteer_hours', schema=None) as batch_op:
        batch_op.create_index('ix_volunteer_hours_org_served', ['org_id', 'served_on'], unique=False)

    op.create_table('appraisal_ballot_receipts',
    sa.Column('appraisal_id', sa.Integer(), nullable=False),
    sa.Column('voter_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['appraisal_id'], ['appraisals.id'], name=op.f('fk_appraisal_ballot_receipts_appraisal_id_appraisals')),
    sa.ForeignKeyConstraint(['voter_id'], ['users.id'], name=op.f('fk_appraisal_ballot_receipts_voter_id_users')),
    sa.PrimaryKeyConstraint('appraisal_id', 'voter_id', name=op.f('pk_appraisal_ballot_receipts'))
    )
    op.create_table('appraisal_ballots',
    sa.Column('key', sa.String(length=36), nullable=False),
    sa.Column('appraisal_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=20), nullable=False),
    sa.Column('remark', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['appraisal_id'], ['appraisals.id'], name=op.f('fk_appraisal_ballots_appraisal_id_appraisals')),
    sa.ForeignKeyConstraint(['subject_id'], ['users.id'], name=op.f('fk_appraisal_ballots_subject_id_users')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_appraisal_ballots'))
    )
    with op.batch_alter_table('appraisal_ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appraisal_ballots_appraisal_id'), ['appraisal_id'], unique=False)

    op.create_table('appraisal_self_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('appraisal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('client_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['appraisal_id'], ['appraisals.id'], name=op.f('fk_appraisal_self_assessments_appraisal_id_appraisals')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_appraisal_self_assessments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appraisal_self_assessments')),
    sa.UniqueConstraint('appraisal_id', 'user_id', name='uq_appraisal_self_user'),
    sa.UniqueConstraint('uuid', name=op.f('uq_appraisal_self_assessments_uuid'))
    )
    op.create_table('appraisal_vote_counts',
    sa.Column('appraisal_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('excellent', sa.Integer(), nullable=False),
    sa.Column('qualified', sa.Integer(), nullable=False),
    sa.Column('basic', sa.Integer(), nullable=False),
    sa.Column('unqualified', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['appraisal_id'], ['appraisals.id'], name=op.f('fk_appraisal_vote_counts_appraisal_id_appraisals')),
    sa.ForeignKeyConstraint(['subject_id'], ['users.id'], name=op.f('fk_appraisal_vote_counts_subject_id_users')),
    sa.PrimaryKeyConstraint('appraisal_id', 'subject_id', name=op.f('pk_appraisal_vote_counts'))
    )
    op.create_table('election_candidates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('votes', sa.Integer(), nullable=False),
    sa.Column('elected', sa.Boolean(), nullable=False),
    sa.Column('title', sa.String(length=30), nullable=True),
    sa.ForeignKeyConstraint(['election_id'], ['elections.id'], name=op.f('fk_election_candidates_election_id_elections')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_election_candidates_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_election_candidates')),
    sa.UniqueConstraint('election_id', 'user_id', name='uq_election_candidates_person')
    )
    op.create_table('fund_spendings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('spent_on', sa.Date(), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_fund_spendings_created_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_fund_spendings_org_id_organizations')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_fund_spendings_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_spendings')),
    sa.UniqueConstraint('uuid', name=op.f('uq_fund_spendings_uuid'))
    )
    with op.batch_alter_table('fund_spendings', schema=None) as batch_op:
        batch_op.create_index('ix_fund_spendings_org_spent', ['org_id', 'spent_on'], unique=False)

    op.create_table('hardship_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('visitors', sa.String(length=200), nullable=False),
    sa.Column('help_given', sa.Text(), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['hardship_cases.id'], name=op.f('fk_hardship_visits_case_id_hardship_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_hardship_visits_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hardship_visits'))
    )
    with op.batch_alter_table('hardship_visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hardship_visits_case_id'), ['case_id'], unique=False)

    op.create_table('life_meeting_preps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=200), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_life_meeting_preps_created_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_life_meeting_preps_org_id_organizations')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_life_meeting_preps_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_life_meeting_preps')),
    sa.UniqueConstraint('org_id', 'year', name='uq_life_meeting_preps_org_year'),
    sa.UniqueConstraint('uuid', name=op.f('uq_life_meeting_preps_uuid'))
    )
    op.create_table('role_post_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('noted_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_role_post_notes_created_by_id_users')),
    sa.ForeignKeyConstraint(['post_id'], ['role_posts.id'], name=op.f('fk_role_post_notes_post_id_role_posts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_post_notes'))
    )
    with op.batch_alter_table('role_post_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_post_notes_post_id'), ['post_id'], unique=False)

    op.create_table('fund_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('spending_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['spending_id'], ['fund_spendings.id'], name=op.f('fk_fund_receipts_spending_id_fund_spendings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_receipts')),
    sa.UniqueConstraint('spending_id', 'sha256', name='uq_fund_receipts_spending_sha')
    )
    op.create_table('life_meeting_criticisms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prep_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('self_criticism', sa.Text(), nullable=False),
    sa.Column('criticism', sa.Text(), nullable=False),
    sa.Column('noted_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['noted_by_id'], ['users.id'], name=op.f('fk_life_meeting_criticisms_noted_by_id_users')),
    sa.ForeignKeyConstraint(['prep_id'], ['life_meeting_preps.id'], name=op.f('fk_life_meeting_criticisms_prep_id_life_meeting_preps')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_life_meeting_criticisms_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_life_meeting_criticisms')),
    sa.UniqueConstraint('prep_id', 'user_id', name='uq_life_meeting_criticisms_prep_user')
    )
    op.create_table('life_meeting_materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prep_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('photo_sha256', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['prep_id'], ['life_meeting_preps.id'], name=op.f('fk_life_meeting_materials_prep_id_life_meeting_preps')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_life_meeting_materials_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_life_meeting_materials')),
    sa.UniqueConstraint('prep_id', 'user_id', name='uq_life_meeting_materials_prep_user')
    )
    op.create_table('life_meeting_opinions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prep_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_life_meeting_opinions_created_by_id_users')),
    sa.ForeignKeyConstraint(['prep_id'], ['life_meeting_preps.id'], name=op.f('fk_life_meeting_opinions_prep_id_life_meeting_preps')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_life_meeting_opinions'))
    )
    with op.batch_alter_table('life_meeting_opinions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_life_meeting_opinions_prep_id'), ['prep_id'], unique=False)

    with op.batch_alter_table('points_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('commitment_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_points_lines_commitment_id'), ['commitment_id'])
        batch_op.create_foreign_key(batch_op.f('fk_points_lines_commitment_id_commitments'), 'commitments', ['commitment_id'], ['id'])

    with op.batch_alter_table('year_results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evaluation_appraisal_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_year_results_evaluation_appraisal_id_appraisals'), 'appraisals', ['evaluation_appraisal_id'], ['id'])


def downgrade():
    with op.batch_alter_table('year_results', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_year_results_evaluation_appraisal_id_appraisals'), type_='foreignkey')
        batch_op.drop_column('evaluation_appraisal_id')

    with op.batch_alter_table('points_lines', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_points_lines_commitment_id_commitments'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_points_lines_commitment_id'), type_='unique')
        batch_op.drop_column('commitment_id')

    with op.batch_alter_table('life_meeting_opinions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_life_meeting_opinions_prep_id'))

    op.drop_table('life_meeting_opinions')
    op.drop_table('life_meeting_materials')
    op.drop_table('life_meeting_criticisms')
    op.drop_table('fund_receipts')
    with op.batch_alter_table('role_post_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_post_notes_post_id'))

    op.drop_table('role_post_notes')
    op.drop_table('life_meeting_preps')
    with op.batch_alter_table('hardship_visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hardship_visits_case_id'))

    op.drop_table('hardship_visits')
    with op.batch_alter_table('fund_spendings', schema=None) as batch_op:
        batch_op.drop_index('ix_fund_spendings_org_spent')

    op.drop_table('fund_spendings')
    op.drop_table('election_candidates')
    op.drop_table('appraisal_vote_counts')
    op.drop_table('appraisal_self_assessments')
    with op.batch_alter_table('appraisal_ballots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appraisal_ballots_appraisal_id'))

    op.drop_table('appraisal_ballots')
    op.drop_table('appraisal_ballot_receipts')
    with op.batch_alter_table('volunteer_hours', schema=None) as batch_op:
        batch_op.drop_index('ix_volunteer_hours_org_served')

    op.drop_table('volunteer_hours')
    with op.batch_alter_table('term_extensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_term_extensions_org_id'))

    op.drop_table('term_extensions')
    with op.batch_alter_table('role_posts', schema=None) as batch_op:
        batch_op.drop_index('ix_role_posts_org_year')

    op.drop_table('role_posts')
    op.drop_table('member_reports')
    with op.batch_alter_table('hardship_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hardship_cases_org_id'))

    op.drop_table('hardship_cases')
    with op.batch_alter_table('elections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_elections_org_id'))

    op.drop_table('elections')
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index('ix_commitments_org_year')

    op.drop_table('commitments')
    op.drop_table('branch_reports')
    op.drop_table('appraisals')
