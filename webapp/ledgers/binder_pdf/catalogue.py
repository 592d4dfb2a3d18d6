"""Catalogues (目录): the binder's own (总目录: each archive and the page its catalogue starts on) and one per
archive (序号, 题名, 日期, 页码, ruled). Their pages are reserved before the entries are printed, laid out
exactly as they will be drawn (a long title wraps onto more lines, so the number of pages is known), and
filled in once every entry's page is known."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..archives.model import Archive, Binder
from .document import BinderDocument

COLUMNS = (("序号", 12), ("题名", None), ("日期", 26), ("页码", 16))
LINE = 5.6          # mm per line of a catalogue row
PAD = 1.6           # mm above and below a row's text
HEAD_ROW = 8        # mm of the column-heading row
TITLE_AREA = 26     # mm the heading and source note take on a catalogue's first page
NUMERALS = "一二三四五六七八九十"


def numeral(index: int) -> str:
    """一, 二 … for the first ten archives, then plain numbers."""
    return NUMERALS[index] if index < len(NUMERALS) else str(index + 1)


@dataclass
class Row:
    number: int
    lines: list[str]
    when: str
    page: int = 0

    @property
    def height(self) -> float:
        return len(self.lines) * LINE + 2 * PAD


@dataclass
class Catalogue:
    archive: Archive
    start_page: int = 0
    pages: list[list[Row]] = field(default_factory=list)

    @property
    def rows(self) -> list[Row]:
        return [row for page in self.pages for row in page]


def _title_width(pdf: BinderDocument) -> float:
    return pdf.content_width - sum(width for _, width in COLUMNS if width)


def layout(pdf: BinderDocument, archive: Archive) -> Catalogue:
    """The archive's catalogue rows, split into pages as they will be drawn."""
    pdf.set_font("noto", size=10)
    usable = pdf.h - pdf.t_margin - pdf.b_margin
    pages: list[list[Row]] = [[]]
    room = usable - TITLE_AREA - HEAD_ROW
    for number, entry in enumerate(archive.entries, start=1):
        lines = pdf.multi_cell(_title_width(pdf) - 2 * PAD, LINE, entry.title, dry_run=True, output="LINES",
                               wrapmode="CHAR")
        row = Row(number, lines or [""], f"{entry.when:%Y-%m-%d}" if entry.when else "")
        if row.height > room and pages[-1]:
            pages.append([])
            room = usable - HEAD_ROW
        pages[-1].append(row)
        room -= row.height
    return Catalogue(archive, pages=pages)


def reserve(pdf: BinderDocument, catalogue: Catalogue) -> None:
    """Blank pages for the catalogue, numbered and headed like every page."""
    pdf.add_page()
    catalogue.start_page = pdf.page_no()
    pdf.start_section(catalogue.archive.title, level=0)
    for _ in catalogue.pages[1:]:
        pdf.add_page()


def reserve_overview(pdf: BinderDocument) -> int:
    pdf.add_page()
    pdf.start_section("总目录", level=0)
    return pdf.page_no()


def _enter(pdf: BinderDocument, page: int) -> None:
    """Draw on an earlier page. Every page ends in the canonical state (the footer sets it), so the
    state fpdf2 believes in is made canonical before switching; and the font must be set again there."""
    pdf.canonical()
    pdf.page = page
    pdf.current_font_is_set_on_page = False
    pdf.set_xy(pdf.l_margin, pdf.t_margin)


def empty_text(archive: Archive) -> str:
    return f"本年度无{archive.title.removesuffix('档案')}记录"


def fill(pdf: BinderDocument, catalogue: Catalogue) -> None:
    last = pdf.page
    pdf.set_auto_page_break(False)
    for index, rows in enumerate(catalogue.pages):
        _enter(pdf, catalogue.start_page + index)
        if index == 0:
            _title(pdf, catalogue.archive)
        if not catalogue.archive.entries:
            pdf.set_font("noto", size=12)
            pdf.cell(0, 12, empty_text(catalogue.archive), align="C")
        else:
            _table(pdf, rows)
        pdf.canonical()
    pdf.set_auto_page_break(True, margin=pdf.b_margin)
    pdf.page = last
    pdf.current_font_is_set_on_page = False


