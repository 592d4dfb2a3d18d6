"""Shared column helpers for models."""
import uuid
from datetime import datetime, timezone

from sqlalchemy import DateTime, String, TypeDecorator


def utcnow() -> datetime:
    """The server's clock, timezone-aware UTC. Phones' clocks are never trusted for this."""
    return datetime.now(timezone.utc)


def new_uuid() -> str:
    return str(uuid.uuid4())


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always returned timezone-aware, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware value")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


UUID_LENGTH = 36
UUIDString = String(UUID_LENGTH)
