"""The roster (花名册): add, edit, deactivate, reset password, import from .xlsx."""
import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import AuditLog, Membership, Organization, User


def branch(name="办公室党支部") -> Organization:
    return db.session.scalar(select(Organization).where(Organization.name == name))


def member_data(**overrides):
    data = {"name": "周红霞", "phone": "13712345678", "gender": "female", "birth_date": "1990-03-08",
            "category": "full", "join_date": "2016-07-01", "post": "资料整编员", "relation": "home",
            "title": "", "group_id": ""}
    return {**data, **overrides}


def test_secretary_adds_member_with_initial_password(client, auth, demo):
    auth.login("shuji")
    org = branch()
    response = auth.post(f"/orgs/{org.id}/roster/new", member_data(), follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "已添加 周红霞" in body and "初始密码" in body
    user = db.session.scalar(select(User).where(User.phone == "13712345678"))
    assert user.category == "full" and user.password_hash.startswith("$argon2id$")
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "add_member")) is not None
    password = body.split("初始密码：")[1].split("（")[0]
    auth.logout()
    assert auth.login("13712345678", password).status_code == 302


def test_add_member_errors_keep_input(client, auth, demo):
    auth.login("shuji")
    org = branch()
    response = auth.post(f"/orgs/{org.id}/roster/new", member_data(phone="12345", join_date=""))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "手机号应为 11 位数字" in body and "党员需填写入党日期" in body
    assert 'value="周红霞"' in body


def test_existing_person_is_invited_to_temporary_branch_and_joins_on_accepting(client, auth, demo):
    # Issue 13: typing an existing account's phone number no longer links the account at once.
    auth.login("linshi")
    temp = branch("长江中游水文测验项目临时党支部")
    office_member = db.session.scalar(
        select(Membership).where(Membership.org_id == branch("办公室党支部").id,
                                 Membership.title.is_(None)).order_by(Membership.id.desc()))
    person = office_member.user
    already = db.session.scalar(select(Membership).where(Membership.org_id == temp.id,
                                                         Membership.user_id == person.id))
    if already:
        db.session.delete(already)
        db.session.commit()
    response = auth.post(f"/orgs/{temp.id}/roster/new", member_data(
        name=person.name, phone=person.phone, relation="temporary"), follow_redirects=True)
    assert "已向本人发出邀请" in response.get_data(as_text=True)
    relations = {m.relation for m in db.session.scalars(select(Membership).where(Membership.user_id == person.id))}
    assert relations == {"home"}
    auth.logout()
    person.username = "invited-person"
    db.session.commit()
    auth.login("invited-person")
    invitation = client.get("/invitations/").get_data(as_text=True)
    assert temp.name in invitation
    from webapp.models import MembershipInvitation
    pending = db.session.scalar(select(MembershipInvitation).where(MembershipInvitation.user_id == person.id,
                                                                   MembershipInvitation.state == "pending"))
    assert auth.post(f"/invitations/{pending.id}/accept").status_code == 302
    relations = {m.relation for m in db.session.scalars(select(Membership).where(Membership.user_id == person.id))}
    assert relations == {"home", "temporary"}
    auth.logout()
    auth.login("linshi")
    response = auth.post(f"/orgs/{temp.id}/roster/new", member_data(name=person.name, phone=person.phone))
    assert response.status_code == 400 and "已在本组织花名册中" in response.get_data(as_text=True)


def test_edit_member_and_committee_title(client, auth, demo):
    auth.login("shuji")
    org = branch()
    membership = db.session.scalar(select(Membership).where(Membership.org_id == org.id,
                                                            Membership.title.is_(None)))
    user = membership.user
    response = auth.post(f"/orgs/{org.id}/roster/{membership.id}/edit", member_data(
        name=user.name, phone=user.phone, title="member", post="新岗位"))
    assert response.status_code == 302
    db.session.refresh(membership)
    assert membership.title == "member" and membership.user.post == "新岗位"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "update_member"))
    assert "post" in entry.changes and "title" in entry.changes


def test_phone_taken_by_someone_else_is_refused_on_edit(client, auth, demo):
    auth.login("shuji")
    org = branch()
    first, second = list(db.session.scalars(select(Membership).where(Membership.org_id == org.id)))[:2]
    response = auth.post(f"/orgs/{org.id}/roster/{first.id}/edit", member_data(
        name=first.user.name, phone=second.user.phone))
    assert response.status_code == 400 and "该手机号已被其他人员使用" in response.get_data(as_text=True)


def test_deactivate_and_reactivate(client, auth, demo):
    auth.login("shuji")
    org = branch()
    membership = db.session.scalar(select(Membership).where(Membership.org_id == org.id,
                                                            Membership.title == "discipline"))
    assert auth.post(f"/orgs/{org.id}/roster/{membership.id}/deactivate", {"reason": "调离"}).status_code == 302
    db.session.refresh(membership)
    assert not membership.active and membership.title is None and membership.left_on
    table = {"HX-Request": "true"}
    listing = client.get(f"/orgs/{org.id}/roster/", headers=table).get_data(as_text=True)
    assert membership.user.name not in listing
    listing = client.get(f"/orgs/{org.id}/roster/?inactive=1", headers=table).get_data(as_text=True)
    assert membership.user.name in listing and "已停用" in listing
    assert auth.post(f"/orgs/{org.id}/roster/{membership.id}/reactivate").status_code == 302
    db.session.refresh(membership)
    assert membership.active


