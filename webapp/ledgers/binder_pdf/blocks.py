"""The generic blocks an archive entry is made of: a ruled Table (its header row repeated on every page
it runs onto, Chinese text wrapped inside its cells), Paragraphs, and Photos (thumbnails with captions,
a row never split across pages)."""
from __future__ import annotations

import io
from datetime import date, datetime

from fpdf.fonts import FontFace

from ...china_time import china_today
from ...rules.ledgers import PDF_PHOTO_MM, PDF_PHOTOS_PER_ROW
from ...storage import ObjectMissing, storage
from ..archives.model import Cell, Paragraphs, Photo, Photos, Table
from .document import BinderDocument

HEADINGS = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
CELL_PAD = 1.2
CJK_CHAR_MM = 3.4       # a CJK character at 9.5 pt
ROW_PIECE_LINES = 30    # lines of one cell before it continues in the next row (a page holds ~48)
PHOTO_GAP = 4
CAPTION = 5


def cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{china_today(value):%Y-%m-%d}" if value.tzinfo else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _column_mm(pdf: BinderDocument, block: Table) -> list[float]:
    widths = block.widths or (1,) * len(block.headers)
    return [pdf.content_width * w / sum(widths) for w in widths]


def _pieces(text: str, limit: int) -> list[str]:
    return [text[i:i + limit] for i in range(0, len(text), limit)] or [""]


def _rows(pdf: BinderDocument, block: Table) -> list[list[str]]:
    """The rows as text; a cell too long to fit on one page continues in the rows below it (a table
    row never breaks across pages)."""
    limits = [max(1, int((mm - 2 * CELL_PAD) / CJK_CHAR_MM)) * ROW_PIECE_LINES for mm in _column_mm(pdf, block)]
    rows = []
    for values in block.rows:
        texts = [cell_text(v) for v in values]
        pieces = [_pieces(t, limit) for t, limit in zip(texts, limits, strict=False)]
        for n in range(max(len(p) for p in pieces)):
            rows.append([p[n] if n < len(p) else "" for p in pieces])
    return rows


def table(pdf: BinderDocument, block: Table) -> None:
    if not block.rows:
        pdf.text_block("（无）")
        return
    pdf.set_font("noto", size=9.5)
    with pdf.table(col_widths=block.widths, headings_style=HEADINGS, line_height=5.2, text_align="LEFT",
                   wrapmode="CHAR", padding=CELL_PAD, repeat_headings=1, align="LEFT",
                   width=pdf.content_width) as drawn:
        heading = drawn.row()
        for text in block.headers:
            heading.cell(text, align="C")
        for texts in _rows(pdf, block):
            row = drawn.row()
            for text in texts:
                row.cell(text)
    pdf.ln(3)


def paragraphs(pdf: BinderDocument, block: Paragraphs) -> None:
    for text in block.texts:
        pdf.text_block(text)
        pdf.ln(1.5)


def photos(pdf: BinderDocument, block: Photos) -> None:
    photo_grid(pdf, block.photos)


def _image(key: str) -> io.BytesIO | None:
    try:
        return io.BytesIO(storage().open(key).read())
    except ObjectMissing:
        return None


def photo_grid(pdf: BinderDocument, items: list[Photo]) -> None:
    """Thumbnails PDF_PHOTOS_PER_ROW to a row, each fitted into its box, its caption under it; a photo
    still on its way from a phone is shown as an empty box saying so."""
    if not items:
        return
    per_row = PDF_PHOTOS_PER_ROW
    width = min(PDF_PHOTO_MM, (pdf.content_width - PHOTO_GAP * (per_row - 1)) / per_row)
    height = width * 0.75
    for start in range(0, len(items), per_row):
        pdf.need(height + CAPTION + 2)
        top = pdf.get_y()
        for column, item in enumerate(items[start:start + per_row]):
            x = pdf.l_margin + column * (width + PHOTO_GAP)
            _one_photo(pdf, item, x, top, width, height)
        pdf.set_xy(pdf.l_margin, top + height + CAPTION + 2)


def _one_photo(pdf: BinderDocument, item: Photo, x: float, top: float, width: float, height: float) -> None:
    image = _image(item.key)
    if image is None:
        pdf.set_draw_color(170)
        pdf.rect(x, top, width, height)
        pdf.set_xy(x, top + height / 2 - 3)
        pdf.set_font("noto", size=8)
        pdf.cell(width, 6, "照片尚未上传", align="C")
        pdf.set_draw_color(0)
    else:
        pdf.image(image, x=x, y=top, w=width, h=height, keep_aspect_ratio=True)
    pdf.set_xy(x, top + height + 0.5)
    pdf.set_font("noto", size=8.5)
    pdf.cell(width, CAPTION, item.caption, align="C")
