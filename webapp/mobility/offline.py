"""What a member sends from the phone about being away: their whereabouts (entity ``whereabouts``),
queued offline like any form (``data-offline-entity``) and applied through the sync API; the sync
core's mutation ids make a resend harmless, and the update itself is idempotent."""
from __future__ import annotations

from datetime import date

from sync import Applied, Mutation, Rejected

from ..domain_errors import Invalid
from ..models import User
from ..offline.payloads import multidict
from . import flowing_members


def _on(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise Rejected("invalid", "日期格式不正确", {"on": "日期格式不正确"}) from None


def whereabouts(actor: User, mutation: Mutation) -> Applied:
    payload = mutation.payload
    # An unreadable form raises PayloadInvalid, itself a Rejected: parked, never a server fault.
    data = dict(payload["data"]) if isinstance(payload.get("data"), dict) else multidict(payload).to_dict()
    if not all(isinstance(v, (str, type(None))) for v in data.values()):
        raise Rejected("invalid", "表单内容格式不正确")
    try:
        entry = flowing_members.update_whereabouts(actor, data, _on(data.get("on")))
    except Invalid as error:
        raise Rejected("invalid", "内容未通过校验：" + error.message, error.errors) from error
    return Applied(target=entry.uuid)


def outside_attendance(actor: User, mutation: Mutation) -> Applied:
    """A member from outside Zhibu added, on site and perhaps offline, to an activity's attendance."""
    from sqlalchemy import select

    from sync import UUID_PATTERN

    from ..domain_errors import NotAllowed
    from ..extensions import db
    from ..models import Record
    from ..records.visibility import can_view
    from . import outside_attendance as service

    payload = mutation.payload
    data = dict(payload["data"]) if isinstance(payload.get("data"), dict) else multidict(payload).to_dict()
    if not all(isinstance(v, (str, type(None))) for v in data.values()):
        raise Rejected("invalid", "表单内容格式不正确")
    entry_uuid, activity = (data.get("uuid") or "").lower(), (data.get("activity_uuid") or "").lower()
    if not (UUID_PATTERN.match(entry_uuid) and UUID_PATTERN.match(activity)):
        raise Rejected("invalid", "标识（uuid）格式不正确")
    record = db.session.scalar(select(Record).where(Record.uuid == activity))
    if record is None or not can_view(actor, record):
        raise Rejected("not_found", "要登记出席的活动记录不存在（可能尚未同步到服务器）")
    try:
        entry = service.add(actor, record, data, entry_uuid)
    except Invalid as error:
        raise Rejected("invalid", "内容未通过校验：" + error.message, error.errors, org_id=record.org_id) from error
    except NotAllowed as error:
        raise Rejected("forbidden", error.message, org_id=record.org_id) from error
    return Applied(target=entry.uuid)