def test_roster_filter_answers_htmx_with_the_table_only(client, auth, demo):
    auth.login("shuji")
    org = branch()
    response = client.get(f"/orgs/{org.id}/roster/?category=activist", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="roster-table"') and "<html" not in body
    assert "HX-Request" in response.headers["Vary"]
    full = client.get(f"/orgs/{org.id}/roster/?category=activist").get_data(as_text=True)
    assert "<html" in full and 'id="roster-table"' in full


def test_member_sees_names_but_not_phones(client, auth, demo):
    auth.login("dangyuan")
    org = branch("规划计划处党支部")
    body = client.get(f"/orgs/{org.id}/roster/").get_data(as_text=True)
    other = db.session.scalar(select(Membership).where(Membership.org_id == org.id,
                                                       Membership.user_id != demo["dangyuan"].id))
    assert other.user.name in body and other.user.phone not in body


def test_reset_password(client, auth, demo):
    # The home branch's secretary resets a member's password; a temporary branch cannot (issue 13).
    auth.login("shuji")
    org = branch()
    membership = db.session.scalar(select(Membership).where(Membership.org_id == org.id,
                                                            Membership.title.is_(None)).order_by(Membership.id))
    person = membership.user
    person.username = "office-member"
    db.session.commit()
    body = auth.post(f"/orgs/{org.id}/roster/{membership.id}/reset-password",
                     follow_redirects=True).get_data(as_text=True)
    password = body.split("新初始密码：")[1].split("（")[0]
    auth.logout()
    assert auth.login("office-member", "zhibu-demo").status_code == 401
    assert auth.login("office-member", password).status_code == 302


def sheet(rows, header=None) -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.append(header or ["姓名", "性别", "出生日期", "人员类别", "入党日期", "手机号", "工作岗位", "支委职务", "党小组"])
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(auth, org, content: bytes, filename="roster.xlsx"):
    return auth.post(f"/orgs/{org.id}/roster/import",
                     {"sheet": (io.BytesIO(content), filename)},
                     content_type="multipart/form-data")


def test_import_keeps_good_rows_and_reports_bad_ones(client, auth, demo):
    auth.login("shuji")
    org = branch()
    before = db.session.scalar(select(func.count()).select_from(Membership).where(Membership.org_id == org.id))
    content = sheet([
        ["钱学森", "男", "1985-12-11", "正式党员", "2010-07-01", "13611112222", "工程师", "", "第一党小组"],
        ["", "男", "1985-12-11", "正式党员", "2010-07-01", "13611113333", "", "", ""],
        ["林巧稚", "女", "1990/1/2", "预备", "2026.3.1", "13611114444", "会计", "宣传委员", ""],
        ["邓稼先", "男", "不知道", "正式党员", "2010-07-01", "1361111", "", "", ""],
        ["钱三强", "男", "1985-12-11", "积极分子", None, "13611112222", "", "", ""],
        ["华罗庚", "男", "1985-12-11", "正式党员", "2011-01-01", "13611115555", "", "", "不存在的小组"],
    ])
    response = upload(auth, org, content)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "成功 2 行，失败 4 行" in body
    assert "请填写姓名" in body
    assert "日期“不知道”无法识别" in body and "手机号应为 11 位数字" in body
    assert "手机号与第 2 行重复" in body and "党小组“不存在的小组”不存在" in body
    after = db.session.scalar(select(func.count()).select_from(Membership).where(Membership.org_id == org.id))
    assert after == before + 2
    lin = db.session.scalar(select(User).where(User.phone == "13611114444"))
    assert lin.category == "probationary" and str(lin.join_date) == "2026-03-01"
    qian = db.session.scalar(select(Membership).join(User).where(User.phone == "13611112222"))
    assert qian.group.name == "第一党小组"


def test_import_rejects_wrong_files_clearly(client, auth, demo):
    auth.login("shuji")
    org = branch()
    response = upload(auth, org, b"not a spreadsheet")
    assert response.status_code == 400 and "文件不是有效的 .xlsx 表格" in response.get_data(as_text=True)
    response = upload(auth, org, sheet([["张三"]], header=["姓名"]))
    assert "缺少必需的列：手机号、人员类别" in response.get_data(as_text=True)
    response = upload(auth, org, b"x", filename="roster.csv")
    assert response.status_code == 400 and "只支持 .xlsx 格式" in response.get_data(as_text=True)


def test_import_template_downloads(client, auth, demo):
    auth.login("shuji")
    org = branch()
    response = client.get(f"/orgs/{org.id}/roster/template.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.active["A1"].value == "姓名"
