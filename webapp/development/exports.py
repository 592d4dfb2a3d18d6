"""发展党员 exports in the order an inspection reads them (xlsx with openpyxl, PDF with fpdf2, as the
yearly ledgers are made: webapp/ledgers).

- The 发展党员档案 of one person: who they are; then the 25 steps in order, stage by stage, each with its
  date, the branch where it was recorded, the people named, the vote and its arithmetic, the documents;
  then the talks, observation reports and contacts' notes by date; then what the time rules say.
- The branch's 发展党员工作台账: one row per person, in the order of the pipeline (the furthest along last),
  with the dates inspectors check (application, activist, 发展对象, acceptance, approval, full), the
  contacts and sponsors, and the warnings. It is also a sheet of the yearly ledger workbook (``write``).
"""
from __future__ import annotations

import io
from datetime import date

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from openpyxl import Workbook
from sqlalchemy import or_, select

from ..china_time import china_today
from ..extensions import db
from ..ledgers.binder_pdf.document import SC_FACE, font_path
from ..ledgers.sheets.common import header
from ..models import DevelopmentFile, DevelopmentStep, Membership, Organization, User
from ..rules.development import NOTE_KINDS, STAGES, STEPS
from . import board, pipeline

LEDGER_COLUMNS = [("序号", 6), ("姓名", 10), ("性别", 6), ("出生日期", 12), ("递交入党申请书", 14),
                  ("确定为入党积极分子", 14), ("培养联系人", 14), ("确定为发展对象", 14), ("入党介绍人", 14),
                  ("支部大会接收", 14), ("上级党委审批接收", 14), ("转为正式党员", 14), ("当前阶段", 18),
                  ("提醒（依据）", 50)]
GENDERS = {"male": "男", "female": "女"}


def _names(ids) -> dict[int, str]:
    ids = set(ids)
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}


def ledger_files(org: Organization) -> list[DevelopmentFile]:
    """Files of the branch's people now, and of those whose steps it recorded before they moved away."""
    home_ids = select(Membership.user_id).where(Membership.org_id == org.id, Membership.relation == "home",
                                                Membership.active.is_(True))
    recorded_here = select(DevelopmentStep.file_id).where(DevelopmentStep.org_id == org.id)
    return list(db.session.scalars(select(DevelopmentFile).where(
        or_(DevelopmentFile.user_id.in_(home_ids), DevelopmentFile.id.in_(recorded_here)))))


def _done_on(steps: dict, key: str):
    return steps[key].done_on if key in steps else None


def _people(steps: dict, key: str, names: dict[int, str]) -> str:
    return "、".join(names.get(i, "") for i in (steps[key].data or {}).get("people", [])) if key in steps else ""


def _ledger_row(index: int, row, org: Organization, names: dict[int, str]) -> list:
    steps = pipeline.steps_by_key(row.file)
    home = pipeline.home_branch(row.person)
    stage = f"第 {row.stage} 阶段 {row.stage_label}" + ("" if home and home.id == org.id else
                                                    f"（已转至{home.name if home else '其他党组织'}）")
    return [index, row.person.name, GENDERS.get(row.person.gender or "", ""), row.person.birth_date,
            _done_on(steps, "application"), _done_on(steps, "activist_decided"),
            _people(steps, "contacts_named", names), _done_on(steps, "candidate_decided"),
            _people(steps, "sponsors_named", names), _done_on(steps, "acceptance_vote"),
            _done_on(steps, "acceptance_approved"), pipeline.full_on(row.file), stage,
            "；".join(f"{f.message}（{f.source}）" for f in row.late)]


def ledger_rows(org: Organization, today: date | None = None) -> list[list]:
    today = today or china_today()
    rows = [board.row_for(f, org, today) for f in ledger_files(org)]
    rows.sort(key=lambda r: (r.stage, r.file.steps[0].done_on if r.file.steps else date.max, r.person.name))
    names = _names(i for r in rows for i in pipeline.named(r.file))
    return [_ledger_row(index, row, org, names) for index, row in enumerate(rows, start=1)]


def write(ws, org: Organization, year: int | None = None) -> None:
    """The ledger as a worksheet (also a sheet of the yearly workbook)."""
    header(ws, f"{org.name} 发展党员工作台账", LEDGER_COLUMNS)
    for values in ledger_rows(org):
        ws.append(values)
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"


def _basic_lines(file: DevelopmentFile, row) -> list[str]:
    person = file.user
    home = pipeline.home_branch(person)
    return [
        f"姓名：{person.name}", f"性别：{GENDERS.get(person.gender or '', '')}",
        f"出生日期：{person.birth_date or ''}", f"所在党支部：{home.name if home else ''}",
        f"当前阶段：第 {row.stage} 阶段 {row.stage_label}", f"人员类别：{person.category_label or '入党申请人'}",
        *([f"预备期延长：{file.extension_months} 个月（{file.extended_on}，{file.extension_reason}）"]
          if file.extension_months else []),
        *([f"转为正式党员（党龄起算）：{pipeline.full_on(file)}"] if pipeline.full_on(file) else []),
    ]


