"""The meeting record book (会议记录本) as PDF: a cover, a catalogue with page numbers, then every
approved record of the year in date order with attendance and photo thumbnails.

Chinese text is set in Noto Sans CJK from Debian's fonts-noto-cjk (installed by `make`); fpdf2 embeds
only the glyphs used.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Callable

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from ..models import Organization
from ..records import photos
from ..records.expected import expected_at
from ..records.queries import user_names
from ..rules.life import THEME_DAY_OPTIONAL_FORMS, THEME_DAY_REQUIRED_ITEMS
from ..rules.ledgers import PDF_PHOTO_MM, PDF_PHOTOS_PER_ROW
from ..standards.late_entry import late_days
from ..storage import ObjectMissing, storage
from .sheets.common import approved_data, approved_records

FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
]
# Index of the Simplified Chinese face inside the Noto Sans CJK collection.
SC_FACE = 2


class FontMissing(RuntimeError):
    pass


def font_path() -> str:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    raise FontMissing("未找到中文字体 Noto Sans CJK（请安装 fonts-noto-cjk，`make` 会自动安装）")


class RecordBook(FPDF):
    def __init__(self, title: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.book_title = title
        self.add_font("noto", fname=font_path(), collection_font_number=SC_FACE)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 16, 18)

    def footer(self):
        if self.page_no() == 1:
            return
        self.set_y(-12)
        self.set_font("noto", size=8)
        self.cell(0, 6, f"{self.book_title} · 第 {self.page_no()} 页", align="C")


def _catalogue(pdf: FPDF, outline) -> None:
    pdf.set_font("noto", size=16)
    pdf.cell(0, 12, "目录", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("noto", size=10)
    for section in outline:
        pdf.cell(150, 7, section.name[:60])
        pdf.cell(0, 7, str(section.page_number), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def build(org: Organization, year: int, path: Path, progress: Callable[[int, str], None] | None = None) -> Path:
    records = approved_records(org, year)
    title = f"{org.name} {year} 年会议记录本"
    pdf = RecordBook(title)
    pdf.set_title(title)
    pdf.set_creator("支部通")
    _cover(pdf, org, year, len(records))
    pdf.add_page()
    pdf.insert_toc_placeholder(_catalogue, pages=max(1, (len(records) + 34) // 35))
    names = user_names(_people_named(records))
    for index, record in enumerate(records):
        if progress and index % 5 == 0:
            progress(int(95 * index / max(1, len(records))), f"正在排版第 {index + 1}/{len(records)} 条记录")
        if index:  # the catalogue placeholder already broke to a fresh page for the first record
            pdf.add_page()
        _record(pdf, record, names)
    if not records:
        pdf.set_font("noto", size=12)
        pdf.cell(0, 10, "本年度暂无经审核的组织生活记录。", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    path.parent.mkdir(parents=True, exist_ok=True)
    if progress:
        progress(97, "正在写入文件")
    pdf.output(str(path))
    if progress:
        progress(100, "完成")
    return path


def _thumbnails(record) -> list[io.BytesIO]:
    """The record's stored thumbnails (photos still on their way are left out)."""
    found = []
    for photo in record.photos:
        try:
            found.append(io.BytesIO(storage().open(photos.key_for(photo.sha256, thumb=True)).read()))
        except ObjectMissing:
            continue
    return found


