"""The year's figures a report is drafted with, read from the records (never typed again): meetings
held by type, attendance, points, rectification done."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ..extensions import db
from ..models import Attendance, Organization, Problem, Record
from ..points import service as points
from ..points.year_end import graded_by
from ..rules.life import RECORD_TYPE_LABELS
from ..rules.points import GRADE_LABELS


@dataclass
class YearFigures:
    year: int
    meetings: dict[str, int]  # record type label → approved records held
    present: int
    expected: int  # present + leave + absent
    members: int
    points_average: int | None
    grades: dict[str, int]  # grade label → members (once the year is closed)
    problems_total: int
    problems_closed: int

    @property
    def attendance_percent(self) -> int | None:
        return round(100 * self.present / self.expected) if self.expected else None


def year_figures(org: Organization, year: int) -> YearFigures:
    start, end = date(year, 1, 1), date(year, 12, 31)
    in_year = (Record.org_id == org.id, Record.state == "approved", Record.merged_into_id.is_(None),
               Record.occurred_on.between(start, end))
    counts = dict(db.session.execute(select(Record.type, func.count()).where(*in_year, Record.type != "talk")
                                     .group_by(Record.type)).all())
    meetings = {RECORD_TYPE_LABELS.get(t, t): counts[t] for t in RECORD_TYPE_LABELS if counts.get(t)}
    statuses = dict(db.session.execute(select(Attendance.status, func.count()).join(
        Record, Record.id == Attendance.record_id).where(*in_year, Record.type != "talk")
        .group_by(Attendance.status)).all())
    people = graded_by(org, year)
    rows = points.person_rows(people, year)
    totals = [row.total for row in rows.values()]
    grades: dict[str, int] = {}
    for row in rows.values():
        if row.frozen and row.result.grade:
            label = GRADE_LABELS.get(row.result.grade, row.result.grade)
            grades[label] = grades.get(label, 0) + 1
    problem_rows = db.session.execute(select(Problem.state, func.count()).where(
        Problem.org_id == org.id, Problem.found_on.between(start, end)).group_by(Problem.state)).all()
    by_state = dict(problem_rows)
    return YearFigures(
        year=year, meetings=meetings, present=statuses.get("present", 0),
        expected=sum(statuses.values()), members=len(people),
        points_average=round(sum(totals) / len(totals)) if totals else None, grades=grades,
        problems_total=sum(by_state.values()), problems_closed=by_state.get("closed", 0))
