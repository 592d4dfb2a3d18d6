"""A processed marker stores its answer without what its columns hold, answers a resend as before,
and migration 0018 converts markers stored whole and back."""
import json
import uuid

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from tests.records_helpers import FIELD_BRANCH, org_named
from tests.sync_helpers import Phone, new_record, register
from webapp.extensions import db


@pytest.fixture
def phone(client, auth, demo):
    return Phone(client, register(client, auth))


def _stored(mutation_id: str) -> dict:
    value = db.session.execute(text("SELECT outcome FROM sync_processed WHERE mutation_id = :m"),
                               {"m": mutation_id}).scalar_one()
    return value if isinstance(value, dict) else json.loads(value)


def test_an_applied_record_keeps_only_its_version_and_a_resend_is_answered_alike(phone):
    org = org_named(FIELD_BRANCH)
    rid = str(uuid.uuid4())
    mutation = phone.mutation("record", new_record(org), target=rid)
    first = phone.push(mutation)["results"][0]
    assert first["status"] == "applied" and first["target"] == rid
    assert _stored(mutation["id"]) == {"version": 1}
    again = phone.push(mutation)["results"][0]
    assert again == {**first, "status": "duplicate", "first_status": "applied"}


def test_migration_0018_compacts_markers_stored_whole_and_back(phone):
    org = org_named(FIELD_BRANCH)
    rid = str(uuid.uuid4())
    mutation = phone.mutation("record", new_record(org), target=rid)
    first = phone.push(mutation)["results"][0]
    db.session.remove()
    downgrade(revision="0017_yearly_workflows")
    try:
        assert _stored(mutation["id"]) == first  # as 0017 and before kept it: the whole answer
        db.session.remove()
    finally:
        upgrade()
    assert _stored(mutation["id"]) == {"version": 1}
    again = phone.push(mutation)["results"][0]
    assert again == {**first, "status": "duplicate", "first_status": "applied"}
