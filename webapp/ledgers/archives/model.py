"""The shape of a binder (台账合订本): six archives of seed 003, each a catalogue of entries, each entry
a list of blocks. Built from records already entered (webapp/ledgers/archives/*.py), drawn by the PDF
and read by tests; plain data, nothing here knows how it is printed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Union

Cell = Union[str, int, float, date, datetime, None]


@dataclass(frozen=True)
class Table:
    """A ruled table: a header row and rows of cells; widths are relative (None: even)."""
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    widths: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Paragraphs:
    """Running text: each string a paragraph (minutes, a summary, a note that the part is private)."""
    texts: list[str]


@dataclass(frozen=True)
class Photo:
    """A stored photo: the storage key of its thumbnail (or image) and the caption printed under it."""
    key: str
    caption: str


@dataclass(frozen=True)
class Photos:
    photos: list[Photo]


@dataclass(frozen=True)
class MeetingPage:
    """One page of a 会议记录本: the table a paper record book prints at the head of a meeting."""
    kind: str                      # 支部党员大会, 支部委员会, 党小组会, 党课, 主题党日, 组织生活会 ...
    topic: str
    occurred_on: date
    start_time: str                # "09:00" ("" when not recorded)
    end_time: str
    place: str
    host: str
    recorder: str
    expected: int                  # 应到
    present: list[str]             # 实到 (names)
    on_leave: list[tuple[str, str]]  # 请假 (name, reason)
    absent: list[str]              # 缺席
    sitting_in: list[str]          # 列席 (members not expected, invited guests)
    minutes: str
    lecturer: str = ""
    required_items: list[tuple[str, bool]] = field(default_factory=list)  # theme day: (item, done)
    forms: list[str] = field(default_factory=list)                        # theme day optional forms
    photos: list[Photo] = field(default_factory=list)
    approver: str = ""
    approved_on: date | None = None
    late_days: int = 0             # 补录: days between the meeting and its entry (0: on time)
    problems: list[str] = field(default_factory=list)   # standards the record misses
    private_note: str = ""         # e.g. talks: "仅限支委会和上级党组织查阅"


Block = Union[Table, Paragraphs, Photos, MeetingPage]


@dataclass
class Entry:
    """One catalogue line of an archive and what it files."""
    title: str
    when: date | None
    blocks: list[Block]
    new_page: bool = False         # a meeting record starts on its own page
    kind: str = ""                 # what the entry files ("meeting", "talks", "roster" …): for summaries


@dataclass
class Archive:
    """One of the six archives: its catalogue is its entries, in order."""
    key: str                       # organization, members, org_life, education, excellence, funds
    title: str                     # 组织管理档案 ...
    source: str                    # what seed 003 files here, in its words
    entries: list[Entry]

    @property
    def empty(self) -> bool:
        return not self.entries


@dataclass
class Binder:
    """A branch-year (or a committee's summary) as the secretary binds it."""
    org_name: str
    year: int
    title: str
    archives: list[Archive]
    scope_note: str = ""           # e.g. "临时党支部已撤销；本册仅含本支部党员的部分"
