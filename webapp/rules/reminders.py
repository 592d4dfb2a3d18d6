"""Web push reminders as data: kinds, delivery headers, offsets, quiet hours, backoff, digest.

Sources: issue 5 "Web push reminders: theme days, study, and what is overdue" (sections "What users
get" and "Delivery done properly"); docs/domain.md "Members (党员管理)" ("Study ... monthly study topics;
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
    # Issue 21: a contact's half-yearly report due, an applicant's talk due within the month, a probation
    # ending next month (webapp/development/reminders.py; days ahead in webapp/rules/development.py).
    "development": {"label": "发展党员提醒", "ttl": 24 * 3600, "urgency": "low", "topic_prefix": "dev"},
    # Issue 22: the branch committee's term ends (6 and 3 months ahead, monthly once overdue; the
    # stages are in rules/branch_year.py). For the branch committee, like the digest.
    "term": {"label": "换届提醒（支委）", "ttl": 72 * 3600, "urgency": "low", "topic_prefix": "term"},
}
# Kinds shown as toggles under 我的 (test is a button, digest only reaches secretaries).
USER_KINDS = ("theme_day", "meeting", "study", "digest", "term")
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
# Issue 19 (a province of 20,000 branches): the reminders are computed every minute, and deciding a
# branch's digest evaluates its whole checklist. Each branch is decided once a week, at most this many
# a minute (about 15 s of the worker's minute at 30 ms a branch); the rest follow in the next minutes.
DIGEST_BRANCHES_PER_ROUND = 500

# Issue 5: "429 and 5xx are retried with backoff honouring Retry-After". Delay before attempt n+1,
# per delivery (one message to one device).
BACKOFF_SECONDS = (60, 300, 900, 3600, 4 * 3600)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
# Issue 17: a Retry-After is honoured for the whole push service (by host), by every worker, but never
# beyond this: a push service's answer of a date years ahead must not park reminders for years. A
# message's own expiry caps it further: what cannot go out before it expires is dropped.
RETRY_AFTER_CAP_SECONDS = 6 * 3600

# Issue 17: a delivery is leased by one worker from the moment of its claim. The lease covers one send
# (SEND_TIMEOUT_SECONDS for the push service to answer) with a wide margin; a worker that finds less
# than a send's time left on its lease gives the delivery back instead of sending. A delivery whose
# worker died goes out again once the lease has run out.
SEND_TIMEOUT_SECONDS = 10
LEASE_SECONDS = 120

# Issue 17: a reminder later than this after its moment has lost its point and is dropped, not sent
# (quiet hours and retries only move the send time). Reasons per kind:
# - theme_day, meeting: the two-hours-before reminder covers the day; a day-before reminder pushed past
#   the morning by quiet hours would only repeat it (and no event reminder is ever sent after the start).
# - study: the reminder names the due date, and is useful all of the day before it; never after it.
# - digest: next Monday's digest replaces it; two days late it describes a week half gone.
# - test: a person waiting for the test notification gives up after a few minutes.
LATE_LIMIT = {
    "theme_day": timedelta(hours=6),
    "meeting": timedelta(hours=6),
    "study": timedelta(hours=24),
    "digest": timedelta(hours=48),
    "test": timedelta(minutes=10),
    # development: names a due date weeks ahead; recomputed daily, a day late it is still true.
    "development": timedelta(hours=24),
    # term: the next stage (or next month's overdue reminder) replaces it; a week late it still holds.
    "term": timedelta(days=7),
}
# Issue 5 "members get a reminder ... two hours before": an activity planned less than this ahead gets
# one reminder at once instead (issue 17 "short notice").
SHORT_NOTICE_LEAD = ACTIVITY_HOURS_BEFORE
# Relative words ("30 分钟后", "2 小时后") are used up to this long before an event; beyond, the clock
# time ("今天 10:00", "明天 09:00").
RELATIVE_WORDS_WITHIN = timedelta(hours=3)
# Worker poll interval (seconds) for `flask push work`.
WORKER_POLL_SECONDS = 30

# Issue 13: push endpoints are accepted only on the hosts of real push services (RFC 8030 push services
# of the browsers: Chrome/Edge via FCM, Firefox via Mozilla autopush, Windows WNS, Safari/Apple), and
# never when the name resolves to a private, loopback or link-local address. "*." matches subdomains.
# Configurable with ZHIBU_PUSH_SERVICE_HOSTS (comma-separated) in webapp/config.py.
PUSH_SERVICE_HOSTS_DEFAULT = (
    "fcm.googleapis.com",
    "*.push.services.mozilla.com",
    "*.notify.windows.com",
    "*.push.apple.com",
    "web.push.apple.com",
)
