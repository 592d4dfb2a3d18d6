"""Standards checked by hand (``check: manual``): the secretary ticks one for a year after verifying
it, with a note and optionally a photo; the tick is audited."""
from __future__ import annotations

from sqlalchemy import select

from .. import audit
from ..domain_errors import Invalid
from ..extensions import db
from ..models import Organization, StandardTick, User
from ..records.validation import SHA256


def tick(org: Organization, spec: dict, year: int, note: str, photo: str | None, actor: User) -> StandardTick:
    """Tick ``spec`` for ``org``'s ``year`` (a second tick replaces the first's note and photo)."""
    note = note.strip()
    photo = (photo or "").strip().lower() or None
    if not note:
        raise Invalid({"note": "勾选时请写明核实情况"})
    if photo and not SHA256.match(photo):
        raise Invalid({"photo_sha256": "照片标识无效"})
    existing = db.session.scalar(select(StandardTick).where(StandardTick.org_id == org.id,
                                                            StandardTick.key == spec["key"], StandardTick.year == year))
    if existing is None:
        existing = StandardTick(org_id=org.id, key=spec["key"], year=year, note="")
        db.session.add(existing)
    existing.note, existing.photo_sha256, existing.ticked_by_id = note[:500], photo, actor.id
    db.session.flush()
    audit.record(actor, "tick_standard", "standard_tick", existing.id, org_id=org.id,
                 summary=f"勾选：{spec['label']}（{year} 年）", changes={"note": note})
    return existing