def _cover(pdf: FPDF, org: Organization, year: int, count: int) -> None:
    pdf.add_page()
    pdf.set_font("noto", size=24)
    pdf.ln(60)
    pdf.multi_cell(0, 14, org.name, align="C")
    pdf.set_font("noto", size=20)
    pdf.cell(0, 14, f"{year} 年会议记录本", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("noto", size=11)
    pdf.ln(20)
    pdf.cell(0, 8, f"共 {count} 条经审核的组织生活记录", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _people_named(records) -> set[int]:
    """Everyone a record names (host, recorder, lecturer, attendance, talk partners): one lookup for all."""
    ids = set()
    for record in records:
        data = approved_data(record)
        ids.update(i for i in (data.get("host_id"), data.get("recorder_id"), data.get("lecturer_id")) if i)
        ids.update(a.user_id for a in record.attendances)
        ids.update(data.get("talk_with_ids") or [])
    return ids


def _line(pdf: FPDF, text: str) -> None:
    pdf.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _record(pdf: FPDF, record, names: dict[int, str]) -> None:
    """One record's pages: heading (a catalogue entry), facts, attendance, content, photo thumbnails."""
    data = approved_data(record)
    heading = f"{record.occurred_on:%Y-%m-%d} {record.type_label}：{data.get('topic', record.topic)}"
    pdf.start_section(heading[:80])
    pdf.set_font("noto", size=14)
    pdf.multi_cell(0, 8, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("noto", size=10)
    for label, value in _facts(record, data, names):
        _line(pdf, f"{label}：{value}")
    if record.type != "talk":
        _attendance(pdf, record, data, names)
    if data.get("content"):
        pdf.ln(2)
        pdf.set_font("noto", size=11)
        pdf.cell(0, 7, "内容", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("noto", size=10)
        _line(pdf, data["content"])
    _photos(pdf, record)


def _facts(record, data: dict, names: dict[int, str]) -> list[tuple[str, str]]:
    facts = [
        ("时间", f"{data.get('occurred_on', '')} {data.get('start_time', '')}–{data.get('end_time', '')}"
                 f"（{record.duration_minutes} 分钟）"),
        ("地点", data.get("place", "")),
        ("主持人", names.get(data.get("host_id"), "")),
        ("记录人", names.get(data.get("recorder_id"), "")),
    ]
    facts += _facts_of_type(record.type, data, names)
    if record.meets_standard is False:
        facts.append(("未达标准", "；".join(record.standard_problems)))
    if late_days(record):
        facts.append(("补录", f"活动后 {late_days(record)} 天录入"))
    return facts


def _facts_of_type(kind: str, data: dict, names: dict[int, str]) -> list[tuple[str, str]]:
    if kind == "lecture":
        return [("授课人", names.get(data.get("lecturer_id")) or data.get("lecturer_name", ""))]
    if kind == "talk":
        return [("谈话对象", "、".join(names.get(i, "") for i in data.get("talk_with_ids") or [])),
                ("说明", "谈心谈话，仅限支委会和上级党组织查阅")]
    if kind == "theme_day":
        facts = [("必备内容", "、".join(THEME_DAY_REQUIRED_ITEMS[i] for i in data.get("theme_items", [])))]
        if data.get("theme_forms"):
            facts.append(("活动形式", "、".join(THEME_DAY_OPTIONAL_FORMS[i] for i in data["theme_forms"])))
        return facts
    return []


def _attendance(pdf: FPDF, record, data: dict, names: dict[int, str]) -> None:
    groups = {"present": [], "leave": [], "absent": [], "sitting_in": []}
    expected = expected_at(record).expected_ids
    for a in record.attendances:
        # Absence and leave count only for those expected; others who came sat in (列席).
        status = a.status if a.user_id in expected else ("sitting_in" if a.status == "present" else None)
        if status:
            groups[status].append(names.get(a.user_id, "") + (f"（{a.reason}）" if a.reason else ""))
    _line(pdf, f"应到 {len(expected)} 人，出席（{len(groups['present'])} 人）：" + "、".join(groups["present"]))
    sitting_in = groups["sitting_in"] + [i["name"] + (f"（{i['note']}）" if i.get("note") else "")
                                         for i in data.get("invited") or []]
    for label, people in (("请假", groups["leave"]), ("缺席", groups["absent"]), ("列席", sitting_in)):
        if people:
            _line(pdf, f"{label}：" + "、".join(people))


def _photos(pdf: FPDF, record) -> None:
    """Thumbnails in rows of PDF_PHOTOS_PER_ROW, a row never split across pages."""
    thumbs = _thumbnails(record)
    if not thumbs:
        return
    pdf.ln(3)
    height = PDF_PHOTO_MM * 0.75
    for start in range(0, len(thumbs), PDF_PHOTOS_PER_ROW):
        if pdf.get_y() + PDF_PHOTO_MM > pdf.h - 20:
            pdf.add_page()
        top = pdf.get_y()
        for column, thumb in enumerate(thumbs[start:start + PDF_PHOTOS_PER_ROW]):
            pdf.image(thumb, x=pdf.l_margin + column * (PDF_PHOTO_MM + 2), y=top, w=PDF_PHOTO_MM, h=height)
        pdf.set_y(top + height + 3)
