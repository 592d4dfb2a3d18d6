"""Study notes (学习笔记): a member's own notes, visible to the member and the branch committee."""
from __future__ import annotations

from datetime import date, datetime

from .. import access, audit
from ..china_time import china_today
from ..extensions import db
from ..models import Organization, StudyNote, User
from ..records import photo_access
from ..domain_errors import Invalid, NotAllowed
from ..records.validation import SHA256


def _noted_on(data: dict, errors: dict) -> date | None:
    try:
        noted_on = date.fromisoformat(str(data.get("noted_on") or "")) if data.get("noted_on") else None
    except ValueError:
        noted_on = None
        errors["noted_on"] = "日期格式不正确"
    if noted_on is None and "noted_on" not in errors:
        errors["noted_on"] = "请填写学习日期"
    elif noted_on and noted_on > china_today():
        errors["noted_on"] = "学习日期不能晚于今天"
    return noted_on


def _photo(data: dict, user: User, attached: str | None, errors: dict) -> str | None:
    photo = (data.get("photo_sha256") or "").strip().lower() or None
    if photo and not SHA256.match(photo):
        errors["photo_sha256"] = "照片标识无效"
    elif photo and photo_access.refused(user, [photo], already=[attached] if attached else ()):
        errors["photo_sha256"] = photo_access.REFUSED_MESSAGE
    return photo


def clean_note(data: dict, user: User, attached: str | None = None) -> dict:
    """``attached``: the note's photo so far (keeping it is no new attachment); any other photo
    must be one ``user`` uploaded or may see."""
    errors = {}
    noted_on = _noted_on(data, errors)
    topic = str(data.get("topic") or "").strip()
    if not topic:
        errors["topic"] = "请填写学习主题"
    elif len(topic) > 200:
        errors["topic"] = "主题过长（最多 200 字）"
    text = str(data.get("text") or "").strip()
    photo = _photo(data, user, attached, errors)
    if not text and not photo:
        errors["text"] = "请填写学习内容或拍下手写笔记"
    if len(text) > 20000:
        errors["text"] = "内容过长（最多 20000 字）"
    if errors:
        raise Invalid(errors)
    return {"noted_on": noted_on, "topic": topic, "text": text, "photo_sha256": photo}


def can_view_note(user: User, note: StudyNote) -> bool:
    return note.user_id == user.id or access.manages(user, note.org)


def create_note(user: User, org: Organization, data: dict, *, uuid: str | None = None,
                client_recorded_at: datetime | None = None) -> StudyNote:
    if not any(m.org_id == org.id for m in access.active_memberships(user)):
        raise NotAllowed("只能在自己所在的支部下记学习笔记")
    fields = clean_note(data, user)
    note = StudyNote(user_id=user.id, org_id=org.id, client_recorded_at=client_recorded_at, **fields)
    if uuid:
        note.uuid = uuid
    db.session.add(note)
    db.session.flush()
    audit.record(user, "create", "study_note", note.uuid, org_id=org.id, summary=f"学习笔记：{note.topic}")
    return note


def update_note(note: StudyNote, user: User, data: dict) -> StudyNote:
    if note.user_id != user.id:
        raise NotAllowed("只能修改自己的学习笔记")
    fields = clean_note(data, user, attached=note.photo_sha256)
    before = {k: getattr(note, k) for k in fields}
    for key, value in fields.items():
        setattr(note, key, value)
    changes = audit.diff(before, fields)
    if changes:
        audit.record(user, "update", "study_note", note.uuid, org_id=note.org_id,
                     summary=f"修改学习笔记：{note.topic}", changes=changes)
    return note
