"""Who is expected at this record (应到), who only sits in (列席): one function for the record form,
validation, review, points and the ledger exports.

The meeting type decides (rules in ``webapp/rules/attendance.py``): a 支委会 expects the committee, a
党小组会 its group, a 大会 / 主题党日 / 党课 the branch's party members in force that day (home and
temporary). Activists, members of the branch a type does not concern, and home members who take part
in a temporary branch's organizational life that day are 列席: welcome, counted present when they come,
never absent. Absence counts only against those expected.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..members.participation import away_on, in_field_on, in_force_on
from ..members.participation_spans import ParticipationSpans, in_force
from ..models import Membership, Organization, Record, User
from ..rules.attendance import COMMITTEE_EXPECTED_TITLES, EXPECTED_BY_TYPE, SITTING_IN_CATEGORIES


@dataclass
class Expected:
    expected: list[Membership] = field(default_factory=list)     # 应到
    sitting_in: list[Membership] = field(default_factory=list)   # 列席: welcome, never absent
    in_field: set[int] = field(default_factory=set)              # of sitting_in: in a temporary branch

    @property
    def expected_ids(self) -> set[int]:
        return {m.user_id for m in self.expected}

    @property
    def sitting_in_ids(self) -> set[int]:
        return {m.user_id for m in self.sitting_in}


def members_on(org: Organization, day: date) -> list[Membership]:
    """The branch's memberships in force on ``day``, with their people, in name order."""
    return list(db.session.scalars(
        select(Membership).join(User, Membership.user_id == User.id)
        .where(Membership.org_id == org.id, in_force_on(day))
        .options(selectinload(Membership.user)).order_by(User.name, User.id)))


def expected_for(org: Organization, record_type: str, day: date, *, group_id: int | None = None,
                 talk_with_ids: list[int] | None = None,
                 members: list[Membership] | None = None, memo: dict | None = None) -> Expected:
    """``members``: the branch's memberships when the caller has read them already; those not in force
    on ``day`` are left out here. ``memo``: answers already worked out for the same branch, type, day
    and people within one unit of work that changes none of them (a sync batch cleans many records of
    one branch and day: three queries a record otherwise); the caller empties it when that may no
    longer hold, and passes the same ``members`` for a branch while it holds."""
    if memo is None:
        return _expected_for(org, record_type, day, group_id, talk_with_ids, members)
    key = (org.id, record_type, day, group_id, tuple(talk_with_ids or ()))
    if key not in memo:
        spans = None
        if members is not None:  # the same people all along: their spans, read once for every day
            spans_key = ("spans", org.id)
            if spans_key not in memo:
                memo[spans_key] = ParticipationSpans([m.user_id for m in members], except_org_id=org.id)
            spans = memo[spans_key]
        memo[key] = _expected_for(org, record_type, day, group_id, talk_with_ids, members, spans)
    return memo[key]


def _expected_for(org: Organization, record_type: str, day: date, group_id: int | None,
                  talk_with_ids: list[int] | None, members: list[Membership] | None,
                  spans: ParticipationSpans | None = None) -> Expected:
    if members is None:
        members = members_on(org, day)
    else:
        members = [m for m in members if in_force(m.joined_on, m.left_on, m.active and m.left_on is None, day)]
    rule = EXPECTED_BY_TYPE.get(record_type, "branch")
    ids = [m.user_id for m in members]
    if spans is not None:
        in_field = set() if org.is_temporary else spans.in_field_on(day)
        in_field = (in_field | spans.away_on(day)) & set(ids)
        categories = spans.categories
    else:
        in_field = set() if org.is_temporary else in_field_on(ids, day, except_org_id=org.id)
        in_field |= away_on(ids, day)  # 流动党员 away from home: 列席, never absent
        categories = dict(db.session.execute(
            select(User.id, User.category).where(User.id.in_(ids))).all()) if members else {}
    result = Expected()
    for membership in members:
        if categories.get(membership.user_id) in SITTING_IN_CATEGORIES or membership.user_id in in_field:
            concerned = False
        elif rule == "committee":
            concerned = membership.title in COMMITTEE_EXPECTED_TITLES
        elif rule == "group":
            # Before a group is chosen (an empty form) every member might belong to it.
            concerned = group_id is None or membership.group_id == group_id
        elif rule == "talk":
            concerned = membership.user_id in set(talk_with_ids or [])
        else:
            concerned = True
        (result.expected if concerned else result.sitting_in).append(membership)
    result.in_field = in_field & result.sitting_in_ids
    return result


def expected_at(record: Record) -> Expected:
    data = record.current.data if record.current else {}
    return expected_for(record.org, record.type, record.occurred_on, group_id=record.group_id,
                        talk_with_ids=[int(i) for i in data.get("talk_with_ids") or []])
