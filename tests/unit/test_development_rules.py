"""发展党员 time rules at their boundaries (one day before, on, after), the two majorities counted against
those who should attend, and the probation extension."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from webapp.development import timing, votes
from webapp.domain_errors import Invalid
from webapp.rules.adjustable import ADJUSTABLE_RULES
from webapp.rules.development import ADJUSTABLE, ORDER, RECORDED_STEPS, STAGES, STEPS

D = timedelta(days=1)


def levels(found, step):
    return [f.level for f in found if f.step == step]


def test_the_table_has_25_steps_in_5_stages_each_with_a_source_and_a_known_predecessor():
    assert len(STEPS) == 25
    assert {s["stage"] for s in STEPS} == set(STAGES) == {1, 2, 3, 4, 5}
    for step in STEPS:
        assert step["source"].startswith("细则")
        if "after" in step:
            assert ORDER[step["after"]] < ORDER[step["key"]]
    assert "activist_observed" not in RECORDED_STEPS and len(RECORDED_STEPS) == 23


def test_every_adjustable_number_is_on_the_rules_page_with_its_source():
    for key, spec in ADJUSTABLE.items():
        assert ADJUSTABLE_RULES[key]["group"] == "development"
        assert ADJUSTABLE_RULES[key]["default"] == spec["default"]
        assert "细则" in ADJUSTABLE_RULES[key]["source"]
    used = {s.get(k) for s in STEPS for k in ("deadline", "interval", "every")} - {None}
    assert used <= set(ADJUSTABLE)


APPLIED = date(2027, 1, 15)  # talk due 2027-02-15


@pytest.mark.parametrize("talk,late", [(date(2027, 2, 14), False), (date(2027, 2, 15), False),
                                       (date(2027, 2, 16), True)])
def test_talk_within_one_month_of_the_application(talk, late):
    found = timing.findings({"application": APPLIED, "application_talk": talk}, today=date(2027, 3, 1))
    assert levels(found, "application_talk") == (["late"] if late else [])


@pytest.mark.parametrize("today,level", [(date(2027, 2, 14), "due"), (date(2027, 2, 15), "due"),
                                         (date(2027, 2, 16), "late")])
def test_talk_not_yet_held_is_due_then_late(today, level):
    found = timing.findings({"application": APPLIED}, today=today)
    assert levels(found, "application_talk") == [level]
    assert [f.due for f in found if f.step == "application_talk"] == [date(2027, 2, 15)]


def test_month_end_clamps():
    found = timing.findings({"application": date(2027, 1, 31)}, today=date(2027, 2, 1))
    assert [f.due for f in found if f.step == "application_talk"] == [date(2027, 2, 28)]


ACTIVIST = date(2027, 3, 10)  # at least a year: a 发展对象 from 2028-03-10


@pytest.mark.parametrize("decided,early", [(date(2028, 3, 9), True), (date(2028, 3, 10), False),
                                           (date(2028, 3, 11), False)])
def test_candidate_after_at_least_one_year_as_activist(decided, early):
    found = timing.findings({"activist_decided": ACTIVIST, "candidate_decided": decided}, today=date(2028, 4, 1))
    assert levels(found, "candidate_decided") == (["early"] if early else [])
    if early:
        assert "细则第十三条" in [f for f in found if f.step == "candidate_decided"][0].source


@pytest.mark.parametrize("today,level", [(date(2027, 9, 9), "due"), (date(2027, 9, 10), "due"),
                                         (date(2027, 9, 11), "late")])
def test_observation_every_half_year(today, level):
    found = timing.findings({"activist_decided": ACTIVIST}, today=today)
    assert levels(found, "activist_observed") == [level]


@pytest.mark.parametrize("today,level", [(date(2027, 12, 1), "due"), (date(2027, 12, 2), "late")])
def test_observation_counts_from_the_last_report(today, level):
    found = timing.findings({"activist_decided": ACTIVIST}, today=today, observed=[date(2027, 6, 1)])
    assert levels(found, "activist_observed") == [level]


def test_observations_stop_at_the_acceptance_vote_and_restart_for_the_probation():
    done = {"activist_decided": ACTIVIST, "acceptance_vote": date(2029, 1, 10)}
    found = timing.findings(done, today=date(2029, 7, 11))
    assert levels(found, "activist_observed") == []
    assert levels(found, "probation_observed") == ["late"]


VOTE = date(2029, 1, 10)  # approval due 2029-04-10; probation ends 2030-01-10


@pytest.mark.parametrize("approved,late", [(date(2029, 4, 9), False), (date(2029, 4, 10), False),
                                           (date(2029, 4, 11), True)])
def test_higher_committee_approves_within_three_months_of_the_vote(approved, late):
    found = timing.findings({"acceptance_vote": VOTE, "committee_talk": VOTE, "acceptance_approved": approved},
                            today=date(2029, 5, 1))
    assert levels(found, "acceptance_approved") == (["late"] if late else [])


@pytest.mark.parametrize("approved,late", [(date(2030, 4, 14), False), (date(2030, 4, 15), False),
                                           (date(2030, 4, 16), True)])
def test_full_approval_within_three_months_of_the_full_vote(approved, late):
    found = timing.findings({"full_vote": date(2030, 1, 15), "full_approved": approved}, today=date(2030, 5, 1))
    assert levels(found, "full_approved") == (["late"] if late else [])


@pytest.mark.parametrize("today,level", [(date(2030, 1, 9), "due"), (date(2030, 1, 10), "due"),
                                         (date(2030, 1, 11), "late")])
def test_probation_of_one_year_from_the_acceptance_vote(today, level):
    found = timing.findings({"acceptance_vote": VOTE}, today=today)
    assert levels(found, "full_vote") == [level]


@pytest.mark.parametrize("held,early", [(date(2030, 1, 9), True), (date(2030, 1, 10), False),
                                        (date(2030, 1, 11), False)])
def test_full_vote_before_the_probation_ends_warns(held, early):
    found = timing.findings({"acceptance_vote": VOTE, "full_vote": held}, today=date(2030, 2, 1))
    assert levels(found, "full_vote") == (["early"] if early else [])


@pytest.mark.parametrize("months,end", [(6, date(2030, 7, 10)), (12, date(2031, 1, 10))])
def test_extension_moves_the_end_of_the_probation(months, end):
    assert timing.probation_end({"acceptance_vote": VOTE}, months) == end
    assert levels(timing.findings({"acceptance_vote": VOTE}, today=end, extension_months=months), "full_vote") == ["due"]
    assert levels(timing.findings({"acceptance_vote": VOTE}, today=end + D, extension_months=months),
                  "full_vote") == ["late"]
    # Without the extension the same day is long past the end.
    assert levels(timing.findings({"acceptance_vote": VOTE}, today=end), "full_vote") == ["late"]


@pytest.mark.parametrize("days,hours,short", [(3, 0, False), (0, 24, False), (2, 23, True), (2, 24, False)])
def test_training_at_least_three_days_or_24_hours(days, hours, short):
    found = timing.findings({"training": date(2028, 5, 1)}, today=date(2028, 5, 2),
                            training={"days": days, "hours": hours})
    assert levels(found, "training") == (["short"] if short else [])


def test_an_adjusted_deadline_applies_from_its_effective_date():
    def rule(key, on):
        if key == "development.application_talk.within_months" and on >= date(2027, 2, 1):
            return 2
        return timing.default_rule(key, on)

    before = timing.findings({"application": date(2027, 1, 31)}, rule, today=date(2027, 3, 1))
    after = timing.findings({"application": date(2027, 2, 1)}, rule, today=date(2027, 3, 1))
    assert [f.due for f in before if f.step == "application_talk"] == [date(2027, 2, 28)]
    assert [f.due for f in after if f.step == "application_talk"] == [date(2027, 4, 1)]
    assert "2 个月" in [f.source for f in after if f.step == "application_talk"][0]


def _vote(expected, present, yes, no, abstain):
    return votes.parse({"expected": str(expected), "present": str(present), "in_favour": str(yes),
                        "against": str(no), "abstaining": str(abstain)})


def test_majority_of_those_present_is_not_enough():
    vote = _vote(10, 6, 5, 1, 0)  # 5 of 6 present is a majority of those present, not of the 10
    assert vote.quorum and not vote.majority and not vote.passed
    assert any("5 人 ≤ 5" in line for line in vote.arithmetic())


@pytest.mark.parametrize("expected,present,yes,quorum,majority", [
    (10, 5, 5, False, False),   # half present is not more than half
    (10, 6, 6, True, True),
    (9, 5, 5, True, True),      # 5 > 4.5
    (9, 4, 4, False, False),
    (9, 9, 4, True, False),
])
def test_both_majorities_against_those_who_should_attend(expected, present, yes, quorum, majority):
    vote = _vote(expected, present, yes, present - yes, 0)
    assert (vote.quorum, vote.majority, vote.passed) == (quorum, majority, quorum and majority)
    assert vote.arithmetic()[-1] == ("结论：通过" if quorum and majority else "结论：未通过")


@pytest.mark.parametrize("counts,field", [
    ((10, 11, 11, 0, 0), "present"),
    ((10, 8, 5, 1, 1), "in_favour"),     # 7 votes from 8 present
    ((10, 8, 5, 2, 2), "in_favour"),
    ((0, 0, 0, 0, 0), "expected"),
    (("十", 8, 5, 2, 1), "expected"),
    ((10, -1, 0, 0, 0), "present"),
    ((10, "²", 0, 0, 0), "present"),
])
def test_counts_that_do_not_add_up_are_refused_in_chinese_naming_the_rule(counts, field):
    with pytest.raises(Invalid) as error:
        _vote(*counts)
    assert field in error.value.errors
    if field == "in_favour":
        assert "细则第二十二条" in error.value.errors[field]
