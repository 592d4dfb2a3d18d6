"""The binder's page: A4 with a binding margin (装订线) on the left, a running header (binder title, the
archive being printed) and a footer (第 n 页); Noto Sans CJK embedded (fpdf2 keeps only the glyphs used).
Also the small drawing helpers every part of the binder shares."""
from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from ...rules.ledgers import PDF_MARGINS_MM

FONT_DIRS = ["/usr/share/fonts/opentype/noto", "/usr/share/fonts/noto-cjk"]
FONT_FILES = {"": "NotoSansCJK-Regular.ttc", "B": "NotoSansCJK-Bold.ttc"}
SC_FACE = 2  # index of the Simplified Chinese face inside a Noto Sans CJK collection
GREY = 110
RULE = 160


class FontMissing(RuntimeError):
    pass


def font_path(style: str = "") -> str:
    for folder in FONT_DIRS:
        candidate = Path(folder) / FONT_FILES[style]
        if candidate.exists():
            return str(candidate)
    raise FontMissing("未找到中文字体 Noto Sans CJK（请安装 fonts-noto-cjk，`make` 会自动安装）")


class BinderDocument(FPDF):
    """Pages of the binder. ``archive_title`` names the archive in the running header; the cover
    (page 1) has neither header nor footer."""

    def __init__(self, title: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.book_title = title
        self.archive_title = ""
        self._running_title = ""
        for style in FONT_FILES:
            self.add_font("noto", style=style, fname=font_path(style), collection_font_number=SC_FACE)
        left, top, right, bottom = PDF_MARGINS_MM
        self.set_margins(left, top, right)
        self.set_auto_page_break(auto=True, margin=bottom)
        self.set_title(title)
        self.set_creator("支部通")

    @property
    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def header(self):
        if self.page_no() == 1:
            return
        self.set_font("noto", size=8)
        self.set_text_color(GREY)
        top = self.t_margin - 9
        self.set_xy(self.l_margin, top)
        if not self._running_title:  # cut to fit once, not on every page
            self._running_title = fit(self, self.book_title, self.content_width * 0.62)
        self.cell(self.content_width * 0.62, 5, self._running_title)
        self.set_xy(self.l_margin + self.content_width * 0.62, top)
        self.cell(self.content_width * 0.38, 5, self.archive_title, align="R")
        self.set_draw_color(RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, top + 6, self.w - self.r_margin, top + 6)
        self._binding_line()
        self.canonical()
        self.set_xy(self.l_margin, self.t_margin)

    def _binding_line(self) -> None:
        """A dashed 装订线 in the binding margin, where the holes go."""
        x = self.l_margin * 0.45
        self.set_draw_color(200)
        self.set_dash_pattern(dash=1.2, gap=1.2)
        self.line(x, 20, x, self.h - 20)
        self.set_dash_pattern()
        self.set_font("noto", size=7)
        self.set_text_color(170)
        for index, char in enumerate("装订线"):
            self.set_xy(x - 2.5, self.h / 2 - 12 + index * 10)
            self.set_fill_color(255)
            self.cell(5, 4, char, align="C", fill=True)

    def footer(self):
        if self.page_no() == 1:
            return
        self.set_y(-12)
        self.set_font("noto", size=9)
        self.set_text_color(GREY)
        self.cell(0, 6, f"第 {self.page_no()} 页", align="C")
        self.canonical()

    def canonical(self) -> None:
        """Black text and lines, white fill, thin rules: the state every page's drawing ends in, so a
        catalogue filled in later starts each page from a state both the file and fpdf2 agree on."""
        self.set_text_color(0)
        self.set_draw_color(0)
        self.set_fill_color(255)
        self.set_line_width(0.2)

    def room_left(self) -> float:
        return self.h - self.b_margin - self.get_y()

    def need(self, height: float) -> None:
        """Start a new page unless ``height`` mm still fit on this one."""
        if self.room_left() < height:
            self.add_page()

    def heading(self, text: str, size: float = 14, align: str = "L") -> None:
        self.set_font("noto", style="B", size=size)
        self.multi_cell(0, size * 0.55, text, align=align, wrapmode="CHAR",
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("noto", size=10.5)
        self.ln(2)

    def text_block(self, text: str, size: float = 10.5, height: float = 6.2, border=0) -> None:
        self.set_font("noto", size=size)
        self.multi_cell(0, height, text, border=border, wrapmode="CHAR", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut with an ellipsis so it fits ``width`` mm in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


class FiledDocument(FPDF):
    """A single document filed in an archive (a handover report, a development file): A4 with the same
    binding margin and fonts as the binder, its title and page number at the foot of every page."""

    def __init__(self, title: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.book_title = title
        for style in FONT_FILES:
            self.add_font("noto", style=style, fname=font_path(style), collection_font_number=SC_FACE)
        left, top, right, bottom = PDF_MARGINS_MM
        self.set_margins(left, top - 6, right)
        self.set_auto_page_break(auto=True, margin=bottom)

    def footer(self):
        self.set_y(-12)
        self.set_font("noto", size=8)
        self.cell(0, 6, f"{self.book_title} · 第 {self.page_no()} 页", align="C")
