"""The secretary exports the year's ledgers on desktop, watches progress, and downloads both files."""
import io

from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import sign_in


def test_secretary_downloads_workbook_and_record_book(live_server, desktop, tmp_path):
    page = desktop.new_page()
    sign_in(page, live_server.url, "shuji")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="台账").click()
    expect(page.get_by_role("heading", name="年度台账")).to_be_visible()
    page.get_by_role("button", name="开始导出").click()
    xlsx_link = page.get_by_role("link", name="下载").filter(has_text=".xlsx").first
    pdf_link = page.get_by_role("link", name="下载").filter(has_text=".pdf").first
    expect(xlsx_link).to_be_visible(timeout=30000)
    expect(pdf_link).to_be_visible(timeout=30000)

    with page.expect_download() as info:
        xlsx_link.click()
    workbook_path = tmp_path / info.value.suggested_filename
    info.value.save_as(workbook_path)
    assert workbook_path.name.startswith("办公室党支部-") and workbook_path.suffix == ".xlsx"
    book = load_workbook(workbook_path)
    assert "花名册" in book.sheetnames and "党费台账" in book.sheetnames
    assert any(row[1] == "王建平" for row in book["花名册"].iter_rows(min_row=3, values_only=True))

    with page.expect_download() as info:
        pdf_link.click()
    reader = PdfReader(io.BytesIO(open(info.value.path(), "rb").read()))
    text = "".join(p.extract_text() for p in reader.pages).replace("\x00", "")
    assert "组织生活档案目录" in "".join(text.split()) and len(reader.pages) >= 3
