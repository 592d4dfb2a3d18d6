"""A page of the 会议记录本: the ruled table a paper record book prints at the head of a meeting (时间,
地点, 主持人, 记录人, 应到/实到/请假/缺席, 列席, 主题), then the minutes in a ruled box, the theme day's
required items (✓ done, × not done), the photos with captions, and the approver, approval date and 补录
gap at the foot."""
from __future__ import annotations

from fpdf.enums import XPos, YPos

from ..archives.model import MeetingPage
from .blocks import photo_grid
from .document import BinderDocument

LABEL_MM = 22
LINE_MM = 6
PAD_X, PAD_Y = 2, 1.6


def _day(page: MeetingPage) -> str:
    day = f"{page.occurred_on.year} 年 {page.occurred_on.month} 月 {page.occurred_on.day} 日"
    if page.start_time or page.end_time:
        day += f"  {page.start_time}—{page.end_time}"
    return day


def _names(names: list[str], empty: str = "无") -> str:
    return "、".join(names) if names else empty


def _counted(names: list[str]) -> str:
    return f"{len(names)} 人：{'、'.join(names)}" if names else "无"


def rows(page: MeetingPage) -> list[tuple[str, str] | tuple[str, str, str, str]]:
    """The table's rows: (label, value) across the width, or two label-value pairs side by side."""
    on_leave = [f"{name}（{reason}）" if reason else name for name, reason in page.on_leave]
    found: list = [("会议类型", page.kind, "时间", _day(page)), ("地点", page.place or "—"),
                   ("主持人", page.host or "—", "记录人", page.recorder or "—")]
    if page.lecturer:
        found.append(("授课人", page.lecturer))
    found += [("应到", f"{page.expected} 人", "实到", f"{len(page.present)} 人"),
              ("出席", _names(page.present)), ("请假", _counted(on_leave)), ("缺席", _counted(page.absent)),
              ("列席", _names(page.sitting_in)), ("主题", page.topic)]
    return found


def _lines(pdf: BinderDocument, text: str, width: float) -> list[str]:
    if pdf.get_string_width(text) <= width:
        return [text]
    return pdf.multi_cell(width, LINE_MM, text, dry_run=True, output="LINES", wrapmode="CHAR")


def _cells(pdf: BinderDocument, values: tuple) -> list[tuple[float, str, bool]]:
    """(width, text, is_label) across the row: a label and its value, or two side by side."""
    if len(values) == 2:
        return [(LABEL_MM, values[0], True), (pdf.content_width - LABEL_MM, values[1], False)]
    value_mm = (pdf.content_width - 2 * LABEL_MM) / 2
    return [(LABEL_MM, values[0], True), (value_mm, values[1], False), (LABEL_MM, values[2], True),
            (value_mm, values[3], False)]


def _table_row(pdf: BinderDocument, values: tuple) -> None:
    """One ruled row, as tall as its longest cell; a row is never split across pages."""
    laid = []
    for width, text, is_label in _cells(pdf, values):
        pdf.set_font("noto", style="B" if is_label else "", size=10.5)
        laid.append((width, _lines(pdf, text, width - 2 * PAD_X), is_label))
    height = max(len(lines) for _, lines, _ in laid) * LINE_MM + 2 * PAD_Y
    pdf.need(height)
    x, y = pdf.l_margin, pdf.get_y()
    for width, lines, is_label in laid:
        pdf.set_fill_color(242)
        pdf.rect(x, y, width, height, style="DF" if is_label else "D")
        pdf.set_font("noto", style="B" if is_label else "", size=10.5)
        top = y + (height - len(lines) * LINE_MM) / 2
        for n, line in enumerate(lines):
            pdf.set_xy(x + PAD_X, top + n * LINE_MM)
            pdf.cell(width - 2 * PAD_X, LINE_MM, line, align="C" if is_label else "L")
        x += width
    pdf.set_fill_color(255)
    pdf.set_xy(pdf.l_margin, y + height)


def _table(pdf: BinderDocument, page: MeetingPage) -> None:
    pdf.set_line_width(0.3)
    for values in rows(page):
        _table_row(pdf, values)
    pdf.set_line_width(0.2)
    pdf.ln(4)


def _label(pdf: BinderDocument, text: str) -> None:
    pdf.need(16)
    pdf.set_font("noto", style="B", size=11)
    pdf.cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _minutes(pdf: BinderDocument, page: MeetingPage) -> None:
    _label(pdf, "会议记录")
    pdf.set_font("noto", size=10.5)
    pdf.multi_cell(0, 6.6, page.minutes or "（未填写）", border=1, padding=(2, 3), wrapmode="CHAR",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def _theme_day(pdf: BinderDocument, page: MeetingPage) -> None:
    if not page.required_items:
        return
    _label(pdf, "主题党日必备内容")
    pdf.set_font("noto", size=10.5)
    marks = "    ".join(f"{'✓' if done else '×'} {item}" for item, done in page.required_items)
    pdf.multi_cell(0, 6.4, marks, wrapmode="CHAR", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if page.forms:
        pdf.multi_cell(0, 6.4, "活动形式：" + "、".join(page.forms), wrapmode="CHAR",
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _photos(pdf: BinderDocument, page: MeetingPage) -> None:
    if not page.photos:
        return
    _label(pdf, f"活动照片（{len(page.photos)} 张）")
    photo_grid(pdf, page.photos)
    pdf.ln(2)


def _notes(pdf: BinderDocument, page: MeetingPage) -> list[str]:
    notes = []
    if page.problems:
        notes.append("未达标准：" + "；".join(page.problems))
    if page.late_days:
        notes.append(f"补录：活动后 {page.late_days} 天录入")
    if page.private_note:
        notes.append(page.private_note)
    return notes


def _sign_off(pdf: BinderDocument, page: MeetingPage) -> None:
    """审核人 and 审核日期 at the foot, with 补录, unmet standards and privacy notes above them."""
    notes = _notes(pdf, page)
    pdf.need(14 + 7 * len(notes))
    pdf.set_font("noto", size=10)
    for note in notes:
        pdf.multi_cell(0, 6, note, wrapmode="CHAR", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    approved = f"{page.approved_on.year} 年 {page.approved_on.month} 月 {page.approved_on.day} 日" \
        if page.approved_on else "—"
    pdf.ln(2)
    pdf.set_draw_color(160)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.set_draw_color(0)
    pdf.ln(1.5)
    pdf.set_font("noto", size=10.5)
    pdf.cell(0, 7, f"审核人：{page.approver or '—'}        审核日期：{approved}", align="R",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def meeting(pdf: BinderDocument, page: MeetingPage) -> None:
    _table(pdf, page)
    _minutes(pdf, page)
    _theme_day(pdf, page)
    _photos(pdf, page)
    _sign_off(pdf, page)
