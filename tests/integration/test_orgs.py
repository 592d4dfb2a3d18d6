import re
"""The higher committee builds the tree: branches, groups, temporary branches; closing keeps records."""
from datetime import date

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import AuditLog, Membership, Organization


def root() -> Organization:
    return db.session.scalar(select(Organization).where(Organization.parent_id.is_(None)))


def test_create_temporary_branch_with_leader(client, auth, demo):
    auth.login("jiguan")
    committee = root()
    leader = demo["shuji"]
    response = auth.post(f"/orgs/{committee.id}/children/new", {
        "kind": "branch", "is_temporary": "1", "name": "汉江水文应急监测临时党支部",
        "project_name": "汉江秋汛应急监测", "site": "湖北省丹江口市", "start_date": "2026-10-01",
        "end_date": "2026-12-31", "leader_id": str(leader.id), "planned_people": "26", "planned_members": "8",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    temp = db.session.scalar(select(Organization).where(Organization.name == "汉江水文应急监测临时党支部"))
    assert temp.is_temporary and temp.kind_label == "临时党支部"
    assert temp.path == f"{committee.path}{temp.id}/"
    assert temp.leader_id == leader.id and temp.start_date == date(2026, 10, 1)
    membership = db.session.scalar(select(Membership).where(Membership.org_id == temp.id))
    assert membership.user_id == leader.id and membership.title == "temporary_leader"
    assert membership.relation == "temporary"
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity_type == "organization",
                                                    AuditLog.entity_id == str(temp.id),
                                                    AuditLog.action == "create")) is not None
    # The appointed leader now manages the new branch.
    auth.logout()
    auth.login("shuji")
    assert client.get(f"/orgs/{temp.id}/roster/new").status_code == 200


def test_temporary_branch_needs_project_and_dates_in_order(client, auth, demo):
    auth.login("jiguan")
    committee = root()
    response = auth.post(f"/orgs/{committee.id}/children/new", {
        "kind": "branch", "is_temporary": "1", "name": "无项目临时党支部"})
    assert response.status_code == 400
    assert "临时党支部需填写项目名称和开始日期" in response.get_data(as_text=True)
    response = auth.post(f"/orgs/{committee.id}/children/new", {
        "kind": "branch", "is_temporary": "1", "name": "日期颠倒", "project_name": "X",
        "start_date": "2026-10-10", "end_date": "2026-10-01"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "结束日期不能早于开始日期" in body and 'value="日期颠倒"' in body  # typed input kept


def test_kind_rules_of_the_tree(client, auth, demo):
    auth.login("jiguan")
    branch = db.session.scalar(select(Organization).where(Organization.name == "规划计划处党支部"))
    response = auth.post(f"/orgs/{branch.id}/children/new", {"kind": "committee", "name": "错误"})
    assert response.status_code == 400
    members = [m for m in db.session.scalars(select(Membership).where(
        Membership.org_id == branch.id, Membership.active.is_(True)).order_by(Membership.id)) if m.user.category == "full"]
    response = auth.post(f"/orgs/{branch.id}/children/new", {"kind": "group", "name": "新党小组",
                                                              "group_member_ids": [str(m.id) for m in members[:3]]})
    assert response.status_code == 302, response.get_data(as_text=True)
    group = db.session.scalar(select(Organization).where(Organization.name == "新党小组"))
    assert group.parent_id == branch.id and group.kind == "group"
    assert {m.group_id for m in members[:3]} == {group.id}


def test_branch_secretary_creates_groups_in_own_branch(client, auth, demo):
    auth.login("shuji")
    branch = db.session.scalar(select(Organization).where(Organization.name == "办公室党支部"))
    # An empty group is below the group rules (≥ 3 members): saved with the reason written.
    assert auth.post(f"/orgs/{branch.id}/children/new", {"kind": "group", "name": "第三党小组"}).status_code == 400
    assert auth.post(f"/orgs/{branch.id}/children/new", {"kind": "group", "name": "第三党小组",
                                                         "exception_reason": "成员下周从花名册分入"}).status_code == 302


def test_edit_records_changes_in_audit_log(client, auth, demo):
    auth.login("jiguan")
    temp = db.session.scalar(select(Organization).where(Organization.is_temporary.is_(True)))
    response = auth.post(f"/orgs/{temp.id}/edit", {
        "name": temp.name, "project_name": temp.project_name, "site": "新地点",
        "start_date": temp.start_date.isoformat(), "end_date": temp.end_date.isoformat(),
        "leader_id": str(temp.leader_id)})
    assert response.status_code == 302, re.findall(r'class="error"[^>]*>([^<]+)', response.get_data(as_text=True))
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "update"))
    assert entry.changes["site"][1] == "新地点" and entry.actor_id == demo["jiguan"].id


def test_close_temporary_branch_keeps_it_readable(client, auth, demo):
    auth.login("jiguan")
    temp = db.session.scalar(select(Organization).where(Organization.name == "张北风电场水文勘测临时党支部"))
    assert auth.post(f"/orgs/{temp.id}/close").status_code == 302
    db.session.refresh(temp)
    assert temp.is_closed
    page = client.get(f"/orgs/{temp.id}").get_data(as_text=True)
    assert "已撤销" in page
    assert client.get(f"/orgs/{temp.id}/roster/").status_code == 200
    # Cannot close twice; can reopen.
    auth.post(f"/orgs/{temp.id}/close")
    assert auth.post(f"/orgs/{temp.id}/reopen").status_code == 302
    db.session.refresh(temp)
    assert not temp.is_closed


def test_closing_a_committee_with_open_branches_is_refused(client, auth, demo):
    auth.login("jiguan")
    committee = root()
    # The root has no parent: nobody edits it through the tree.
    assert auth.post(f"/orgs/{committee.id}/close").status_code == 403


def test_member_can_belong_to_home_and_temporary_branch(client, auth, demo):
    auth.login("dangyuan")
    html = client.get("/").get_data(as_text=True)
    assert "规划计划处党支部" in html and "长江中游水文测验项目临时党支部" in html
    assert "正式组织关系" in html and "临时组织关系" in html and "记录员" in html


def test_party_group_counts_and_lists_its_members(client, auth, demo):
    auth.login("shuji")
    branch = db.session.scalar(select(Organization).where(Organization.name == "办公室党支部"))
    group = next(c for c in branch.children if c.kind == "group")
    assigned = list(db.session.scalars(select(Membership).where(Membership.group_id == group.id)))
    assert assigned
    page = client.get(f"/orgs/{branch.id}").get_data(as_text=True)
    assert f"{len(assigned)} 人" in page
    roster = client.get(f"/orgs/{group.id}/roster/", headers={"HX-Request": "true"}).get_data(as_text=True)
    for membership in assigned:
        assert membership.user.name in roster
        assert f"/orgs/{branch.id}/roster/{membership.id}/edit" in roster
