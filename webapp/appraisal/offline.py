"""The sync entity ``self_assessment``: a 个人自评 written on the phone, offline too. The queued form
carries ``uuid`` (the mutation's target), ``org_id``, ``year`` and ``text``; the mutation id makes a
resend a no-op (sync core), and a second mutation of the same member replaces the text."""
from __future__ import annotations

from sync import UUID_PATTERN, Applied, Mutation, Rejected

from .. import access
from ..domain_errors import Invalid, NotAllowed
from ..extensions import db
from ..input_numbers import row_id
from ..models import Organization, User
from ..offline.payloads import multidict
from . import workflow


def _fields(payload: dict) -> dict:
    if isinstance(payload.get("data"), dict):
        return {k: v for k, v in payload["data"].items() if isinstance(k, str)}
    return multidict(payload).to_dict()


def self_assessment(actor: User, mutation: Mutation) -> Applied:
    fields = _fields(mutation.payload)  # an unreadable form raises PayloadInvalid, a Rejected
    uuid = str(mutation.target or fields.get("uuid") or "").lower() or None
    if uuid is not None and not UUID_PATTERN.match(uuid):
        raise Rejected("invalid", "标识（uuid）格式不正确", {"uuid": "标识格式不正确"})
    org_id, year = row_id(fields.get("org_id")), row_id(fields.get("year"))
    org = db.session.get(Organization, org_id) if org_id else None
    if org is None or not access.can_view(actor, org):
        raise Rejected("org_not_found", "找不到自评所属的支部")
    appraisal = workflow.appraisal_of(org, year) if year else None
    if appraisal is None:
        raise Rejected("not_found", "本年度民主评议尚未启动", org_id=org.id)
    try:
        mine = workflow.write_self_assessment(appraisal, actor, fields.get("text") or "", uuid=uuid,
                                              client_recorded_at=_client_time(mutation.client_at))
    except Invalid as error:
        raise Rejected("invalid", "内容未通过校验：" + error.message, error.errors, org_id=org.id) from error
    except NotAllowed as error:
        raise Rejected("forbidden", error.message, org_id=org.id) from error
    return Applied(target=mine.uuid)


def _client_time(value):
    from ..offline.entities import client_time

    return client_time(value)
