"""A user of branch A can neither read nor change anything of branch B, through any route.

Every URL rule of the app that names an organization (or something inside one) is called with branch
B's identifiers, by GET and by POST with a valid CSRF token, as people of other branches. A new route
whose parameters this test does not know fails here until its resolver is added: nothing slips by.
"""
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token
from webapp.china_time import china_today
from webapp.extensions import db
from webapp.models import (
    AuditLog, DuesPayment, DuesProfile, ExportJob, Membership, Organization, PointsApplication, PointsExemption,
    PointsGradeOverride, PointsLine, PointsYear, Problem, QuarantinedMutation, Record, RecordPhoto, StandardTick,
    StudyNote, User, YearResult,
)
from webapp.records import photos

# Routes that take no identifiers of another branch are checked elsewhere.
PUBLIC_OR_SELF = {"static", "auth.login", "auth.logout", "auth.change_password", "home.index", "home.me",
                  "orgs.index", "pwa.service_worker",
                  # offline sync: self-only pages and APIs (the device or item ids resolve per user)
                  "pwa.manifest", "offline.register_device", "offline.push", "offline.put_photo",
                  "offline.pull_changes", "offline.whoami", "offline.openapi", "offline.outbox", "offline.fallback", "offline.quarantine_index",
                  # Lists of what the user may see or manage, and uploads of one's own photos:
                  # tested below and in the records tests.
                  "records.index", "records.my_attendance", "records.review", "records.bulk_approve",
                  "records.upload_photo", "study.index", "dues.index", "dues.mine", "points.index",
                  "points.mine", "ledgers.index", "ledgers.start_export",
                  "standards.dashboard_page",
                  "push.vapid_public_key", "push.subscribe", "push.unsubscribe_endpoint", "push.preferences",
                  "push.send_test", "push.settings", "plans.index", "plans.tasks",
                  # the user's own subscription by endpoint; the renewal is identified by the old
                  # endpoint (tests/integration/test_push_endpoints.py)
                  "push.subscription_status", "push.renew_subscription"}

# --- accounts and sessions (issue 13): self-only routes; invitations resolve per person below.
PUBLIC_OR_SELF |= {"auth.sign_out_everywhere", "accounts.index"}
# --- 发展党员 (issue 21): the list of branches the user manages (checked below like the other lists).
PUBLIC_OR_SELF |= {"development.index"}
# --- push subscriptions of the signed-in user's own browser (issue 17): no ids of anyone's branch.
PUBLIC_OR_SELF |= {"push.subscription_status", "push.renew_subscription"}
# --- operations (issue 19): no ids, no branch's data; /metrics answers the same host or a token
# holder only (tests/integration/test_operations.py).
PUBLIC_OR_SELF |= {"ops.healthz", "ops.prometheus"}
# --- members on the move (issue 20): one's own whereabouts (tests/integration/test_mobility_scenario.py).
PUBLIC_OR_SELF |= {"mobility.my_whereabouts"}


def mobility_resolvers(target: Organization) -> dict:
    """A handover report, a 流动党员 entry and a transfer kept by ``target`` (both ends of each are
    ``target``), about someone who is only in ``target``."""
    from webapp.models import FlowingMember, HandoverReport, MembershipTransfer

    person = next(m.user for m in db.session.scalars(select(Membership).where(Membership.org_id == target.id))
                  if m.user.username not in ("jiguan", "shuji", "linshi", "dangyuan"))
    report = HandoverReport(org_id=target.id, user_id=person.id, home_org_id=target.id, closed_on=date.today(),
                            content={"name": person.name})
    entry = FlowingMember(user_id=person.id, home_org_id=target.id, receiving_org_id=target.id,
                          destination="外地", from_date=date.today())
    transfer = MembershipTransfer(user_id=person.id, kind="within", from_org_id=target.id, to_org_id=target.id,
                                  issued_on=date.today(), state="issued")
    db.session.add_all([report, entry, transfer])
    db.session.commit()
    return {"report_uuid": report.uuid, "flowing_uuid": entry.uuid, "transfer_uuid": transfer.uuid}
# --- end of members on the move


def invitation_resolvers(target: Organization) -> dict:
    """A pending invitation into ``target`` of someone who is only in ``target``."""
    from webapp.models import MembershipInvitation

    person = next(m.user for m in db.session.scalars(select(Membership).where(Membership.org_id == target.id))
                  if m.user.username not in ("jiguan", "shuji", "linshi", "dangyuan"))
    invitation = MembershipInvitation(user_id=person.id, org_id=target.id, relation="temporary")
    db.session.add(invitation)
    db.session.commit()
    return {"invitation_id": invitation.id}
# --- end of accounts and sessions


def org_named(name: str) -> Organization:
    return db.session.scalar(select(Organization).where(Organization.name == name))


