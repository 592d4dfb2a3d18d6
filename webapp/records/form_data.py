"""Posted forms → the data dicts the records core accepts.

The web forms and the offline outbox share these parsers: the outbox keeps a form as its list of
``[name, value]`` pairs and the sync handler feeds them to the same function, so a record saved on a
phone without signal is read exactly like one saved online.

Record form field names:
  occurred_on, start_time, end_time, place, topic, content, rectification, lecturer_name  (text)
  host_id, recorder_id, lecturer_id, group_id                                             (one id)
  attendee_ids, talk_with_ids, theme_items, theme_forms, evaluation_steps, photos         (repeated)
  roster_ids          every member listed on the form; those not ticked present are absentees
  leave_reason_<id>   why member <id> was absent (a reason makes it 请假 rather than 缺席)
  invited_name / invited_note   repeated pairs, one per invited non-member (列席)
  grade_<id>          evaluation grade for member <id>
  rect_description / rect_measure / rect_responsible_id / rect_deadline
                      repeated rows of a 组织生活会's 整改清单 (problem, measure, who, by when)
"""
from __future__ import annotations

from typing import Iterable

from werkzeug.datastructures import MultiDict

TEXT_FIELDS = ("occurred_on", "start_time", "end_time", "place", "topic", "content", "rectification",
               "lecturer_name")
ONE_ID_FIELDS = ("host_id", "recorder_id", "lecturer_id", "group_id")
LIST_FIELDS = ("attendee_ids", "talk_with_ids", "theme_items", "theme_forms", "evaluation_steps", "photos")


def as_multidict(form) -> MultiDict:
    """A request form, a dict, or ``[[name, value], ...]`` pairs from the outbox."""
    if isinstance(form, MultiDict):
        return form
    if isinstance(form, dict):
        return MultiDict(form)
    return MultiDict([(str(name), "" if value is None else str(value)) for name, value in form])


def _values(form: MultiDict, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if v is not None and str(v).strip()]


def form_to_data(form: MultiDict | dict | Iterable) -> dict:
    """The record form's fields as the dict ``create_record`` / ``revise_record`` validate."""
    form = as_multidict(form)
    data: dict = {name: (form.get(name) or "").strip() for name in TEXT_FIELDS}
    for name in ONE_ID_FIELDS:
        data[name] = (form.get(name) or "").strip() or None
    for name in LIST_FIELDS:
        data[name] = list(dict.fromkeys(_values(form, name)))
    present = set(data["attendee_ids"])
    data["absentees"] = [
        {"user_id": user_id, "reason": (form.get(f"leave_reason_{user_id}") or "").strip()}
        for user_id in dict.fromkeys(_values(form, "roster_ids")) if user_id not in present
    ]
    names, notes = form.getlist("invited_name"), form.getlist("invited_note")
    data["invited"] = [
        {"name": name.strip(), "note": (notes[i] if i < len(notes) else "").strip()}
        for i, name in enumerate(names) if name and name.strip()
    ]
    data["grades"] = {key[len("grade_"):]: value for key, value in form.items(multi=True)
                      if key.startswith("grade_") and value}
    if "rect_description" in form:
        data["rectification_items"] = rectification_rows(form)
    return data


RECTIFICATION_FIELDS = ("description", "measure", "responsible_id", "deadline")


def rectification_rows(form: MultiDict) -> list[dict]:
    """The 整改清单 rows of the form (parallel repeated fields); a row without a problem is blank."""
    columns = {name: form.getlist(f"rect_{name}") for name in RECTIFICATION_FIELDS}
    rows = []
    for index, description in enumerate(columns["description"]):
        if not (description or "").strip():
            continue
        row = {name: (values[index] if index < len(values) else "").strip() for name, values in columns.items()}
        rows.append(row)
    return rows


def note_form_to_data(form: MultiDict | dict | Iterable) -> dict:
    """The study-note form's fields as the dict ``webapp/study/notes.py`` ``create_note`` validates."""
    form = as_multidict(form)
    return {name: (form.get(name) or "").strip() for name in ("noted_on", "topic", "text", "photo_sha256")}


def data_to_pairs(data: dict) -> list[tuple[str, str]]:
    """The inverse, for filling a form from a saved version (editing, re-rendering)."""
    pairs: list[tuple[str, str]] = []
    for name in TEXT_FIELDS + ONE_ID_FIELDS:
        value = data.get(name)
        if value not in (None, ""):
            pairs.append((name, str(value)))
    for name in LIST_FIELDS:
        pairs.extend((name, str(v)) for v in data.get(name) or [])
    for item in data.get("absentees") or []:
        pairs.append(("roster_ids", str(item["user_id"])))
        if item.get("reason"):
            pairs.append((f"leave_reason_{item['user_id']}", item["reason"]))
    for item in data.get("invited") or []:
        pairs.extend([("invited_name", item.get("name", "")), ("invited_note", item.get("note", ""))])
    for user_id, grade in (data.get("grades") or {}).items():
        pairs.append((f"grade_{user_id}", grade))
    for item in data.get("rectification_items") or []:
        pairs.extend((f"rect_{name}", "" if item.get(name) is None else str(item.get(name)))
                     for name in RECTIFICATION_FIELDS)
    return pairs
