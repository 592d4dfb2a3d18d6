"""Record version snapshots are stored compressed (raw deflate of GB18030 JSON without escapes; zlib of
UTF-8 JSON before migration 0018) and attendance is keyed by (record, person); migrations 0014 and 0018
convert what was stored before, on both databases."""
import json
import zlib

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from tests.records_helpers import FIELD_BRANCH, org_named, theme_day_data
from webapp.extensions import db
from webapp.models import RecordVersion
from webapp.models.compressed_json import compress, decompress
from webapp.records import service

MINUTES = "支部书记传达了上级党委关于加强野外项目临时党支部建设的通知，全体党员结合汛期测验任务逐一发言。" * 6


def _new_record(demo):
    org = org_named(FIELD_BRANCH)
    record = service.create_record(org, "theme_day", theme_day_data(org, content=MINUTES), demo["dangyuan"])
    db.session.commit()
    return record.id, record.versions[0].data


def _stored(record_id: int):
    return db.session.execute(text("SELECT data FROM record_versions WHERE record_id = :r"), {"r": record_id}).scalar_one()


def _gb_json(stored: bytes) -> bytes:
    assert stored[:1] == b"G"
    return zlib.decompress(stored[1:], -15)


def test_a_snapshot_is_stored_as_deflated_gb18030_json(app, demo):
    record_id, data = _new_record(demo)
    stored = bytes(_stored(record_id))
    raw = _gb_json(stored)
    assert json.loads(raw.decode("gb18030")) == data
    assert MINUTES[:20].encode("gb18030") in raw and b"\\u" not in raw  # GB18030, no escapes
    assert len(stored) < len(json.dumps(data, ensure_ascii=False).encode("utf-8")) * 0.6
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
    assert json.loads(_gb_json(stored).decode("gb18030")) == data
    assert db.session.scalar(select(RecordVersion).where(RecordVersion.record_id == record_id)).data == data
    assert _attendance(record_id) == present
    columns = {c["name"] for c in inspect(db.engine).get_columns("attendances")}
    assert "id" not in columns
    assert inspect(db.engine).get_pk_constraint("attendances")["constrained_columns"] == ["record_id", "user_id"]


ODD = {"content": "生僻字𠀀𪚥与表情😀，全角ＡＢＣ，半角abc，符号€·—", "attendee_ids": [3, 4], "n": None}


def test_every_character_reads_back_identical_and_a_lone_surrogate_stays_readable():
    everything = "".join(chr(c) for c in range(0x20, 0x30000, 7) if not 0xD800 <= c <= 0xDFFF)
    for value in (ODD, {"all": everything}, {"lone": "坏\ud800字"}, {}):
        assert decompress(compress(value)) == value


def test_migration_0018_reencodes_snapshots_and_back(app, demo):
    record_id, data = _new_record(demo)
    db.session.remove()
    downgrade(revision="0017_yearly_workflows")
    try:
        # As 0014 to 0017 kept it: zlib of UTF-8 JSON, without escapes.
        old = bytes(_stored(record_id))
        assert json.loads(zlib.decompress(old)) == data and b"\\u" not in zlib.decompress(old)
        db.session.execute(text("UPDATE record_versions SET data = :d WHERE record_id = :r"),
                           {"d": zlib.compress(json.dumps(ODD, ensure_ascii=False).encode()), "r": record_id})
        db.session.commit()
        db.session.remove()
    finally:
        upgrade()
    stored = bytes(_stored(record_id))
    assert json.loads(_gb_json(stored).decode("gb18030")) == ODD
    db.session.expire_all()
    assert db.session.scalar(select(RecordVersion).where(RecordVersion.record_id == record_id)).data == ODD
