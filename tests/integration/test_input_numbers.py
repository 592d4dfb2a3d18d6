"""Numbers from URLs and query strings that no column can hold, or that only look like digits, are
answered as not found or ignored, never a server error (found by fuzzing every route on PostgreSQL)."""
from sqlalchemy import select

from tests.records_helpers import FIELD_BRANCH, org_named
from webapp.extensions import db
from webapp.models import Organization


def test_ids_beyond_the_integer_columns_are_not_found(client, auth, demo):
    auth.login("jiguan")
    assert client.get("/orgs/1000000000000").status_code == 404
    assert client.get("/standards/99999999999").status_code == 404
    assert client.get("/dues/2147483648").status_code == 404


def test_query_numbers_that_only_look_like_digits_are_ignored(client, auth, demo):
    auth.login("shuji")
    office = db.session.scalar(select(Organization).where(Organization.name == "办公室党支部"))
    assert client.get("/standards/?year=²&page=²").status_code == 200
    assert client.get("/records/review?org_id=99999999999&month=²⁰²⁶-¹¹").status_code == 200
    assert client.get(f"/points/{office.id}?month=²&year=１０１０").status_code == 200
    assert client.get(f"/dues/{office.id}?year=99999999999999").status_code == 200
    auth.logout()
    auth.login("dangyuan")
    assert client.get(f"/points/{org_named(FIELD_BRANCH).id}?month=99999999999").status_code == 200
