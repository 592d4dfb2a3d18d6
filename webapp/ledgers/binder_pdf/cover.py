"""The binder's cover: the branch's name (wrapped, never past the page's edge), the year, what the
binder holds, and when it was bound."""
from __future__ import annotations

from fpdf.enums import XPos, YPos

from ...china_time import china_today
from ..archives.model import Binder
from .catalogue import numeral
from .document import BinderDocument

BOX_MM = 120


def cover(pdf: BinderDocument, binder: Binder) -> None:
    pdf.add_page()
    pdf.set_y(62)
    pdf.set_font("noto", style="B", size=26)
    pdf.multi_cell(0, 14, binder.org_name, align="C", wrapmode="CHAR", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font("noto", style="B", size=22)
    pdf.cell(0, 14, f"{binder.year} 年度台账", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(14)
    _contents(pdf, binder)
    pdf.set_font("noto", size=11)
    if binder.scope_note:
        pdf.ln(6)
        pdf.multi_cell(0, 6.5, binder.scope_note, align="C", wrapmode="CHAR",
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(pdf.h - 48)
    today = china_today()
    pdf.cell(0, 8, f"装订日期：{today.year} 年 {today.month} 月 {today.day} 日", align="C",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("noto", size=9)
    pdf.set_text_color(120)
    pdf.multi_cell(0, 5, binder.title, align="C", wrapmode="CHAR", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0)


def _contents(pdf: BinderDocument, binder: Binder) -> None:
    """The six archives in a box, as a paper binder's cover lists them."""
    left = pdf.l_margin + (pdf.content_width - BOX_MM) / 2
    top = pdf.get_y()
    pdf.set_font("noto", size=13)
    for number, archive in enumerate(binder.archives):
        pdf.set_xy(left + 14, top + 6 + number * 10)
        count = f"{len(archive.entries)} 项" if archive.entries else "无记录"
        pdf.cell(BOX_MM - 28, 10, f"{numeral(number)}、{archive.title}")
        pdf.set_xy(left + BOX_MM - 40, top + 6 + number * 10)
        pdf.cell(26, 10, count, align="R")
    height = 12 + 10 * len(binder.archives)
    pdf.set_line_width(0.5)
    pdf.rect(left, top, BOX_MM, height)
    pdf.set_line_width(0.2)
    pdf.set_y(top + height)
