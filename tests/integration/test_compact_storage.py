"""Record version snapshots are stored compressed (UTF-8 JSON without escapes, zlib) and attendance
is keyed by (record, person); migration 0008 converts what was stored before, on both databases."""
import json
import zlib

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from tests.records_helpers import FIELD_BRANCH, org_named, theme_day_data
from webapp.extensions import db
from webapp.models import RecordVersion
from webapp.records import service

MINUTES = "支部书记传达了上级党委关于加强野外项目临时党支部建设的通知，全体党员结合汛期测验任务逐一发言。" * 6


def _new_record(demo):
    org = org_named(FIELD_BRANCH)
    record = service.create_record(org, "theme_day", theme_day_data(org, content=MINUTES), demo["dangyuan"])
    db.session.commit()
    return record.id, record.versions[0].data


def _stored(record_id: int):
    return db.session.execute(text("SELECT data FROM record_versions WHERE record_id = :r"), {"r": record_id}).scalar_one()


def test_a_snapshot_is_stored_as_compressed_utf8_json(app, demo):
    record_id, data = _new_record(demo)
    stored = bytes(_stored(record_id))
    raw = zlib.decompress(stored)
    assert json.loads(raw) == data
    assert MINUTES[:20].encode("utf-8") in raw and b"\\u" not in raw  # UTF-8, no escapes
    assert len(stored) < len(json.dumps(data, ensure_ascii=False).encode("utf-8")) * 0.7
    db.session.expire_all()
    assert db.session.scalar(select(RecordVersion).where(RecordVersion.record_id == record_id)).data == data


def _attendance(record_id: int) -> set:
    return set(db.session.execute(text("SELECT user_id, status, reason FROM attendances WHERE record_id = :r"),
                                  {"r": record_id}).all())


def test_migration_0014_converts_snapshots_and_attendance(app, demo):
    record_id, data = _new_record(demo)
    present = _attendance(record_id)
    assert len(present) >= 5
    db.session.remove()
    downgrade(revision="0013_attend_year_results")
    try:
        # As 0013 and before kept it: JSON text with \uXXXX escapes.
        back = _stored(record_id)
        assert (json.loads(back) if isinstance(back, str) else back) == data
        db.session.execute(text("UPDATE record_versions SET data = :d WHERE record_id = :r"),
                           {"d": json.dumps(data), "r": record_id})
        assert _attendance(record_id) == present
        assert "id" in {c["name"] for c in inspect(db.engine).get_columns("attendances")}
        db.session.commit()
        db.session.remove()
    finally:
        upgrade()
    stored = bytes(_stored(record_id))
    assert json.loads(zlib.decompress(stored)) == data
    assert b"\\u" not in zlib.decompress(stored)
    assert db.session.scalar(select(RecordVersion).where(RecordVersion.record_id == record_id)).data == data
    assert _attendance(record_id) == present
    columns = {c["name"] for c in inspect(db.engine).get_columns("attendances")}
    assert "id" not in columns
    assert inspect(db.engine).get_pk_constraint("attendances")["constrained_columns"] == ["record_id", "user_id"]
