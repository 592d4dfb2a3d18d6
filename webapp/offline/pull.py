"""What a phone keeps for offline use: the user's branches with rosters, the month's theme, the
user's recent records and their review states, and their open quarantine items. Incremental by a
cursor (server time), paged, scoped to what the user may see."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select

from .. import access
from ..china_time import china_today, month_key
from ..extensions import db
from ..models import Membership, QuarantinedMutation, Record, User
from ..models.base import utcnow
from ..records.themes import theme_for
from ..records.visibility import can_record_type, visible_records_filter
from ..rules.life import RECORD_TYPES
from ..rules.sync import PULL_PAGE_SIZE, PULL_RECENT_DAYS


def parse_cursor(raw: str | None) -> tuple[datetime | None, int]:
    """Cursor "<iso time>|<record id>"; anything unreadable means "from the start"."""
    if not raw:
        return None, 0
    try:
        moment, _, last_id = raw.partition("|")
        when = datetime.fromisoformat(moment)
        return (when if when.tzinfo else None), int(last_id or 0)
    except ValueError:
        return None, 0


def _branches(user: User) -> list[dict]:
    out = []
    for membership in access.active_memberships(user):
        org = membership.org
        if org.kind != "branch":
            continue
        roster = db.session.execute(
            select(User.id, User.name, Membership.title, Membership.is_recorder)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.org_id == org.id, Membership.active.is_(True), User.active.is_(True))
            .order_by(User.name)).all()
        theme = theme_for(org, month_key(china_today()))
        out.append({
            "id": org.id, "name": org.name, "is_temporary": bool(org.is_temporary),
            "is_closed": bool(org.is_closed), "my_title": membership.title,
            "i_record": bool(membership.is_recorder) or access.manages(user, org),
            "roster": [{"id": r.id, "name": r.name, "title": r.title, "is_recorder": bool(r.is_recorder)}
                       for r in roster],
            "entry_pages": _entry_pages(user, org, membership),
            "theme": {"month": theme.month, "title": theme.title, "guidance": theme.guidance} if theme else None,
        })
    return out


def _entry_pages(user: User, org, membership) -> list[str]:
    """The stable entry URLs (contract 3) the phone should keep for this branch."""
    pages = [f"/study/notes/new/{org.id}"]
    if org.kind == "branch" and user.category in ("full", "probationary"):
        # The year's own writing (issue 22): 个人自评 and 党员汇报, offline too.
        year = china_today().year
        pages += [f"/appraisal/{org.id}/{year}", f"/reports/{org.id}/{year}"]
    if not org.is_closed and (membership.is_recorder or access.manages(user, org)):
        pages.append(f"/records/new/{org.id}")
        pages += [f"/records/new/{org.id}/{kind}" for kind in RECORD_TYPES if can_record_type(user, org, kind)]
        pages.append(f"/dues/{org.id}/pay")
    return pages


def snapshot(user: User, cursor: str | None) -> dict:
    since, last_id = parse_cursor(cursor)
    query = select(Record).where(visible_records_filter(user))
    if since is None:
        query = query.where(Record.updated_at >= utcnow() - timedelta(days=PULL_RECENT_DAYS))
    else:
        query = query.where(or_(Record.updated_at > since,
                                and_(Record.updated_at == since, Record.id > last_id)))
    rows = list(db.session.scalars(query.order_by(Record.updated_at, Record.id).limit(PULL_PAGE_SIZE + 1)))
    more = len(rows) > PULL_PAGE_SIZE
    rows = rows[:PULL_PAGE_SIZE]
    next_cursor = f"{rows[-1].updated_at.isoformat()}|{rows[-1].id}" if rows else cursor
    quarantine = db.session.scalars(select(QuarantinedMutation).where(
        QuarantinedMutation.user_id == user.id).order_by(QuarantinedMutation.created_at.desc()).limit(200))
    return {
        "server_time": utcnow().isoformat(),
        "cursor": next_cursor,
        "more": more,
        "user": {"id": user.id, "name": user.name},
        "branches": _branches(user),
        "records": [{
            "uuid": r.uuid, "org_id": r.org_id, "type": r.type, "type_label": r.type_label,
            "topic": r.topic, "occurred_on": r.occurred_on.isoformat(), "state": r.state,
            "state_label": r.state_label, "version": r.version, "approved_version": r.approved_version,
            "has_conflict": r.has_conflict, "photos_missing": r.photos_missing,
            "updated_at": r.updated_at.isoformat(),
        } for r in rows],
        "quarantine": [{"id": q.mutation_id, "state": q.state, "code": q.code, "message": q.message,
                        "fields": q.fields, "resolution_note": q.resolution_note} for q in quarantine],
    }
