"""The yearly ledger workbook (.xlsx): one sheet per archive category, writers from each capability;
every sheet set up to print (sheets/print_setup.py)."""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable

from openpyxl import Workbook

from ..models import Organization
from ..rules.ledgers import WORKBOOK_SHEETS
from .sheets.print_setup import prepare


def installed_sheets(sheets=WORKBOOK_SHEETS) -> list[tuple[Callable, str, str]]:
    """The sheet writers whose modules exist, in binding order."""
    found = []
    for module_name, title, category in sheets:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name and module_name.startswith(error.name):
                continue  # that capability is not part of this installation
            raise
        found.append((module.write, title, category))
    return found


def build(org: Organization, year: int, path: Path, progress: Callable[[int, str], None] | None = None,
          sheets=WORKBOOK_SHEETS) -> Path:
    writers = installed_sheets(sheets)
    listed = [(None, title, category) for _, title, category in writers]
    book = Workbook()
    book.remove(book.active)
    for index, (write, title, _category) in enumerate(writers):
        if progress:
            progress(int(100 * index / len(writers)), f"正在生成：{title}")
        ws = book.create_sheet(title)
        if title == "目录":
            write(ws, org, year, sheets=listed)
        else:
            write(ws, org, year)
        prepare(ws)
    book.properties.title = f"{org.name} {year} 年度台账"
    book.properties.creator = "支部通"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    if progress:
        progress(100, "完成")
    return path