def _recorded_step_lines(index: int, spec: dict, step: DevelopmentStep, names: dict[int, str]) -> list[str]:
    """A recorded step: date and branch, the people named, training days, note, photos; then its vote."""
    text = f"{index}. {spec['label']}：{step.done_on}（{step.org.name}）"
    data = step.data or {}
    if data.get("people"):
        text += "，" + "、".join(names.get(i, "") for i in data["people"])
    if "days" in data:
        text += f"，{data['days']} 天 / {data['hours']} 学时"
    if step.note:
        text += f"，{step.note}"
    if step.photos:
        text += f"，附件照片 {len(step.photos)} 张"
    vote = pipeline.vote_of(step)
    return [text, *(["    " + line for line in vote.arithmetic()] if vote else [])]


def _step_lines(index: int, spec: dict, file: DevelopmentFile, steps: dict, names: dict[int, str]) -> list[str]:
    if spec["kind"] == "recurring":
        reports = [n for n in file.notes if n.kind == "observation"]
        return [f"{index}. {spec['label']}：考察报告 {len(reports)} 份"]
    step = steps.get(spec["key"])
    if step is None:
        return [f"{index}. {spec['label']}：未记录"]
    return _recorded_step_lines(index, spec, step, names)


def _stage_lines(number: int, file: DevelopmentFile, steps: dict, names: dict[int, str]) -> list[str]:
    return [line for index, spec in enumerate(STEPS, start=1) if spec["stage"] == number
            for line in _step_lines(index, spec, file, steps, names)]


def file_sections(file: DevelopmentFile, org: Organization, today: date | None = None) -> list[tuple[str, list[str]]]:
    """The person's file as (heading, lines), in inspection order."""
    today = today or china_today()
    steps = pipeline.steps_by_key(file)
    names = _names(pipeline.named(file))
    row = board.row_for(file, org, today)
    sections = [("基本情况", _basic_lines(file, row))]
    for number, stage_label in STAGES.items():
        sections.append((f"第{'一二三四五'[number - 1]}阶段 {stage_label}", _stage_lines(number, file, steps, names)))
    sections.append(("谈话、考察与培养联系人记录", [
        f"{n.written_on} {NOTE_KINDS[n.kind]}（{n.author.name}，{n.org.name}）：{n.text}"
        for n in sorted(file.notes, key=lambda n: (n.written_on, n.id))] or ["暂无"]))
    sections.append(("时间规则提醒", [f"{f.message}（依据：{f.source}）" for f in row.late] or ["无"]))
    return sections


def _xlsx(fill) -> bytes:
    book = Workbook()
    fill(book.active)
    book.properties.creator = "支部通"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ledger_xlsx(org: Organization) -> bytes:
    def fill(ws):
        ws.title = "发展党员工作台账"
        write(ws, org)
    return _xlsx(fill)


def file_xlsx(file: DevelopmentFile, org: Organization) -> bytes:
    def fill(ws):
        ws.title = "发展党员档案"
        ws.append([f"发展党员档案 · {file.user.name}"])
        for heading, lines in file_sections(file, org):
            ws.append([])
            ws.append([heading])
            for line in lines:
                ws.append([line])
        ws.column_dimensions["A"].width = 120
    return _xlsx(fill)


class _Pdf(FPDF):
    def __init__(self, title: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font("noto", fname=font_path(), collection_font_number=SC_FACE)
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(auto=True, margin=16)
        self.set_title(title)
        self.set_creator("支部通")
        self.add_page()
        self.set_font("noto", size=16)
        self.multi_cell(0, 10, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, text: str):
        self.ln(3)
        self.set_font("noto", size=12)
        self.multi_cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("noto", size=10)

    def line(self, text: str):
        self.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def file_pdf(file: DevelopmentFile, org: Organization) -> bytes:
    pdf = _Pdf(f"发展党员档案 · {file.user.name}")
    for heading, lines in file_sections(file, org):
        pdf.heading(heading)
        for text in lines:
            pdf.line(text)
    return bytes(pdf.output())


def ledger_pdf(org: Organization) -> bytes:
    pdf = _Pdf(f"{org.name} 发展党员工作台账")
    rows = ledger_rows(org)
    if not rows:
        pdf.line("暂无发展党员记录。")
    for values in rows:
        pdf.heading(f"{values[0]}. {values[1]}  {values[12]}")
        for (label, _width), value in zip(LEDGER_COLUMNS[2:12], values[2:12], strict=True):
            if value not in (None, ""):
                pdf.line(f"{label}：{value}")
        if values[13]:
            pdf.line(f"提醒：{values[13]}")
    return bytes(pdf.output())
