"""The sync entity ``member_report``: a 党员汇报 written on the phone, offline too. The queued form
carries ``uuid`` (the target), ``org_id``, ``year`` and ``text``; resends are no-ops (mutation ids) and a
later mutation of the same member replaces the text."""
from __future__ import annotations

from sync import UUID_PATTERN, Applied, Mutation, Rejected

from .. import access
from ..domain_errors import Invalid, NotAllowed
from ..extensions import db
from ..input_numbers import row_id
from ..models import Organization, User
from ..offline.payloads import multidict
from . import member_reports


def member_report(actor: User, mutation: Mutation) -> Applied:
    from ..offline.entities import client_time

    payload = mutation.payload
    fields = ({k: v for k, v in payload["data"].items() if isinstance(k, str)}
              if isinstance(payload.get("data"), dict) else multidict(payload).to_dict())
    uuid = str(mutation.target or fields.get("uuid") or "").lower() or None
    if uuid is not None and not UUID_PATTERN.match(uuid):
        raise Rejected("invalid", "标识（uuid）格式不正确", {"uuid": "标识格式不正确"})
    org_id, year = row_id(fields.get("org_id")), row_id(fields.get("year"))
    org = db.session.get(Organization, org_id) if org_id else None
    if org is None or not access.can_view(actor, org):
        raise Rejected("org_not_found", "找不到汇报所属的支部")
    if year is None:
        raise Rejected("invalid", "年度无效", {"year": "年度无效"}, org_id=org.id)
    try:
        mine = member_reports.write(org, actor, year, fields.get("text") or "", uuid=uuid,
                                    client_recorded_at=client_time(mutation.client_at))
    except Invalid as error:
        raise Rejected("invalid", "内容未通过校验：" + error.message, error.errors, org_id=org.id) from error
    except NotAllowed as error:
        raise Rejected("forbidden", error.message, org_id=org.id) from error
    return Applied(target=mine.uuid)