def _title(pdf: BinderDocument, archive: Archive) -> None:
    pdf.set_font("noto", style="B", size=16)
    pdf.cell(0, 10, f"{archive.title}目录", align="C")
    pdf.set_xy(pdf.l_margin, pdf.t_margin + 11)
    pdf.set_font("noto", size=8.5)
    pdf.set_text_color(110)
    pdf.multi_cell(0, 4.5, archive.source, align="C", wrapmode="CHAR", max_line_height=4.5)
    pdf.set_text_color(0)
    pdf.set_xy(pdf.l_margin, pdf.t_margin + TITLE_AREA)


def _widths(pdf: BinderDocument) -> list[float]:
    return [width or _title_width(pdf) for _, width in COLUMNS]


def _table(pdf: BinderDocument, rows: list[Row]) -> None:
    widths = _widths(pdf)
    y = pdf.get_y()
    pdf.set_font("noto", style="B", size=10)
    pdf.set_fill_color(235)
    x = pdf.l_margin
    for (label, _), width in zip(COLUMNS, widths, strict=True):
        pdf.rect(x, y, width, HEAD_ROW, style="DF")
        pdf.set_xy(x, y)
        pdf.cell(width, HEAD_ROW, label, align="C")
        x += width
    y += HEAD_ROW
    pdf.set_font("noto", size=10)
    for row in rows:
        _row(pdf, row, widths, y)
        y += row.height


def _row(pdf: BinderDocument, row: Row, widths: list[float], y: float) -> None:
    x = pdf.l_margin
    texts = [str(row.number), None, row.when, str(row.page)]
    for text, width in zip(texts, widths, strict=True):
        pdf.rect(x, y, width, row.height)
        if text is None:
            for n, line in enumerate(row.lines):
                pdf.set_xy(x + PAD, y + PAD + n * LINE)
                pdf.cell(width - 2 * PAD, LINE, line)
        else:
            pdf.set_xy(x, y + PAD)
            pdf.cell(width, LINE, text, align="C")
        x += width
    pdf.link(pdf.l_margin, y, sum(widths), row.height, pdf.add_link(page=row.page))


def fill_overview(pdf: BinderDocument, page: int, binder: Binder, catalogues: list[Catalogue]) -> None:
    """总目录: each archive, how many items it files, and the page its catalogue starts on."""
    last = pdf.page
    pdf.set_auto_page_break(False)
    _enter(pdf, page)
    pdf.set_font("noto", style="B", size=18)
    pdf.cell(0, 12, "总目录", align="C")
    y = pdf.t_margin + 20
    for number, catalogue in enumerate(catalogues):
        archive = catalogue.archive
        count = f"{len(archive.entries)} 项" if archive.entries else "无记录"
        pdf.set_font("noto", size=12.5)
        label = f"{numeral(number)}、{archive.title}（{count}）"
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(pdf.content_width - 20, 8, label)
        pdf.cell(20, 8, str(catalogue.start_page), align="R")
        pdf.set_draw_color(180)
        pdf.set_dash_pattern(dash=0.6, gap=0.8)
        start = pdf.l_margin + pdf.get_string_width(label) + 3
        pdf.line(start, y + 6, pdf.w - pdf.r_margin - 12, y + 6)
        pdf.set_dash_pattern()
        pdf.link(pdf.l_margin, y, pdf.content_width, 8, pdf.add_link(page=catalogue.start_page))
        pdf.set_xy(pdf.l_margin + 8, y + 8.5)
        pdf.set_font("noto", size=8.5)
        pdf.set_text_color(110)
        pdf.multi_cell(pdf.content_width - 8, 4.5, archive.source, wrapmode="CHAR")
        pdf.set_text_color(0)
        y = pdf.get_y() + 6
    if binder.scope_note:
        pdf.set_xy(pdf.l_margin, y + 4)
        pdf.set_font("noto", size=10)
        pdf.multi_cell(0, 6, binder.scope_note, wrapmode="CHAR")
    pdf.canonical()
    pdf.set_auto_page_break(True, margin=pdf.b_margin)
    pdf.page = last
    pdf.current_font_is_set_on_page = False
