"""Which photos a person may see or attach. One answer for every path that takes a photo hash from
the client (record forms and sync, study notes, points applications) and for the photo route.

A hash names a photo only for someone who uploaded its bytes (``photo_uploads``) or may already see
it through a record, study note or points application they may see. Knowing a hash is not enough:
attaching a stored photo one may not see is refused, so a note can no longer pull a private
谈心谈话 photo into view.

A hash no photo has been uploaded under yet may be named: a record saved on a phone often reaches
the server before its photos do (``photos_missing``). Naming such a hash presumes its bytes, which
whoever can name it in advance holds already.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import access
from ..db_savepoint import savepoint
from ..extensions import db
from ..models import Organization, Photo, PhotoUpload, PointsApplication, Record, RecordPhoto, StudyNote, User
from .visibility import can_view

REFUSED_MESSAGE = "只能添加您本人上传或有权查看的照片"


def visible_hashes(user: User, hashes: Iterable[str]) -> set[str]:
    """The hashes among ``hashes`` that name a photo ``user`` uploaded or may already see."""
    wanted = set(hashes)
    if not wanted:
        return set()
    seen = set(db.session.scalars(select(PhotoUpload.sha256).where(
        PhotoUpload.user_id == user.id, PhotoUpload.sha256.in_(wanted))))
    rest = wanted - seen
    if rest:
        for sha256, record in db.session.execute(
                select(RecordPhoto.sha256, Record).join(Record, Record.id == RecordPhoto.record_id)
                .where(RecordPhoto.sha256.in_(rest))).all():
            if sha256 not in seen and can_view(user, record):
                seen.add(sha256)
        rest = wanted - seen
    if rest:
        from .study_notes import can_view_note  # study notes check their photo here

        for note in db.session.scalars(select(StudyNote).where(StudyNote.photo_sha256.in_(rest))):
            if can_view_note(user, note):
                seen.add(note.photo_sha256)
        rest = wanted - seen
    if rest:
        for application in db.session.scalars(
                select(PointsApplication).where(PointsApplication.photo_sha256.in_(rest))):
            if application.user_id == user.id or access.manages(
                    user, db.session.get(Organization, application.org_id)):
                seen.add(application.photo_sha256)
    return seen


def may_see(user: User, sha256: str) -> bool:
    return sha256 in visible_hashes(user, [sha256])


def refused(user: User, hashes: Iterable[str], already: Iterable[str] = ()) -> list[str]:
    """The hashes ``user`` may not attach: stored photos they neither uploaded nor may see.

    ``already``: the hashes the object being edited carries (any of its versions); keeping them is
    no new attachment."""
    wanted = set(hashes) - set(already)
    if not wanted:
        return []
    stored = set(db.session.scalars(select(Photo.sha256).where(Photo.sha256.in_(wanted))))
    return sorted(stored - visible_hashes(user, stored))


def record_hashes(record: Record) -> set[str]:
    """Every photo any version of the record names (each was checked when that version was made)."""
    return {str(sha) for version in record.versions for sha in (version.data or {}).get("photos") or []}


def note_uploader(user: User | None, sha256: str) -> None:
    """Remember that ``user`` sent these bytes (idempotent)."""
    if user is None or getattr(user, "id", None) is None:
        return
    known = db.session.scalar(select(PhotoUpload.id).where(PhotoUpload.sha256 == sha256,
                                                           PhotoUpload.user_id == user.id))
    if known is None:
        try:
            with savepoint():
                db.session.add(PhotoUpload(sha256=sha256, user_id=user.id))
        except IntegrityError:
            pass  # the same person's other upload of these bytes was noted first
