"""Sync payloads: turn a queued form ({"fields": [[name, value], ...]}) into the data dict the
services accept, with the same parser the web form uses (contract 2: webapp/records/form_data.py)."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from sync import UUID_PATTERN, Rejected

from ..records.form_data import form_to_data, note_form_to_data

# Fields the outbox adds for routing; they are not part of the record's data.
ENVELOPE_FIELDS = {"csrf_token", "uuid", "record_uuid", "base_version", "org_id", "type", "record_type"}


class PayloadInvalid(Rejected, ValueError):
    """A queued form that cannot be read. A ``Rejected`` (code ``invalid``), so wherever an entity
    handler meets it the mutation is answered rejected and parked, never a server fault."""

    def __init__(self, message: str):
        super().__init__("invalid", message)


def multidict(payload: dict) -> MultiDict:
    fields = payload.get("fields")
    if not isinstance(fields, list) or len(fields) > 2000:
        raise PayloadInvalid("表单内容格式不正确")
    pairs = []
    for pair in fields:
        if (not isinstance(pair, (list, tuple)) or len(pair) != 2 or not isinstance(pair[0], str)
                or not isinstance(pair[1], (str, int, float)) or isinstance(pair[1], bool)):
            raise PayloadInvalid("表单内容格式不正确")
        pairs.append((pair[0], str(pair[1])))
    return MultiDict(pairs)


def record_data(payload: dict) -> dict:
    if isinstance(payload.get("data"), dict):
        return dict(payload["data"])
    return form_to_data(multidict(payload))


def note_data(payload: dict) -> dict:
    if isinstance(payload.get("data"), dict):
        return dict(payload["data"])
    return note_form_to_data(multidict(payload))


def envelope(payload: dict) -> dict[str, str]:
    """The routing fields (org_id, type, uuid, record_uuid, base_version) of a queued form (of a
    form kept as fields: every field, its first value). A plain dict: it is read several times per
    mutation, mostly for fields that are absent, which a MultiDict answers by raising inside."""
    if isinstance(payload.get("data"), dict):
        fields = {k: str(v) for k, v in payload.items() if k in ENVELOPE_FIELDS and v is not None}
    else:
        fields = multidict(payload).to_dict()
    for name in ("uuid", "record_uuid"):
        if fields.get(name) and not UUID_PATTERN.match(fields[name]):
            raise PayloadInvalid("标识（uuid）格式不正确")
    return fields
