"""Writing the audit log. Callers add the entry in the same transaction as the change itself."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from .extensions import db
from .models import AuditLog


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """Field-by-field changes as {field: [old, new]}, only for fields that changed."""
    return {
        key: [_jsonable(before.get(key)), _jsonable(after.get(key))]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def entry_values(
    actor,
    action: str,
    entity_type: str,
    entity_id,
    *,
    org_id: int | None = None,
    summary: str = "",
    changes: dict | None = None,
) -> dict[str, Any]:
    """The columns of one audit entry (for a bulk insert, or ``record`` below)."""
    return {
        "actor_id": getattr(actor, "id", None),
        "action": action,
        "entity_type": entity_type,
        "entity_id": str(entity_id),
        "org_id": org_id,
        "summary": summary[:255],
        "changes": _jsonable(changes or {}),
    }


def record(actor, action: str, entity_type: str, entity_id, **details) -> AuditLog:
    entry = AuditLog(**entry_values(actor, action, entity_type, entity_id, **details))
    db.session.add(entry)
    return entry
