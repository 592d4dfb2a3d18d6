"""One meeting, one record: finding records that look like the same meeting (same branch, type and
day — recorded on two phones, online or synced later) and merging them in review.

A merge keeps one record: attendance, check-ins, photos and invited guests are united; the other
record's newest version is copied into the kept record's history (kind ``merged``) and the other is
marked merged-into, no longer counted by points, checklists, alerts or attendance. Callers commit.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import aliased

from .. import access, audit
from ..extensions import db
from ..models import CheckIn, Record, RecordVersion, ReviewComment, User
from ..models.base import utcnow
from ..rules.life import DUPLICATE_EXCLUDED_TYPES, PHOTOS_PER_RECORD_MAX
from . import events
from ..domain_errors import Invalid, NotAllowed
from .errors import ReviewRefused
from .service import _apply, _next_number, rebuild_attendance
from .validation import clean
from .visibility import managed_org_ids_query


def likely_duplicates(org_id: int, record_type: str, occurred_on: date, *, group_id: int | None = None,
                      exclude_id: int | None = None) -> list[Record]:
    """Records of the same branch, type and day that are not merged away (a group meeting: same group)."""
    if record_type in DUPLICATE_EXCLUDED_TYPES:
        return []
    query = select(Record).where(Record.org_id == org_id, Record.type == record_type,
                                 Record.occurred_on == occurred_on, Record.merged_into_id.is_(None))
    if exclude_id is not None:
        query = query.where(Record.id != exclude_id)
    if record_type == "group_meeting":
        query = query.where(Record.group_id == group_id) if group_id else query.where(Record.group_id.is_(None))
    return list(db.session.scalars(query.order_by(Record.id)))


def pairs_for_review(user: User, org_id: int | None = None, limit: int = 50) -> list[tuple[Record, Record]]:
    """Pairs of likely duplicates, neither merged away, in the branches the user manages — whatever
    their review state, and however they arrived (web form or a phone's sync): older one first."""
    a, b = aliased(Record), aliased(Record)
    query = (select(a, b).join(b, and_(b.org_id == a.org_id, b.type == a.type, b.occurred_on == a.occurred_on,
                                       b.id > a.id))
             .where(a.org_id.in_(managed_org_ids_query(user)),
                    a.merged_into_id.is_(None), b.merged_into_id.is_(None),
                    a.type.not_in(tuple(DUPLICATE_EXCLUDED_TYPES)),
                    or_(a.group_id == b.group_id, and_(a.group_id.is_(None), b.group_id.is_(None))))
             .order_by(a.occurred_on.desc(), a.id, b.id).limit(limit))
    if org_id is not None:
        query = query.where(a.org_id == org_id)
    return [(first, second) for first, second in db.session.execute(query).all()]


def _union_data(keep: dict, other: dict, other_check_ins: list[int]) -> dict:
    data = dict(keep)
    present = set(keep.get("attendee_ids", [])) | set(other.get("attendee_ids", [])) | set(other_check_ins)
    data["attendee_ids"] = sorted(present)
    absent: dict[int, dict] = {}
    for item in list(other.get("absentees", [])) + list(keep.get("absentees", [])):
        user_id = int(item["user_id"])
        if user_id in present:
            continue
        if user_id not in absent or (item.get("reason") and not absent[user_id].get("reason")):
            absent[user_id] = {"user_id": user_id, "reason": item.get("reason") or ""}
    data["absentees"] = [absent[k] for k in sorted(absent)]
    data["photos"] = list(dict.fromkeys(list(keep.get("photos", [])) + list(other.get("photos", []))))
    names = {i["name"] for i in keep.get("invited", [])}
    data["invited"] = list(keep.get("invited", [])) + [i for i in other.get("invited", []) if i["name"] not in names]
    for key in ("content", "rectification"):
        mine, theirs = (keep.get(key) or "").strip(), (other.get(key) or "").strip()
        if theirs and theirs not in mine:
            data[key] = f"{mine}\n\n（合并自另一部手机的记录）\n{theirs}" if mine else theirs
    for key in ("theme_items", "theme_forms", "evaluation_steps"):
        if key in keep or key in other:
            data[key] = list(dict.fromkeys(list(keep.get(key, [])) + list(other.get(key, []))))
    return data


def merge(keep: Record, other: Record, actor: User) -> RecordVersion:
    """Merge ``other`` into ``keep`` (the secretary's 合并 in review). Returns the kept record's new version."""
    if not access.manages(actor, keep.org) or not access.manages(actor, other.org):
        raise NotAllowed("只有支委可以合并记录")
    if keep.id == other.id or keep.org_id != other.org_id or keep.type != other.type:
        raise ReviewRefused("只能合并同一支部、同一类型的记录")
    if keep.merged_into_id is not None or other.merged_into_id is not None:
        raise ReviewRefused("记录已合并过")
    keep_data = keep.current.data if keep.current else {}
    other_data = other.current.data if other.current else {}
    union = _union_data(keep_data, other_data, [c.user_id for c in other.check_ins])
    if len(union["photos"]) > PHOTOS_PER_RECORD_MAX:
        raise Invalid({"photos": f"合并后照片超过 {PHOTOS_PER_RECORD_MAX} 张，请先删去部分照片"})
    raw = dict(union)
    cleaned = clean(keep.org, keep.type, raw, actor, today=max(keep.occurred_on, other.occurred_on))
    now = utcnow()
    # The other phone's version, kept in this record's history as it was.
    copied = RecordVersion(number=_next_number(keep), kind="merged", base_version=None, data=other_data,
                           created_by_id=other.current.created_by_id if other.current else other.created_by_id,
                           client_recorded_at=other.current.client_recorded_at if other.current else None,
                           source="merge", resolved_at=now, resolved_by_id=actor.id, resolution="merged")
    keep.versions.append(copied)
    united = RecordVersion(number=copied.number + 1, kind="edit", base_version=keep.version, data=cleaned.data,
                           created_by_id=actor.id, source="merge")
    keep.versions.append(united)
    keep.version = united.number
    if keep.state == "approved" or other.state == "approved":
        # Merging is the reviewer's decision: the united record stands approved at its new version.
        keep.state, keep.approved_version, keep.approved_at = "approved", united.number, now
        keep.approved_by_id = actor.id
    _apply(keep, cleaned)
    kept_check_ins = {c.user_id for c in keep.check_ins}
    for check_in in other.check_ins:
        if check_in.user_id not in kept_check_ins:
            keep.check_ins.append(CheckIn(user_id=check_in.user_id, at=check_in.at, client_at=check_in.client_at,
                                          source="merge"))
    db.session.flush()
    rebuild_attendance(keep)

    other.merged_into_id = keep.id
    other.state = "merged"
    other.approved_version = None
    db.session.execute(update(Record).where(Record.merged_into_id == other.id).values(merged_into_id=keep.id)
                       .execution_options(synchronize_session=False))
    text = f"与同一次活动的另一条记录合并（第 {copied.number} 版为合并来的记录，第 {united.number} 版为合并结果）"
    db.session.add(ReviewComment(record=keep, version_number=united.number, author_id=actor.id, action="merge",
                                 text=text))
    db.session.add(ReviewComment(record=other, version_number=other.version, author_id=actor.id, action="merge",
                                 text="已合并到同一次活动的另一条记录，不再单独计数"))
    audit.record(actor, "merge", "record", keep.uuid, org_id=keep.org_id, summary=f"合并重复记录{keep.type_label}",
                 changes={"merged": other.uuid, "version": united.number})
    audit.record(actor, "merged_into", "record", other.uuid, org_id=other.org_id,
                 summary=f"合并到另一条{keep.type_label}记录", changes={"into": keep.uuid})
    db.session.flush()
    events.record_merged.send(other)
    events.record_changed.send(keep)
    if keep.state == "approved":
        events.record_approved.send(keep)
    return united
