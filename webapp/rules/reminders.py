"""Web push reminders as data: kinds, delivery headers, offsets, quiet hours, backoff, digest.

Sources: issue 5 "Web push reminders: theme days, study, and what is overdue" (sections "What users
get" and "Delivery done properly"); DOMAIN.md "Members (党员管理)" ("Study ... monthly study topics;
reminders"), "Organizational life" (主题党日 monthly) and the last section ("Deadlines warn, they do not
block": reminders only inform, nothing is locked when a due date passes).
"""
from __future__ import annotations

from datetime import time, timedelta

# Kinds a member can switch on or off under 我的 (issue 5: "主题党日 reminders, study reminders,
# meeting reminders"), plus the secretaries' weekly digest and the test notification.
# ttl: seconds the push service keeps an undelivered message (PRACTICES.md: never ttl=0);
# urgency: RFC 8030 §5.3 (very-low | low | normal | high); topic_prefix: RFC 8030 §5.4 Topic,
# a later message with the same Topic replaces an undelivered earlier one (changes collapse).
KINDS = {
    "theme_day": {"label": "主题党日提醒", "ttl": 6 * 3600, "urgency": "normal", "topic_prefix": "act"},
    "meeting": {"label": "会议提醒", "ttl": 6 * 3600, "urgency": "normal", "topic_prefix": "act"},
    "study": {"label": "学习提醒", "ttl": 24 * 3600, "urgency": "low", "topic_prefix": "study"},
    "digest": {"label": "每周待办汇总（书记）", "ttl": 48 * 3600, "urgency": "very-low",
               "topic_prefix": "digest"},
    "test": {"label": "测试通知", "ttl": 600, "urgency": "high", "topic_prefix": "test"},
}
# Kinds shown as toggles under 我的 (test is a button, digest only reaches secretaries).
USER_KINDS = ("theme_day", "meeting", "study", "digest")
# An activity's type decides which kind of reminder it sends.
ACTIVITY_TYPES = {
    "theme_day": {"label": "主题党日", "kind": "theme_day"},
    "general_meeting": {"label": "支部党员大会", "kind": "meeting"},
    "committee_meeting": {"label": "支委会", "kind": "meeting"},
    "group_meeting": {"label": "党小组会", "kind": "meeting"},
    "lecture": {"label": "党课", "kind": "meeting"},
    "life_meeting": {"label": "组织生活会", "kind": "meeting"},
}
ACTIVITY_STATES = {"planned": "已安排", "cancelled": "已取消"}

# Issue 5: "members of the branch get a reminder the day before and two hours before".
# "Day before" = 20:00 China time on the previous day, still before the default quiet hours.
ACTIVITY_DAY_BEFORE_AT = time(20, 0)
ACTIVITY_HOURS_BEFORE = timedelta(hours=2)
# Issue 5: study items remind "before the due date" members not done: the day before, 09:00 China time.
STUDY_DAYS_BEFORE_DUE = 1
STUDY_REMIND_AT = time(9, 0)

# Issue 5: "quiet hours (default 22:00–07:00, China time)"; quiet hours defer, never drop.
QUIET_START_DEFAULT = time(22, 0)
QUIET_END_DEFAULT = time(7, 0)

# Issue 5: "Secretaries get a weekly digest": Monday (weekday 0) 09:00 China time.
DIGEST_WEEKDAY = 0
DIGEST_AT = time(9, 0)

# Issue 5: "429 and 5xx are retried with backoff honouring Retry-After". Delay before attempt n+1.
BACKOFF_SECONDS = (60, 300, 900, 3600, 4 * 3600)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
# A claimed row whose worker died is released after this long (seconds).
CLAIM_STALE_SECONDS = 600
# A reminder whose moment has passed by more than this is not sent late (the activity has begun).
LATE_LIMIT = timedelta(hours=2)
# VAPID "sub" claim (RFC 8292 §2.1): a contact for the push service operator.
VAPID_SUBJECT_DEFAULT = "mailto:admin@zhibu.example.cn"
# Worker poll interval (seconds) for `flask push work`.
WORKER_POLL_SECONDS = 30
