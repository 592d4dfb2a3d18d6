"""Issue 13, accounts belong to people: adding an existing person's phone number hands nothing of
their account over; invitations, who may reset and rename, audit rows and sign-in notices."""
from sqlalchemy import select

from tests.conftest import Auth
from webapp.extensions import db
from webapp.models import AuditLog, Membership, Organization, User

OFFICE, TEMP = "办公室党支部", "长江中游水文测验项目临时党支部"


def org(name: str) -> Organization:
    return db.session.scalar(select(Organization).where(Organization.name == name))


def person_data(user: User, **overrides) -> dict:
    data = {"name": user.name, "phone": user.phone, "gender": "male", "birth_date": "1980-01-01",
            "category": "full", "join_date": "2005-07-01", "post": "", "relation": "temporary",
            "title": "", "group_id": ""}
    return {**data, **overrides}


def membership_of(user: User, organization: Organization) -> Membership | None:
    return db.session.scalar(select(Membership).where(Membership.user_id == user.id,
                                                      Membership.org_id == organization.id))


def plain_member(organization: Organization, username: str) -> Membership:
    """A member without a committee title, given a username to sign in with."""
    membership = db.session.scalar(select(Membership).where(
        Membership.org_id == organization.id, Membership.title.is_(None), Membership.relation == "home")
        .order_by(Membership.id))
    membership.user.username = username
    db.session.commit()
    return membership


def actions(action: str) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


def test_adding_a_committee_members_phone_invites_and_hands_over_nothing(app, client, auth, demo):
    jiguan, office = demo["jiguan"], org(OFFICE)
    hash_before = jiguan.password_hash
    auth.login("shuji")
    response = auth.post(f"/orgs/{office.id}/roster/new",
                         person_data(jiguan, name="冒名顶替", relation="home"), follow_redirects=True)
    assert "已向本人发出邀请（以临时组织关系邀请" in response.get_data(as_text=True)
    assert membership_of(jiguan, office) is None  # not on the roster until accepted
    db.session.refresh(jiguan)
    assert jiguan.name == "郑国华" and jiguan.password_hash == hash_before
    assert [(e.org_id, e.changes["relation"]) for e in actions("invite_member")] == [(office.id, "temporary")]
    # Nothing of the account is reachable from the branch: its committee membership is not the branch's.
    committee_membership = db.session.scalar(select(Membership).where(Membership.user_id == jiguan.id))
    assert auth.post(f"/orgs/{office.id}/roster/{committee_membership.id}/reset-password").status_code == 404
    assert auth.post(f"/orgs/{office.id}/roster/{committee_membership.id}/edit",
                     person_data(jiguan, name="冒名顶替")).status_code == 404
    assert jiguan.name not in client.get(f"/orgs/{office.id}/roster/", headers={"HX-Request": "true"}).get_data(as_text=True)


def test_invited_person_accepts_then_appears_but_the_account_stays_theirs(app, client, auth, demo):
    jiguan, office = demo["jiguan"], org(OFFICE)
    auth.login("shuji")
    auth.post(f"/orgs/{office.id}/roster/new", person_data(jiguan))
    auth.logout()

    auth.login("jiguan")
    page = client.get("/invitations/").get_data(as_text=True)
    assert office.name in page and "王建平" in page
    from webapp.models import MembershipInvitation
    invitation = db.session.scalar(select(MembershipInvitation).where(
        MembershipInvitation.user_id == jiguan.id, MembershipInvitation.state == "pending"))
    assert auth.post(f"/invitations/{invitation.id}/accept", page="/invitations/").status_code == 302
    membership = membership_of(jiguan, office)
    assert membership is not None and membership.active and membership.relation == "temporary"
    assert actions("accept_invitation")
    auth.logout()

    auth.login("shuji")
    roster = client.get(f"/orgs/{office.id}/roster/").get_data(as_text=True)
    assert jiguan.name in roster and f"重置 {jiguan.name} 的密码" not in roster
    hash_before = jiguan.password_hash
    refused = auth.post(f"/orgs/{office.id}/roster/{membership.id}/reset-password")
    assert refused.status_code == 403
    db.session.refresh(jiguan)
    assert jiguan.password_hash == hash_before and not actions("reset_password")
    form = client.get(f"/orgs/{office.id}/roster/{membership.id}/edit").get_data(as_text=True)
    assert 'name="name"' not in form and 'name="phone"' not in form
    response = auth.post(f"/orgs/{office.id}/roster/{membership.id}/edit",
                         person_data(jiguan, name="冒名顶替", phone="13999999999", is_recorder="y"))
    assert response.status_code == 302
    db.session.refresh(jiguan)
    db.session.refresh(membership)
    assert jiguan.name == "郑国华" and jiguan.phone == "13900000001"
    assert membership.is_recorder  # the membership here is the branch's to set
    # Nor can the branch turn the membership into the person's home relation.
    response = auth.post(f"/orgs/{office.id}/roster/{membership.id}/edit", person_data(jiguan, relation="home"))
    assert response.status_code == 400 and "转为正式组织关系" in response.get_data(as_text=True)


