"""The committee dashboard as a tree (province → city → county → branches): rolled-up figures equal the
sum of the branches' own checklist judgements at every level, drill-down, breadcrumb, pagination, and no
organization outside the viewer's subtree (404)."""
from datetime import date, timedelta

from webapp.extensions import db
from webapp.models import Membership, Organization
from webapp.records import service
from webapp.standards import checklist, judge, rollup, rule_book, rule_changes

YEAR = date.today().year - 1
DAY = date(YEAR, 5, 20)  # the second quarter runs; April, the first quarter and last year's H2 are over


def _record(org, record_type, day, reviewer):
    members = [m.user for m in db.session.query(Membership).filter_by(org_id=org.id).order_by(Membership.id)]
    data = {"occurred_on": day.isoformat(), "start_time": "09:00", "end_time": "10:30", "place": "会议室",
            "topic": f"{record_type} {day}", "attendee_ids": [u.id for u in members]}
    if record_type == "theme_day":
        data["theme_items"] = ["recite_constitution", "collective_study", "pay_dues"]
    if record_type == "lecture":
        data["lecturer_id"] = members[-1].id
    made = service.create_record(org, record_type, data, members[0])
    service.approve(made, reviewer)


def _fill(orgs, people):
    """Different records in different branches, and a rule changed inside one county's subtree."""
    branches = sorted((o for o in orgs.values() if o.kind == "branch"), key=lambda o: o.id)
    for k, org in enumerate(branches):
        if k % 2 == 0:
            _record(org, "theme_day", date(YEAR, 5, 5), people["sheng"])
        if k % 3 == 0:
            _record(org, "theme_day", date(YEAR, 4, 8), people["sheng"])
        if k % 2 == 1:
            _record(org, "general_meeting", date(YEAR, 2, 20), people["sheng"])
        if k % 3 == 1 or org.name == "甲二县委第1党支部":
            _record(org, "lecture", date(YEAR, 3, 3), people["sheng"])
    # 甲二县委 makes the 党课 quarterly: its branches are judged over Q2 (running), Q1 before it.
    rule_changes.adjust(orgs["甲二县委"], {"key": "standard.lecture.period", "value": "季度",
                                         "effective_from": f"{YEAR}-01-01", "reason": "县委通知"}, people["sheng"])
    db.session.commit()


def _expected(org: Organization) -> tuple[int, dict[str, dict[str, int]]]:
    """The branch checklist's own judgement of every branch below ``org``, summed."""
    branches = db.session.query(Organization).filter(Organization.kind == "branch",
                                                     Organization.path.startswith(org.path)).all()
    sums = {spec["key"]: {"met": 0, "not_yet": 0, "missed": 0, "overdue": 0} for spec in rollup.ROLLED_UP}
    for branch in branches:
        book = rule_book.book_for(branch)
        for spec in rollup.ROLLED_UP:
            unit = judge.unit_at(book, spec["key"], DAY)
            previous = judge.unit_at(book, spec["key"], unit.period.start - timedelta(days=1))
            now = next(i for i in checklist.evaluate(branch, unit.period, DAY) if i.spec["key"] == spec["key"])
            before = next(i for i in checklist.evaluate(branch, previous.period, DAY)
                          if i.spec["key"] == spec["key"])
            if now.status in sums[spec["key"]]:
                sums[spec["key"]][now.status] += 1
            if before.status == "missed":
                sums[spec["key"]]["overdue"] += 1
    return len(branches), sums


def _figures(row) -> dict[str, dict[str, int]]:
    return {key: {"met": f.met, "not_yet": f.not_yet, "missed": f.missed, "overdue": f.overdue}
            for key, f in row.figures.items()}


def test_rolled_up_figures_are_the_sum_of_the_branch_judgements_at_every_level(province):
    orgs, people = province
    _fill(orgs, people)
    sheng = people["sheng"]
    assert rollup.start_of(sheng).id == orgs["province"].id
    seen = 0
    for node in (orgs["province"], orgs["甲市委"], orgs["甲一县委"], orgs["甲二县委"], orgs["乙市委"]):
        level = rollup.build(sheng, node, DAY, YEAR)
        assert level.rows, node.name
        for row in level.rows:
            branches, sums = _expected(row.org)
            assert row.branches == branches, row.org.name
            assert _figures(row) == sums, row.org.name
            seen += 1
    top = rollup.build(sheng, orgs["province"], DAY, YEAR)
    assert sorted(r.org.name for r in top.rows) == sorted(["甲市委", "乙市委"])
    assert sum(r.branches for r in top.rows) == 10  # 4 counties × 2, the city's own branch, the temporary one
    # Not a test of zeros: every status occurs somewhere at the top.
    theme = {k: sum(getattr(r.figures["theme_day"], k) for r in top.rows) for k in ("met", "not_yet", "overdue")}
    assert all(theme.values()), theme
    lecture_kinds = {u for _, u in rollup.build(sheng, orgs["甲二县委"], DAY, YEAR).standards}
    assert any("季度" in u for u in lecture_kinds)  # the county's own rule book names the unit
    assert seen >= 10


