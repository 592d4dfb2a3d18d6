"""Registered devices: a long-lived bearer token per phone, stored only as its sha256."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.orm import joinedload

from .. import access, audit
from ..extensions import db
from ..models import Device, User
from ..models.base import utcnow
from ..domain_errors import NotAllowed
from ..rules.sync import DEVICE_NAME_MAX


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def register(user: User, name: str, client_key: str | None = None) -> tuple[Device, str]:
    """A device for the user; the token is returned once and never stored in clear. The same
    browser (same ``client_key``, still active) gets a fresh token for its existing device."""
    token = secrets.token_urlsafe(32)
    client_key = (client_key or "").strip()[:64] or None
    device = None
    if client_key:
        device = db.session.scalar(select(Device).where(Device.user_id == user.id, Device.client_key == client_key,
                                                        Device.revoked_at.is_(None)))
    if device is not None:
        device.token_hash = hash_token(token)
        audit.record(user, "renew", "sync_device", device.uuid, summary=f"离线设备重新登记：{device.name}")
        return device, token
    device = Device(user_id=user.id, name=(name or "").strip()[:DEVICE_NAME_MAX] or "未命名设备",
                    token_hash=hash_token(token), client_key=client_key)
    db.session.add(device)
    db.session.flush()
    audit.record(user, "register", "sync_device", device.uuid, summary=f"登记离线设备：{device.name}")
    return device, token


BY_TOKEN = select(Device).options(joinedload(Device.user)).where(Device.token_hash == bindparam("token_hash"))


def by_token(token: str | None) -> Device | None:
    """The active device holding the token, or None (unknown, revoked, or its user disabled)."""
    if not token or len(token) > 200:
        return None
    device = db.session.scalar(BY_TOKEN, {"token_hash": hash_token(token)})
    if device is None or not device.is_active or not device.user.is_active:
        return None
    return device


def can_revoke(actor: User, device: Device) -> bool:
    if device.user_id == actor.id:
        return True
    owner_orgs = [m.org for m in access.active_memberships(device.user)]
    return any(access.manages(actor, org) for org in owner_orgs)


def revoke(device: Device, actor: User) -> None:
    if not can_revoke(actor, device):
        raise NotAllowed("只有本人或所在支部的书记可以停用该设备")
    if device.revoked_at is None:
        device.revoked_at = utcnow()
        device.revoked_by_id = actor.id
        audit.record(actor, "revoke", "sync_device", device.uuid,
                     summary=f"停用离线设备：{device.name}（{device.user.name}）")


def devices_of(user: User) -> list[Device]:
    return list(db.session.scalars(select(Device).where(Device.user_id == user.id)
                                   .order_by(Device.revoked_at.is_not(None), Device.created_at.desc())))


CONTACT = (update(Device).where(Device.id == bindparam("device_id"))
           .values(last_seq=case((Device.last_seq < bindparam("seq"), bindparam("seq")), else_=Device.last_seq),
                   last_seen_at=bindparam("now", type_=Device.last_seen_at.type))
           .returning(Device.last_seq))


def note_contact(connection, device_id: int, seq: int) -> int:
    """``contact`` run on a connection, from a statement built once: the device's ``last_seq`` after it."""
    return connection.execute(CONTACT, {"device_id": device_id, "seq": seq, "now": utcnow()}).scalar_one()


def contact(device_id: int, seq: int):
    """The UPDATE that notes a sync from the device: its last processed sequence number (never
    lowered) and when it was last seen. It returns the device's ``last_seq`` after the change."""
    return (update(Device).where(Device.id == device_id)
            .values(last_seq=case((Device.last_seq < seq, seq), else_=Device.last_seq), last_seen_at=utcnow())
            .returning(Device.last_seq))


def revoke_all(user: User, actor: User) -> int:
    """Stop every active sync device of the user (a password change or reset, signing out
    everywhere). Each phone keeps its outbox and syncs again once signed in anew. Returns how many."""
    count = 0
    for device in db.session.scalars(select(Device).where(Device.user_id == user.id, Device.revoked_at.is_(None))):
        device.revoked_at = utcnow()
        device.revoked_by_id = actor.id
        audit.record(actor, "revoke", "sync_device", device.uuid,
                     summary=f"停用离线设备：{device.name}（{user.name}，密码变更或退出所有设备）")
        count += 1
    return count
