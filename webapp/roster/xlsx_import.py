"""Importing a roster from an .xlsx sheet: every row is checked on its own; good rows are kept.

The sheet's first row names the columns (see COLUMNS); order does not matter.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from ..db_savepoint import savepoint
from ..models import Organization, User
from ..rules.organization import COMMITTEE_TITLES, GENDERS, MEMBER_CATEGORIES
from .members import RosterError, add_member, normalize_phone, validate_person

# Column header → person field. Required columns are marked.
COLUMNS = {
    "姓名": "name",
    "性别": "gender",
    "出生日期": "birth_date",
    "人员类别": "category",
    "入党日期": "join_date",
    "手机号": "phone",
    "工作岗位": "post",
    "支委职务": "title",
    "党小组": "group",
}
REQUIRED_COLUMNS = ("姓名", "手机号", "人员类别")
MAX_ROWS = 2000

_CATEGORY_BY_LABEL = {label: key for key, label in MEMBER_CATEGORIES.items()} | {
    "正式": "full", "预备": "probationary", "积极分子": "activist",
}
_GENDER_BY_LABEL = {label: key for key, label in GENDERS.items()}
_TITLE_BY_LABEL = {label: key for key, label in COMMITTEE_TITLES.items()}
_FIELD_LABELS = {v: k for k, v in COLUMNS.items()} | {"relation": "组织关系", "group_id": "党小组"}


@dataclass
class RowResult:
    row: int
    name: str
    ok: bool
    messages: list[str] = field(default_factory=list)
    initial_password: str | None = None
    invited: bool = False  # an existing account: invited, on the roster once accepted


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)
    file_error: str | None = None

    @property
    def added(self) -> int:
        return sum(1 for r in self.rows if r.ok)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.rows if not r.ok)


class SheetError(ValueError):
    pass


def _parse_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-").replace("年", "-").replace(
        "月", "-").replace("日", "")
    try:
        return date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        raise SheetError(f"日期“{value}”无法识别，请写成 2024-05-01") from None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_row(raw: dict[str, object], groups: dict[str, int]) -> tuple[dict, list[str]]:
    """Turn one sheet row into add_member data, or a list of Chinese problems."""
    problems: list[str] = []
    data: dict = {"relation": "home"}
    for header, name in COLUMNS.items():
        try:
            key, value = _cell(name, raw.get(header), groups, problems)
        except SheetError as error:
            problems.append(f"{header}：{error}")
            continue
        data[key] = value
    return data, problems


def _cell(name: str, value: object, groups: dict[str, int], problems: list[str]) -> tuple[str, object]:
    """(add_member field, value) for one cell; labels that name nothing are added to ``problems``."""
    if name in ("birth_date", "join_date"):
        return name, _parse_date(value)
    text = _text(value)
    if name == "phone":
        return name, normalize_phone(text)
    if name == "category":
        return name, _CATEGORY_BY_LABEL.get(text, text or None)
    if name == "gender":
        return name, _looked_up(text, _GENDER_BY_LABEL, f"性别“{text}”应为男或女", problems)
    if name == "title":
        return name, _looked_up(text, _TITLE_BY_LABEL, f"支委职务“{text}”无效", problems)
    if name == "group":
        return "group_id", _looked_up(text, groups, f"党小组“{text}”不存在", problems)
    return name, text or None


def _looked_up(text: str, table: dict, problem: str, problems: list[str]):
    if text and text not in table:
        problems.append(problem)
    return table.get(text)


def read_rows(content: bytes) -> list[tuple[int, dict[str, object]]]:
    # openpyxl is loaded where a sheet is read or written, so a worker serving other pages stays small.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise SheetError("文件不是有效的 .xlsx 表格") from error
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise SheetError("表格是空的")
    headers = [_text(h) for h in header]
    missing = [h for h in REQUIRED_COLUMNS if h not in headers]
    if missing:
        raise SheetError("缺少必需的列：" + "、".join(missing))
    result = []
    for index, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        # A read-only sheet's rows may be shorter or longer than the header: cells past it are
        # ignored, missing ones are simply absent.
        result.append((index, dict(zip(headers, values, strict=False))))
        if len(result) > MAX_ROWS:
            raise SheetError(f"一次最多导入 {MAX_ROWS} 行")
    workbook.close()
    return result


def import_roster(org: Organization, content: bytes, actor: User, hash_password) -> ImportReport:
    """Each good row is committed on its own savepoint; a bad row is reported and skipped."""
    report = ImportReport()
    try:
        rows = read_rows(content)
    except SheetError as error:
        report.file_error = str(error)
        return report
    groups = {child.name: child.id for child in org.children if child.kind == "group"}
    seen_phones: dict[str, int] = {}
    for row_number, raw in rows:
        data, problems = parse_row(raw, groups)
        if org.is_temporary:  # a temporary branch holds temporary relations only (docs/domain.md)
            data["relation"] = "temporary"
        result = RowResult(row_number, data.get("name") or "", ok=False, messages=problems)
        phone = data.get("phone")
        if phone and phone in seen_phones:
            problems.append(f"手机号与第 {seen_phones[phone]} 行重复")
        elif phone:
            seen_phones[phone] = row_number
        if problems:
            # Say everything that is wrong with the row at once, not one problem per upload.
            parsed = {_FIELD_LABELS.get(k, k) for p in problems for k in [p.split("：")[0]]}
            problems.extend(f"{_FIELD_LABELS.get(k, k)}：{v}" for k, v in validate_person(data).items()
                            if _FIELD_LABELS.get(k, k) not in parsed and data.get(k) is not None)
        else:
            nested = savepoint()
            try:
                added = add_member(org, data, actor, hash_password)
            except RosterError as error:
                nested.rollback()
                problems.extend(
                    f"{_FIELD_LABELS.get(k, k)}：{v}" for k, v in error.errors.items()
                )
            else:
                nested.commit()
                result.ok = True
                result.initial_password = added.initial_password
                result.invited = added.invitation is not None
        report.rows.append(result)
    return report


def template_workbook() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "花名册"
    sheet.append(list(COLUMNS))
    sheet.append(["张三", "男", "1990-05-01", "正式党员", "2015-07-01", "13800000000", "工程师", "", ""])
    for column in "ABCDEFGHI":
        sheet.column_dimensions[column].width = 14
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
