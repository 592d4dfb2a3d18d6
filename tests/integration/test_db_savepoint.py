"""A savepoint's writes belong to the enclosing transaction on both databases: rolling that back
undoes them (on SQLite a bare SAVEPOINT would have committed them on its own)."""
from sqlalchemy import func, select

from webapp.db_savepoint import savepoint
from webapp.extensions import db
from webapp.models import AuditLog


def audit_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditLog))


def test_writes_in_a_savepoint_are_undone_with_the_enclosing_transaction(app):
    before = audit_rows()
    db.session.commit()
    with savepoint():
        db.session.add(AuditLog(action="test", entity_type="t", entity_id="1"))
    db.session.rollback()
    assert audit_rows() == before


def test_a_rolled_back_savepoint_keeps_the_rest_of_the_transaction(app):
    before = audit_rows()
    db.session.commit()
    db.session.add(AuditLog(action="kept", entity_type="t", entity_id="1"))
    nested = savepoint()
    db.session.add(AuditLog(action="undone", entity_type="t", entity_id="2"))
    db.session.flush()
    nested.rollback()
    db.session.commit()
    assert audit_rows() == before + 1
    assert db.session.scalar(select(AuditLog.action).order_by(AuditLog.id.desc())) == "kept"
