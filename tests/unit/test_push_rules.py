"""Quiet hours, Retry-After and the reminder rules, without a database."""
from datetime import datetime, time, timedelta, timezone

from webapp.china_time import CHINA_TZ
from webapp.push.scheduler import defer_for_quiet, in_quiet_hours
from webapp.push.sender import Outcome, headers_for
from webapp.rules import reminders as R


def china(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=CHINA_TZ).astimezone(timezone.utc)


def test_overnight_quiet_hours_defer_to_the_next_morning():
    start, end = time(22), time(7)
    assert defer_for_quiet(china(2026, 12, 1, 21, 59), start, end) == china(2026, 12, 1, 21, 59)
    assert defer_for_quiet(china(2026, 12, 1, 22), start, end) == china(2026, 12, 2, 7)
    assert defer_for_quiet(china(2026, 12, 1, 23, 30), start, end) == china(2026, 12, 2, 7)
    assert defer_for_quiet(china(2026, 12, 2, 3), start, end) == china(2026, 12, 2, 7)
    assert defer_for_quiet(china(2026, 12, 2, 7), start, end) == china(2026, 12, 2, 7)


def test_daytime_quiet_hours_and_none():
    assert in_quiet_hours(china(2026, 12, 1, 13), time(12), time(14))
    assert not in_quiet_hours(china(2026, 12, 1, 14), time(12), time(14))
    assert defer_for_quiet(china(2026, 12, 1, 13), time(12), time(14)) == china(2026, 12, 1, 14)
    assert defer_for_quiet(china(2026, 12, 1, 23), None, None) == china(2026, 12, 1, 23)


def test_defaults_follow_the_issue():
    assert (R.QUIET_START_DEFAULT, R.QUIET_END_DEFAULT) == (time(22), time(7))
    assert R.ACTIVITY_HOURS_BEFORE == timedelta(hours=2)
    assert all(spec["ttl"] > 0 for spec in R.KINDS.values())  # never ttl=0 (PRACTICES.md)
    assert {spec["urgency"] for spec in R.KINDS.values()} <= {"very-low", "low", "normal", "high"}
    assert headers_for("study", "study-3") == {"Urgency": "low", "Topic": "study-3"}


def test_outcome_classes():
    assert Outcome(201).ok and Outcome(410).gone and Outcome(404).gone
    assert Outcome(429).retryable and Outcome(503).retryable and Outcome(None).retryable
    assert not Outcome(400).retryable and not Outcome(400).gone and not Outcome(400).ok
