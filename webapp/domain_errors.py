"""The one family of domain errors: what a service refuses, with a Chinese message for people.

Every capability raises these (or subclasses of ``DomainError``); views turn them into a flashed
message or a form error, the sync API into a structured rejection with ``code``.
"""
from __future__ import annotations


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def field_errors(self, field: str) -> dict[str, str]:
        """The messages by form field; an error about the whole form is shown at ``field``."""
        return {field: self.message}


class Invalid(DomainError):
    """The data does not pass the rules; ``errors`` maps field names to Chinese messages."""

    code = "invalid"

    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(errors.values()))
        self.errors = errors

    def field_errors(self, field: str) -> dict[str, str]:
        return self.errors


class NotAllowed(DomainError):
    code = "forbidden"
