"""Issue 13 attacked as a colleague with a demo account would: each test is one attempt that must fail
(and, where it matters, the legitimate use next to it that must keep working).
"""
import io
import uuid
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.records_helpers import FIELD_BRANCH, org_named, theme_day_data
from webapp.extensions import db
from webapp.models import Record, StudyNote

PLANNING = "规划计划处党支部"
OFFICE = "办公室党支部"
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


def png(color) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, "PNG")
    return buffer.getvalue()


def sha_of(data: bytes) -> str:
    import hashlib
    return hashlib.sha256(data).hexdigest()


def register_phone(client) -> str:
    response = client.post("/api/sync/devices", json={"name": "测试手机"},
                           headers={"X-CSRFToken": csrf_token(client, "/")})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["token"]


def push(client, token: str, entity: str, payload: dict, target=None, base_version=None) -> dict:
    mutation = {"id": str(uuid.uuid4()), "seq": 1, "entity": entity, "payload": payload, "target": target,
                "base_version": base_version, "client_at": "2026-11-20T09:00:00+08:00"}
    response = client.post("/api/sync/push", json={"mutations": [mutation]},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    [result] = response.get_json()["results"]
    return result


def upload(client, data: bytes):
    return client.post("/records/photos", data={"photo": (io.BytesIO(data), "a.png"),
                                                "csrf_token": csrf_token(client, "/")})


# --- a hash claimed before its owner uploads it ------------------------------------------------

def test_a_hash_claimed_in_a_note_before_its_upload_never_shows_the_later_photo(client, auth, demo):
    """dangyuan guesses (or learns) the hash of a photo the office secretary is about to upload and
    names it on her own study note first; the upload that follows stays the secretary's."""
    secret = png((200, 10, 10))
    sha = sha_of(secret)
    auth.login("dangyuan")
    token = register_phone(client)
    result = push(client, token, "study_note", {"data": {"noted_on": YESTERDAY, "topic": "学习", "text": "x",
                                                         "photo_sha256": sha}, "org_id": org_named(PLANNING).id})
    assert result["status"] == "applied", result
    auth.logout()
    auth.login("shuji")
    assert upload(client, secret).status_code in (200, 201)
    assert client.get(f"/records/photos/{sha}").status_code == 200
    auth.logout()
    auth.login("dangyuan")
    assert client.get(f"/records/photos/{sha}").status_code == 404
    assert client.get(f"/records/photos/{sha}/thumb").status_code == 404


def test_a_hash_claimed_on_a_record_before_its_upload_never_shows_the_later_photo(client, auth, demo):
    field = org_named(FIELD_BRANCH)
    secret = png((10, 200, 10))
    sha = sha_of(secret)
    auth.login("dangyuan")
    token = register_phone(client)
    result = push(client, token, "record", {"data": theme_day_data(field, photos=[sha]),
                                            "org_id": field.id, "type": "theme_day"})
    assert result["status"] == "applied", result
    auth.logout()
    auth.login("shuji")
    assert upload(client, secret).status_code in (200, 201)
    auth.logout()
    # Neither the claimant nor the claimant's branch sees the secretary's photo through the claim.
    for who in ("dangyuan", "linshi"):
        auth.login(who)
        assert client.get(f"/records/photos/{sha}").status_code == 404, who
        auth.logout()
    # And the claim does not let the claimant attach it elsewhere now it is stored.
    auth.login("dangyuan")
    result = push(client, token, "study_note", {"data": {"noted_on": YESTERDAY, "topic": "学习", "text": "x",
                                                         "photo_sha256": sha}, "org_id": org_named(PLANNING).id})
    assert result["status"] == "rejected" and "photo_sha256" in result["fields"], result


def test_a_phones_own_record_before_its_own_photos_still_shows_them(client, auth, demo):
    field = org_named(FIELD_BRANCH)
    mine = png((10, 10, 200))
    sha = sha_of(mine)
    auth.login("dangyuan")
    token = register_phone(client)
    result = push(client, token, "record", {"data": theme_day_data(field, photos=[sha]),
                                            "org_id": field.id, "type": "theme_day"})
    assert result["status"] == "applied", result
    note = push(client, token, "study_note", {"data": {"noted_on": YESTERDAY, "topic": "学习", "text": "x",
                                                       "photo_sha256": sha}, "org_id": org_named(PLANNING).id})
    assert note["status"] == "applied", note
    response = client.put(f"/api/sync/photos/{sha}", data=mine,
                          headers={"Authorization": f"Bearer {token}", "Content-Type": "image/png"})
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    record = db.session.scalar(select(Record).where(Record.uuid == result["target"]))
    assert record.photos_missing == 0
    assert client.get(f"/records/photos/{sha}").status_code == 200
    auth.logout()
    auth.login("linshi")  # the branch's leader sees the record's photo, sent by its author
    assert client.get(f"/records/photos/{sha}").status_code == 200
    note_row = db.session.scalar(select(StudyNote).where(StudyNote.uuid == note["target"]))
    assert note_row.photo_sha256 == sha


# --- accounts ----------------------------------------------------------------------------------

def _org(name):
    return org_named(name)


def _membership(user, organization):
    from webapp.models import Membership
    return db.session.scalar(select(Membership).where(Membership.user_id == user.id,
                                                      Membership.org_id == organization.id))


def _plain(organization, username):
    from webapp.models import Membership
    membership = db.session.scalar(select(Membership).where(
        Membership.org_id == organization.id, Membership.title.is_(None), Membership.relation == "home",
        Membership.active.is_(True)).order_by(Membership.id))
    membership.user.username = username
    db.session.commit()
    return membership


def _person(user, **overrides):
    data = {"name": user.name, "phone": user.phone, "gender": user.gender or "",
            "birth_date": str(user.birth_date or ""), "category": user.category,
            "join_date": str(user.join_date or ""), "post": user.post or "", "relation": "home",
            "title": "", "group_id": ""}
    return {**data, **overrides}


def test_a_secretary_cannot_reset_or_rename_a_member_of_a_sibling_branch(client, auth, demo):
    office, planning = _org(OFFICE), _org(PLANNING)
    sibling = _plain(planning, "planning-member")
    person = sibling.user
    before = (person.name, person.phone, person.password_hash)
    auth.login("shuji")
    # Through the sibling's own roster, and through one's own roster with the sibling's membership id.
    for path_org in (planning.id, office.id):
        assert auth.post(f"/orgs/{path_org}/roster/{sibling.id}/reset-password").status_code in (403, 404)
        assert auth.post(f"/orgs/{path_org}/roster/{sibling.id}/edit",
                         _person(person, name="改名", phone="13911110000")).status_code in (403, 404)
    db.session.refresh(person)
    assert (person.name, person.phone, person.password_hash) == before


def test_no_reset_of_someone_only_invited(client, auth, demo):
    office, dangyuan = _org(OFFICE), demo["dangyuan"]
    before = dangyuan.password_hash
    auth.login("shuji")
    response = auth.post(f"/orgs/{office.id}/roster/new", _person(dangyuan, name="张晓燕"), follow_redirects=True)
    assert "已向本人发出邀请" in response.get_data(as_text=True)
    assert _membership(dangyuan, office) is None
    home = _membership(dangyuan, _org(PLANNING))
    assert auth.post(f"/orgs/{office.id}/roster/{home.id}/reset-password").status_code == 404
    db.session.refresh(dangyuan)
    assert dangyuan.password_hash == before


def test_a_temporary_branch_the_person_joined_later_never_gets_their_account(app, client, auth, demo):
    """A person whose account a project branch created (no home relation anywhere) accepts an
    invitation to another branch: that branch gains a member, not the account."""
    from webapp.models import MembershipInvitation

    field, office = _org(FIELD_BRANCH), _org(OFFICE)
    auth.login("linshi")
    created = auth.post(f"/orgs/{field.id}/roster/new",
                        {"name": "项目新人", "phone": "13977770001", "gender": "male", "birth_date": "1990-01-01",
                         "category": "full", "join_date": "2015-07-01", "post": "", "relation": "temporary",
                         "title": "", "group_id": ""}, follow_redirects=True)
    text = created.get_data(as_text=True)
    password = text.split("初始密码：")[1].split("（")[0].split("<")[0].strip()
    auth.logout()
    from webapp.models import User
    newcomer = db.session.scalar(select(User).where(User.phone == "13977770001"))
    assert newcomer is not None and _membership(newcomer, field).relation == "temporary"
    before = newcomer.password_hash
    auth.login("shuji")
    auth.post(f"/orgs/{office.id}/roster/new", _person(newcomer, relation="temporary"))
    auth.logout()
    invitation = db.session.scalar(select(MembershipInvitation).where(MembershipInvitation.user_id == newcomer.id))
    assert auth.login("13977770001", password).status_code == 302
    assert auth.post(f"/invitations/{invitation.id}/accept", page="/invitations/").status_code == 302
    auth.logout()
    joined = _membership(newcomer, office)
    assert joined is not None and joined.active
    auth.login("shuji")
    assert auth.post(f"/orgs/{office.id}/roster/{joined.id}/reset-password").status_code == 403
    auth.post(f"/orgs/{office.id}/roster/{joined.id}/edit", _person(newcomer, name="被改名", relation="temporary"))
    db.session.refresh(newcomer)
    assert newcomer.password_hash == before and newcomer.name == "项目新人"
    auth.logout()
    # The branch that created the account still answers for it.
    auth.login("linshi")
    assert auth.post(f"/orgs/{field.id}/roster/{_membership(newcomer, field).id}/reset-password").status_code == 302


def test_rephoning_ones_own_member_to_a_committee_members_phone_is_refused(client, auth, demo):
    office, jiguan = _org(OFFICE), demo["jiguan"]
    own = _plain(office, "office-member")
    auth.login("shuji")
    response = auth.post(f"/orgs/{office.id}/roster/{own.id}/edit", _person(own.user, phone=jiguan.phone))
    assert response.status_code == 400 and "该手机号已被其他人员使用" in response.get_data(as_text=True)
    db.session.refresh(own.user)
    assert own.user.phone != jiguan.phone
    auth.logout()
    assert auth.login(jiguan.phone).status_code == 302  # the phone still signs the committee member in
    assert "郑国华" in client.get("/me").get_data(as_text=True)


def test_an_import_row_naming_an_own_member_with_a_committee_phone_renames_nobody(client, auth, demo):
    import io as _io

    from openpyxl import Workbook

    office, jiguan = _org(OFFICE), demo["jiguan"]
    own = _plain(office, "office-member")
    workbook = Workbook()
    workbook.active.append(["姓名", "人员类别", "入党日期", "手机号"])
    workbook.active.append([own.user.name, "正式党员", "2005-07-01", jiguan.phone])
    buffer = _io.BytesIO()
    workbook.save(buffer)
    before = (own.user.phone, jiguan.name, jiguan.phone, jiguan.password_hash)
    auth.login("shuji")
    auth.post(f"/orgs/{office.id}/roster/import", {"sheet": (_io.BytesIO(buffer.getvalue()), "r.xlsx")},
              content_type="multipart/form-data")
    db.session.refresh(own.user)
    db.session.refresh(jiguan)
    assert (own.user.phone, jiguan.name, jiguan.phone, jiguan.password_hash) == before
    assert _membership(jiguan, office) is None


def _copy_cookie(source, target, name):
    cookie = source.get_cookie(name)
    assert cookie is not None, name
    target.set_cookie(name, cookie.value)


def test_a_remember_me_cookie_is_refused_after_a_password_change(app, client, auth, demo):
    auth.login("dangyuan", remember=True)
    thief = app.test_client()
    _copy_cookie(client, thief, "remember_token")
    assert thief.get("/").status_code == 200
    response = auth.post("/account/password", {"current": "zhibu-demo", "new": "new-secret-2026",
                                               "confirm": "new-secret-2026"}, page="/account/password")
    assert response.status_code == 302
    assert thief.get("/").status_code == 302
    assert thief.get("/api/sync/whoami").status_code == 401
    assert client.get("/").status_code == 200  # the browser that changed it stays in


def test_a_device_token_is_refused_after_a_password_reset(app, client, auth, demo):
    office = _org(OFFICE)
    member = _plain(office, "office-member")
    from tests.conftest import Auth
    phone = app.test_client()
    Auth(phone).login("office-member")
    token = register_phone(phone)
    pull = lambda: app.test_client().get("/api/sync/pull", headers={"Authorization": f"Bearer {token}"})  # noqa: E731
    assert pull().status_code == 200
    auth.login("shuji")
    assert auth.post(f"/orgs/{office.id}/roster/{member.id}/reset-password").status_code == 302
    assert pull().status_code == 401


def test_a_forged_forwarded_for_buys_no_sign_in_budget_without_trusted_proxies(app, demo):
    from tests.conftest import Auth
    assert app.config.get("TRUSTED_PROXIES", 0) == 0
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    for number in range(4):
        attacker = app.test_client()
        attacker.environ_base.update(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
        Auth(attacker).login("shuji", "wrong")
    attacker = app.test_client()
    attacker.environ_base.update(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.250")
    assert Auth(attacker).login("shuji", "zhibu-demo").status_code == 429


# --- push endpoints ----------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint", [
    "https://127.0.0.1/", "https://[::1]/", "https://10.0.0.1/", "https://fcm.googleapis.com.evil.example/",
    "http://fcm.googleapis.com/", "https://[::ffff:127.0.0.1]/", "https://2130706433/",
])
def test_push_endpoints_aimed_inside_are_refused(app, client, auth, demo, endpoint):
    from webapp.models import PushSubscription
    from webapp.rules.reminders import PUSH_SERVICE_HOSTS_DEFAULT

    # Production's allow-list, not the test one that lets the fake push service on 127.0.0.1 in.
    app.config.update(PUSH_SERVICE_HOSTS=PUSH_SERVICE_HOSTS_DEFAULT, PUSH_LOOPBACK_TEST_HOSTS=())
    auth.login("dangyuan")
    response = client.post("/push/subscriptions", json={"endpoint": endpoint, "keys": {"p256dh": "BPk", "auth": "x"}},
                           headers={"X-CSRFToken": csrf_token(client, "/me"), "Host": "localhost"})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "endpoint_refused"
    from sqlalchemy import func
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0


def _resolver(*addresses):
    """A name resolver with socket.getaddrinfo's signature answering fixed addresses."""
    import socket

    def resolve(host, port, type=0, **_kwargs):
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0))
                for a in addresses]
    return resolve


