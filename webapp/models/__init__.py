"""All models, imported here so Alembic and the app see every table."""
from .audit import AuditLog
from .dues import DuesPayment, DuesProfile
from .ledger_export import ExportJob
from .membership import Membership
from .offline import Device, ProcessedMutation, QuarantinedMutation
from .organization import Organization
from .push import (
    NotificationPreference, PlannedActivity, PushMessage, PushSubscription, StudyTask, StudyTaskDone,
)
from .record import (
    Attendance, CheckIn, MonthlyTheme, Photo, Record, RecordPhoto, RecordVersion, ReviewComment,
    StudyNote,
)
from .points import (
    PointsApplication, PointsExemption, PointsGradeOverride, PointsLine, PointsYear, YearResult,
)
from .standards import Problem, StandardMonthCount, StandardTick
from .user import User

__all__ = [
    "Attendance", "AuditLog", "CheckIn", "Device", "DuesPayment", "DuesProfile", "ExportJob", "Membership",
    "MonthlyTheme", "Organization", "Photo", "ProcessedMutation", "QuarantinedMutation",
    "PointsApplication", "PointsExemption", "PointsGradeOverride", "PointsLine", "PointsYear", "YearResult",
    "NotificationPreference", "PlannedActivity", "PushMessage", "PushSubscription", "StudyTask",
    "StudyTaskDone", "Problem", "StandardMonthCount", "StandardTick",
    "Record", "RecordPhoto", "RecordVersion", "ReviewComment", "StudyNote", "User",
]
