"""The binder PDF opened as a reader would: PDFium (pypdfium2) for the text and where each character sits,
and to render the first pages to PNG (test-results/ledgers/, kept as artifacts to look at); pypdf for the
fonts embedded.

The page box is A4 (595 x 842 pt); the binding margin keeps text 25 mm from the left edge, except the
装订线 mark printed in it."""
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pypdfium2
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from PIL import Image
from pypdf import PdfReader

from tests.records_helpers import org_named, theme_day_data
from webapp.china_time import china_today
from webapp.extensions import db
from webapp.ledgers import archives, record_book, workbook
from webapp.ledgers.archives.model import Archive, Binder, Entry, Paragraphs, Photo, Photos, Table
from webapp.ledgers.binder_pdf import render
from webapp.ledgers.archives.common import approved_records
from webapp.records import photos, service

FIELD = "长江中游水文测验项目临时党支部"
LONG_NAME = FIELD + "（第二标段水文测验、防汛保障与河道整治联合项目）"
MM = 72 / 25.4
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results" / "ledgers"
MEETING_LABELS = ("会议类型", "时间", "地点", "主持人", "记录人", "应到", "实到", "出席", "请假", "缺席", "列席", "主题",
                  "会议记录", "审核人", "审核日期")


@dataclass
class Char:
    text: str
    left: float
    bottom: float
    right: float
    top: float          # PDF points from the bottom of the page

    @property
    def x(self) -> float:
        return (self.left + self.right) / 2


@dataclass
class Page:
    width: float
    height: float
    text: str           # PDFium's text, lines joined by CRLF
    chars: list[Char]   # printed characters (no whitespace)

    @property
    def flat(self) -> str:
        return "".join(c.text for c in self.chars)

    def find(self, text: str) -> list[Char]:
        """The characters of the first place ``text`` (whitespace ignored) is printed."""
        at = self.flat.index(_flat(text))
        return self.chars[at:at + len(_flat(text))]


def _flat(text: str) -> str:
    return re.sub(r"[\s\x00]+", "", text or "")


