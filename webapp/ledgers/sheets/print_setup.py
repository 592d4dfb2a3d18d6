"""Print set-up of a ledger worksheet, applied to every sheet once its writer is done: the title and
heading rows repeat on every printed page and stay frozen on screen, A4 fitted to one page wide (as
many pages long as it takes), landscape when the columns are wide, columns as wide as their Chinese
text (a CJK character counts double), dates as dates with a date format, gridlines printed, page
numbers at the foot and a binding margin on the left."""
from __future__ import annotations

import re
from datetime import date, datetime
from unicodedata import east_asian_width

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from ...rules.ledgers import (SHEET_LANDSCAPE_WIDTH, SHEET_MAX_COLUMN_WIDTH, SHEET_MIN_COLUMN_WIDTH,
                              SHEET_PAGE_MARGINS_INCH)

DATE_FORMAT = "yyyy-mm-dd"
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HEADING_ROWS = 2  # the sheet's title, then its column headings (sheets.common.header)


def display_width(value) -> int:
    """Width of a cell's longest line in character units; CJK (wide and full-width) characters count 2."""
    if value is None:
        return 0
    if isinstance(value, (date, datetime)):
        return 10
    return max(sum(2 if east_asian_width(ch) in "WF" else 1 for ch in line) for line in str(value).split("\n"))


def _as_date(cell) -> None:
    """A day written as text ("2026-03-05") becomes a date; every date gets a date format."""
    if isinstance(cell.value, str) and ISO_DAY.match(cell.value):
        try:
            cell.value = date.fromisoformat(cell.value)
        except ValueError:
            return
    if isinstance(cell.value, (date, datetime)) and not cell.is_date:
        cell.number_format = DATE_FORMAT


def _widths(ws) -> float:
    """Set each column as wide as its widest heading or value (within bounds); long text wraps."""
    wanted: dict[int, int] = {}
    for row in ws.iter_rows(min_row=HEADING_ROWS):
        for cell in row:
            _as_date(cell)
            wanted[cell.column] = max(wanted.get(cell.column, 0), display_width(cell.value))
            if display_width(cell.value) > SHEET_MAX_COLUMN_WIDTH:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    total = 0.0
    for column, width in wanted.items():
        width = min(SHEET_MAX_COLUMN_WIDTH, max(SHEET_MIN_COLUMN_WIDTH, width + 2))
        ws.column_dimensions[get_column_letter(column)].width = width
        total += width
    return total


def prepare(ws) -> None:
    total = _widths(ws)
    ws.print_title_rows = f"1:{HEADING_ROWS}"
    if not ws.freeze_panes:
        ws.freeze_panes = f"A{HEADING_ROWS + 1}"
    setup = ws.page_setup
    setup.paperSize = ws.PAPERSIZE_A4
    setup.orientation = ws.ORIENTATION_LANDSCAPE if total > SHEET_LANDSCAPE_WIDTH else ws.ORIENTATION_PORTRAIT
    setup.fitToWidth, setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.gridLines = True
    ws.print_options.horizontalCentered = True
    left, top, right, bottom = SHEET_PAGE_MARGINS_INCH
    ws.page_margins.left, ws.page_margins.top, ws.page_margins.right, ws.page_margins.bottom = left, top, right, bottom
    ws.oddHeader.right.text = ws.title
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
