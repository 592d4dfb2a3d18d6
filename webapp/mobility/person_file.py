"""A person's file as it moves with them (docs/domain.md "Members on the move"): roster data, party age,
dues paid up to which month, points by year. Past records stay where they happened; this reads them
for the person, across every branch, so the history is one."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from ..extensions import db
from ..models import DuesPayment, PointsLine, User

ROSTER_FIELDS = ("name", "gender", "birth_date", "category", "join_date", "post", "phone")


def party_age_years(join_date: date | None, on: date) -> int | None:
    """Whole years since joining (党龄), None when the date is unknown."""
    if join_date is None:
        return None
    years = on.year - join_date.year - ((on.month, on.day) < (join_date.month, join_date.day))
    return max(years, 0)


def dues_paid_through(user_id: int) -> str | None:
    """The latest month (YYYY-MM) the person has paid dues for, in any branch."""
    return db.session.scalar(select(func.max(DuesPayment.month)).where(DuesPayment.user_id == user_id))


def points_by_year(user_id: int) -> dict[str, int]:
    rows = db.session.execute(select(PointsLine.year, func.sum(PointsLine.delta))
                              .where(PointsLine.user_id == user_id).group_by(PointsLine.year)
                              .order_by(PointsLine.year))
    return {str(year): int(total or 0) for year, total in rows}


def snapshot(person: User, on: date) -> dict:
    """The file as it stands on ``on``: kept with the transfer, shown to the receiving branch."""
    roster = {field: getattr(person, field) for field in ROSTER_FIELDS}
    return {
        "roster": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in roster.items()},
        "party_age_years": party_age_years(person.join_date, on),
        "dues_paid_through": dues_paid_through(person.id),
        "points_by_year": points_by_year(person.id),
        "as_of": on.isoformat(),
    }