def test_person_declines_and_stays_off_the_roster(app, client, auth, demo):
    dangyuan, office = demo["dangyuan"], org(OFFICE)
    auth.login("shuji")
    auth.post(f"/orgs/{office.id}/roster/new", person_data(dangyuan))
    auth.logout()
    auth.login("dangyuan")
    assert "1 个组织邀请待处理" in client.get("/").get_data(as_text=True)
    from webapp.models import MembershipInvitation
    invitation = db.session.scalar(select(MembershipInvitation).where(MembershipInvitation.state == "pending"))
    assert auth.post(f"/invitations/{invitation.id}/decline", page="/invitations/").status_code == 302
    assert membership_of(dangyuan, office) is None and actions("decline_invitation")


def test_committee_above_both_approves_and_the_person_is_told(app, client, auth, demo):
    office, temp = org(OFFICE), org(TEMP)
    member = plain_member(office, "office-member").user
    existing = membership_of(member, temp)
    if existing is not None:
        db.session.delete(existing)
        db.session.commit()
    auth.login("linshi")
    auth.post(f"/orgs/{temp.id}/roster/new", person_data(member))
    auth.logout()
    from webapp.models import MembershipInvitation
    invitation = db.session.scalar(select(MembershipInvitation).where(
        MembershipInvitation.user_id == member.id, MembershipInvitation.state == "pending"))

    auth.login("shuji")  # the home secretary is not above the temporary branch
    assert auth.post(f"/invitations/{invitation.id}/accept", page="/invitations/").status_code == 404
    assert membership_of(member, temp) is None
    auth.logout()
    auth.login("jiguan")
    assert member.name in client.get("/invitations/").get_data(as_text=True)
    assert auth.post(f"/invitations/{invitation.id}/accept", page="/invitations/").status_code == 302
    assert membership_of(member, temp).active
    # An organization department above both places someone directly, without an invitation.
    in_temp = list(db.session.scalars(select(Membership.user_id).where(Membership.org_id == temp.id)))
    other = db.session.scalar(select(Membership).where(
        Membership.org_id == office.id, Membership.title.is_(None), Membership.user_id != member.id,
        Membership.user_id.not_in(in_temp)).order_by(Membership.id)).user
    response = auth.post(f"/orgs/{temp.id}/roster/new", person_data(other), follow_redirects=True)
    assert "已有账号，已加入本组织" in response.get_data(as_text=True)
    assert membership_of(other, temp).active
    assert db.session.scalar(select(MembershipInvitation).where(
        MembershipInvitation.user_id == other.id, MembershipInvitation.state == "pending")) is None
    auth.logout()
    page = Auth(client).login("office-member")
    assert page.status_code == 302
    assert "您已由 郑国华 于" in client.get("/").get_data(as_text=True)


def test_home_secretary_resets_and_the_person_is_told_at_next_sign_in(app, client, auth, demo):
    office = org(OFFICE)
    membership = plain_member(office, "office-member")
    auth.login("shuji")
    body = auth.post(f"/orgs/{office.id}/roster/{membership.id}/reset-password",
                     follow_redirects=True).get_data(as_text=True)
    password = body.split("新初始密码：")[1].split("（")[0]
    [entry] = actions("reset_password")
    assert entry.actor_id == demo["shuji"].id and entry.entity_id == str(membership.user_id)
    auth.logout()
    assert auth.login("office-member", password).status_code == 302
    assert "您的密码已由 王建平 于" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("office-member", password)
    assert "您的密码已由" not in client.get("/").get_data(as_text=True)  # told once


def test_secretary_cannot_reset_a_committee_persons_password(app, client, auth, demo):
    office = org(OFFICE)
    committee_member = db.session.scalar(select(Membership).where(
        Membership.org_id == office.id, Membership.title.is_not(None), Membership.user_id != demo["shuji"].id))
    auth.login("shuji")
    roster = client.get(f"/orgs/{office.id}/roster/").get_data(as_text=True)
    assert f"重置 {committee_member.user.name} 的密码" not in roster
    response = auth.post(f"/orgs/{office.id}/roster/{committee_member.id}/reset-password")
    assert response.status_code == 403 and "不能重置同级或上级职务人员的密码" in response.get_data(as_text=True)
    assert not actions("reset_password")
    auth.logout()
    # The committee above the branch may.
    auth.login("jiguan")
    assert auth.post(f"/orgs/{office.id}/roster/{committee_member.id}/reset-password").status_code == 302
    assert actions("reset_password")


