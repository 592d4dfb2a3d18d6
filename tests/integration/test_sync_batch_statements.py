"""A sync batch of new records costs the same statements however many records it carries: what can
be read once per batch (the branch, its roster, who is expected at a meeting that day) is."""
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from tests.records_helpers import FIELD_BRANCH, org_named
from tests.sync_helpers import Phone, new_record, register
from webapp.extensions import db


@pytest.fixture
def phone(client, auth, demo):
    return Phone(client, register(client, auth))


def _statements_for(phone, org, records: int, spread_days: bool = False) -> int:
    def day(i: int) -> dict:  # one day each, as a phone that was out of signal for weeks sends them
        return {"occurred_on": (date.today() - timedelta(days=1 + i)).isoformat()} if spread_days else {}
    mutations = [phone.mutation("record", new_record(org, topic=f"野外主题党日 {i}", **day(i)), target=str(uuid.uuid4()))
                 for i in range(records)]
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        answer = phone.push(*mutations)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert [r["status"] for r in answer["results"]] == ["applied"] * records
    return len(seen)


@pytest.mark.parametrize("spread_days", [False, True], ids=["one day", "a day each"])
def test_statements_of_a_batch_of_new_records_do_not_grow_with_its_size(phone, spread_days):
    org = org_named(FIELD_BRANCH)
    assert org is not None
    _statements_for(phone, org, 2)  # the first batch of a device reads what later ones find cached
    few = _statements_for(phone, org, 3, spread_days)
    many = _statements_for(phone, org, 12, spread_days)
    assert few > 0
    assert many == few
