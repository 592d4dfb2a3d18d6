"""Shared helpers for ledger worksheets: a styled header row and widths. The year's bound records are the
archives' (``archives.common.approved_records`` / ``approved_data``), so the workbook and the binder agree."""
from __future__ import annotations


from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter


HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="B91C1C")


def header(ws, title: str, columns: list[tuple[str, int]]) -> None:
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([name for name, _ in columns])
    for index, (_, width) in enumerate(columns, start=1):
        cell = ws.cell(row=2, column=index)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A3"