def _photo_in(record: Record, uploader_id: int) -> str:
    """A photo only the target branch's people may see, attached to one of its records."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (180, 20, 20)).save(buffer, "PNG")
    photo, _ = photos.store(buffer.getvalue(), db.session.get(User, uploader_id))
    if not any(p.sha256 == photo.sha256 for p in record.photos):
        record.photos.append(RecordPhoto(sha256=photo.sha256, position=0))
    return photo.sha256


def _application_in(target: Organization, user_id: int) -> str:
    application = db.session.scalar(select(PointsApplication).where(PointsApplication.org_id == target.id))
    if application is None:
        application = PointsApplication(org_id=target.id, user_id=user_id, year=2026, month=1, bucket="bonus",
                                        points=1, note="志愿服务")
        db.session.add(application)
        db.session.flush()
    return application.uuid


def _exemption_in(target: Organization, user_id: int) -> str:
    exemption = db.session.scalar(select(PointsExemption).where(PointsExemption.org_id == target.id))
    if exemption is None:
        exemption = PointsExemption(org_id=target.id, user_id=user_id, year=2026, reason="病休", decision_note="")
        db.session.add(exemption)
        db.session.flush()
    return exemption.uuid


def _export_in(target: Organization, user_id: int) -> str:
    job = ExportJob(org_id=target.id, year=2026, kind="xlsx", requested_by_id=user_id, state="done")
    db.session.add(job)
    db.session.flush()
    return job.uuid


def _problem_in(target: Organization) -> str:
    from datetime import date

    from webapp.models import Problem

    problem = db.session.scalar(select(Problem).where(Problem.org_id == target.id))
    if problem is None:
        problem = Problem(org_id=target.id, description="x", found_on=date.today())
        db.session.add(problem)
        db.session.flush()
    return problem.uuid


def resolvers(target: Organization) -> dict:
    membership = db.session.scalar(select(Membership).where(Membership.org_id == target.id))
    record = db.session.scalar(select(Record).where(Record.org_id == target.id, Record.is_private.is_(False))
                               .order_by(Record.id))
    assert record is not None, "demo data has records in every branch"
    note = db.session.scalar(select(StudyNote).where(StudyNote.org_id == target.id))
    if note is None:
        note = StudyNote(user_id=membership.user_id, org_id=target.id, noted_on=record.occurred_on,
                         topic="学习笔记", text="x")
        db.session.add(note)
    sha256 = _photo_in(record, membership.user_id)
    db.session.commit()
    return {
        "org_id": target.id,
        "membership_id": membership.id,
        **sync_resolvers(target),
        "uuid": record.uuid,
        "record_uuid": record.uuid,  # a theme day's dues screen
        "other": record.uuid,  # the second record of a likely-duplicate pair
        "record_type": "theme_day",
        "number": 1,
        "note_uuid": note.uuid,
        "sha256": sha256,
        "user_id": membership.user_id,
        "application_uuid": _application_in(target, membership.user_id),
        "exemption_uuid": _exemption_in(target, membership.user_id),
        "year": date.today().year,
        "job_uuid": _export_in(target, membership.user_id),
        "key": "activity_room",
        "problem_uuid": _problem_in(target),
        "step": "application_talk",  # 发展党员: a step of a person's development file
        "kind": "xlsx",  # 发展党员: an export's format
        **push_resolvers(target, membership),
        **invitation_resolvers(target),
        **mobility_resolvers(target),
        **yearly_resolvers(target, membership.user_id),
    }


def yearly_resolvers(target: Organization, user_id: int) -> dict:
    """The branch's year (issue 22): an appraisal and a 组织生活会 preparation of this year, an election
    and a term extension awaiting approval, a commitment awaiting review."""
    from webapp.models import (
        Appraisal, Commitment, Election, HardshipCase, LifeMeetingPrep, RolePost, TermExtension,
    )

    year = date.today().year
    if db.session.scalar(select(Appraisal).where(Appraisal.org_id == target.id, Appraisal.year == year)) is None:
        db.session.add(Appraisal(org_id=target.id, year=year))
        db.session.add(LifeMeetingPrep(org_id=target.id, year=year))
    election = db.session.scalar(select(Election).where(Election.org_id == target.id))
    if election is None:
        election = Election(org_id=target.id, kind="by_election", held_on=date.today(), seats=1, electors=5,
                            ballots_issued=5, ballots_returned=5)
        db.session.add(election)
    extension = db.session.scalar(select(TermExtension).where(TermExtension.org_id == target.id))
    if extension is None:
        extension = TermExtension(org_id=target.id, months=6, reason="x", term_end_before=date.today())
        db.session.add(extension)
    commitment = db.session.scalar(select(Commitment).where(Commitment.org_id == target.id))
    if commitment is None:
        commitment = Commitment(org_id=target.id, user_id=user_id, year=year, kind="deed", text="x")
        db.session.add(commitment)
    post = db.session.scalar(select(RolePost).where(RolePost.org_id == target.id))
    if post is None:
        post = RolePost(org_id=target.id, user_id=user_id, year=year, kind="model_post", name="x")
        db.session.add(post)
    case = db.session.scalar(select(HardshipCase).where(HardshipCase.org_id == target.id))
    if case is None:
        case = HardshipCase(org_id=target.id, user_id=user_id, situation="x", since=date.today())
        db.session.add(case)
    db.session.commit()
    return {"election_uuid": election.uuid, "extension_uuid": extension.uuid, "commitment_uuid": commitment.uuid,
            "report_kind": "branch", "post_uuid": post.uuid, "case_uuid": case.uuid}


def push_resolvers(target: Organization, membership: Membership) -> dict:
    """An activity, a study task and a device subscription inside the target branch."""
    from datetime import date, time, timedelta

    from webapp.models import PlannedActivity, PushSubscription, StudyTask, StudyTaskDone

    activity = db.session.scalar(select(PlannedActivity).where(PlannedActivity.org_id == target.id))
    if activity is None:
        activity = PlannedActivity(org_id=target.id, type="theme_day", title="x", place="",
                                   on_date=date.today() + timedelta(days=3), start_time=time(9, 0))
        db.session.add(activity)
    task = db.session.scalar(select(StudyTask).where(StudyTask.org_id == target.id))
    if task is None:
        task = StudyTask(org_id=target.id, topic="x", body="x", due_on=date.today() + timedelta(days=3))
        db.session.add(task)
        db.session.flush()
        # Members' own "done" mark is their own action, not managing: pre-marked so it is a no-op here.
        for user_id in db.session.scalars(select(Membership.user_id).where(Membership.org_id == target.id)):
            db.session.add(StudyTaskDone(task_id=task.id, user_id=user_id))
    endpoint = f"https://push.example/{target.id}"
    subscription = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if subscription is None:
        subscription = PushSubscription(user_id=membership.user_id, endpoint=endpoint, p256dh="x", auth="x")
        db.session.add(subscription)
    db.session.commit()
    return {"plan_id": activity.id, "task_id": task.id, "subscription_id": subscription.id}
def sync_resolvers(target: Organization) -> dict:
    """A registered device and a quarantined mutation of someone only in ``target`` (no audit rows)."""
    import uuid as uuidlib

    from webapp.models import Device, QuarantinedMutation

    owner = next(m.user for m in db.session.scalars(select(Membership).where(Membership.org_id == target.id))
                 if m.user.username not in ("jiguan", "shuji", "linshi", "dangyuan"))
    device = Device(user_id=owner.id, name="测试手机", token_hash=uuidlib.uuid4().hex * 2)
    db.session.add(device)
    db.session.flush()
    item = QuarantinedMutation(mutation_id=str(uuidlib.uuid4()), device_id=device.id, user_id=owner.id,
                               org_id=target.id, entity="record", payload={"fields": []}, code="invalid",
                               message="x", fields={})
    db.session.add(item)
    db.session.commit()
    return {"device_uuid": device.uuid, "item_id": item.id}


def counts() -> dict:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (AuditLog, Membership, Organization, User, Record, StudyNote, DuesProfile, DuesPayment,
                          PointsApplication, PointsGradeOverride, PointsLine, ExportJob, Problem, StandardTick,
                          PointsYear, YearResult, PointsExemption)}


def rules_with_ids(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_OR_SELF:
            continue
        yield rule


def call_everything(client, app, values: dict):
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
    values = resolvers(target)
    before = counts()
    results = call_everything(client, app, values)
    assert results
    leaks = [r for r in results if r[2] not in (403, 404)]
    assert not leaks, leaks
    assert counts() == before, "a refused request changed the database"
    # Lists never show the other branch's people.
    other_phones = [m.user.phone for m in db.session.scalars(
        select(Membership).where(Membership.org_id == target.id))
        if not db.session.scalar(select(Membership).where(
            Membership.user_id == m.user_id, Membership.org_id == org_named(own).id))]
    for page in ("/", "/orgs/", "/me", "/records/", "/records/mine/attendance", "/records/review", "/study/",
                 "/dues/", "/dues/mine", "/points/", "/points/mine", "/standards/", "/ledgers/",
                 "/development/"):
        html = client.get(page).get_data(as_text=True)
        assert other not in html, page
        assert not [p for p in other_phones if p and p in html], page


def test_member_cannot_manage_own_branch(app, client, auth, demo):
    auth.login("dangyuan")
    own = org_named("规划计划处党支部")
    values = resolvers(own)
    before = counts()
    results = call_everything(client, app, values)
    assert all(status in (200, 302, 400, 403, 404, 405) for _method, _path, status in results)
    # Of every POST route on the own branch, the member answers only where a member may act (marking a
    # study task done, their own 个人自评, ballot, 对照检查材料, commitment, yearly report: the rows whose
    # refused people leave out SAME_MEMBER): a manager's action that answered here (200 or a redirect)
    # would have been done, whatever it changed.
    posts = [(path, status) for method, path, status in results if method == "POST"]
    assert len(posts) > 40
    member_may = {row.endpoint for row in WRONG_PERSON_ROWS if SAME_MEMBER not in row.refused}
    endpoint_of = {rule.build(values, append_unknown=False)[1]: rule.endpoint for rule in rules_with_ids(app)
                   if "POST" in rule.methods}
    answered = {endpoint_of[path] for path, status in posts if status in (200, 302)}
    assert "plans.task_done" in answered
    assert answered <= member_may, answered - member_may
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


# === Every state-changing route and every client-supplied reference, as the wrong person ========
#
# Two data tables. WRONG_PERSON_ROWS: one row (at least) per POST/PUT/PATCH/DELETE route, naming
# who must be refused when the route is called on the office branch's objects. REFERENCE_ROWS:
# people acting where they may, naming something of another branch in the body or sync payload.
# Every refusal must be a 403/404 (401 or the sign-in page for the anonymous, a structured JSON
# error for the API, a form error for a reference in a form), and must leave the database as it was.
# Add a row here with every new route: test_every_state_changing_route_has_a_row fails until then.

from dataclasses import dataclass  # noqa: E402
from datetime import date as _date, timedelta  # noqa: E402
import hashlib  # noqa: E402
import io  # noqa: E402
import uuid as uuidlib  # noqa: E402
from typing import Any, Callable  # noqa: E402

from werkzeug.datastructures import MultiDict  # noqa: E402

from tests.conftest import Auth  # noqa: E402
from tests.records_helpers import FIELD_BRANCH, theme_day_data  # noqa: E402
from webapp.records import service as records_service  # noqa: E402
from webapp.records.form_data import data_to_pairs  # noqa: E402

OFFICE, PLANNING, SURVEY = "办公室党支部", "规划计划处党支部", "水文测验处党支部"
# Days as the app counts them: China's calendar (a run after 16:00 UTC is already tomorrow there).
TODAY = china_today().isoformat()
YESTERDAY = (china_today() - timedelta(days=1)).isoformat()

# The wrong people for the office branch's objects.
OTHER_MEMBER = "other_member"            # a member of another branch (张晓燕, 规划计划处)
SIBLING_SECRETARY = "sibling_secretary"  # the secretary of a sibling branch (水文测验处)
SAME_MEMBER = "same_member"              # a plain member of the office branch itself
ANONYMOUS = "anonymous"
MANAGERS_ONLY = (OTHER_MEMBER, SIBLING_SECRETARY, SAME_MEMBER, ANONYMOUS)
OWNER_ONLY = MANAGERS_ONLY               # someone else's device, note, subscription, parked item
MEMBERS_ONLY = (OTHER_MEMBER, SIBLING_SECRETARY, ANONYMOUS)
SIGNED_IN = (ANONYMOUS,)                 # acts on the person's own things only


@dataclass(frozen=True)
class Row:
    endpoint: str
    refused: tuple[str, ...]
    body: Callable[[dict], Any] | None = None  # form data (or JSON) built from the resolved values
    json: bool = False
    method: str = "POST"
    values: Callable[[dict], dict] | None = None  # overrides of the URL values
    # A bulk action refuses item by item: it answers with the list again (302) and a message per
    # refused item; the proof is then that nothing changed.
    bulk: bool = False


def _note(v):
    return {"noted_on": YESTERDAY, "topic": "学习党章", "text": "笔记"}


def _record_form(v):
    return MultiDict(data_to_pairs(theme_day_data(org_named(OFFICE))))


def _edit_form(v):
    record = db.session.scalar(select(Record).where(Record.uuid == v["submitted_uuid"]))
    form = MultiDict(data_to_pairs({**record.current.data, "topic": "改过的主题"}))
    form["base_version"] = str(record.version)
    return form


WRONG_PERSON_ROWS = [
    # --- account and self routes (the accounts helper may add rows here) ---
    Row("auth.logout", SIGNED_IN),
    Row("auth.change_password", SIGNED_IN, lambda v: {"current_password": "zhibu-demo",
                                                      "new_password": "another-pass-123",
                                                      "confirm_password": "another-pass-123"}),
    Row("offline.register_device", SIGNED_IN, lambda v: {"name": "手机"}, json=True),
    Row("offline.push", SIGNED_IN, lambda v: {"mutations": []}, json=True),
    Row("offline.put_photo", SIGNED_IN, lambda v: _png_bytes((9, 9, 9)), method="PUT",
        values=lambda v: {"sha256": hashlib.sha256(_png_bytes((9, 9, 9))).hexdigest()}),
    Row("records.upload_photo", SIGNED_IN, lambda v: {"photo": (io.BytesIO(_png_bytes((8, 8, 8))), "a.png")}),
    Row("push.subscribe", SIGNED_IN, lambda v: {"endpoint": "https://push.example/new",
                                                "keys": {"p256dh": "x", "auth": "x"}}, json=True),
    Row("push.preferences", SIGNED_IN, lambda v: {"reminders": "y"}),
    Row("push.send_test", SIGNED_IN),
    # --- someone else's things: device, subscription, parked mutation, note ---
    Row("offline.revoke_device", OWNER_ONLY),
    Row("push.delete_subscription", OWNER_ONLY),
    Row("push.unsubscribe_endpoint", OWNER_ONLY, lambda v: {"endpoint": v["endpoint"]}, json=True),
    Row("offline.quarantine_retry", OWNER_ONLY),
    Row("offline.quarantine_dismiss", OWNER_ONLY, lambda v: {"reason": "不予入库"}),
    Row("offline.quarantine_edit", OWNER_ONLY, lambda v: {"topic": "改", "occurred_on": YESTERDAY}),
    Row("study.edit_note", OWNER_ONLY, _note),
    # --- the branch's own business: its committee only ---
    Row("orgs.new_child", MANAGERS_ONLY, lambda v: {"name": "新党小组", "kind": "group"}),
    Row("orgs.edit", MANAGERS_ONLY, lambda v: {"name": "改名党支部"}),
    Row("orgs.close", MANAGERS_ONLY, lambda v: {"reason": "撤销"}),
    Row("orgs.reopen", MANAGERS_ONLY),
    Row("roster.new", MANAGERS_ONLY, lambda v: {"name": "新党员", "phone": "13700000001", "relation": "home"}),
    Row("roster.edit", MANAGERS_ONLY, lambda v: {"name": "改名"}),
    Row("roster.deactivate", MANAGERS_ONLY, lambda v: {"reason": "调出"}),
    Row("roster.reactivate", MANAGERS_ONLY),
    Row("roster.reset_password", MANAGERS_ONLY),
    Row("roster.import_sheet", MANAGERS_ONLY, lambda v: {"sheet": (io.BytesIO(b"PK"), "a.xlsx")}),
    Row("dues.profile", MANAGERS_ONLY, lambda v: {"band": "b1", "base": "5000"}),
    Row("dues.pay", MANAGERS_ONLY, lambda v: {"user_id": str(v["user_id"]), "month": YESTERDAY[:7],
                                              "amount": "10.00", "paid_on": YESTERDAY, "channel": "cash"}),
    Row("ledgers.start_export", MANAGERS_ONLY, lambda v: {"org_id": str(v["org_id"]), "year": "2026",
                                                          "kind": "xlsx"}),
    Row("plans.new", MANAGERS_ONLY, lambda v: {"type": "theme_day", "title": "主题党日",
                                               "on_date": (_date.today() + timedelta(days=5)).isoformat(),
                                               "start_time": "09:00", "place": "会议室"}),
    Row("plans.edit", MANAGERS_ONLY, lambda v: {"type": "theme_day", "title": "改",
                                                "on_date": (_date.today() + timedelta(days=5)).isoformat(),
                                                "start_time": "09:00", "place": "会议室"}),
    Row("plans.cancel", MANAGERS_ONLY),
    Row("plans.new_task", MANAGERS_ONLY, lambda v: {"topic": "学习", "body": "x",
                                                    "due_on": (_date.today() + timedelta(days=5)).isoformat()}),
    Row("points.unqualified", MANAGERS_ONLY, lambda v: {"reason": "违纪"}),
    Row("points.review", MANAGERS_ONLY, lambda v: {"decision": "accept", "note": "同意"}),
    Row("records.new", MANAGERS_ONLY, _record_form),  # the plain member is no recorder
    Row("records.edit", MANAGERS_ONLY, _edit_form, values=lambda v: {"uuid": v["submitted_uuid"]}),
    Row("records.approve", MANAGERS_ONLY, values=lambda v: {"uuid": v["submitted_uuid"]}),
    Row("records.return_record", MANAGERS_ONLY, lambda v: {"comment": "请补充"},
        values=lambda v: {"uuid": v["submitted_uuid"]}),
    Row("records.comment", MANAGERS_ONLY, lambda v: {"comment": "意见"},
        values=lambda v: {"uuid": v["submitted_uuid"]}),
    Row("records.resolve_conflict", MANAGERS_ONLY, lambda v: {"decision": "dismiss"},
        values=lambda v: {"uuid": v["submitted_uuid"], "number": 1}),
    Row("records.bulk_approve", MANAGERS_ONLY, lambda v: MultiDict([("uuid", v["submitted_uuid"])]), bulk=True),
    Row("standards.problems_page", MANAGERS_ONLY, lambda v: {"description": "问题", "found_on": YESTERDAY}),
    Row("standards.tick", MANAGERS_ONLY, lambda v: {"done": "y"}),
    Row("standards.close_problem", MANAGERS_ONLY, lambda v: {"note": "已整改"}),
    Row("study.monthly_theme", MANAGERS_ONLY, lambda v: {"month": YESTERDAY[:7], "title": "主题"},
        values=lambda v: {"org_id": v["committee_id"]}),
    # --- what every member of the branch does: check in, write notes, apply for points ---
    Row("records.check_in", MEMBERS_ONLY, values=lambda v: {"uuid": v["submitted_uuid"]}),
    Row("study.new_note", MEMBERS_ONLY, _note),
    Row("points.apply", MEMBERS_ONLY, lambda v: {"bucket": "bonus", "points": "2", "note": "志愿服务"}),
    Row("plans.task_done", MEMBERS_ONLY),
    # --- this round's routes: invitations, sessions, year end, exemptions, merges, rules, restarts ---
    Row("accounts.accept_invitation", OWNER_ONLY),   # only the invited person answers
    Row("accounts.decline_invitation", OWNER_ONLY),
    Row("accounts.withdraw_invitation", MANAGERS_ONLY),
    Row("auth.sign_out_everywhere", SIGNED_IN),
    Row("dues.theme_day_payments", MANAGERS_ONLY, lambda v: MultiDict([("paid_ids", str(v["user_id"])),
                                                                  ("paid_on", YESTERDAY)]),
        values=lambda v: {"record_uuid": v["submitted_uuid"]}),
    Row("ledgers.restart_export", MANAGERS_ONLY),
    # --- the binder of a branch-year (or a home branch's part of a closed temporary branch), and a
    # committee's summary: not even the branch's own secretary starts that one (issue 23).
    Row("ledgers.export_binder", MANAGERS_ONLY),
    Row("ledgers.export_summary", MANAGERS_ONLY + ("own_secretary",), values=lambda v: {"org_id": v["committee_id"]}),
    Row("points.close_year", MANAGERS_ONLY),
    Row("points.reopen_year", MANAGERS_ONLY, lambda v: {"reason": "更正"}),
    Row("points.request_exemption", MANAGERS_ONLY, lambda v: {"reason": "长期病休"}),
    Row("points.decide_exemption", MANAGERS_ONLY, lambda v: {"decision": "approve", "note": "同意"}),
    Row("records.merge", MANAGERS_ONLY, lambda v: {"other": v["other_uuid"]},
        values=lambda v: {"uuid": v["submitted_uuid"]}),
    # --- 发展党员 (issue 21): steps, the probation and the board are the committee's; notes are for the
    # committee and the person's named contacts (the plain member of the office branch is neither).
    Row("development.apply", MANAGERS_ONLY, lambda v: {"user_id": str(v["user_id"]), "done_on": YESTERDAY}),
    Row("development.record_step", MANAGERS_ONLY, lambda v: {"done_on": YESTERDAY, "note": "谈话"},
        values=lambda v: {"user_id": v["dev_user_id"]}),
    Row("development.extend", MANAGERS_ONLY, lambda v: {"months": "6", "done_on": YESTERDAY, "reason": "考察"},
        values=lambda v: {"user_id": v["dev_user_id"]}),
    Row("development.new_note", MANAGERS_ONLY, lambda v: {"kind": "observation", "user_id": str(v["dev_user_id"]),
                                                          "written_on": YESTERDAY, "text": "考察"}),
    Row("standards.rules_page", MANAGERS_ONLY, lambda v: {"key": "standard.lecture.period", "value": "quarter",
                                                          "effective_from": f"{_date.today().year}-07-01",
                                                          "reason": "本委规定"},
        values=lambda v: {"org_id": v["committee_id"]}),
    # --- members on the move (issue 20): temporary branches, 流动党员, 组织关系转接 ---
    Row("mobility.found_temporary", MANAGERS_ONLY,
        lambda v: {"name": "新临时党支部", "project_name": "项目", "start_date": YESTERDAY, "leader_id": str(v["user_id"]),
                   "approval_number": "批复1号", "exception_reason": "确需成立"},
        values=lambda v: {"org_id": v["committee_id"]}),
    Row("mobility.gather", MANAGERS_ONLY, lambda v: {"user_id": str(v["user_id"])},
        values=lambda v: {"org_id": org_named(FIELD_BRANCH).id}),
    Row("mobility.add_outside", MANAGERS_ONLY, lambda v: {"name": "外来党员", "home_org_name": "外单位党支部",
                                                          "category": "full"},
        values=lambda v: {"org_id": org_named(FIELD_BRANCH).id}),
    Row("mobility.add_worker", MANAGERS_ONLY, lambda v: {"name": "工人"},
        values=lambda v: {"org_id": org_named(FIELD_BRANCH).id}),
    Row("mobility.observe", MANAGERS_ONLY, lambda v: {"user_id": str(v["user_id"]), "text": "表现好"},
        values=lambda v: {"org_id": org_named(FIELD_BRANCH).id}),
    Row("mobility.close_temporary", MANAGERS_ONLY, lambda v: {"on": YESTERDAY},
        values=lambda v: {"org_id": org_named(FIELD_BRANCH).id}),
    Row("mobility.register_outflow", MANAGERS_ONLY,
        lambda v: {"user_id": str(v["user_id"]), "destination": "外地", "from_date": YESTERDAY}),
    Row("mobility.flowing_lost", MANAGERS_ONLY),
    Row("mobility.flowing_returned", MANAGERS_ONLY),
    Row("mobility.flowing_accept", MANAGERS_ONLY),
    Row("mobility.my_whereabouts", SIGNED_IN, lambda v: {"whereabouts": "南京"}),
    Row("mobility.new_transfer", MANAGERS_ONLY,
        lambda v: {"kind": "outgoing", "user_id": str(v["user_id"]), "destination": "外单位", "letter_number": "1"}),
    Row("mobility.register_incoming", MANAGERS_ONLY,
        lambda v: {"name": "转入", "phone": "13700000009", "category": "full", "join_date": "2010-07-01",
                   "origin": "外单位党委", "letter_number": "2"}),
    Row("mobility.transfer_accept", MANAGERS_ONLY),
    Row("mobility.transfer_return", MANAGERS_ONLY, lambda v: {"reason": "信息有误"}),
    Row("mobility.transfer_in_transit", MANAGERS_ONLY),
    Row("mobility.transfer_receipt", MANAGERS_ONLY),
    Row("mobility.transfer_resolve", MANAGERS_ONLY, lambda v: {"resolution": "receipted"}),
    Row("mobility.outside_attendee", MANAGERS_ONLY, lambda v: {"name": "外来党员", "home_org_name": "外单位党支部",
                                                               "category": "full"},
        values=lambda v: {"record_uuid": v["submitted_uuid"]}),
    # --- the branch's year (issue 22) ---
    Row("appraisal.open_appraisal", MANAGERS_ONLY),
    Row("appraisal.write_self", MEMBERS_ONLY, lambda v: {"text": "个人自评"}),
    Row("appraisal.ballot", MEMBERS_ONLY, lambda v: {f"grade_{v['user_id']}": "excellent"}),
    Row("appraisal.counts", MANAGERS_ONLY, lambda v: {"ballots_returned": "3", f"excellent__{v['user_id']}": "3"}),
    Row("appraisal.decide", MANAGERS_ONLY, lambda v: {f"grade_{v['user_id']}": "excellent"}),
    Row("life_meeting.open_prep", MANAGERS_ONLY, lambda v: {"theme": "主题"}),
    Row("life_meeting.opinion", MANAGERS_ONLY, lambda v: {"source": "群众", "text": "意见"}),
    Row("life_meeting.material", MEMBERS_ONLY, lambda v: {"text": "对照检查材料"}),
    Row("life_meeting.link_record", MANAGERS_ONLY, lambda v: {"record_uuid": v["uuid"]}),
    Row("life_meeting.criticism", MANAGERS_ONLY, lambda v: {"user_id": str(v["user_id"]), "criticism": "批评"}),
    Row("elections.new", MANAGERS_ONLY, lambda v: {"kind": "by_election", "held_on": YESTERDAY, "seats": "1",
                                                   "electors": "5", "ballots_issued": "5", "ballots_returned": "5",
                                                   "candidate_id": str(v["user_id"]), "votes": "5",
                                                   "title": "member"}),
    Row("elections.decide", MANAGERS_ONLY, lambda v: {"decision": "approve"}),
    Row("elections.extension", MANAGERS_ONLY, lambda v: {"months": "6", "reason": "工程收尾"}),
    Row("elections.decide_extension", MANAGERS_ONLY, lambda v: {"decision": "approve"}),
    Row("roles.commit", MEMBERS_ONLY, lambda v: {"kind": "deed", "text": "承诺"}),
    Row("roles.review", MANAGERS_ONLY, lambda v: {"decision": "fulfilled"}),
    Row("reports.save", MANAGERS_ONLY, lambda v: {"text": "年度工作报告"}),
    Row("reports.mine", MEMBERS_ONLY, lambda v: {"text": "年度汇报"}),
    Row("roles.assign_post", MANAGERS_ONLY, lambda v: {"user_id": str(v["user_id"]), "kind": "duty_area",
                                                       "name": "资料室"}),
    Row("roles.post_note", MANAGERS_ONLY, lambda v: {"text": "本月整理资料"}),  # the holder or the committee
    Row("roles.volunteering_hours", MANAGERS_ONLY, lambda v: {"activity": "义务植树", "served_on": YESTERDAY,
                                                              "user_id": str(v["user_id"]), "hours": "2"}),
    Row("welfare.open_case", MANAGERS_ONLY, lambda v: {"user_id": str(v["user_id"]), "since": YESTERDAY,
                                                       "situation": "因病致困"}),
    Row("welfare.visit", MANAGERS_ONLY, lambda v: {"visited_on": YESTERDAY, "visitors": "支部书记",
                                                   "help_given": "送慰问品", "amount": "200"}),
    Row("welfare.close_case", MANAGERS_ONLY),
    Row("welfare.spend", MANAGERS_ONLY, lambda v: {"spent_on": YESTERDAY, "purpose": "主题党日用品",
                                                   "amount": "80", "receipts": v["sha256"]}),
]

# Routes no person can be wrong for.
NO_WRONG_PERSON = {"auth.login": "anyone may try to sign in",
                   "push.renew_subscription": "the old endpoint, known only to the browser and the server, is the "
                                              "credential (test_push_endpoints, test_trust_attacks)"}


def _png_bytes(color) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, "PNG")
    return buffer.getvalue()


def snapshot(skip: tuple[str, ...] = ()) -> dict:
    """Every committed row of every table (a refused request must change none of them)."""
    db.session.rollback()  # what a request left uncommitted is undone at its end in production
    state = {}
    for table in db.metadata.sorted_tables:
        if table.name in skip:
            continue
        query = select(table)
        if table.name == AuditLog.__tablename__ and "sync_quarantine" in skip:
            query = query.where(table.c.action != "quarantine")
        rows = sorted(repr(tuple(row)) for row in db.session.execute(query))
        state[table.name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return state


def changed(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


def is_refusal(response, anonymous: bool, form_error: bool = False, bulk: bool = False) -> bool:
    status = response.status_code
    if status in (401, 403, 404):
        return True
    if status == 302 and anonymous and response.headers.get("Location", "").startswith("/login"):
        return True
    if status == 302 and bulk and not anonymous:
        return True
    if 400 <= status < 500 and response.is_json and isinstance((response.get_json() or {}).get("error"), dict):
        return True
    return form_error and status == 400


def plain_office_member(exclude: set[int]) -> User:
    office = org_named(OFFICE)
    for membership in db.session.scalars(select(Membership).where(
            Membership.org_id == office.id, Membership.active.is_(True)).order_by(Membership.id)):
        user = membership.user
        if (not membership.title and not membership.is_recorder and not user.username and user.id not in exclude
                and len([m for m in user.memberships if m.active]) == 1):
            return user
    raise AssertionError("demo data has plain members in the office branch")


def secretary_of(org_name: str) -> User:
    return db.session.scalar(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.org_id == org_named(org_name).id, Membership.title == "secretary"))


def office_values(app, demo) -> dict:
    """The office branch's objects, plus a submitted record, its committee and an owner's endpoint."""
    from webapp.models import Device, PushSubscription

    office = org_named(OFFICE)
    values = resolvers(office)
    submitted = records_service.create_record(office, "theme_day", theme_day_data(office, topic="待审核"),
                                              demo["shuji"])
    db.session.commit()
    values["submitted_uuid"] = submitted.uuid
    other = records_service.create_record(office, "theme_day", theme_day_data(office, topic="同一次会议"),
                                          demo["shuji"])
    db.session.commit()
    values["other_uuid"] = other.uuid
    values["committee_id"] = office.parent_id
    # 发展党员: an applicant of the office branch with a development file, so recording its next step works.
    from webapp.development import pipeline
    from webapp.roster import joining

    applicant = User(name="发展对象甲", phone="13700009999")
    db.session.add(applicant)
    db.session.flush()
    joining.join(office, applicant, {"relation": "home"}, demo["shuji"])
    pipeline.record_step(office, applicant, "application",
                         {"done_on": (_date.today() - timedelta(days=10)).isoformat()}, demo["shuji"])
    db.session.commit()
    values["dev_user_id"] = applicant.id
    subscription = db.session.get(PushSubscription, values["subscription_id"])
    values["endpoint"] = subscription.endpoint
    from webapp.models import MembershipInvitation

    values["owners"] = {values["user_id"], subscription.user_id, db.session.scalar(
        select(Device.user_id).where(Device.uuid == values["device_uuid"])),
        db.session.get(MembershipInvitation, values["invitation_id"]).user_id, values["dev_user_id"]}
    return values


def signed_in_clients(app, roles: set[str], values: dict, demo) -> dict:
    people = {OTHER_MEMBER: demo["dangyuan"], SIBLING_SECRETARY: secretary_of(SURVEY),
              SAME_MEMBER: plain_office_member(values["owners"]), "own_secretary": demo["shuji"],
              "field_recorder": demo["dangyuan"]}
    clients = {}
    for role in roles:
        client = app.test_client()
        if role != ANONYMOUS:
            person = people[role]
            response = Auth(client).login(person.username or person.phone)
            assert response.status_code == 302, (role, person.name)
        clients[role] = client
    return clients


def send(client, rule, values: dict, row_method: str, body, as_json: bool):
    path = rule.build(values, append_unknown=False)[1]
    page = "/login" if client.get("/").status_code == 302 else "/"
    token = csrf_token(client, page)
    if as_json:
        return client.open(path, method=row_method, json=body if body is not None else {},
                           headers={"X-CSRFToken": token})
    if isinstance(body, bytes):
        return client.open(path, method=row_method, data=body, headers={"Content-Type": "image/png"})
    data = MultiDict(body) if body is not None else MultiDict()
    data["csrf_token"] = token
    return client.open(path, method=row_method, data=data)


def test_every_state_changing_route_has_a_row(app):
    changing = {rule.endpoint for rule in app.url_map.iter_rules()
                if rule.methods & {"POST", "PUT", "PATCH", "DELETE"}}
    covered = {row.endpoint for row in WRONG_PERSON_ROWS} | set(NO_WRONG_PERSON)
    assert changing - covered == set(), "access matrix: add a WRONG_PERSON_ROWS row for these routes"
    assert covered - changing == set(), "access matrix: rows for routes that no longer exist"


def test_every_state_changing_route_refuses_the_wrong_person(app, demo):
    values = office_values(app, demo)
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    roles = {role for row in WRONG_PERSON_ROWS for role in row.refused}
    clients = signed_in_clients(app, roles, values, demo)
    failures = []
    for row in WRONG_PERSON_ROWS:
        rule = rules[row.endpoint]
        row_values = {**values, **(row.values(values) if row.values else {})}
        for role in row.refused:
            body = row.body(row_values) if row.body else None
            before = snapshot()
            response = send(clients[role], rule, row_values, row.method, body, row.json)
            after = snapshot()
            if not is_refusal(response, role == ANONYMOUS, bulk=row.bulk) or changed(before, after):
                failures.append((row.endpoint, role, response.status_code, changed(before, after)))
    assert not failures, failures


@dataclass(frozen=True)
class Reference:
    """Someone acting where they may, naming another branch's object in the body or sync payload."""
    name: str
    kind: str  # which kind of reference the client supplies
    actor: str  # own_secretary: the office secretary in his branch; field_recorder: 张晓燕 on her phone
    endpoint: str
    body: Callable[[dict], Any]
    values: Callable[[dict], dict] = lambda v: {}
    json: bool = False
    bulk: bool = False
    # The same request with the reference swapped for one of the actor's own: it must be accepted,
    # so the refusal above is for the reference, not for anything else in the body.
    control: Callable[[dict], Any] | None = None
    via_session: bool = False  # a sync call signed by the browser session (and a device it names)


