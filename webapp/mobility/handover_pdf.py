"""A handover report (移交报告) as a PDF the home branch can file, with the ledgers' PDF tooling."""
from __future__ import annotations

from fpdf.enums import XPos, YPos

from ..ledgers.binder_pdf.document import FiledDocument
from ..models import HandoverReport


def _line(pdf, text: str, size: int = 10, height: float = 6) -> None:
    pdf.set_font("noto", size=size)
    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def build(report: HandoverReport) -> bytes:
    c = report.content or {}
    title = f"{report.org.name} 党员移交报告"
    pdf = FiledDocument(title)
    pdf.set_title(f"{title}：{c.get('name', '')}")
    pdf.set_creator("支部通")
    pdf.add_page()
    _line(pdf, title, 16, 10)
    _line(pdf, f"党员：{c.get('name', '')}（{c.get('category', '')}）{c.get('title') or ''}")
    _line(pdf, f"正式组织关系：{report.home_org.name if report.home_org else report.home_org_name}")
    _line(pdf, f"项目：{c.get('project', '')}　地点：{c.get('site', '')}")
    _line(pdf, f"在临时党支部期间：{c.get('joined_on', '')} 至 {c.get('left_on', '')}")
    pdf.ln(3)
    _line(pdf, f"一、参加组织生活：出席 {c.get('present', 0)} 次，请假 {c.get('excused', 0)} 次", 12, 8)
    for item in c.get("participation", []):
        _line(pdf, f"{item['on']}　{item['type']}　{item['status']}")
    pdf.ln(2)
    _line(pdf, f"二、在临时党支部获得积分：{c.get('points', 0)} 分", 12, 8)
    for item in c.get("points_lines", []):
        _line(pdf, f"{item['year']}-{item['month']:02d}　{item['delta']:+d}　{item['reason']}")
    pdf.ln(2)
    _line(pdf, f"三、学习：学习笔记 {len(c.get('study', []))} 篇", 12, 8)
    for item in c.get("study", []):
        _line(pdf, f"{item['on']}　{item['topic']}")
    if c.get("observations"):
        pdf.ln(2)
        _line(pdf, "四、入党积极分子考察意见", 12, 8)
        for item in c["observations"]:
            _line(pdf, f"{item['on']}（{item['by']}）：{item['text']}")
    pdf.ln(8)
    _line(pdf, f"移交日期：{report.closed_on:%Y-%m-%d}　　临时党支部负责人（签字）：____________")
    return bytes(pdf.output())
