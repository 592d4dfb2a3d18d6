"""The binder export (台账合订本, PDF): the entry the export job calls. Builds the branch-year's Binder
from the six archives (webapp/ledgers/archives/) and draws it (webapp/ledgers/binder_pdf/).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..models import Organization
from . import archives


def build(org: Organization, year: int, path: Path, progress: Callable[[int, str], None] | None = None,
          viewer: Organization | None = None) -> Path:
    """``viewer``: a home branch binding its members' part of a closed temporary branch."""
    from .binder_pdf import render  # fpdf2 and its fonts: loaded by the process that builds an export

    if progress:
        progress(2, "正在整理档案")
    render(archives.binder(org, year, viewer=viewer), path, progress, start=10)
    if progress:
        progress(100, "完成")
    return path