def _office_record_form(v, **changes):
    form = MultiDict(data_to_pairs(theme_day_data(org_named(OFFICE), **changes)))
    return form


def _new_member(v, phone, group_id):
    return {"name": "新党员", "phone": phone, "gender": "male", "category": "activist", "relation": "home",
            "group_id": str(group_id)}


_SEQ = {"last": 0}  # the phone's sequence numbers (a fresh device per test)


def _mutation(entity, payload, target=None, base_version=None):
    _SEQ["last"] += 1
    return {"id": str(uuidlib.uuid4()), "seq": _SEQ["last"], "entity": entity, "payload": payload, "target": target,
            "base_version": base_version, "client_at": "2026-11-20T09:00:00+08:00"}


def _field_record(v, **changes):
    field_branch = org_named(FIELD_BRANCH)
    return {"data": theme_day_data(field_branch, **changes), "org_id": field_branch.id, "type": "theme_day"}


REFERENCE_ROWS = [
    # Forms: the office secretary records in his own branch, naming what is not his branch's.
    Reference("attendee of another branch", "member id", "own_secretary", "records.new",
              lambda v: _office_record_form(v, attendee_ids=[v["foreign_member_id"]]),
              control=lambda v: _office_record_form(v, attendee_ids=[v["user_id"]])),
    Reference("host of another branch", "member id", "own_secretary", "records.new",
              lambda v: _office_record_form(v, host_id=v["foreign_member_id"])),
    Reference("recorder of another branch", "member id", "own_secretary", "records.new",
              lambda v: _office_record_form(v, recorder_id=v["foreign_member_id"])),
    Reference("absentee of another branch", "member id", "own_secretary", "records.new",
              lambda v: _office_record_form(v, absentees=[{"user_id": v["foreign_member_id"], "reason": ""}])),
    Reference("party group of another branch", "group id", "own_secretary", "records.new",
              lambda v: _office_record_form(v, group_id=v["foreign_group_id"]),
              values=lambda v: {"record_type": "group_meeting"},
              control=lambda v: _office_record_form(v, group_id=v["own_group_id"])),
    Reference("photo of another branch on a record", "photo hash", "own_secretary", "records.new",
              lambda v: _office_record_form(v, photos=[v["foreign_sha256"]]),
              control=lambda v: _office_record_form(v, photos=[v["own_sha256"]])),
    Reference("attendee of another branch in an edit", "member id", "own_secretary", "records.edit",
              lambda v: MultiDict([*data_to_pairs({**_current_data(v["editable_uuid"]),
                                                   "attendee_ids": [v["foreign_member_id"]]}),
                                   ("base_version", "1")]),
              values=lambda v: {"uuid": v["editable_uuid"]}),
    Reference("photo of another branch in a study note", "photo hash", "own_secretary", "study.new_note",
              lambda v: {**_note(v), "photo_sha256": v["foreign_sha256"]},
              control=lambda v: {**_note(v), "photo_sha256": v["own_sha256"]}),
    Reference("photo of another branch in a points application", "photo hash", "own_secretary",
              "points.apply", lambda v: {"bucket": "bonus", "points": "2", "note": "志愿服务",
                                         "photo_sha256": v["foreign_sha256"]},
              control=lambda v: {"bucket": "bonus", "points": "2", "note": "志愿服务",
                                 "photo_sha256": v["own_sha256"]}),
    # This month: the demo ledger is paid up to last month, so the control payment is new.
    Reference("dues payment for another branch's member", "member id", "own_secretary", "dues.pay",
              lambda v: {"user_id": str(v["foreign_member_id"]), "month": TODAY[:7], "amount": "10.00",
                         "paid_on": TODAY, "channel": "cash"},
              control=lambda v: {"user_id": str(v["user_id"]), "month": TODAY[:7], "amount": "10.00",
                                 "paid_on": TODAY, "channel": "cash"}),
    Reference("points verdict on another branch's member", "member id", "own_secretary", "points.unqualified",
              lambda v: {"reason": "违纪"}, values=lambda v: {"user_id": v["foreign_member_id"]}),
    Reference("dues profile of another branch's member", "member id", "own_secretary", "dues.profile",
              lambda v: {"band": "b1", "base": "5000"}, values=lambda v: {"user_id": v["foreign_member_id"]}),
    Reference("membership of another branch under his own", "member id", "own_secretary", "roster.deactivate",
              lambda v: {"reason": "调出"}, values=lambda v: {"membership_id": v["foreign_membership_id"]}),
    Reference("export of another branch", "org id", "own_secretary", "ledgers.start_export",
              lambda v: {"org_id": str(v["foreign_org_id"]), "year": "2026", "kind": "xlsx"}),
    Reference("party group of another branch in the roster", "group id", "own_secretary", "roster.new",
              lambda v: _new_member(v, "13700000002", v["foreign_group_id"]),
              control=lambda v: _new_member(v, "13700000002", v["own_group_id"])),
    Reference("responsible person of another branch", "member id", "own_secretary", "standards.problems_page",
              lambda v: {"description": "问题", "responsible_id": str(v["foreign_member_id"])},
              control=lambda v: {"description": "问题", "responsible_id": str(v["user_id"])}),
    Reference("bulk approval of another branch's record", "record id", "own_secretary", "records.bulk_approve",
              lambda v: MultiDict([("uuid", v["foreign_record_uuid"])]), bulk=True),
    Reference("another person's push endpoint", "subscription endpoint", "own_secretary",
              "push.unsubscribe_endpoint", lambda v: {"endpoint": v["foreign_endpoint"]}, json=True),
    Reference("another person's device", "device id", "own_secretary", "offline.revoke_device",
              lambda v: {}, values=lambda v: {"device_uuid": v["foreign_device_uuid"]}),
    Reference("another person's device signing a sync push", "device id", "own_secretary", "offline.push",
              lambda v: {"device": v["foreign_device_uuid"], "mutations": [
                  _mutation("study_note", {"data": _note(v), "org_id": v["org_id"]})]}, json=True, via_session=True),
    Reference("talk by a recorder off the committee", "record type", "field_recorder", "records.new",
              lambda v: {"occurred_on": YESTERDAY, "start_time": "16:00", "end_time": "16:40", "topic": "谈心",
                         "place": "站里", "talk_with_ids": str(v["field_member_id"])},
              values=lambda v: {"org_id": v["field_org_id"], "record_type": "talk"}),
    # The sync API: 张晓燕's phone names the office branch's things (she is not in it).
    # 发展党员 (issue 21): notes about a person of another branch, on the page and from a phone.
    Reference("development note about another branch's person", "member id", "own_secretary",
              "development.new_note",
              lambda v: {"kind": "observation", "user_id": str(v["foreign_member_id"]), "written_on": YESTERDAY,
                         "text": "考察"},
              control=lambda v: {"kind": "observation", "user_id": str(v["dev_user_id"]), "written_on": YESTERDAY,
                                 "text": "考察"}),
    Reference("sync: development note about a person of another branch", "member id", "field_recorder",
              "offline.push",
              lambda v: [_mutation("development_note", {"fields": [
                  ["uuid", str(uuidlib.uuid4())], ["org_id", str(v["org_id"])], ["user_id", str(v["dev_user_id"])],
                  ["kind", "observation"], ["written_on", YESTERDAY], ["text", "考察"]]})]),
    Reference("sync: record in another branch", "org id", "field_recorder", "offline.push",
              lambda v: [_mutation("record", {"data": theme_day_data(org_named(OFFICE)), "org_id": v["org_id"],
                                              "type": "theme_day"})]),
    Reference("sync: check-in to another branch's record", "record id", "field_recorder", "offline.push",
              lambda v: [_mutation("check_in", {"record_uuid": v["submitted_uuid"]}, target=v["submitted_uuid"])]),
    Reference("sync: edit of another branch's record", "record id", "field_recorder", "offline.push",
              lambda v: [_mutation("record", {"data": theme_day_data(org_named(OFFICE))},
                                   target=v["submitted_uuid"], base_version=1)]),
    Reference("sync: study note in another branch", "org id", "field_recorder", "offline.push",
              lambda v: [_mutation("study_note", {"data": _note(v), "org_id": v["org_id"]})]),
    Reference("sync: edit of another person's study note", "record id", "field_recorder", "offline.push",
              lambda v: [_mutation("study_note", {"data": _note(v)}, target=v["note_uuid"])]),
    Reference("sync: dues payment in another branch", "org id", "field_recorder", "offline.push",
              lambda v: [_mutation("dues_payment", {"fields": [
                  ["uuid", str(uuidlib.uuid4())], ["org_id", str(v["org_id"])], ["user_id", str(v["dev_user_id"])],
                  ["month", YESTERDAY[:7]], ["amount", "10.00"], ["paid_on", YESTERDAY], ["channel", "cash"]]})]),
    Reference("sync: photo of another branch on her record", "photo hash", "field_recorder", "offline.push",
              lambda v: [_mutation("record", _field_record(v, photos=[v["sha256"]]))]),
    Reference("sync: photo of another branch in her note", "photo hash", "field_recorder", "offline.push",
              lambda v: [_mutation("study_note", {"data": {**_note(v), "photo_sha256": v["sha256"]},
                                                  "org_id": v["field_org_id"]})]),
    Reference("sync: attendee of another branch", "member id", "field_recorder", "offline.push",
              lambda v: [_mutation("record", _field_record(v, attendee_ids=[v["office_only_member_id"]]))]),
    # Members on the move (issue 20): a transfer of someone not on the branch's roster; a 流动党员 added
    # from the phone to another branch's activity.
    Reference("transfer of another branch's member", "member id", "own_secretary", "mobility.new_transfer",
              lambda v: {"kind": "outgoing", "user_id": str(v["foreign_member_id"]), "destination": "外单位党委",
                         "letter_number": "介9"}),
    Reference("sync: outside member on another branch's activity", "record id", "field_recorder", "offline.push",
              lambda v: [_mutation("outside_attendance", {"fields": [
                  ["uuid", str(uuidlib.uuid4())], ["activity_uuid", v["submitted_uuid"]], ["name", "外来党员"],
                  ["home_org_name", "外单位党支部"], ["category", "full"]]})]),
    Reference("sync: talk by a recorder off the committee", "record type", "field_recorder", "offline.push",
              lambda v: [_mutation("record", {"data": {
                  "occurred_on": YESTERDAY, "start_time": "16:00", "end_time": "16:40", "topic": "谈心",
                  "place": "站里", "talk_with_ids": [v["field_member_id"]]}, "org_id": v["field_org_id"],
                  "type": "talk"})]),
]

