"""Who of a branch's people is in the field or away, on any day, from one read.

``participation.in_field_on`` and ``away_on`` answer for one day with a query each. A sync batch
cleans fifty records of one branch on as many different days: this reads the spans once (every
temporary membership of those people elsewhere, with its branch's dates, and every outflow from the
流动党员 registry) and answers each day in Python, by the same conditions:

- in the field: a temporary membership in force that day (joined by then, not yet left) in another
  temporary branch running that day (started, not ended, not closed before the next midnight, UTC);
- away: an outflow registered from that day or before, not yet returned.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Iterable

from sqlalchemy import bindparam, select

from ..extensions import db
from ..models import FlowingMember, Membership, Organization, User


# Built once: building a statement (and its cache key) costs more than running it.
_FIELD = (select(Membership.user_id, Membership.joined_on, Membership.left_on, Membership.active,
                 Organization.start_date, Organization.end_date, Organization.closed_at)
          .join(Organization, Membership.org_id == Organization.id)
          .where(Membership.user_id.in_(bindparam("ids", expanding=True)), Membership.relation == "temporary",
                 Organization.is_temporary.is_(True), Membership.org_id != bindparam("except_org")))
_AWAY = select(FlowingMember.user_id, FlowingMember.from_date, FlowingMember.returned_on).where(
    FlowingMember.user_id.in_(bindparam("ids", expanding=True)), FlowingMember.direction == "outflow")
_CATEGORIES = select(User.id, User.category).where(User.id.in_(bindparam("ids", expanding=True)))


def in_force(joined_on: date | None, left_on: date | None, still_member: bool, day: date) -> bool:
    """``participation.in_force_on`` in Python: joined by ``day`` and not yet left (``still_member``:
    active and never left)."""
    return (joined_on is None or joined_on <= day) and (still_member or (left_on is not None and left_on > day))


@dataclass(frozen=True)
class _FieldSpan:
    user_id: int
    joined_on: date | None
    left_on: date | None
    still_member: bool      # active and never left
    starts: date | None     # the temporary branch's start date
    ends: date | None       # its end date
    closed_on: date | None  # the UTC day it was closed

    def holds_on(self, day: date) -> bool:
        running = (self.starts is None or self.starts <= day) and (self.ends is None or self.ends >= day) \
            and (self.closed_on is None or self.closed_on > day)
        return running and in_force(self.joined_on, self.left_on, self.still_member, day)


def _utc_day(moment: datetime | None) -> date | None:
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.date()  # stored naive values are UTC


class ParticipationSpans:
    """Field and away spans of ``user_ids`` (and their categories), read once."""

    def __init__(self, user_ids: Iterable[int], *, except_org_id: int | None = None):
        ids = sorted(set(user_ids))
        self.field: list[_FieldSpan] = []
        self.away: list[tuple[int, date, date | None]] = []
        self.categories: dict[int, str | None] = {}
        if not ids:
            return
        rows = db.session.execute(_FIELD, {"ids": ids, "except_org": except_org_id or 0})
        self.field = [_FieldSpan(r.user_id, r.joined_on, r.left_on, bool(r.active) and r.left_on is None,
                                 r.start_date, r.end_date, _utc_day(r.closed_at)) for r in rows]
        self.away = [tuple(r) for r in db.session.execute(_AWAY, {"ids": ids})]
        self.categories = dict(db.session.execute(_CATEGORIES, {"ids": ids}).all())

    def in_field_on(self, day: date) -> set[int]:
        return {span.user_id for span in self.field if span.holds_on(day)}

    def away_on(self, day: date) -> set[int]:
        return {user_id for user_id, since, returned in self.away
                if since is not None and since <= day and (returned is None or returned > day)}
