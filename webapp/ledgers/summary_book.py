"""The committee's summary export (台账汇总, PDF): the branches below a committee counted per archive
(webapp/ledgers/archives/ ``summary``), drawn by the binder renderer (webapp/ledgers/binder_pdf/)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..models import Organization
from . import archives


def build(committee: Organization, year: int, path: Path,
          progress: Callable[[int, str], None] | None = None) -> Path:
    from .binder_pdf import render  # fpdf2 and its fonts: loaded by the process that builds an export

    if progress:
        progress(2, "正在汇总各党支部档案")
    render(archives.summary(committee, year), path, progress, start=40)
    if progress:
        progress(100, "完成")
    return path