def test_temporary_leader_cannot_reset_or_rename_a_member_from_another_branch(app, client, auth, demo):
    dangyuan, temp = demo["dangyuan"], org(TEMP)
    membership = membership_of(dangyuan, temp)
    hash_before = dangyuan.password_hash
    auth.login("linshi")
    assert auth.post(f"/orgs/{temp.id}/roster/{membership.id}/reset-password").status_code == 403
    auth.post(f"/orgs/{temp.id}/roster/{membership.id}/edit", person_data(dangyuan, name="改名", phone="13911112222"))
    db.session.refresh(dangyuan)
    assert (dangyuan.name, dangyuan.phone, dangyuan.password_hash) == ("张晓燕", "13900000004", hash_before)


def test_home_secretary_edit_of_personal_fields_is_audited_and_told(app, client, auth, demo):
    office = org(OFFICE)
    membership = plain_member(office, "office-member")
    user = membership.user
    auth.login("shuji")
    response = auth.post(f"/orgs/{office.id}/roster/{membership.id}/edit",
                         person_data(user, name="新名字", relation="home", gender=user.gender or "",
                                     birth_date=str(user.birth_date or ""), category=user.category,
                                     join_date=str(user.join_date or ""), post=user.post or ""))
    assert response.status_code == 302
    [entry] = actions("update_account")
    assert entry.changes["name"][1] == "新名字" and entry.entity_id == str(user.id)
    auth.logout()
    auth.login("office-member")
    assert "您的姓名已由 王建平 于" in client.get("/").get_data(as_text=True)


def test_import_of_an_existing_phone_invites(app, client, auth, demo):
    import io

    from openpyxl import Workbook

    office = org(OFFICE)
    workbook = Workbook()
    workbook.active.append(["姓名", "人员类别", "入党日期", "手机号"])
    workbook.active.append(["郑国华", "正式党员", "1998-07-01", demo["jiguan"].phone])
    buffer = io.BytesIO()
    workbook.save(buffer)
    auth.login("shuji")
    response = auth.post(f"/orgs/{office.id}/roster/import", {"sheet": (io.BytesIO(buffer.getvalue()), "r.xlsx")},
                         content_type="multipart/form-data")
    assert "已向本人发出邀请" in response.get_data(as_text=True)
    assert membership_of(demo["jiguan"], office) is None


def test_home_branch_keeps_the_account_of_a_member_it_deactivated(app, client, auth, demo):
    # A member of 办公室党支部 on a project: the branch deactivates and reactivates them, and still
    # resets their password; the temporary branch they are active in does not take the account over.
    office, project = org(OFFICE), org("张北风电场水文勘测临时党支部")
    home = plain_member(office, "office-member")
    on_project = Membership(user_id=home.user_id, org_id=project.id, relation="temporary")  # accepted earlier
    db.session.add(on_project)
    db.session.commit()
    auth.login("shuji")
    assert auth.post(f"/orgs/{office.id}/roster/{home.id}/deactivate", {"reason": "调离"}).status_code == 302
    assert auth.post(f"/orgs/{office.id}/roster/{home.id}/reset-password").status_code == 302
    assert auth.post(f"/orgs/{office.id}/roster/{home.id}/reactivate").status_code == 302
    db.session.refresh(home)
    assert home.active
    auth.logout()
    leader = db.session.get(Organization, on_project.org_id).leader  # the project may not
    leader.username = "project-leader"
    db.session.commit()
    auth.login("project-leader")
    assert auth.post(f"/orgs/{on_project.org_id}/roster/{on_project.id}/reset-password").status_code == 403


def test_the_inviting_branch_withdraws_its_invitation_once(app, client, auth, demo):
    from webapp.models import MembershipInvitation

    jiguan, office = demo["jiguan"], org(OFFICE)
    auth.login("shuji")
    auth.post(f"/orgs/{office.id}/roster/new", person_data(jiguan))
    invitation = db.session.scalar(select(MembershipInvitation).where(
        MembershipInvitation.user_id == jiguan.id, MembershipInvitation.org_id == office.id,
        MembershipInvitation.state == "pending"))
    response = auth.post(f"/invitations/{invitation.id}/withdraw")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/orgs/{office.id}/roster/")
    db.session.refresh(invitation)
    assert invitation.state == "withdrawn" and invitation.decided_by_id == demo["shuji"].id
    assert [e.entity_id for e in actions("withdraw_invitation")] == [str(invitation.id)]
    again = auth.post(f"/invitations/{invitation.id}/withdraw", follow_redirects=True)
    assert "该邀请已处理" in again.get_data(as_text=True)
    assert len(actions("withdraw_invitation")) == 1
    assert membership_of(jiguan, office) is None
