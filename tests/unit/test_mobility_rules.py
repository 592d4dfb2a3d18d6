"""Rules of members on the move, at their boundaries (webapp/rules/mobility.py, docs/domain.md)."""
from datetime import date, timedelta

import pytest

from webapp.mobility import alerts
from webapp.mobility.temporary_branches import may
from webapp.models import MembershipTransfer, Organization
from webapp.orgs.structural import temporary_conditions
from webapp.rules import mobility
from webapp.rules.adjustable import ADJUSTABLE_RULES

START = date(2026, 3, 1)


@pytest.mark.parametrize("since,today,months", [
    (date(2026, 3, 15), date(2026, 6, 14), 2),
    (date(2026, 3, 15), date(2026, 6, 15), 3),
    (date(2026, 1, 31), date(2026, 4, 29), 2),
    (date(2026, 1, 31), date(2026, 4, 30), 3),   # the last day of a shorter month completes it
    (date(2025, 12, 20), date(2026, 6, 19), 5),
    (date(2025, 12, 20), date(2026, 6, 20), 6),
    (date(2026, 3, 15), date(2026, 3, 15), 0),
    (date(2026, 3, 15), date(2026, 1, 1), 0),
])
def test_whole_months(since, today, months):
    assert alerts.whole_months(since, today) == months


@pytest.mark.parametrize("months,level", [(0, None), (2, None), (3, "warning"), (5, "warning"), (6, "alert"),
                                          (20, "alert")])
def test_alert_level_at_three_and_six_months(months, level):
    assert alerts.alert_level(months, mobility.FLOWING_WARNING_MONTHS, mobility.FLOWING_ALERT_MONTHS) == level


def test_last_heard_is_the_latest_known_day():
    assert alerts.last_heard(None, None) is None
    assert alerts.last_heard(date(2026, 5, 1), None, date(2026, 4, 1)) == date(2026, 5, 1)


def _keys(warnings):
    return [w.message for w in warnings]


@pytest.mark.parametrize("days,warned", [(15, True), (16, False)])
def test_field_work_must_last_more_than_fifteen_days(days, warned):
    warnings = temporary_conditions(START, START + timedelta(days=days - 1), 20, 6)
    assert bool(warnings) is warned


@pytest.mark.parametrize("people,warned", [(19, True), (20, False)])
def test_at_least_twenty_people(people, warned):
    assert bool(temporary_conditions(START, START + timedelta(days=30), people, 6)) is warned


@pytest.mark.parametrize("members,warned", [(5, True), (6, False)])
def test_more_than_five_members(members, warned):
    assert bool(temporary_conditions(START, START + timedelta(days=30), 20, members)) is warned


def test_adjusted_thresholds_move_the_boundaries():
    adjusted = {"min_days_exclusive": 30, "min_people": 10, "min_members_exclusive": 3}
    assert _keys(temporary_conditions(START, START + timedelta(days=29), 10, 4, adjusted)) == [
        "工期 30 天，未超过 30 天"]
    assert temporary_conditions(START, START + timedelta(days=30), 10, 4, adjusted) == []


def test_conditions_are_adjustable_rules_with_their_sources():
    for key, default in (("mobility.temporary.min_days_exclusive", 15), ("mobility.temporary.min_people", 20),
                         ("mobility.temporary.min_members_exclusive", 5), ("mobility.flowing.warning_months", 3),
                         ("mobility.flowing.alert_months", 6), ("mobility.letter.validity_days", 90)):
        rule = ADJUSTABLE_RULES[key]
        assert rule["default"] == default and rule["group"] == "mobility" and "docs/domain.md" in rule["source"]


def test_a_letter_expires_the_day_after_its_validity():
    letter = MembershipTransfer(kind="outgoing", state="in_transit", valid_until=date(2026, 6, 30))
    assert not letter.is_expired(date(2026, 6, 30))
    assert letter.is_expired(date(2026, 7, 1))
    assert letter.state_label_on(date(2026, 7, 1)) == "已过期"
    letter.state = "receipted"
    assert not letter.is_expired(date(2026, 7, 1))


def test_a_temporary_branch_may_only_what_the_rule_lists():
    field = Organization(kind="branch", is_temporary=True)
    home = Organization(kind="branch", is_temporary=False)
    for action in mobility.TEMPORARY_BRANCH_MAY:
        assert may(field, action)
    for action in mobility.TEMPORARY_BRANCH_MAY_NOT:
        assert not may(field, action) and may(home, action)
    assert not may(field, "something_unlisted")
