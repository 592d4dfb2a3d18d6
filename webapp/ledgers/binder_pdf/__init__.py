"""The binder (台账合订本) as a PDF: a cover, a 总目录, then each of the six archives with its own
catalogue (题名, 日期, 页码) and its entries; a meeting record on its own page in the layout of a paper
会议记录本. A4 with a 25 mm binding margin on the left, running headers (binder title, archive) and
footers (第 n 页), Noto Sans CJK embedded.

Why fpdf2 and not WeasyPrint (HTML templates with print CSS): measured on the same 300 meetings with 600
photo thumbnails, fpdf2 laid the old record book out in 2.2 s and WeasyPrint 70 took 33.6 s for a plain
HTML version of it (8.8 MB); this binder takes 3.2 s of CPU for those 318 pages (bench/ledgers_export.py).
The export's budget for both files is 30 s on a 2-core server, and WeasyPrint
would add pango and its Python stack to every server. The meeting table is drawn as ruled rows (the whole PDF
took 5.6 s of CPU with ``pdf.table`` there); archive tables use ``pdf.table`` (header row repeated on every
page, CJK wrapping); catalogue pages are reserved at their exact size and filled in once every entry's
page is known.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..archives.model import Binder, Entry, MeetingPage, Paragraphs, Photos, Table
from . import blocks, catalogue
from .cover import cover
from .document import BinderDocument
from .meeting import meeting

DRAW = {Table: blocks.table, Paragraphs: blocks.paragraphs, Photos: blocks.photos, MeetingPage: meeting}
ENTRY_MIN_MM = 40  # an entry that does not start a page starts on a fresh one with less room left


def render(binder: Binder, path: Path, progress: Callable[[int, str], None] | None = None,
           start: int = 0) -> dict[str, list[int]]:
    """Write the binder to ``path``; returns each archive's entry pages (by archive key), as printed in
    its catalogue. Progress runs from ``start`` to 97 percent."""
    pdf = BinderDocument(binder.title)
    cover(pdf, binder)
    overview = catalogue.reserve_overview(pdf)
    total = max(1, sum(len(a.entries) for a in binder.archives))
    done = 0
    catalogues = []
    for archive in binder.archives:
        pdf.archive_title = archive.title
        laid_out = catalogue.layout(pdf, archive)
        catalogue.reserve(pdf, laid_out)
        for entry, row in zip(archive.entries, laid_out.rows, strict=True):
            if progress and done % 5 == 0:
                progress(start + int((97 - start) * done / total), f"正在排版：{archive.title} 第 {row.number} 项")
            row.page = _entry(pdf, entry, first=row.number == 1)
            done += 1
        catalogues.append(laid_out)
    for laid_out in catalogues:
        catalogue.fill(pdf, laid_out)
    catalogue.fill_overview(pdf, overview, binder, catalogues)
    path.parent.mkdir(parents=True, exist_ok=True)
    if progress:
        progress(97, "正在写入文件")
    pdf.output(str(path))
    return {c.archive.key: [row.page for row in c.rows] for c in catalogues}


def _entry(pdf: BinderDocument, entry: Entry, first: bool) -> int:
    """Print one entry, a heading then its blocks; returns the page its heading is on."""
    own_page = entry.new_page or any(isinstance(b, MeetingPage) for b in entry.blocks)
    if first or own_page:
        pdf.add_page()
    else:
        pdf.ln(6)
        pdf.need(ENTRY_MIN_MM)
    page = pdf.page_no()
    pdf.start_section(entry.title[:120], level=1)
    if own_page:
        pdf.heading(entry.title, align="C")
    else:
        pdf.heading(entry.title, size=12.5)
    for index, block in enumerate(entry.blocks):
        if index and isinstance(block, MeetingPage):
            pdf.add_page()  # each meeting of an entry on its own page
        DRAW[type(block)](pdf, block)
    return page

