"""Which rule is in force for an organization on a day: ``rule_in_force(org, key, on_date)``.

A higher committee adjusts a rule for its subtree from a date (``RuleOverride``). The lookup walks up
the tree from the organization: the nearest organization with an override of ``key`` in force on the
day (the latest ``effective_from`` on or before it) gives the value; with none anywhere above, the
default from ``rules/adjustable.py`` (itself read from the rules table, with its source) applies.

A ``RuleBook`` holds every override above one organization, read in one query, so a checklist or a
dashboard page asks for many keys and days without a query each. Dues and points services call
``dues_amount_fen`` and ``attendance_points`` below at the one place they read their rule table.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..models import Organization, RuleOverride
from ..rules import dues as dues_rules
from ..rules.adjustable import ADJUSTABLE_RULES


@dataclass(frozen=True)
class InForce:
    key: str
    value: object
    override: RuleOverride | None  # None: the default of the rules table

    @property
    def is_default(self) -> bool:
        return self.override is None


class RuleBook:
    """The overrides above one organization, nearest organization first."""

    def __init__(self, chain: list[int], overrides: list[RuleOverride]):
        depth = {org_id: i for i, org_id in enumerate(chain)}
        self._by_key: dict[str, list[tuple[int, date, int, RuleOverride]]] = {}
        for o in overrides:
            if o.org_id in depth and o.key in ADJUSTABLE_RULES:
                self._by_key.setdefault(o.key, []).append((depth[o.org_id], o.effective_from, o.id, o))
        for rows in self._by_key.values():
            # Nearest organization first; within one, the latest date (then the latest row) first.
            rows.sort(key=lambda r: (r[0], -r[1].toordinal(), -r[2]))
        # What the book says, as a key for memoizing work that depends only on it (the units of a year).
        self.signature = tuple(sorted(
            (k, tuple((depth, effective_from.toordinal(), json.dumps(o.value, sort_keys=True))
                      for depth, effective_from, _id, o in v)) for k, v in self._by_key.items()))

    def in_force(self, key: str, on: date) -> InForce:
        if key not in ADJUSTABLE_RULES:
            raise KeyError(f"unknown rule {key}")
        for _depth, effective_from, _id, override in self._by_key.get(key, ()):
            if effective_from <= on:
                return InForce(key, override.value, override)
        return InForce(key, ADJUSTABLE_RULES[key]["default"], None)

    def get(self, key: str, on: date):
        return self.in_force(key, on).value

    def changes(self, key: str) -> list[RuleOverride]:
        return [r[3] for r in self._by_key.get(key, ())]


def _chain(org: Organization) -> list[int]:
    """The organization and everything above it, nearest first."""
    return list(reversed(org.ancestor_ids())) or [org.id]


def books_for(orgs: list[Organization]) -> dict[int, RuleBook]:
    """Rule books for many organizations, from one query over all their ancestors."""
    chains = {org.id: _chain(org) for org in orgs}
    ids = {i for chain in chains.values() for i in chain}
    overrides = list(db.session.scalars(select(RuleOverride).where(RuleOverride.org_id.in_(ids)))) if ids else []
    return {org_id: RuleBook(chain, [o for o in overrides if o.org_id in chain]) for org_id, chain in chains.items()}


def book_for(org: Organization) -> RuleBook:
    return books_for([org])[org.id]


def rule_in_force(org: Organization, key: str, on_date: date):
    """The value of ``key`` for ``org`` on ``on_date``: the nearest override above it, else the default."""
    return book_for(org).get(key, on_date)


def _org(org_or_id: Organization | int) -> Organization:
    return org_or_id if isinstance(org_or_id, Organization) else db.session.get(Organization, org_or_id)


def dues_amount_fen(org: Organization | int, category: str, base_fen: int, on_date: date) -> int:
    """Monthly dues for a category and base under the bands in force for the branch on the day."""
    key = {"salaried": "dues.salaried_bands", "retired": "dues.retired_bands"}.get(category)
    if key is None:
        return dues_rules.monthly_amount_fen(category, base_fen)
    return dues_rules.monthly_amount_fen(category, base_fen, bands=rule_in_force(_org(org), key, on_date))


def retained_share_percent(org: Organization | int, on_date: date) -> int:
    """The share of dues a branch keeps for its activity funds (``welfare.funds``), by the rule in force."""
    return rule_in_force(_org(org), "dues.retained_share_percent", on_date)


@dataclass(frozen=True)
class AttendancePoints:
    award: int  # task points for being present
    monthly_cap: int  # task points from attendance in one month, at most
    deduction: int  # base points taken for an unexcused absence


def attendance_points(org: Organization | int, record_type: str, on_date: date) -> AttendancePoints:
    """The points rules in force for an activity of ``record_type`` held on ``on_date``."""
    book = book_for(_org(org))
    return AttendancePoints(award=book.get(f"points.attendance.{record_type}", on_date),
                            monthly_cap=book.get("points.task_monthly_cap", on_date),
                            deduction=book.get("points.unexcused_absence_deduction", on_date))
