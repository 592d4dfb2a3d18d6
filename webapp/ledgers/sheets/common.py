"""Shared helpers for ledger worksheets: a styled header row, widths, and the year's approved records."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Organization, Record

HEADER_COLOUR = "B91C1C"


def header(ws, title: str, columns: list[tuple[str, int]]) -> None:
    # openpyxl here, not at the top: the binder's meeting pages use this module's record helpers and are
    # imported by every web process (tests/unit/test_lazy_imports.py).
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([name for name, _ in columns])
    for index, (_, width) in enumerate(columns, start=1):
        cell = ws.cell(row=2, column=index)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor=HEADER_COLOUR)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A3"


def approved_records(org: Organization, year: int) -> list[Record]:
    return list(db.session.scalars(
        select(Record).where(Record.org_id == org.id, Record.state == "approved",
                             Record.occurred_on >= date(year, 1, 1), Record.occurred_on <= date(year, 12, 31))
        .options(selectinload(Record.attendances), selectinload(Record.photos), selectinload(Record.versions))
        .order_by(Record.occurred_on, Record.id)))


def approved_data(record: Record) -> dict:
    """The approved version's data (a later correction awaiting review is not in the ledger)."""
    version = record.version_number(record.approved_version or record.version)
    return version.data if version else {}
