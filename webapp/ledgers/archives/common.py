"""What every archive builder needs: the year's span, the branch's people that year, approved records,
and the filter a home branch's view of a closed temporary branch applies (its own members only)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...members.participation import in_force_during
from ...models import Membership, Organization, Record, User
from ...records.queries import user_names

__all__ = ["Part", "year_span", "memberships", "kept_in_year", "approved_records", "approved_data", "bound_record", "user_names", "yuan"]


def year_span(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


@dataclass(frozen=True)
class Part:
    """Which part of a branch-year an archive is built for. ``only`` None: the whole branch-year;
    a set of user ids: only what concerns these people (a home branch reading a closed temporary
    branch's archive), branch-level material left out."""
    org: Organization
    year: int
    only: frozenset[int] | None = None

    @property
    def whole(self) -> bool:
        return self.only is None

    def keeps(self, user_id: int | None) -> bool:
        return self.only is None or user_id in self.only

    @property
    def span(self) -> tuple[date, date]:
        return year_span(self.year)


def memberships(part: Part) -> list[Membership]:
    """The branch's memberships in force on at least one day of the year, with their people, by name."""
    start, end = part.span
    rows = db.session.scalars(
        select(Membership).join(User, Membership.user_id == User.id)
        .where(Membership.org_id == part.org.id, in_force_during(start, end))
        .options(selectinload(Membership.user)).order_by(User.name, User.id))
    return [m for m in rows if part.keeps(m.user_id)]


def kept_in_year(part: Part, model, day) -> list:
    """The branch's rows of ``model`` dated in the year (``day``: its date column), in date order, for
    the people the part keeps."""
    start, end = part.span
    rows = db.session.scalars(select(model).where(model.org_id == part.org.id, day.between(start, end))
                              .order_by(day, model.id))
    return [row for row in rows if part.keeps(row.user_id)]


def approved_records(org: Organization, year: int) -> list[Record]:
    """The branch's records of the year with an approved version, in date order: a correction awaiting
    review binds the approved version (``approved_data``); a duplicate merged into another is left out."""
    start, end = year_span(year)
    return list(db.session.scalars(
        select(Record).where(Record.org_id == org.id, bound_record(), Record.occurred_on.between(start, end))
        .options(selectinload(Record.attendances), selectinload(Record.photos), selectinload(Record.versions))
        .order_by(Record.occurred_on, Record.id)))


def bound_record():
    """SQL condition on Record: it has an approved version and was not merged into another."""
    return Record.approved_version.is_not(None) & Record.merged_into_id.is_(None)


def approved_data(record: Record) -> dict:
    """The approved version's form (a later correction awaiting review is not bound)."""
    version = record.version_number(record.approved_version or record.version)
    return version.data if version else {}


def yuan(fen: int | None) -> float:
    """Money as printed in a ledger: yuan, to the fen."""
    return round((fen or 0) / 100, 2)
