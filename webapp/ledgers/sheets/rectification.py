"""整改台账: the rectification ledger of a branch-year, for the yearly workbook."""
from __future__ import annotations

from ...rules.standards import PROBLEM_STATES
from ...standards.problems import problems_of
from .common import header


def write(ws, org, year) -> None:
    header(ws, f"{org.name} {year} 年问题清单和整改台账", [
        ("序号", 6), ("发现日期", 12), ("对应标准", 28), ("问题", 36), ("整改措施", 36), ("责任人", 10),
        ("整改期限", 12), ("状态", 8), ("销号日期", 12), ("整改结果", 36)])
    for index, p in enumerate(problems_of(org, year), start=1):
        ws.append([index, p.found_on, p.standard_label, p.description, p.measure,
                   p.responsible.name if p.responsible else "", p.deadline, PROBLEM_STATES[p.state], p.closed_on,
                   p.evidence])
