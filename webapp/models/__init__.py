"""All models, imported here so Alembic and the app see every table."""
from .appraisal import (
    Appraisal, AppraisalBallot, AppraisalBallotReceipt, AppraisalVoteCount, SelfAssessment,
)
from .account import AccountNotice, MembershipInvitation, UserSession
from .audit import AuditLog
from .development import DevelopmentFile, DevelopmentNote, DevelopmentStep
from .dues import DuesPayment, DuesProfile
from .election import Election, ElectionCandidate, TermExtension
from .ledger_export import ExportJob
from .life_meeting import LifeMeetingCriticism, LifeMeetingMaterial, LifeMeetingOpinion, LifeMeetingPrep
from .membership import Membership
from .mobility import (
    ActivistObservation, FieldWorker, FlowingMember, HandoverReport, MembershipTransfer, TemporaryCharter,
)
from .offline import Device, ProcessedMutation, QuarantinedMutation
from .organization import Organization
from .plans import PlannedActivity, StudyTask, StudyTaskDone
from .push import (
    NotificationPreference, PushDelivery, PushDigestWeek, PushMessage, PushServiceBackoff, PushSubscription,
)
from .record import (
    Attendance, CheckIn, MonthlyTheme, Photo, PhotoUpload, Record, RecordPhoto, RecordVersion, ReviewComment,
    StudyNote,
)
from .points import (
    PointsApplication, PointsExemption, PointsGradeOverride, PointsLine, PointsYear, YearResult,
)
from .report import BranchReport, MemberReport
from .roles import Commitment, RolePost, RolePostNote, VolunteerHours
from .rule_override import RuleOverride, StructuralException
from .standards import Problem, StandardMonthCount, StandardRollup, StandardRollupYear, StandardTick
from .user import User
from .welfare import FundReceipt, FundSpending, HardshipCase, HardshipVisit

__all__ = [
    "AccountNotice", "MembershipInvitation", "UserSession",
    "Attendance", "AuditLog", "CheckIn", "DevelopmentFile", "DevelopmentNote", "DevelopmentStep", "Device", "DuesPayment", "DuesProfile", "ExportJob", "Membership",
    "MonthlyTheme", "Organization", "Photo", "PhotoUpload", "ProcessedMutation", "QuarantinedMutation",
    "PointsApplication", "PointsExemption", "PointsGradeOverride", "PointsLine", "PointsYear", "YearResult",
    "NotificationPreference", "PlannedActivity", "PushDelivery", "PushDigestWeek", "PushMessage", "PushServiceBackoff",
    "PushSubscription", "StudyTask",
    "StudyTaskDone", "Problem", "StandardMonthCount", "StandardRollup", "StandardRollupYear", "StandardTick",
    "Record", "RecordPhoto", "RecordVersion", "ReviewComment", "StudyNote", "User",
    "RuleOverride", "StructuralException",
    "ActivistObservation", "FieldWorker", "FlowingMember", "HandoverReport", "MembershipTransfer",
    "TemporaryCharter",
    "Appraisal", "AppraisalBallot", "AppraisalBallotReceipt", "AppraisalVoteCount", "SelfAssessment",
    "Election", "ElectionCandidate", "TermExtension", "Commitment", "BranchReport", "MemberReport",
    "RolePost", "RolePostNote", "VolunteerHours", "FundReceipt", "FundSpending", "HardshipCase", "HardshipVisit",
    "LifeMeetingCriticism", "LifeMeetingMaterial", "LifeMeetingOpinion", "LifeMeetingPrep",
]
