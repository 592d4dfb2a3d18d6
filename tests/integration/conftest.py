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
