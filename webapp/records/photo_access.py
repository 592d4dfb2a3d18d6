"""Which photos a person may see or attach. One answer for every path that takes a photo hash from
the client (record forms and sync, study notes, points applications) and for the photo route.

A hash names a photo only for someone who uploaded its bytes (``photo_uploads``) or may already see
it through a record, study note or points application they may see. Knowing a hash is not enough:
attaching a stored photo one may not see is refused, so a note can no longer pull a private
谈心谈话 photo into view.

A hash no photo has been uploaded under yet may be named: a record saved on a phone often reaches
the server before its photos do (``photos_missing``). Such a reference was checked against nothing, so
it grants sight of the photo that later arrives under that hash only when the referencing object's
author (or an author of one of the record's versions) is among the photo's uploaders: a phone's own
record still shows its own late photos, while a hash claimed in advance by someone else never shows
them the upload that follows. A reference made once the photo was stored was checked when it was
made (``refused``), so it grants sight as before.
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


class _Stored:
    """When each photo among some hashes was stored and who sent its bytes."""

    def __init__(self, hashes: set[str]):
        self.arrived = dict(db.session.execute(
            select(Photo.sha256, Photo.created_at).where(Photo.sha256.in_(hashes))).all())
        self.uploaders: dict[str, set[int]] = {}
        for sha256, user_id in db.session.execute(
                select(PhotoUpload.sha256, PhotoUpload.user_id).where(PhotoUpload.sha256.in_(hashes))):
            self.uploaders.setdefault(sha256, set()).add(user_id)

    def vouched(self, sha256: str, authors: set, named_at) -> bool:
        """Does a reference to ``sha256`` made at ``named_at`` by ``authors`` grant sight of it?

        Yes when an author sent the bytes, or when the reference was made once the photo was stored
        (it was checked then). A reference made before the photo arrived, by people none of whom
        uploaded it, is a claim on a hash and grants nothing."""
        if authors & self.uploaders.get(sha256, set()):
            return True
        arrived = self.arrived.get(sha256)
        return arrived is None or named_at is None or named_at >= arrived


def _record_vouches(stored: _Stored, record: Record, sha256: str) -> bool:
    authors = {v.created_by_id for v in record.versions} - {None}
    naming = [v.created_at for v in record.versions if sha256 in ((v.data or {}).get("photos") or [])]
    return stored.vouched(sha256, authors, min(naming) if naming else None)


def visible_hashes(user: User, hashes: Iterable[str]) -> set[str]:
    """The hashes among ``hashes`` that name a photo ``user`` uploaded or may already see."""
    wanted = set(hashes)
    if not wanted:
        return set()
    seen = set(db.session.scalars(select(PhotoUpload.sha256).where(
        PhotoUpload.user_id == user.id, PhotoUpload.sha256.in_(wanted))))
    rest = wanted - seen
    stored = _Stored(rest) if rest else None
    for source in (_in_records, _in_study_notes, _in_points_applications, _development_hashes, _yearly_hashes):
        if not rest:
            break
        seen |= source(user, rest, stored)
        rest = wanted - seen
    return seen


def _yearly_hashes(user: User, rest: set[str], stored: _Stored) -> set[str]:
    """Issue 22: a 对照检查材料's photo (its author and the branch committee) and the receipts of an
    activity-fund spending (the branch committee)."""
    from ..models import FundReceipt, FundSpending, LifeMeetingMaterial, LifeMeetingPrep

    seen: set[str] = set()
    for material, prep in db.session.execute(
            select(LifeMeetingMaterial, LifeMeetingPrep).join(LifeMeetingPrep, LifeMeetingPrep.id == LifeMeetingMaterial.prep_id)
            .where(LifeMeetingMaterial.photo_sha256.in_(rest))).all():
        if (material.user_id == user.id or access.manages(user, db.session.get(Organization, prep.org_id))) \
                and stored.vouched(material.photo_sha256, {material.user_id}, None):
            seen.add(material.photo_sha256)
    for receipt, spending in db.session.execute(
            select(FundReceipt, FundSpending).join(FundSpending, FundSpending.id == FundReceipt.spending_id)
            .where(FundReceipt.sha256.in_(rest))).all():
        if access.manages(user, db.session.get(Organization, spending.org_id)) and stored.vouched(
                receipt.sha256, {spending.created_by_id}, spending.created_at):
            seen.add(receipt.sha256)
    return seen


def _in_records(user: User, rest: set[str], stored: _Stored) -> set[str]:
    """Photos of records the user may view, named by a version written after the bytes were sent."""
    found = set()
    for sha256, record in db.session.execute(
            select(RecordPhoto.sha256, Record).join(Record, Record.id == RecordPhoto.record_id)
            .where(RecordPhoto.sha256.in_(rest))).all():
        if sha256 not in found and can_view(user, record) and _record_vouches(stored, record, sha256):
            found.add(sha256)
    return found


def _in_study_notes(user: User, rest: set[str], stored: _Stored) -> set[str]:
    from ..study.notes import can_view_note  # study notes check their photo here

    found = set()
    for note in db.session.scalars(select(StudyNote).where(StudyNote.photo_sha256.in_(rest))):
        if (note.photo_sha256 not in found and can_view_note(user, note)
                and stored.vouched(note.photo_sha256, {note.user_id}, note.created_at)):
            found.add(note.photo_sha256)
    return found


def _in_points_applications(user: User, rest: set[str], stored: _Stored) -> set[str]:
    """An application's photo: its applicant and those who manage its branch."""
    found = set()
    for application in db.session.scalars(
            select(PointsApplication).where(PointsApplication.photo_sha256.in_(rest))):
        if application.photo_sha256 in found:
            continue
        if (application.user_id == user.id or access.manages(
                user, db.session.get(Organization, application.org_id))) and stored.vouched(
                application.photo_sha256, {application.user_id}, application.created_at):
            found.add(application.photo_sha256)
    return found


def _development_hashes(user: User, hashes: set[str], stored: _Stored) -> set[str]:
    """Photos of the documents of a 发展党员 step: for those who manage the branch that recorded the step
    or the person's home branch now (the file moves with the person)."""
    from sqlalchemy import String, cast, or_

    from ..development.pipeline import home_branch
    from ..models import DevelopmentStep

    found: set[str] = set()
    column = cast(DevelopmentStep.photos, String)
    for step in db.session.scalars(select(DevelopmentStep).where(or_(*[column.contains(h) for h in hashes]))):
        home = home_branch(step.file.user)
        if not (access.manages(user, step.org) or (home is not None and access.manages(user, home))):
            continue
        for sha256 in set(step.photos or []) & hashes:
            if stored.vouched(sha256, {step.recorded_by_id}, step.created_at):
                found.add(sha256)
    return found


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
