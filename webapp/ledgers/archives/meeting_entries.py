"""A meeting record as a catalogue entry of the 组织生活档案: its own page, laid out as a 会议记录本 page
(``meeting_pages.meeting_page``, shared with the PDF).
"""
from __future__ import annotations

from ...models import Record
from .common import approved_data
from .meeting_pages import meeting_page
from .model import Entry


def meeting_entry(record: Record, names: dict[int, str] | None) -> Entry:
    """``names`` None: the catalogue line alone, without its page (for counting)."""
    data = approved_data(record)
    title = f"{record.type_label}：{data.get('topic') or record.topic}"  # the date has its own column
    if record.type == "lecture" and record.is_secretary_lecture:
        title += "（书记讲党课）"
    blocks = [meeting_page(record, names)] if names is not None else []
    return Entry(title, record.occurred_on, blocks, new_page=True, kind="meeting")