@pytest.mark.parametrize("addresses", [
    ("127.0.0.1",), ("::1",), ("10.0.0.1",), ("169.254.169.254",), ("142.250.1.1", "192.168.1.1"),
    ("::ffff:127.0.0.1",), ("64:ff9b::a00:1",), ("2002:a00:1::1",), ("fd00::1",), ("100.64.0.1",),
])
def test_a_push_service_name_resolving_inside_is_refused(app, addresses):
    from webapp.push import endpoints

    with pytest.raises(endpoints.Refused) as refused:
        endpoints.check("https://fcm.googleapis.com/fcm/send/abc", resolve_required=True, config=app.config,
                        resolve=_resolver(*addresses))
    assert refused.value.code == "endpoint_private_address"


def test_a_push_service_name_resolving_to_public_addresses_is_accepted(app):
    from webapp.push import endpoints

    assert endpoints.check("https://fcm.googleapis.com/fcm/send/abc", resolve_required=True, config=app.config,
                           resolve=_resolver("142.250.1.1", "2607:f8b0:4005::1")) == "fcm.googleapis.com"


# --- sync mutations --------------------------------------------------------------------------

def _office_record():
    return db.session.scalar(select(Record).where(Record.org_id == org_named(OFFICE).id,
                                                  Record.type != "talk").order_by(Record.id))