def _jpeg(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def _read(path: Path) -> list[Page]:
    document = pypdfium2.PdfDocument(str(path))
    pages = []
    try:
        for page in document:
            textpage = page.get_textpage()
            chars = []
            for index in range(textpage.count_chars()):
                text = textpage.get_text_range(index, 1)
                if text and not text.isspace():
                    chars.append(Char(text, *textpage.get_charbox(index)))
            width, height = page.get_size()
            pages.append(Page(width, height, textpage.get_text_range(), chars))
    finally:
        document.close()
    return pages


def _runs(chars: list[Char], gap: float = 3 * MM) -> list[str]:
    """A line's characters split where they stand more than ``gap`` apart: one string per table cell."""
    runs: list[list[Char]] = []
    for char in sorted(chars, key=lambda c: c.left):
        if runs and char.left - runs[-1][-1].right <= gap:
            runs[-1].append(char)
        else:
            runs.append([char])
    return ["".join(c.text for c in run) for run in runs]


def _rows_of(page: Page) -> list[tuple[str, str, int]]:
    """The catalogue rows on a page: a row's first line holds 序号, the title's start, 日期 and 页码, each
    apart from the next; lines below it until the next 序号 continue the title."""
    header = page.find("序号题名日期页码")
    number_right = header[1].right + 3 * MM
    below = [c for c in page.chars
             if c.top < header[0].bottom and c.bottom > 20 * MM and c.left > header[0].left - 3]
    baselines: list[float] = []
    for bottom in sorted((c.bottom for c in below if c.right < number_right), reverse=True):
        if not baselines or baselines[-1] - bottom > 3:
            baselines.append(bottom)  # the digits of one 序号 share a baseline within a point or two
    rows = []
    for index, baseline in enumerate(baselines):
        floor = baselines[index + 1] + 3 if index + 1 < len(baselines) else 0
        band = [c for c in below if floor < c.bottom <= baseline + 3]
        first = _runs([c for c in band if abs(c.bottom - baseline) <= 3])
        rest = [c for c in band if c.bottom < baseline - 3]
        more = ["".join(_runs([c for c in rest if round(c.bottom) == line], 99))
                for line in sorted({round(c.bottom) for c in rest}, reverse=True)]
        title = first[1] + "".join(more)
        rows.append((title, first[2] if len(first) == 4 else "", int(first[-1])))
    return rows


def _catalogue_rows(pages: list[Page], archive_title: str) -> list[tuple[str, str, int]]:
    """(题名, 日期, 页码) of an archive's catalogue, read from its ruled table on every catalogue page."""
    start = next(i for i, p in enumerate(pages) if f"{archive_title}目录" in p.flat)
    rows = []
    for page in pages[start:]:
        if "序号题名日期页码" not in page.flat:
            break
        rows += _rows_of(page)
    return rows


def _overview(pages: list[Page]) -> dict[str, int]:
    """总目录: archive title → page number."""
    page = next(p for p in pages if "总目录" in p.flat)
    found = {}
    for line in page.text.splitlines():
        match = re.match(r"^[一二三四五六]、(\S+?档案)（.*?）\s*(\d+)$", line.strip())
        if match:
            found[match.group(1)] = int(match.group(2))
    return found


def _assert_text_inside(pages: list[Page]) -> None:
    """Every character on every page inside the page box; past the cover, none in the binding margin
    but the 装订线 mark, none closer than 15 mm to the right edge."""
    for number, page in enumerate(pages, start=1):
        for char in page.chars:
            where = f"page {number}: {char.text!r} at ({char.left:.0f}, {char.top:.0f})"
            assert 0 <= char.left and char.right <= page.width - 15 * MM + 1, where
            assert 0 <= char.bottom and char.top <= page.height, where
            if number > 1 and char.text not in "装订线":
                assert char.left >= 25 * MM - 1, where


def _heading_top(page: Page, title: str) -> float:
    """How far below the top of its page a heading starts (pt)."""
    return page.height - page.find(title[:8])[0].top


def _render_pngs(path: Path, name: str, count: int) -> list[Path]:
    """The first ``count`` pages as PNG, and the PDF itself, kept in test-results/ledgers/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(path.read_bytes())
    document = pypdfium2.PdfDocument(str(path))
    written = []
    try:
        for index in range(min(count, len(document))):
            target = ARTIFACTS / f"{name}-page{index + 1}.png"
            document[index].render(scale=1.5).to_pil().save(target)
            written.append(target)
    finally:
        document.close()
    return written


def _embedded_fonts(path: Path) -> set[str]:
    """Base names of fonts whose program is embedded in the file (a Type0 font's descendant)."""
    found = set()
    for page in PdfReader(path).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts") or []:
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                if {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor):
                    found.add(str(font["/BaseFont"]))
    return found


@pytest.fixture()
def late_record_with_photos(demo):
    """A theme day entered 20 days late with two photos and minutes long enough to fill lines."""
    org = org_named(FIELD)
    stored = [photos.store(_jpeg(colour), demo["dangyuan"])[0] for colour in ((20, 120, 60), (160, 40, 40))]
    day = china_today() - timedelta(days=20)
    record = service.create_record(org, "theme_day", theme_day_data(
        org, occurred_on=day.isoformat(), topic="合订本测试：学习防汛抗旱条例",
        content="学习《中华人民共和国防汛条例》全文，结合本标段汛期测验任务逐条讨论。" * 6,
        theme_items=["recite_constitution", "collective_study"], photos=[p.sha256 for p in stored]),
        demo["dangyuan"])
    service.approve(record, demo["linshi"])
    org.name = LONG_NAME
    db.session.commit()
    return org, record, day.year


def test_binder_pdf_pages_agree_with_catalogues_and_stay_on_the_page(late_record_with_photos, tmp_path):
    org, record, year = late_record_with_photos
    path = record_book.build(org, year, tmp_path / "binder.pdf")
    read = _read(path)
    pages = [p.flat for p in read]
    _render_pngs(path, "binder", 12)

    assert _flat(LONG_NAME) in pages[0] and f"{year}年度台账" in pages[0]
    _assert_text_inside(read)
    overview = _overview(read)
    assert set(overview) == {"组织管理档案", "党员管理档案", "组织生活档案", "集中教育档案", "创先争优档案", "经费保障档案"}
    for title, page in overview.items():
        assert pages[page - 1].startswith(_flat(LONG_NAME)[:10]) and f"{title}目录" in pages[page - 1], title
    bound = {archive.title: archive for archive in archives.binder(org, year).archives}
    for title, archive in bound.items():
        rows = _catalogue_rows(read, title)
        if archive.empty:
            assert f"本年度无{title.removesuffix('档案')}记录" in pages[overview[title] - 1], title
        else:
            assert len(rows) == len(archive.entries), title
        for entry_title, _, number in rows:
            assert _flat(entry_title)[:12] in pages[number - 1], (title, entry_title, number)

    rows = _catalogue_rows(read, "组织生活档案")
    meetings = [row for row in rows if all(label in pages[row[2] - 1] for label in MEETING_LABELS)]
    assert len(meetings) == len(approved_records(org, year)) and len(pages) >= overview["经费保障档案"]
    assert sorted(when for _, when, _ in meetings) == sorted(f"{r.occurred_on:%Y-%m-%d}" for r in approved_records(org, year))
    for title, _, number in meetings:
        assert _heading_top(read[number - 1], title) < 40 * MM  # the heading opens its page
    ours = next(number for title, _, number in rows if "合订本测试" in title)
    assert "补录：活动后20天录入" in pages[ours - 1]
    assert "✓集体诵读党章" in pages[ours - 1] and "×交纳当月党费" in pages[ours - 1]
    assert "赵工（项目非职工党员）" in pages[ours - 1] and "外出测流" in pages[ours - 1]
    assert "照片1" in pages[ours - 1] and "照片2" in pages[ours - 1]
    assert len(PdfReader(path).pages[ours - 1].images) == 2
    assert any("NotoSansCJK" in name for name in _embedded_fonts(path))


def test_generic_blocks_long_tables_and_many_entries(app, tmp_path):
    """A hand-built binder: a table long enough to run over pages repeats its header row; a catalogue of
    enough long titles runs over two pages and still names the right pages; a missing photo says so."""
    long_row = ("党员发展对象培养考察情况，包括思想汇报、党课学习、群众座谈和政治审查的全部过程记录", )
    table = Table(headers=("序号", "日期", "事项", "经办人"),
                  rows=[(n, date(2026, 1, 1) + timedelta(days=n), long_row[0] * (1 + n % 2), "张晓燕")
                        for n in range(1, 121)] + [(121, None, "一份很长的对照检查材料。" * 400, "")],
                  widths=(10, 22, 100, 20))
    entries = [Entry(title=f"第 {n} 项：{'支部委员会关于年度工作计划、总结和换届选举工作的请示与批复' * (1 + n % 2)}",
                     when=date(2026, 3, n % 28 + 1),
                     blocks=[Paragraphs([f"第 {n} 项的说明。" * 20]),
                             Photos([Photo("photos/no/such.thumb.jpg", "照片 1")])] if n % 10 == 0 else
                     [Paragraphs([f"第 {n} 项的说明。" * 12])])
               for n in range(1, 71)]
    entries.insert(0, Entry(title="年度工作台账（表）", when=None, blocks=[table]))
    archives = [Archive("organization", "组织管理档案", "成立批复、换届选举、工作计划和总结", entries)] + [
        Archive(key, title, "—", []) for key, title in (("members", "党员管理档案"), ("org_life", "组织生活档案"),
                                                        ("education", "集中教育档案"), ("excellence", "创先争优档案"),
                                                        ("funds", "经费保障档案"))]
    binder = Binder(org_name=LONG_NAME, year=2026, title=f"{LONG_NAME} 2026 年度台账", archives=archives,
                    scope_note="临时党支部已撤销；本册仅含本支部党员的部分")
    path = tmp_path / "blocks.pdf"
    printed = render(binder, path)
    read = _read(path)
    pages = [p.flat for p in read]
    _render_pngs(path, "blocks", 6)

    _assert_text_inside(read)
    rows = _catalogue_rows(read, "组织管理档案")
    assert len(rows) == 71 and [n for _, _, n in rows] == printed["organization"]
    catalogue_pages = {i for i, p in enumerate(pages, start=1) if "序号" in p and "题名" in p and "页码" in p}
    assert len(catalogue_pages) >= 2  # 71 long titles run over more than one page
    for title, _, number in rows:
        assert title[:12] in pages[number - 1], (title, number)
    table_pages = range(rows[0][2], rows[1][2])
    assert len(table_pages) >= 3
    for number in table_pages:
        assert "序号日期事项经办人" in pages[number - 1], number  # the header row on every page it runs over
    assert "2026-01-02" in pages[rows[0][2] - 1]
    assert sum(p.count("一份很长的对照检查材料") for p in pages) >= 395  # a cell longer than a page continues
    assert any("照片尚未上传" in p for p in pages)
    assert "临时党支部已撤销" in "".join(pages[:3])


def _display_width(value) -> int:
    from unicodedata import east_asian_width

    text = f"{value:%Y-%m-%d}" if isinstance(value, (date, datetime)) else str(value)
    return max(sum(2 if east_asian_width(ch) in "WF" else 1 for ch in line) for line in text.split("\n"))


def test_workbook_sheets_are_set_up_to_print(demo, tmp_path):
    """Last year with 16 meetings: the attendance sheet is 20 columns wide and still prints one page wide."""
    org = org_named(FIELD)
    year = china_today().year - 1
    org.start_date = date(year, 1, 1)
    for n in range(16):
        record = service.create_record(org, "theme_day", theme_day_data(
            org, occurred_on=date(year, n % 12 + 1, 5 + n).isoformat(), topic=f"第 {n + 1} 次主题党日"),
            demo["dangyuan"])
        service.approve(record, demo["linshi"])
    db.session.commit()
    book = load_workbook(workbook.build(org, year, tmp_path / "ledger.xlsx"))
    assert len(book["出勤统计"][2]) == 20  # 姓名, a column per meeting, 出席/请假/缺席
    for ws in book.worksheets:
        setup = ws.page_setup
        assert ws.print_title_rows.replace("$", "") == "1:2", ws.title
        assert int(setup.paperSize) == 9 and setup.fitToWidth == 1 and setup.fitToHeight == 0, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.freeze_panes in ("A3", "B3"), ws.title
        assert setup.orientation in ("portrait", "landscape"), ws.title
        for column, cell in enumerate(ws[2], start=1):  # every heading fits its column (CJK counts double)
            if cell.value:
                width = ws.column_dimensions[get_column_letter(column)].width
                assert width >= _display_width(cell.value), (ws.title, cell.value, width)
        for row in ws.iter_rows(min_row=3):
            for cell in row:
                assert not (isinstance(cell.value, str) and ISO_DAY.match(cell.value)), (ws.title, cell.coordinate)
                if isinstance(cell.value, (date, datetime)):
                    assert cell.is_date and "yy" in cell.number_format, (ws.title, cell.coordinate)
    assert book["出勤统计"].page_setup.orientation == "landscape"
    assert book["出勤统计"].freeze_panes == "B3"
    roster = book["花名册"]
    joined = [row[5] for row in roster.iter_rows(min_row=3, values_only=True) if row[5]]
    assert joined and all(isinstance(day, (date, datetime)) for day in joined)
    records = book["组织生活记录"]
    assert any(isinstance(row[0], (date, datetime)) for row in records.iter_rows(min_row=3, values_only=True))
