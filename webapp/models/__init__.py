"""All models, imported here so Alembic and the app see every table."""
from .account import AccountNotice, MembershipInvitation, UserSession
from .audit import AuditLog
from .development import DevelopmentFile, DevelopmentNote, DevelopmentStep
from .dues import DuesPayment, DuesProfile
from .ledger_export import ExportJob
from .membership import Membership
from .mobility import (
    ActivistObservation, FieldWorker, FlowingMember, HandoverReport, MembershipTransfer, TemporaryCharter,
)
from .offline import Device, ProcessedMutation, QuarantinedMutation
from .organization import Organization
from .plans import PlannedActivity, StudyTask, StudyTaskDone
from .push import NotificationPreference, PushDelivery, PushMessage, PushServiceBackoff, PushSubscription
from .record import (
    Attendance, CheckIn, MonthlyTheme, Photo, PhotoUpload, Record, RecordPhoto, RecordVersion, ReviewComment,
    StudyNote,
)
from .points import (
    PointsApplication, PointsExemption, PointsGradeOverride, PointsLine, PointsYear, YearResult,
)
from .rule_override import RuleOverride, StructuralException
from .standards import Problem, StandardMonthCount, StandardTick
from .user import User

__all__ = [
    "AccountNotice", "MembershipInvitation", "UserSession",
    "Attendance", "AuditLog", "CheckIn", "DevelopmentFile", "DevelopmentNote", "DevelopmentStep", "Device", "DuesPayment", "DuesProfile", "ExportJob", "Membership",
    "MonthlyTheme", "Organization", "Photo", "PhotoUpload", "ProcessedMutation", "QuarantinedMutation",
    "PointsApplication", "PointsExemption", "PointsGradeOverride", "PointsLine", "PointsYear", "YearResult",
    "NotificationPreference", "PlannedActivity", "PushDelivery", "PushMessage", "PushServiceBackoff",
    "PushSubscription", "StudyTask",
    "StudyTaskDone", "Problem", "StandardMonthCount", "StandardTick",
    "Record", "RecordPhoto", "RecordVersion", "ReviewComment", "StudyNote", "User",
    "RuleOverride", "StructuralException",
    "ActivistObservation", "FieldWorker", "FlowingMember", "HandoverReport", "MembershipTransfer",
    "TemporaryCharter",
]
