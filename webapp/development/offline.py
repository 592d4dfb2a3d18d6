"""Notes written on a phone (a talk, an observation report, a contact's note), from the offline outbox:
the same form fields and the same service as the web page. Idempotent on the note's uuid."""
from __future__ import annotations

from sync import DUPLICATE, UUID_PATTERN, Applied, Mutation, Rejected

from ..domain_errors import Invalid, NotAllowed
from ..extensions import db
from ..input_numbers import row_id
from ..models import Organization, User
from ..offline.payloads import envelope, multidict
from . import forms, pipeline


def _fields(payload: dict) -> dict:
    if isinstance(payload.get("data"), dict):
        return {k: v for k, v in payload["data"].items() if isinstance(v, str)}
    return multidict(payload).to_dict()


def apply_note(actor: User, mutation: Mutation, client_recorded_at=None) -> Applied:
    fields = _fields(mutation.payload)
    routing = envelope(mutation.payload)
    uuid = (mutation.target or routing.get("uuid") or "").lower()
    if not uuid or not UUID_PATTERN.match(uuid):
        raise Rejected("invalid", "缺少标识（uuid）", {"uuid": "缺少标识"})
    org_id = row_id(routing.get("org_id") or fields.get("org_id"))
    org = db.session.get(Organization, org_id) if org_id else None
    if org is None:
        raise Rejected("org_not_found", "找不到记录所属的党支部")
    try:
        note, new = pipeline.add_note(actor, org, forms.note_form(fields), uuid=uuid,
                                      client_recorded_at=client_recorded_at)
    except Invalid as error:
        raise Rejected("invalid", "内容未通过校验：" + error.message, error.errors, org_id=org.id) from error
    except NotAllowed as error:
        raise Rejected("forbidden", error.message, org_id=org.id) from error
    return Applied(target=note.uuid) if new else Applied(status=DUPLICATE, target=note.uuid)