def test_drill_down_breadcrumb_and_pagination_over_http(province, client, auth, monkeypatch):
    orgs, people = province
    auth.login("sheng")
    top = client.get("/standards/").get_data(as_text=True)
    assert "甲市委" in top and "乙市委" in top and "甲一县委第1党支部" not in top
    city = orgs["甲市委"].id
    assert f'hx-get="/standards/?org={city}' in top and 'hx-push-url="true"' in top
    page = client.get(f"/standards/?org={city}").get_data(as_text=True)
    assert all(name in page for name in ("甲一县委", "甲二县委", "甲三县委", "甲市直属机关党支部"))
    assert "乙一县委" not in page
    assert f'href="/standards/?org={orgs["province"].id}' in page  # breadcrumb back up
    leaf = client.get(f"/standards/?org={orgs['甲一县委'].id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert leaf.startswith('<div id="dashboard-table">')  # the same partial, swapped by htmx
    assert "甲一县委第1党支部" in leaf and "甲一县项目临时党支部" in leaf and "甲二县委第1党支部" not in leaf
    assert "各月主题党日达标率" in leaf  # the leaf level is the branch grid
    crumbs = leaf[leaf.index('aria-label="组织层级"'):leaf.index("</nav>")]
    assert crumbs.index("某省委直属机关工委") < crumbs.index("甲市委") < crumbs.index("甲一县委")
    monkeypatch.setattr(rollup, "DASHBOARD_LEVEL_PAGE_SIZE", 2)
    first = client.get(f"/standards/?org={city}").get_data(as_text=True)
    second = client.get(f"/standards/?org={city}&page=2").get_data(as_text=True)
    names = ("甲一县委", "甲二县委", "甲三县委", "甲市直属机关党支部")
    on_first = {n for n in names if f">{n}</a>" in first}
    on_second = {n for n in names if f">{n}</a>" in second}
    assert len(on_first) == 2 and len(on_second) == 2 and on_first | on_second == set(names)
    assert "第 1 / 2 页" in first and f"org={city}" in first[first.index('aria-label="分页"'):]
    assert "page=2" in first[first.index('aria-label="分页"'):]


def test_an_organization_outside_the_subtree_is_not_found(province, client, auth):
    orgs, people = province
    auth.login("jiashi")
    own = client.get("/standards/").get_data(as_text=True)
    assert "甲一县委" in own and "乙市委" not in own and "某省委直属机关工委" not in own
    for outside in ("province", "乙市委", "乙一县委", "乙一县委1支部"):
        response = client.get(f"/standards/?org={orgs[outside].id}")
        assert response.status_code == 404, outside
        assert orgs[outside].name not in response.get_data(as_text=True)
    for bad in ("999999999", "abc", "-1", "", "²"):
        assert client.get(f"/standards/?org={bad}").status_code == 404, bad
    assert client.get(f"/standards/?org={orgs['甲二县委'].id}").status_code == 200
    auth.logout()
    auth.login("yizhibu")  # a branch secretary: the leaf grid of the own branch only
    own = client.get("/standards/").get_data(as_text=True)
    assert "乙一县委第1党支部" in own and "乙一县委第2党支部" not in own
    assert client.get(f"/standards/?org={orgs['乙一县委'].id}").status_code == 404
    assert client.get(f"/standards/?org={orgs['乙一县委2支部'].id}").status_code == 404


def test_someone_managing_two_subtrees_starts_from_both(province, client, auth):
    orgs, people = province
    db.session.add(Membership(user=people["yizhibu"], org=orgs["甲二县委"], relation="temporary", title="secretary",
                              joined_on=date(YEAR, 1, 1)))
    db.session.commit()
    auth.login("yizhibu")
    top = client.get("/standards/").get_data(as_text=True)
    assert ">乙一县委第1党支部</a>" in top and ">甲二县委</a>" in top and "甲一县委" not in top
    county = client.get(f"/standards/?org={orgs['甲二县委'].id}").get_data(as_text=True)
    assert ">全部</a>" in county and "甲二县委第2党支部" in county
    assert client.get(f"/standards/?org={orgs['甲一县委'].id}").status_code == 404
    assert client.get(f"/standards/?org={orgs['甲市委'].id}").status_code == 404


def test_the_back_button_gets_the_whole_page(province, client, auth):
    """htmx pushes each level's URL; back restores it by asking with HX-History-Restore-Request (the
    history cache is off), and must get the page, not the partial that would replace the body."""
    orgs, people = province
    auth.login("sheng")
    url = f"/standards/?org={orgs['甲市委'].id}"
    swapped = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert swapped.startswith('<div id="dashboard-table">')
    restored = client.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    page = restored.get_data(as_text=True)
    assert "<html" in page and "对标自查总览" in page and "甲一县委" in page
