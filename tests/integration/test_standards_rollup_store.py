"""The committee dashboard's stored figures (``standards/rollup_store.py``): kept right, at every level, when
a record is approved and when an approved record is corrected; the same as filling them anew from the
monthly counts; temporary branches rolled up under their parent committees, each counted once, and
"missed" from their last active day."""
from datetime import date

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Membership, StandardRollup
from webapp.records import service
from webapp.standards import rollup, rollup_store

YEAR = date.today().year - 1
DAY = date(YEAR, 5, 20)  # May runs; April is over


def _data(org, day: date) -> dict:
    members = [m.user for m in db.session.query(Membership).filter_by(org_id=org.id).order_by(Membership.id)]
    return {"occurred_on": day.isoformat(), "start_time": "09:00", "end_time": "10:30", "place": "会议室",
            "topic": f"主题党日 {day}", "attendee_ids": [u.id for u in members],
            "theme_items": ["recite_constitution", "collective_study", "pay_dues"]}


def _theme_day(org, day: date, reviewer):
    author = db.session.query(Membership).filter_by(org_id=org.id).order_by(Membership.id).first().user
    record = service.create_record(org, "theme_day", _data(org, day), author)
    service.approve(record, reviewer)
    db.session.commit()
    return record, author


def _stored() -> dict:
    return {(r.org_id, r.key, r.period, r.ends): (r.due, r.reached, r.overdue)
            for r in db.session.scalars(select(StandardRollup)) if (r.due, r.reached, r.overdue) != (0, 0, 0)}


def _refilled_equals_kept() -> None:
    """What approvals kept equals a fill from scratch."""
    kept = _stored()
    rollup_store.refresh_all({YEAR - 1, YEAR})
    db.session.flush()
    assert _stored() == kept
    db.session.rollback()


def _theme(user, node, day=DAY) -> dict[str, tuple[int, int, int, int]]:
    level = rollup.build(user, node, day, YEAR)
    return {row.org.name: (row.figures["theme_day"].met, row.figures["theme_day"].not_yet,
                           row.figures["theme_day"].missed, row.figures["theme_day"].overdue) for row in level.rows}


def test_stored_figures_follow_an_approval_and_a_correction_at_every_level(province):
    orgs, people = province
    sheng, branch = people["sheng"], orgs["甲二县委1支部"]
    top_before = _theme(sheng, orgs["province"])  # the first view fills the years
    city_before = _theme(sheng, orgs["甲市委"])
    assert top_before["甲市委"] == (0, 8, 0, 8)  # 8 branches, nothing met in May, April missed by all
    record, author = _theme_day(branch, date(YEAR, 5, 6), sheng)
    assert _theme(sheng, orgs["province"])["甲市委"] == (1, 7, 0, 8)
    assert _theme(sheng, orgs["甲市委"])["甲二县委"] == (1, 1, 0, 2)
    assert _theme(sheng, orgs["甲市委"])["甲一县委"] == city_before["甲一县委"]
    assert _theme(sheng, orgs["province"])["乙市委"] == top_before["乙市委"]
    own = db.session.get(StandardRollup, (branch.id, "theme_day", f"{YEAR}-05", date(YEAR, 5, 31)))
    assert (own.due, own.reached) == (1, 1)
    _refilled_equals_kept()
    # The meeting was in fact held in April: corrected and approved again, May is short again and April
    # is no longer overdue for that branch, up to the province.
    service.revise_record(record, _data(branch, date(YEAR, 4, 28)), author, base_version=record.version)
    service.approve(record, sheng)
    db.session.commit()
    assert _theme(sheng, orgs["province"])["甲市委"] == (0, 8, 0, 7)
    assert _theme(sheng, orgs["甲市委"])["甲二县委"] == (0, 2, 0, 1)
    _refilled_equals_kept()


def test_temporary_branches_roll_up_under_their_committees_once(province):
    orgs, people = province
    sheng, temporary = people["sheng"], orgs["临时支部"]  # 甲一县委, active 10 February to 20 August
    top = rollup.build(sheng, orgs["province"], DAY, YEAR)
    assert {r.org.name: r.branches for r in top.rows} == {"甲市委": 8, "乙市委": 2}
    assert _theme(sheng, orgs["甲市委"])["甲一县委"] == (0, 3, 0, 3)  # 2 branches and the temporary one
    _theme_day(temporary, date(YEAR, 5, 8), sheng)
    assert _theme(sheng, orgs["甲市委"])["甲一县委"] == (1, 2, 0, 3)
    assert _theme(sheng, orgs["province"])["甲市委"] == (1, 7, 0, 8)
    rows = {r.org_id: (r.due, r.reached) for r in db.session.scalars(select(StandardRollup).where(
        StandardRollup.key == "theme_day", StandardRollup.period == f"{YEAR}-05"))}
    assert rows[orgs["甲一县委"].id] == (3, 1) and rows[orgs["province"].id] == (10, 1)
    _refilled_equals_kept()
    # On 25 August the temporary branch has ended (20 August) without an August theme day: missed, while
    # the other branches still have until the 31st.
    assert _theme(sheng, orgs["甲市委"], date(YEAR, 8, 25))["甲一县委"] == (0, 2, 1, 3)
    # After its last day the temporary branch owes no unit: October counts the two other branches only.
    assert _theme(sheng, orgs["甲市委"], date(YEAR, 10, 10))["甲一县委"] == (0, 2, 0, 2)
