"""A user of branch A can neither read nor change anything of branch B, through any route.

Every URL rule of the app that names an organization (or something inside one) is called with branch
B's identifiers, by GET and by POST with a valid CSRF token, as people of other branches. A new route
whose parameters this test does not know fails here until its resolver is added: nothing slips by.
"""
import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token
from webapp.extensions import db
from webapp.models import AuditLog, Membership, Organization, User

# Routes that take no identifiers of another branch are checked elsewhere.
PUBLIC_OR_SELF = {"static", "auth.login", "auth.logout", "auth.change_password", "home.index", "home.me",
                  "orgs.index"}


def org_named(name: str) -> Organization:
    return db.session.scalar(select(Organization).where(Organization.name == name))


def resolvers(target: Organization) -> dict:
    membership = db.session.scalar(select(Membership).where(Membership.org_id == target.id))
    return {
        "org_id": target.id,
        "membership_id": membership.id,
    }


def counts() -> dict:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (AuditLog, Membership, Organization, User)}


def rules_with_ids(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_OR_SELF:
            continue
        yield rule


def call_everything(client, app, target: Organization):
    values = resolvers(target)
    results = []
    token = csrf_token(client, "/")
    for rule in rules_with_ids(app):
        missing = set(rule.arguments) - set(values)
        assert not missing, f"access matrix: add a resolver for {missing} of {rule.endpoint}"
        path = rule.build(values, append_unknown=False)[1]
        if "GET" in rule.methods:
            results.append(("GET", path, client.get(path).status_code))
            results.append(("GET+htmx", path, client.get(path, headers={"HX-Request": "true"}).status_code))
        if "POST" in rule.methods:
            results.append(("POST", path, client.post(path, data={"csrf_token": token, "name": "x",
                                                                   "reason": "x"}).status_code))
    return results


@pytest.mark.parametrize("login,own,other", [
    ("shuji", "办公室党支部", "规划计划处党支部"),
    ("dangyuan", "规划计划处党支部", "办公室党支部"),
    ("linshi", "长江中游水文测验项目临时党支部", "张北风电场水文勘测临时党支部"),
])
def test_other_branch_is_invisible_through_every_route(app, client, auth, demo, login, own, other):
    auth.login(login)
    target = org_named(other)
    before = counts()
    results = call_everything(client, app, target)
    assert results
    leaks = [r for r in results if r[2] not in (403, 404)]
    assert not leaks, leaks
    assert counts() == before, "a refused request changed the database"
    # Lists never show the other branch's people.
    other_phones = [m.user.phone for m in db.session.scalars(
        select(Membership).where(Membership.org_id == target.id))
        if not db.session.scalar(select(Membership).where(
            Membership.user_id == m.user_id, Membership.org_id == org_named(own).id))]
    for page in ("/", "/orgs/", "/me"):
        html = client.get(page).get_data(as_text=True)
        assert other not in html, page
        assert not [p for p in other_phones if p and p in html], page


def test_member_cannot_manage_own_branch(app, client, auth, demo):
    auth.login("dangyuan")
    own = org_named("规划计划处党支部")
    before = counts()
    for _method, _path, status in call_everything(client, app, own):
        assert status in (200, 302, 400, 403, 404, 405)
    assert counts() == before
    assert client.get(f"/orgs/{own.id}/roster/new").status_code == 403
    assert client.get(f"/orgs/{own.id}/roster/").status_code == 200


def test_branch_secretary_cannot_edit_or_close_own_branch_but_manages_roster(client, auth, demo):
    auth.login("shuji")
    own = org_named("办公室党支部")
    assert client.get(f"/orgs/{own.id}/edit").status_code == 403
    assert auth.post(f"/orgs/{own.id}/close").status_code == 403
    assert client.get(f"/orgs/{own.id}/roster/new").status_code == 200


def test_higher_committee_manages_everything_below(client, auth, demo):
    auth.login("jiguan")
    for org in db.session.scalars(select(Organization)):
        assert client.get(f"/orgs/{org.id}").status_code == 200
        assert client.get(f"/orgs/{org.id}/roster/").status_code == 200
        if org.parent_id:
            assert client.get(f"/orgs/{org.id}/edit").status_code == 200


def test_home_branch_secretary_reads_temporary_branch_of_own_members(client, auth, demo):
    # A 办公室党支部 member joined the wind-farm project: its secretary may read, not manage, it.
    auth.login("shuji")
    temp = org_named("张北风电场水文勘测临时党支部")
    assert client.get(f"/orgs/{temp.id}").status_code == 200
    assert client.get(f"/orgs/{temp.id}/roster/new").status_code == 403
