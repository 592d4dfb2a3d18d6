"""What only records can refuse: an edit on a stale version, a locked record, a refused review."""
from __future__ import annotations

from ..domain_errors import DomainError


class VersionConflict(DomainError):
    """An edit was made on a version that is no longer the newest (compare-and-swap failed)."""

    code = "conflict"

    def __init__(self, current_version: int, base_version: int | None):
        super().__init__(f"记录已被他人修改（当前第 {current_version} 版，您基于第 {base_version} 版）")
        self.current_version = current_version
        self.base_version = base_version


class RecordLocked(DomainError):
    code = "locked"


class ReviewRefused(DomainError):
    code = "review_refused"