# Every kind of reference a client supplies, each proven by at least one row above or by a URL
# value of the rows before (export ids are URL values only: /ledgers/exports/<job_uuid>).
REFERENCE_KINDS = {"photo hash", "record id", "member id", "org id", "group id", "device id",
                   "subscription endpoint", "record type"}
SYNC_TABLES = ("sync_processed", "sync_quarantine", "sync_devices")


def _current_data(record_uuid: str) -> dict:
    return db.session.scalar(select(Record).where(Record.uuid == record_uuid)).current.data


def foreign_values(values: dict, demo) -> dict:
    """What the office secretary may not name (the planning branch's), and the field branch's own."""
    from webapp.models import Device, PushSubscription

    office, planning, survey = org_named(OFFICE), org_named(PLANNING), org_named(SURVEY)
    field_branch = org_named(FIELD_BRANCH)
    office_ids = set(db.session.scalars(select(Membership.user_id).where(Membership.org_id == office.id)))
    field_ids = set(db.session.scalars(select(Membership.user_id).where(Membership.org_id == field_branch.id)))
    foreign_membership = next(m for m in db.session.scalars(
        select(Membership).where(Membership.org_id == planning.id).order_by(Membership.id))
        if m.user_id not in office_ids)
    foreign_record = records_service.create_record(planning, "theme_day", theme_day_data(planning),
                                                   secretary_of(PLANNING))
    photo, _ = photos.store(_png_bytes((20, 40, 160)), foreign_membership.user)
    foreign_record.photos.append(RecordPhoto(sha256=photo.sha256, position=0))
    sha = photo.sha256
    editable = records_service.create_record(office, "theme_day", theme_day_data(office, topic="可修改"),
                                             demo["shuji"])
    subscription = PushSubscription(user_id=foreign_membership.user_id, endpoint="https://push.example/planning",
                                    p256dh="x", auth="x")
    device = Device(user_id=foreign_membership.user_id, name="别人的手机", token_hash=uuidlib.uuid4().hex * 2)
    db.session.add_all([subscription, device])
    own_photo, _ = photos.store(_png_bytes((200, 160, 20)), demo["shuji"])
    db.session.commit()
    return {
        "own_sha256": own_photo.sha256, "own_group_id": next(g.id for g in office.children if g.kind == "group"),
        "foreign_member_id": foreign_membership.user_id, "foreign_membership_id": foreign_membership.id,
        "foreign_group_id": next(g.id for g in survey.children if g.kind == "group"),
        "foreign_sha256": sha, "foreign_org_id": planning.id, "foreign_record_uuid": foreign_record.uuid,
        "foreign_endpoint": subscription.endpoint, "foreign_device_uuid": device.uuid,
        "editable_uuid": editable.uuid, "field_org_id": field_branch.id,
        "field_member_id": next(i for i in sorted(field_ids) if i != demo["dangyuan"].id),
        "office_only_member_id": next(i for i in sorted(office_ids) if i not in field_ids),
    }


