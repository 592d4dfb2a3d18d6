"""目录: the catalogue of the binder, one line per sheet with its archive category."""
from __future__ import annotations

from ...rules.ledgers import WORKBOOK_SHEETS
from .common import header


def write(ws, org, year, sheets=None) -> None:
    header(ws, f"{org.name} {year} 年度台账目录", [("序号", 8), ("台账", 20), ("档案类别", 20)])
    for index, (_, title, category) in enumerate(sheets or WORKBOOK_SHEETS, start=1):
        ws.append([index, title, category])
