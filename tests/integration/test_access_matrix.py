"""A user of branch A can neither read nor change anything of branch B, through any route.

Every URL rule of the app that names an organization (or something inside one) is called with branch
B's identifiers, by GET and by POST with a valid CSRF token, as people of other branches. A new route
whose parameters this test does not know fails here until its resolver is added: nothing slips by.
"""
import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token
from webapp.extensions import db
from webapp.models import (
    AuditLog, DuesPayment, DuesProfile, ExportJob, Membership, Organization, PointsApplication, PointsGradeOverride,
    PointsLine, Problem, Record, RecordPhoto, StandardTick, StudyNote, User,
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
        "record_type": "theme_day",
        "number": 1,
        "note_uuid": note.uuid,
        "sha256": sha256,
        "user_id": membership.user_id,
        "application_uuid": _application_in(target, membership.user_id),
        "job_uuid": _export_in(target, membership.user_id),
        "key": "activity_room",
        "problem_uuid": _problem_in(target),
        **push_resolvers(target, membership),
    }


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
                          PointsApplication, PointsGradeOverride, PointsLine, ExportJob, Problem, StandardTick)}


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
                 "/dues/", "/dues/mine", "/points/", "/points/mine", "/standards/", "/ledgers/"):
        html = client.get(page).get_data(as_text=True)
        assert other not in html, page
        assert not [p for p in other_phones if p and p in html], page


def test_member_cannot_manage_own_branch(app, client, auth, demo):
    auth.login("dangyuan")
    own = org_named("规划计划处党支部")
    values = resolvers(own)
    before = counts()
    for _method, _path, status in call_everything(client, app, values):
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
