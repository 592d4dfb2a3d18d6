"""Form fields of the development pages (and of queued offline notes) as the dicts the service takes."""
from __future__ import annotations

from sync import UUID_PATTERN

from ..domain_errors import Invalid
from ..input_numbers import row_id
from .votes import FIELDS as VOTE_FIELDS

STEP_FIELDS = ("done_on", "note", "days", "hours", *VOTE_FIELDS)
NOTE_FIELDS = ("kind", "user_id", "written_on", "text")


def _get(form, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _list(form, name: str) -> list[str]:
    if hasattr(form, "getlist"):
        return [v for v in form.getlist(name) if isinstance(v, str)]
    value = form.get(name)
    return [str(v) for v in value] if isinstance(value, list) else ([str(value)] if value else [])


def step_form(form) -> dict:
    return {**{name: _get(form, name) for name in STEP_FIELDS},
            "people": _list(form, "people"), "photos": _list(form, "photos")}


def note_form(form) -> dict:
    return {name: _get(form, name) for name in NOTE_FIELDS}


def note_uuid(form) -> str | None:
    text = _get(form, "uuid").lower()
    if not text:
        return None
    if not UUID_PATTERN.match(text):
        raise Invalid({"uuid": "标识（uuid）格式不正确"})
    return text


def person_id(form) -> int | None:
    return row_id(_get(form, "user_id"))
