"""The spans a sync batch reads once (``members/participation_spans.py``) answer every day as the
one-day queries (``participation.in_field_on``, ``away_on``) do, and a batch of records on many days
finds the same people expected as the record form does, in a fraction of the queries."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import event

from webapp.extensions import db
from webapp.members.participation import away_on, in_field_on
from webapp.members.participation_spans import ParticipationSpans
from webapp.models import FlowingMember, Membership, User
from webapp.orgs import tree
from webapp.records.expected import expected_for
from webapp.records.validation import branch_members

START = date(2026, 3, 10)


def _person(index: int, key: str, org, **membership) -> User:
    user = User(name=f"人员{key}", username=f"span_{index}", phone=f"138000000{index:02d}",
                category=membership.pop("category", "full"))
    db.session.add(user)
    db.session.add(Membership(user=user, org=org, relation="home", **membership))
    return user


def _scenario():
    committee = tree.create_root("committee", "跨度测试党委")
    home = tree.create_child(committee, "branch", None, name="本部支部")
    field = tree.create_child(committee, "branch", None, name="外业临时支部", is_temporary=True,
                              project_name="测站项目", site="山区", start_date=START, end_date=START + timedelta(days=40))
    closed = tree.create_child(committee, "branch", None, name="已撤销临时支部", is_temporary=True,
                               project_name="旧项目", site="河谷", start_date=START - timedelta(days=30))
    closed.closed_at = datetime.combine(START + timedelta(days=5), datetime.min.time(), tzinfo=timezone.utc) \
        + timedelta(hours=23, minutes=30)
    people = [_person(index, key, home) for index, key in enumerate(("甲", "乙", "丙", "丁", "戊", "己"))]
    _person(9, "积极分子", home, category="activist")
    a, b, c, d, e, f = people
    # a: in the field from the start; b: joined late and left early; c: left the field branch (inactive)
    db.session.add(Membership(user=a, org=field, relation="temporary"))
    db.session.add(Membership(user=b, org=field, relation="temporary", joined_on=START + timedelta(days=7),
                              left_on=START + timedelta(days=20), active=False))
    db.session.add(Membership(user=c, org=field, relation="temporary", joined_on=START - timedelta(days=9),
                              active=False, left_on=START + timedelta(days=3)))
    # d: in a temporary branch closed late on day 5 (UTC)
    db.session.add(Membership(user=d, org=closed, relation="temporary"))
    # e: 流动党员 away from day 12, returned on day 30; f: an inflow (not away from here) and an open outflow
    db.session.add(FlowingMember(user=e, direction="outflow", from_date=START + timedelta(days=12),
                                 returned_on=START + timedelta(days=30), home_org_id=home.id))
    db.session.add(FlowingMember(user=f, direction="inflow", from_date=START, home_org_id=home.id))
    db.session.add(FlowingMember(user=f, direction="outflow", from_date=START + timedelta(days=35), home_org_id=home.id))
    db.session.commit()
    return home, field, people


def test_spans_answer_every_day_as_the_one_day_queries(app):
    home, _field, people = _scenario()
    ids = [p.id for p in people]
    spans = ParticipationSpans(ids, except_org_id=home.id)
    seen_field, seen_away = set(), set()
    for offset in range(-15, 60):
        day = START + timedelta(days=offset)
        assert spans.in_field_on(day) == in_field_on(ids, day, except_org_id=home.id), day
        assert spans.away_on(day) == away_on(ids, day), day
        seen_field |= spans.in_field_on(day)
        seen_away |= spans.away_on(day)
    a, b, c, d, e, f = people
    assert seen_field == {a.id, b.id, c.id, d.id} and seen_away == {e.id, f.id}  # the scenario exercises each span


def test_a_batch_memo_expects_the_same_people_with_fewer_queries(app):
    home, _field, _people = _scenario()
    members = list(branch_members(home).values())
    days = [START + timedelta(days=offset) for offset in range(-5, 45, 3)]
    alone = {day: expected_for(home, "theme_day", day).expected_ids for day in days}
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731 - before_cursor_execute(conn, cursor, statement, ...)
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        memo: dict = {}
        batched = {day: expected_for(home, "theme_day", day, members=members, memo=memo).expected_ids for day in days}
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert batched == alone
    assert len(statements) <= 3, statements  # the spans and categories once, not three queries a day
