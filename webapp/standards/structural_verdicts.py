"""Is a structural standard met by a branch on a day? One function for the checklist and the dashboard.

A structural rule the higher committee accepted an exception to, with a reason (``StructuralException``),
is "waived": still shown with what is wrong and why it was accepted, never silently met.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..models import Organization, StructuralException
from ..orgs import structural
from ..rules.life import COMMITTEE_MIN_SEATS
from ..rules.organization import COMMITTEE_REQUIRED_ABOVE_MEMBERS
from .judge import Verdict
from .rule_book import RuleBook


@dataclass
class StructureFacts:
    members: int
    full_members: int
    committee_seats: int
    groups: list[tuple[int, str, int, int]]  # (id, name, party members, full members)

    @property
    def has_committee(self) -> bool:
        return self.committee_seats >= COMMITTEE_MIN_SEATS


def _warned(key: str, warnings: list[structural.Warning], exceptions: list[StructuralException]) -> Verdict:
    text = "；".join(w.message for w in warnings)
    accepted = [e for e in exceptions if key in e.keys]
    if accepted:
        latest = accepted[-1]
        who = latest.created_by.name if latest.created_by else ""
        return Verdict("waived", note=f"{text}。例外原因：{latest.reason}（{who} {latest.created_at:%Y-%m-%d}）")
    return Verdict("missed", note=text)


def structural_verdict(spec: dict, org: Organization, facts: StructureFacts, day: date, book: RuleBook,
                       exceptions: list[StructuralException]) -> Verdict:
    question = QUESTIONS.get(spec["fact"])
    if question is None:
        raise ValueError(f"unknown structural fact {spec['fact']}")
    return question(_Asked(spec["key"], org, facts, day, book, exceptions))


@dataclass(frozen=True)
class _Asked:
    """What each structural question reads: the checklist item's key, the branch and its facts that day."""
    key: str
    org: Organization
    facts: StructureFacts
    day: date
    book: RuleBook
    exceptions: list[StructuralException]

    def warned_or_met(self, warnings: list[structural.Warning], met_note: str) -> Verdict:
        return _warned(self.key, warnings, self.exceptions) if warnings else Verdict("met", note=met_note)


def _committee_term(asked: _Asked) -> Verdict:
    if not asked.facts.has_committee:
        return Verdict("na", note="未设支委会")
    end, day = asked.org.committee_term_end, asked.day
    if end is None:
        return Verdict("missed", note="未登记支委会任期")
    if end < day:
        return Verdict("missed", note=f"任期已于 {end:%Y-%m-%d} 届满，请及时换届")
    if (end - day).days <= asked.book.get("standards.term_warning_days", day):
        return Verdict("met", note=f"任期将于 {end:%Y-%m-%d} 届满，请准备换届")
    return Verdict("met", note=f"任期至 {end:%Y-%m-%d}")


def _committee_when_large(asked: _Asked) -> Verdict:
    facts = asked.facts
    if facts.members <= COMMITTEE_REQUIRED_ABOVE_MEMBERS:
        return Verdict("na", note=f"党员 {facts.members} 人，设书记即可")
    return Verdict("met" if facts.has_committee else "missed",
                   note=f"党员 {facts.members} 人，支委 {facts.committee_seats} 人")


def _full_members(asked: _Asked) -> Verdict:
    minimum = asked.book.get("standard.full_members.minimum", asked.day)
    full = asked.facts.full_members
    return Verdict("met" if full >= minimum else "missed", done=full, required=minimum, note=f"正式党员 {full} 人")


def _committee_composition(asked: _Asked) -> Verdict:
    facts = asked.facts
    if not facts.has_committee and facts.committee_seats <= 1:
        return Verdict("na", note="未设支委会")
    return asked.warned_or_met(structural.committee_composition(facts.committee_seats),
                               f"支委会委员 {facts.committee_seats} 人")


def _committee_term_length(asked: _Asked) -> Verdict:
    start, end = asked.org.committee_term_start, asked.org.committee_term_end
    if not (start and end):
        return Verdict("na", note="未登记任期起止")
    return asked.warned_or_met(structural.committee_term_length(start, end), f"任期 {start:%Y-%m-%d} 至 {end:%Y-%m-%d}")


def _group_composition(asked: _Asked) -> Verdict:
    groups = asked.facts.groups
    if not groups:
        return Verdict("na", note="本支部未设党小组")
    warnings = [w for _, name, members, full in groups for w in structural.group_composition(name, members, full)]
    return asked.warned_or_met(warnings, f"{len(groups)} 个党小组均符合")


def _temporary_conditions(asked: _Asked) -> Verdict:
    org, facts = asked.org, asked.facts
    if not org.is_temporary:
        return Verdict("na", note="非临时党支部")
    end = org.end_date or (org.closed_at.date() if org.closed_at else None)
    members = max(facts.members, org.planned_members or 0) if (facts.members or org.planned_members) else None
    return asked.warned_or_met(structural.temporary_conditions(org.start_date, end, org.planned_people, members),
                               "符合成立条件")


# One function per structural question, by the ``fact`` its checklist item names.
QUESTIONS = {
    "committee_term": _committee_term,
    "committee_when_large": _committee_when_large,
    "full_members": _full_members,
    "committee_composition": _committee_composition,
    "committee_term_length": _committee_term_length,
    "group_composition": _group_composition,
    "temporary_conditions": _temporary_conditions,
}