@pytest.mark.parametrize("entity", ["record", "check_in", "study_note"])
def test_a_mutation_naming_another_branchs_record_changes_nothing(client, auth, demo, entity):
    from webapp.models import CheckIn, QuarantinedMutation
    from sqlalchemy import func

    target = _office_record()
    versions, check_ins = target.version, len(target.check_ins)
    auth.login("dangyuan")
    token = register_phone(client)
    planning = org_named(PLANNING)
    if entity == "record":
        result = push(client, token, "record", {"data": theme_day_data(org_named(OFFICE), topic="篡改"),
                                                "org_id": planning.id, "type": target.type},
                      target=target.uuid, base_version=target.version)
    elif entity == "check_in":
        result = push(client, token, "check_in", {}, target=target.uuid)
    else:  # a study note sent under the record's uuid (the id spaces are separate)
        result = push(client, token, "study_note", {"data": {"noted_on": YESTERDAY, "topic": "学习", "text": "x"},
                                                    "org_id": org_named(OFFICE).id}, target=target.uuid)
    assert result["status"] == "rejected", result
    db.session.expire_all()
    target = db.session.get(Record, target.id)
    assert (target.version, len(target.check_ins), target.topic != "篡改") == (versions, check_ins, True)
    parked = db.session.scalars(select(QuarantinedMutation.org_id)).all()
    assert org_named(OFFICE).id not in parked
    assert db.session.scalar(select(func.count()).select_from(CheckIn).where(
        CheckIn.user_id == demo["dangyuan"].id, CheckIn.record_id == target.id)) == 0


