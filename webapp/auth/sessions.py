"""Server-side sign-in sessions: each browser signed in holds a random key, kept here as its sha256.

Flask-Login stores ``User.get_id()`` in the session cookie and in the remember-me cookie; the id
carries the user, their session version and this key. The user loader refuses an id whose key row is
ended or whose version is old, so a cookie copied before sign-out no longer signs anyone in.
"""
from __future__ import annotations

import hashlib
import secrets

from flask import current_app, request
from sqlalchemy import delete, select, update

from ..extensions import db
from ..models import User, UserSession
from ..models.base import utcnow


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _oldest_valid():
    """Sessions older than the remember-me cookie's life are over, whatever a cookie claims."""
    return utcnow() - current_app.config["REMEMBER_COOKIE_DURATION"]


def start(user: User) -> str:
    """A new session row for the user; the key is set on the user for ``get_id``. The user's
    sessions that ended or ran out long ago are deleted."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id,
                                                 UserSession.created_at < _oldest_valid()))
    key = secrets.token_urlsafe(24)
    agent = (request.headers.get("User-Agent") or "")[:200] if request else ""
    db.session.add(UserSession(user_id=user.id, key_hash=_hash(key), user_agent=agent))
    user.session_key = key
    return key


def load(user_id: str) -> User | None:
    """The user for a Flask-Login id ``"<user id>:<version>:<key>"``, or None."""
    parts = (user_id or "").split(":")
    if len(parts) != 3 or not parts[2] or len(parts[2]) > 100:
        return None
    try:
        uid, version = int(parts[0]), int(parts[1])
    except ValueError:
        return None
    row = db.session.scalar(select(UserSession).where(UserSession.key_hash == _hash(parts[2])))
    if row is None or row.user_id != uid or row.ended_at is not None or row.created_at < _oldest_valid():
        return None
    user = db.session.get(User, uid)
    if user is None or user.session_version != version or not user.active:
        return None
    user.session_key = parts[2]
    return user


def end(user: User) -> None:
    """End the session the user is signed in with right now."""
    key = getattr(user, "session_key", None)
    if key:
        db.session.execute(update(UserSession).where(UserSession.key_hash == _hash(key),
                                                     UserSession.ended_at.is_(None))
                           .values(ended_at=utcnow()))


def end_all(user: User, keep_current: bool = False) -> int:
    """End every session of the user (all but the current one with ``keep_current``); returns how many."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    key = getattr(user, "session_key", None)
    if keep_current and key:
        query = query.where(UserSession.key_hash != _hash(key))
    return db.session.execute(query.values(ended_at=utcnow())).rowcount or 0
