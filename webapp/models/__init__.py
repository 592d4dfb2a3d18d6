"""All models, imported here so Alembic and the app see every table."""
from .audit import AuditLog
from .membership import Membership
from .organization import Organization
from .record import (
    Attendance, CheckIn, MonthlyTheme, Photo, Record, RecordPhoto, RecordVersion, ReviewComment,
    StudyNote,
)
from .user import User

__all__ = [
    "Attendance", "AuditLog", "CheckIn", "Membership", "MonthlyTheme", "Organization", "Photo",
    "Record", "RecordPhoto", "RecordVersion", "ReviewComment", "StudyNote", "User",
]
