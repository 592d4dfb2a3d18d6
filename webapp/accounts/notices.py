"""Notices to a person about changes someone else made to their account, shown at next sign-in."""
from __future__ import annotations

from sqlalchemy import select

from ..china_time import CHINA_TZ
from ..extensions import db
from ..models import AccountNotice, User
from ..models.base import utcnow


def when(moment=None) -> str:
    return (moment or utcnow()).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def tell(person: User, actor: User | None, message: str) -> None:
    """Queue a notice, unless the person made the change themselves."""
    if actor is not None and actor.id == person.id:
        return
    db.session.add(AccountNotice(user_id=person.id, actor_id=getattr(actor, "id", None), message=message[:255]))


def deliver(person: User) -> list[str]:
    """The person's unseen notices, oldest first; they are marked seen (the caller commits)."""
    rows = list(db.session.scalars(select(AccountNotice).where(
        AccountNotice.user_id == person.id, AccountNotice.seen_at.is_(None)).order_by(AccountNotice.id)))
    now = utcnow()
    for row in rows:
        row.seen_at = now
    return [row.message for row in rows]