LONE = "\ud800"


def _leaves(value, path=()):
    """Every place in a JSON value a string can go: each string leaf and each key."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield path + (("key", key),)
            yield from _leaves(inner, path + (key,))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _leaves(inner, path + (index,))
    elif isinstance(value, (str, int)) and not isinstance(value, bool):
        yield path


def _poison(value, path):
    import copy

    value = copy.deepcopy(value)
    inner = value
    for step in path[:-1]:
        inner = inner[step]
    last = path[-1]
    if isinstance(last, tuple):  # a key
        inner[last[1] + LONE] = inner.pop(last[1])
    else:
        inner[last] = (inner[last] if isinstance(inner[last], str) else str(inner[last])) + LONE
    return value


def test_a_lone_surrogate_in_every_field_of_every_mutation_is_rejected_alone(client, auth, demo):
    """Each string leaf and key of each entity's mutation (envelope included) in turn: the poisoned
    mutation is answered on its own, never a 500, and the good mutation after it applies."""
    field = org_named(FIELD_BRANCH)
    auth.login("dangyuan")
    token = register_phone(client)
    record = push(client, token, "record", {"data": theme_day_data(field), "org_id": field.id, "type": "theme_day"})
    samples = [
        {"entity": "record", "payload": {"data": theme_day_data(field), "org_id": field.id, "type": "theme_day"},
         "target": None, "base_version": None},
        {"entity": "record", "payload": {"data": theme_day_data(field, topic="改"), "org_id": field.id,
                                         "type": "theme_day"}, "target": record["target"], "base_version": 1},
        {"entity": "check_in", "payload": {}, "target": record["target"], "base_version": None},
        {"entity": "study_note", "payload": {"data": {"noted_on": YESTERDAY, "topic": "学习", "text": "x"},
                                             "org_id": org_named(PLANNING).id}, "target": None, "base_version": None},
    ]
    seq = 10
    for sample in samples:
        envelope = {"id": str(uuid.uuid4()), "seq": 0, "client_at": "2026-11-20T09:00:00+08:00", **sample}
        for path in _leaves(envelope):
            if path in (("seq",),) or path == (("key", "seq"),):
                continue
            bad = _poison(envelope, path)
            seq += 2
            bad["seq"] = seq
            if path != ("id",):
                bad["id"] = str(uuid.uuid4())
            good = {"id": str(uuid.uuid4()), "seq": seq + 1, "entity": "study_note", "target": None,
                    "base_version": None, "client_at": "2026-11-20T09:00:00+08:00",
                    "payload": {"data": {"noted_on": YESTERDAY, "topic": f"好的{seq}", "text": "x"},
                                "org_id": org_named(PLANNING).id}}
            answer = client.post("/api/sync/push", json={"mutations": [bad, good]},
                                 headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 200, (path, answer.get_data(as_text=True)[:300])
            results = answer.get_json()["results"]
            assert [r["status"] for r in results if r.get("id") == good["id"]] == ["applied"], (path, results)
            poisoned = [r for r in results if r.get("id") != good["id"]]
            assert len(poisoned) == 1 and poisoned[0]["status"] == "rejected", (path, poisoned)


def test_renewing_ones_own_subscription_onto_anothers_endpoint_takes_nothing_from_them(client, demo):
    """The service worker's renewal names the old endpoint (its credential) and a new one: naming a
    colleague's endpoint as the new one must neither delete their subscription nor take it over."""
    from webapp.models import PushSubscription

    mine = PushSubscription(user_id=demo["dangyuan"].id, endpoint="https://fcm.googleapis.com/fcm/send/mine",
                            p256dh="BPk", auth="a")
    theirs = PushSubscription(user_id=demo["shuji"].id, endpoint="https://fcm.googleapis.com/fcm/send/theirs",
                              p256dh="BPk", auth="b")
    db.session.add_all([mine, theirs])
    db.session.commit()
    ids = (mine.id, theirs.id)
    response = client.post("/push/subscriptions/renew", json={
        "oldEndpoint": "https://fcm.googleapis.com/fcm/send/mine",
        "endpoint": "https://fcm.googleapis.com/fcm/send/theirs", "keys": {"p256dh": "BPk", "auth": "c"}})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "endpoint_taken"
    db.session.expire_all()
    kept = db.session.get(PushSubscription, ids[1])
    assert kept is not None and kept.user_id == demo["shuji"].id and kept.auth == "b"
    assert db.session.get(PushSubscription, ids[0]).endpoint.endswith("/mine")


@pytest.mark.parametrize("query", ["cursor=%ED%A0%80", "cursor=%00", "cursor=-1", "cursor=" + "9" * 40,
                                   "cursor=2026-13-45T99:99", "device=%ED%A0%80", "device=" + "x" * 5000])
def test_hostile_query_strings_on_the_sync_api_are_answered_not_500(client, auth, demo, query):
    auth.login("dangyuan")
    token = register_phone(client)
    response = client.get(f"/api/sync/pull?{query}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    if response.status_code >= 400:
        assert isinstance(response.get_json()["error"], dict)
