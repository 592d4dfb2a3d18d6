"""photo_uploads: who sent each photo's bytes (a hash alone no longer grants a photo).

Backfilled so photos already stored keep working: the recorded first uploader of every photo and,
for photos whose uploader is unknown, the people whose records, study notes or points
applications name them.

Revision ID: 0009_refs_photo_uploads
Revises: 0008_accounts_sessions
Create Date: 2026-11-30 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_refs_photo_uploads'
down_revision = '0008_accounts_sessions'
branch_labels = None
depends_on = None

# (sha256, user_id) pairs that stand for an upload, each from one place that names the photo.
KNOWN_UPLOADERS = [
    "SELECT p.sha256 AS sha256, p.uploaded_by_id AS user_id FROM photos p WHERE p.uploaded_by_id IS NOT NULL",
    "SELECT p.sha256, r.created_by_id FROM photos p JOIN record_photos rp ON rp.sha256 = p.sha256 "
    "JOIN records r ON r.id = rp.record_id WHERE p.uploaded_by_id IS NULL AND r.created_by_id IS NOT NULL",
    "SELECT p.sha256, n.user_id FROM photos p JOIN study_notes n ON n.photo_sha256 = p.sha256 "
    "WHERE p.uploaded_by_id IS NULL",
    "SELECT p.sha256, a.user_id FROM photos p JOIN points_applications a ON a.photo_sha256 = p.sha256 "
    "WHERE p.uploaded_by_id IS NULL",
]


def upgrade():
    op.create_table('photo_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sha256'], ['photos.sha256'], name=op.f('fk_photo_uploads_sha256_photos')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_photo_uploads_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photo_uploads')),
    sa.UniqueConstraint('sha256', 'user_id', name='uq_photo_uploads_sha_user')
    )
    pairs = " UNION ".join(KNOWN_UPLOADERS)
    op.execute(
        "INSERT INTO photo_uploads (sha256, user_id, created_at) "
        f"SELECT k.sha256, k.user_id, p.created_at FROM ({pairs}) k JOIN photos p ON p.sha256 = k.sha256")


def downgrade():
    op.drop_table('photo_uploads')
