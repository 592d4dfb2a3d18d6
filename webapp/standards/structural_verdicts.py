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
    fact = spec["fact"]
    if fact == "committee_term":
        if not facts.has_committee:
            return Verdict("na", note="未设支委会")
        end = org.committee_term_end
        if end is None:
            return Verdict("missed", note="未登记支委会任期")
        if end < day:
            return Verdict("missed", note=f"任期已于 {end:%Y-%m-%d} 届满，请及时换届")
        if (end - day).days <= book.get("standards.term_warning_days", day):
            return Verdict("met", note=f"任期将于 {end:%Y-%m-%d} 届满，请准备换届")
        return Verdict("met", note=f"任期至 {end:%Y-%m-%d}")
    if fact == "committee_when_large":
        if facts.members <= COMMITTEE_REQUIRED_ABOVE_MEMBERS:
            return Verdict("na", note=f"党员 {facts.members} 人，设书记即可")
        return Verdict("met" if facts.has_committee else "missed",
                       note=f"党员 {facts.members} 人，支委 {facts.committee_seats} 人")
    if fact == "full_members":
        minimum = book.get("standard.full_members.minimum", day)
        return Verdict("met" if facts.full_members >= minimum else "missed", done=facts.full_members,
                       required=minimum, note=f"正式党员 {facts.full_members} 人")
    if fact == "committee_composition":
        if not facts.has_committee and facts.committee_seats <= 1:
            return Verdict("na", note="未设支委会")
        warnings = structural.committee_composition(facts.committee_seats)
        return _warned(spec["key"], warnings, exceptions) if warnings else Verdict(
            "met", note=f"支委会委员 {facts.committee_seats} 人")
    if fact == "committee_term_length":
        if not (org.committee_term_start and org.committee_term_end):
            return Verdict("na", note="未登记任期起止")
        warnings = structural.committee_term_length(org.committee_term_start, org.committee_term_end)
        return _warned(spec["key"], warnings, exceptions) if warnings else Verdict(
            "met", note=f"任期 {org.committee_term_start:%Y-%m-%d} 至 {org.committee_term_end:%Y-%m-%d}")
    if fact == "group_composition":
        if not facts.groups:
            return Verdict("na", note="本支部未设党小组")
        warnings = [w for _, name, members, full in facts.groups
                    for w in structural.group_composition(name, members, full)]
        return _warned(spec["key"], warnings, exceptions) if warnings else Verdict(
            "met", note=f"{len(facts.groups)} 个党小组均符合")
    if fact == "temporary_conditions":
        if not org.is_temporary:
            return Verdict("na", note="非临时党支部")
        end = org.end_date or (org.closed_at.date() if org.closed_at else None)
        members = max(facts.members, org.planned_members or 0) if (facts.members or org.planned_members) else None
        warnings = structural.temporary_conditions(org.start_date, end, org.planned_people, members)
        return _warned(spec["key"], warnings, exceptions) if warnings else Verdict("met", note="符合成立条件")
    raise ValueError(f"unknown structural fact {fact}")
