"""What can go wrong when saving or reviewing a record. Messages are Chinese, for people."""
from __future__ import annotations


class RecordError(Exception):
    code = "record_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def field_errors(self, field: str) -> dict[str, str]:
        """The messages by form field; an error about the whole form is shown at ``field``."""
        return {field: self.message}


class RecordInvalid(RecordError):
    """The data does not pass the rules; ``errors`` maps field names to Chinese messages."""

    code = "invalid"

    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(errors.values()))
        self.errors = errors

    def field_errors(self, field: str) -> dict[str, str]:
        return self.errors


class VersionConflict(RecordError):
    """An edit was made on a version that is no longer the newest (compare-and-swap failed)."""

    code = "conflict"

    def __init__(self, current_version: int, base_version: int | None):
        super().__init__(f"记录已被他人修改（当前第 {current_version} 版，您基于第 {base_version} 版）")
        self.current_version = current_version
        self.base_version = base_version


class RecordLocked(RecordError):
    code = "locked"


class ReviewRefused(RecordError):
    code = "review_refused"


class NotAllowed(RecordError):
    code = "forbidden"
