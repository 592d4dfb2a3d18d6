"""An approved record as a page of the 会议记录本 (MeetingPage): the facts of its approved version, who
was expected and who came (列席 for members not expected and invited guests), the theme day's required
items, its photos' thumbnails with captions, the approver and the 补录 gap. Plain data: the PDF draws it.
"""
from __future__ import annotations

from ...china_time import china_today
from ...models import Record
from ...records import photos as stored_photos
from ...records.expected import expected_at
from ...rules.life import THEME_DAY_OPTIONAL_FORMS, THEME_DAY_REQUIRED_ITEMS
from ...standards.late_entry import late_days
from .common import approved_data
from .model import MeetingPage, Photo

PRIVATE_NOTE = "谈心谈话内容仅限支委会和上级党组织查阅"


def people_named(records) -> set[int]:
    """Everyone the records' pages name (host, recorder, lecturer, attendance, talk partners, approver):
    one lookup of names for the whole binder."""
    ids = set()
    for record in records:
        data = approved_data(record)
        ids.update(i for i in (data.get("host_id"), data.get("recorder_id"), data.get("lecturer_id")) if i)
        ids.update(a.user_id for a in record.attendances)
        ids.update(data.get("talk_with_ids") or [])
        if record.approved_by_id:
            ids.add(record.approved_by_id)
    return ids


def meeting_page(record: Record, names: dict[int, str]) -> MeetingPage:
    data = approved_data(record)
    present, on_leave, absent, sitting_in = _attendance(record, data, names)
    return MeetingPage(
        kind=record.type_label, topic=data.get("topic") or record.topic, occurred_on=record.occurred_on,
        start_time=data.get("start_time") or "", end_time=data.get("end_time") or "",
        place=data.get("place") or record.place or "", host=names.get(data.get("host_id"), ""),
        recorder=names.get(data.get("recorder_id"), ""), expected=len(expected_at(record).expected_ids),
        present=present, on_leave=on_leave, absent=absent, sitting_in=sitting_in,
        minutes=data.get("content") or "", lecturer=_lecturer(record, data, names),
        required_items=_required_items(record, data), forms=_forms(record, data), photos=_photos(record),
        approver=names.get(record.approved_by_id, ""),
        approved_on=china_today(record.approved_at) if record.approved_at else None,
        late_days=late_days(record) or 0,
        problems=list(record.standard_problems or []) if record.meets_standard is False else [],
        private_note=PRIVATE_NOTE if record.type == "talk" or record.is_private else "")


def _with_reason(name: str, reason: str | None) -> str:
    return f"{name}（{reason}）" if reason else name


def _attendance(record: Record, data: dict, names: dict[int, str]):
    """应到 members by status; those who came without being expected sat in (列席), as did invited guests."""
    expected = expected_at(record).expected_ids
    present, on_leave, absent, sitting_in = [], [], [], []
    for a in sorted(record.attendances, key=lambda a: names.get(a.user_id, "")):
        name = names.get(a.user_id, "")
        if a.user_id not in expected:
            if a.status == "present":
                sitting_in.append(name)
        elif a.status == "present":
            present.append(name)
        elif a.status == "leave":
            on_leave.append((name, a.reason or ""))
        else:
            absent.append(_with_reason(name, a.reason))
    sitting_in += [_with_reason(i.get("name", ""), i.get("note")) for i in data.get("invited") or []]
    return present, on_leave, absent, sitting_in


def _lecturer(record: Record, data: dict, names: dict[int, str]) -> str:
    if record.type != "lecture":
        return ""
    return names.get(data.get("lecturer_id")) or data.get("lecturer_name") or ""


def _required_items(record: Record, data: dict) -> list[tuple[str, bool]]:
    if record.type != "theme_day":
        return []
    done = set(data.get("theme_items") or [])
    return [(label, key in done) for key, label in THEME_DAY_REQUIRED_ITEMS.items()]


def _forms(record: Record, data: dict) -> list[str]:
    if record.type != "theme_day":
        return []
    return [THEME_DAY_OPTIONAL_FORMS.get(key, key) for key in data.get("theme_forms") or []]


def _photos(record: Record) -> list[Photo]:
    """Each photo's thumbnail, captioned 照片 n (a record's photos carry no caption of their own)."""
    return [Photo(stored_photos.key_for(p.sha256, thumb=True), f"照片 {n}")
            for n, p in enumerate(record.photos, start=1)]
