"""Changing the roster (花名册): add, edit, deactivate members. Callers commit."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from .. import access, audit
from ..extensions import db
from ..models import Membership, Organization, User
from ..rules.organization import COMMITTEE_TITLES, GENDERS, MEMBER_CATEGORIES, RELATIONS

PHONE_PATTERN = re.compile(r"^1\d{10}$")
PERSON_FIELDS = ("name", "gender", "birth_date", "category", "join_date", "phone", "post")
MEMBERSHIP_FIELDS = ("relation", "title", "is_recorder", "group_id")
INITIAL_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class RosterError(ValueError):
    """Carries {field: Chinese message} for the form or the import report."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class Added:
    membership: Membership
    initial_password: str | None  # set when a new account was created


def normalize_phone(raw: str | None) -> str:
    return re.sub(r"[\s-]", "", str(raw or "")).removeprefix("+86")


def new_initial_password() -> str:
    return "".join(secrets.choice(INITIAL_PASSWORD_ALPHABET) for _ in range(10))


def validate_person(data: dict, *, existing: User | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (data.get("name") or "").strip():
        errors["name"] = "请填写姓名"
    phone = data.get("phone")
    if not phone or not PHONE_PATTERN.match(phone):
        errors["phone"] = "手机号应为 11 位数字，以 1 开头"
    else:
        other = db.session.scalar(select(User).where(User.phone == phone))
        if other is not None and (existing is None or other.id != existing.id):
            errors["phone"] = "该手机号已被其他人员使用"
    if data.get("gender") and data["gender"] not in GENDERS:
        errors["gender"] = "性别只能是男或女"
    if data.get("category") not in MEMBER_CATEGORIES:
        errors["category"] = "请选择人员类别：正式党员、预备党员或入党积极分子"
    elif data["category"] in ("full", "probationary") and not data.get("join_date"):
        errors["join_date"] = "党员需填写入党日期"
    birth, joined = data.get("birth_date"), data.get("join_date")
    if birth and birth > date.today():
        errors["birth_date"] = "出生日期不能晚于今天"
    if birth and joined and joined < birth:
        errors["join_date"] = "入党日期不能早于出生日期"
    return errors


def validate_membership(org: Organization, data: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.get("relation", "home") not in RELATIONS:
        errors["relation"] = "请选择组织关系"
    if data.get("title") and data["title"] not in COMMITTEE_TITLES:
        errors["title"] = "支委职务无效"
    group_id = data.get("group_id")
    if group_id:
        group = db.session.get(Organization, group_id)
        if group is None or group.parent_id != org.id or group.kind != "group":
            errors["group_id"] = "只能选择本支部的党小组"
    return errors


def find_membership(user_id: int, org_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.user_id == user_id, Membership.org_id == org_id)
    )


def add_member(org: Organization, data: dict, actor: User, hash_password) -> Added:
    """Add a person to the branch; an existing person (same phone) gets a membership here."""
    phone = normalize_phone(data.get("phone"))
    data = {**data, "phone": phone}
    existing = db.session.scalar(select(User).where(User.phone == phone)) if phone else None
    errors = validate_membership(org, data)
    if existing is None:
        errors |= validate_person(data)
    elif (membership := find_membership(existing.id, org.id)) is not None and membership.active:
        errors["phone"] = f"{existing.name} 已在本组织花名册中"
    if errors:
        raise RosterError(errors)

    password = None
    if existing is None:
        password = new_initial_password()
        user = User(**{f: data.get(f) for f in PERSON_FIELDS}, password_hash=hash_password(password))
        user.name = user.name.strip()
        db.session.add(user)
        db.session.flush()
        audit.record(actor, "create", "user", user.id, org_id=org.id, summary=f"新增人员 {user.name}",
                     changes={f: data.get(f) for f in PERSON_FIELDS})
    else:
        user = existing
    membership = find_membership(user.id, org.id)
    if membership is None:
        membership = Membership(user_id=user.id, org_id=org.id)
        db.session.add(membership)
    membership.active = True
    membership.left_on = None
    membership.joined_on = data.get("joined_on") or date.today()
    _apply_membership(membership, data)
    db.session.flush()
    audit.record(actor, "add_member", "membership", membership.id, org_id=org.id,
                 summary=f"{user.name} 加入 {org.name}",
                 changes={f: getattr(membership, f) for f in MEMBERSHIP_FIELDS})
    access.forget(user)
    return Added(membership, password)


def _apply_membership(membership: Membership, data: dict) -> None:
    membership.relation = data.get("relation") or "home"
    membership.title = data.get("title") or None
    membership.is_recorder = bool(data.get("is_recorder"))
    membership.group_id = data.get("group_id") or None


def update_member(membership: Membership, data: dict, actor: User) -> None:
    user = membership.user
    data = {**data, "phone": normalize_phone(data.get("phone"))}
    errors = validate_person(data, existing=user) | validate_membership(membership.org, data)
    if errors:
        raise RosterError(errors)
    before = {f: getattr(user, f) for f in PERSON_FIELDS} | {
        f: getattr(membership, f) for f in MEMBERSHIP_FIELDS}
    for field in PERSON_FIELDS:
        setattr(user, field, data.get(field))
    user.name = user.name.strip()
    _apply_membership(membership, data)
    after = {f: getattr(user, f) for f in PERSON_FIELDS} | {
        f: getattr(membership, f) for f in MEMBERSHIP_FIELDS}
    changes = audit.diff(before, after)
    if changes:
        audit.record(actor, "update_member", "membership", membership.id, org_id=membership.org_id,
                     summary=f"修改 {user.name} 的花名册信息", changes=changes)
    access.forget(user)


def deactivate(membership: Membership, actor: User, reason: str = "") -> None:
    if not membership.active:
        raise RosterError({"membership": "该人员已停用"})
    membership.active = False
    membership.left_on = date.today()
    membership.title = None
    membership.is_recorder = False
    audit.record(actor, "deactivate_member", "membership", membership.id, org_id=membership.org_id,
                 summary=f"{membership.user.name} 移出 {membership.org.name}",
                 changes={"reason": reason})
    access.forget(membership.user)


def reactivate(membership: Membership, actor: User) -> None:
    if membership.active:
        raise RosterError({"membership": "该人员未停用"})
    membership.active = True
    membership.left_on = None
    audit.record(actor, "reactivate_member", "membership", membership.id, org_id=membership.org_id,
                 summary=f"{membership.user.name} 恢复到 {membership.org.name}")
    access.forget(membership.user)


def reset_password(membership: Membership, actor: User, hash_password) -> str:
    """A new initial password for a member who forgot theirs; signs out their other sessions."""
    user = membership.user
    password = new_initial_password()
    user.password_hash = hash_password(password)
    user.session_version += 1
    audit.record(actor, "reset_password", "user", user.id, org_id=membership.org_id,
                 summary=f"重置 {user.name} 的密码")
    return password