def test_every_kind_of_client_reference_has_rows():
    assert {row.kind for row in REFERENCE_ROWS} == REFERENCE_KINDS


def test_a_reference_to_another_branchs_object_is_refused_and_changes_nothing(app, demo):
    values = office_values(app, demo)
    values.update(foreign_values(values, demo))
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    clients = signed_in_clients(app, {row.actor for row in REFERENCE_ROWS}, values, demo)
    token = clients["field_recorder"].post("/api/sync/devices", json={"name": "测试手机"}, headers={
        "X-CSRFToken": csrf_token(clients["field_recorder"], "/")}).get_json()["token"]
    own_branches = {m.org_id for m in demo["dangyuan"].memberships if m.active}
    _SEQ["last"] = 0
    failures = []
    for row in REFERENCE_ROWS:
        row_values = {**values, **row.values(values)}
        body = row.body(row_values)
        client = clients[row.actor]
        if row.endpoint == "offline.push" and not row.via_session:
            before = snapshot(skip=SYNC_TABLES)
            response = client.post("/api/sync/push", json={"mutations": body},
                                   headers={"Authorization": f"Bearer {token}"})
            results = response.get_json()["results"]
            parked = db.session.scalars(select(QuarantinedMutation).where(
                QuarantinedMutation.mutation_id.in_([m["id"] for m in body]))).all()
            refused = (response.status_code == 200 and all(r["status"] == "rejected" for r in results)
                       and len(parked) == len(body) and all(p.org_id in own_branches for p in parked))
            outcome = [(r.get("code"), r.get("message")) for r in results]
            after = snapshot(skip=SYNC_TABLES)
        else:
            before = snapshot()
            response = send(client, rules[row.endpoint], row_values, "POST", body, row.json)
            refused = is_refusal(response, anonymous=False, form_error=True, bulk=row.bulk)
            outcome = response.status_code
            after = snapshot()
        if not refused or changed(before, after):
            failures.append((row.name, outcome, changed(before, after)))
        if row.control is not None:
            accepted = send(client, rules[row.endpoint], row_values, "POST", row.control(row_values), row.json)
            if accepted.status_code != 302 or changed(after, snapshot()) == []:
                failures.append((row.name, "control not accepted", accepted.status_code))
    assert not failures, failures
