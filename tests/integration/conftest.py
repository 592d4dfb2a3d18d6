"""Fixtures for integration tests that send Web Push: VAPID keys in a temporary folder, a local push
service (tests/push_service.py), an HTTP session that ignores proxies, and a small branch."""
from __future__ import annotations

import pytest
import requests

from tests.push_service import start_push_service
from webapp.extensions import db
from webapp.models import Membership, User
from webapp.orgs import tree
from webapp.push import keys


@pytest.fixture
def vapid(app, tmp_path):
    app.config["VAPID_PRIVATE_KEY_PATH"] = str(tmp_path / "vapid.pem")
    app.config["VAPID_SUBJECT"] = "mailto:push-test@zhibu.example.cn"
    keys.create_keys(keys.key_path(app))
    return keys.public_key(app)


@pytest.fixture
def push_service():
    service, server = start_push_service()
    yield service
    server.shutdown()
    server.server_close()


@pytest.fixture
def http():
    session = requests.Session()
    session.trust_env = False
    yield session
    session.close()


@pytest.fixture
def branch(app):
    """A committee with one branch: a secretary and three members."""
    committee = tree.create_root("committee", "测试机关党委")
    org = tree.create_child(committee, "branch", None, name="测试党支部")
    other = tree.create_child(committee, "branch", None, name="其他党支部")
    people = {}
    for index, (key, title) in enumerate([("secretary", "secretary"), ("a", None), ("b", None), ("c", None)]):
        user = User(name=f"成员{key}", username=f"user_{key}", phone=f"1390000000{index}", category="full")
        db.session.add(user)
        db.session.add(Membership(user=user, org=org, relation="home", title=title))
        people[key] = user
    outsider = User(name="外支部成员", username="outsider", phone="13900000099", category="full")
    db.session.add(outsider)
    db.session.add(Membership(user=outsider, org=other, relation="home"))
    people["outsider"] = outsider
    db.session.commit()
    return org, people


@pytest.fixture
def job_workers(app, database_url, tmp_path):
    """Real job worker processes (tests/job_workers.py) on a queue of this test's own; the app
    enqueues to it instead of running tasks in the request. Every worker is stopped afterwards."""
    from tests.job_workers import JobWorkers

    workers = JobWorkers(app, database_url, tmp_path)
    yield workers
    workers.stop_all()


@pytest.fixture
def province(app):
    """A four-level tree for the committee dashboard: a province, two cities, counties below them and
    branches below the counties (one city also has a branch of its own, one county a temporary branch).
    People: the province secretary, city A's secretary, a branch secretary in city B; password
    "zhibu-demo". Records are left to the tests."""
    from datetime import date

    from webapp.passwords import hash_password

    year = date.today().year - 1
    password = hash_password("zhibu-demo")
    province = tree.create_root("committee", "某省委直属机关工委")
    orgs = {"province": province}
    for city_name, counties in (("甲市委", ("甲一县委", "甲二县委", "甲三县委")), ("乙市委", ("乙一县委",))):
        city = tree.create_child(province, "committee", None, name=city_name)
        orgs[city_name] = city
        for county_name in counties:
            county = tree.create_child(city, "committee", None, name=county_name)
            orgs[county_name] = county
            for i in (1, 2):
                orgs[f"{county_name}{i}支部"] = tree.create_child(county, "branch", None, name=f"{county_name}第{i}党支部")
    orgs["甲市直支部"] = tree.create_child(orgs["甲市委"], "branch", None, name="甲市直属机关党支部")
    orgs["临时支部"] = tree.create_child(orgs["甲一县委"], "branch", None, name="甲一县项目临时党支部", is_temporary=True,
                                      project_name="引水工程", start_date=date(year, 2, 10), end_date=date(year, 8, 20))
    people = {}
    for username, org_key in (("sheng", "province"), ("jiashi", "甲市委"), ("yizhibu", "乙一县委1支部")):
        user = User(name=username, username=username, category="full", password_hash=password)
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user=user, org=orgs[org_key], relation="home", title="secretary",
                                  joined_on=date(year - 1, 1, 1)))
        people[username] = user
    branches = [o for o in orgs.values() if o.kind == "branch"]
    for org in branches:
        for i in range(3):
            member = User(name=f"{org.name[:3]}{i}", category="full", password_hash="x")
            db.session.add(member)
            db.session.flush()
            db.session.add(Membership(user=member, org=org, relation="home", joined_on=date(year - 1, 1, 1),
                                      is_recorder=(i == 0)))
    db.session.commit()
    return orgs, people
