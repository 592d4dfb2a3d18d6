"""A meeting record as a catalogue entry of the 组织生活档案: its own page, laid out as a 会议记录本 page.

The page itself is ``meeting_pages.meeting_page(record, names)`` (the record-book module's, shared with
the PDF). Until that module is in this tree, ``_meeting_page`` below builds the same ``MeetingPage`` from
the approved version; the coordinator keeps one of the two at merge.
"""
from __future__ import annotations

from ...china_time import china_today
from ...models import Record
from ...records import photos
from ...records.expected import expected_at
from ...rules.life import THEME_DAY_OPTIONAL_FORMS, THEME_DAY_REQUIRED_ITEMS
from ...standards.late_entry import late_days
from .common import approved_data
from .model import Entry, MeetingPage, Photo

try:  # the record-book helper's module (issue 23, PDF part)
    from .meeting_pages import meeting_page
except ImportError:  # pragma: no cover - replaced at merge
    meeting_page = None


def people_named(records: list[Record]) -> set[int]:
    """Everyone the records name (host, recorder, lecturer, attendance): one name lookup for all."""
    ids: set[int] = set()
    for record in records:
        data = approved_data(record)
        ids.update(int(i) for i in (data.get("host_id"), data.get("recorder_id"), data.get("lecturer_id")) if i)
        ids.update(a.user_id for a in record.attendances)
    return ids


def meeting_entry(record: Record, names: dict[int, str] | None) -> Entry:
    """``names`` None: the catalogue line alone, without its page (for counting)."""
    data = approved_data(record)
    title = f"{record.occurred_on:%Y-%m-%d} {record.type_label}：{data.get('topic') or record.topic}"
    if record.type == "lecture" and record.is_secretary_lecture:
        title += "（书记讲党课）"
    blocks = [(meeting_page or _meeting_page)(record, names)] if names is not None else []
    return Entry(title, record.occurred_on, blocks, new_page=True, kind="meeting")


def _attendance(record: Record, data: dict, names: dict[int, str]) -> tuple[int, dict[str, list]]:
    """应到 and who was present, on leave (with reason), absent, or sat in (列席)."""
    groups: dict[str, list] = {"present": [], "leave": [], "absent": [], "sitting_in": []}
    expected = expected_at(record).expected_ids
    for a in sorted(record.attendances, key=lambda a: names.get(a.user_id, "")):
        name = names.get(a.user_id, "")
        if a.user_id not in expected:
            if a.status == "present":
                groups["sitting_in"].append(name)
            continue
        groups[a.status].append((name, a.reason or "") if a.status == "leave" else name)
    groups["sitting_in"] += [i.get("name", "") + (f"（{i['note']}）" if i.get("note") else "")
                             for i in data.get("invited") or []]
    return len(expected), groups


def _meeting_page(record: Record, names: dict[int, str]) -> MeetingPage:
    """Local stand-in for ``meeting_pages.meeting_page`` (same signature, same result shape)."""
    data = approved_data(record)
    expected, groups = _attendance(record, data, names)
    lecturer = names.get(data.get("lecturer_id")) or data.get("lecturer_name", "") if record.type == "lecture" else ""
    return MeetingPage(
        kind=record.type_label, topic=data.get("topic") or record.topic, occurred_on=record.occurred_on,
        start_time=data.get("start_time") or "", end_time=data.get("end_time") or "",
        place=data.get("place") or record.place, host=names.get(data.get("host_id"), ""),
        recorder=names.get(data.get("recorder_id"), ""), expected=expected, present=groups["present"],
        on_leave=groups["leave"], absent=groups["absent"], sitting_in=groups["sitting_in"],
        minutes=data.get("content") or "", lecturer=lecturer,
        required_items=[(label, key in (data.get("theme_items") or []))
                        for key, label in THEME_DAY_REQUIRED_ITEMS.items()] if record.type == "theme_day" else [],
        forms=[THEME_DAY_OPTIONAL_FORMS.get(f, f) for f in data.get("theme_forms") or []],
        photos=[Photo(photos.key_for(p.sha256, thumb=True), f"{record.type_label}照片 {i}")
                for i, p in enumerate(record.photos, start=1)],
        approver=record.approved_by.name if record.approved_by else "",
        approved_on=china_today(record.approved_at) if record.approved_at else None,
        late_days=late_days(record) or 0, problems=list(record.standard_problems or []))
