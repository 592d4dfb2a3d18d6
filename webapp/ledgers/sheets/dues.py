"""党费台账: per member per month, with the year's totals and the retained share."""
from __future__ import annotations

from decimal import Decimal

from ...dues import service
from ...rules import dues as rules
from .common import header


def _yuan(fen):
    """Fen as an exact decimal number of yuan for the spreadsheet (never a float)."""
    return None if fen is None else Decimal(fen).scaleb(-2)


def write(ws, org, year) -> None:
    months = service.months_of(year)
    header(ws, f"{org.name} {year} 年党费收缴台账（元）", [("姓名", 10), ("每月应缴", 10)] +
           [(f"{int(m[5:])}月", 8) for m in months] + [("已缴合计", 10), ("欠缴", 10)])
    rows = service.branch_year(org, year)
    for row in rows:
        ws.append([row.user.name, _yuan(row.due_fen)] + [_yuan(p.amount_fen) if p else None
                                                          for p in (row.months[m] for m in months)]
                  + [_yuan(row.paid_fen), _yuan(row.arrears_fen)])
    totals = service.ledger_totals(rows)
    ws.append([])
    ws.append(["已收合计", _yuan(totals["collected"])])
    ws.append([f"支部留存（{rules.RETAINED_SHARE_PERCENT}%）", _yuan(totals["retained"])])
    ws.append(["上缴", _yuan(totals["remitted"])])
    for row in ws.iter_rows(min_row=3, min_col=2):
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.number_format = "0.00"
