"""Changing the roster (花名册): add, edit, deactivate members. Callers commit."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from ..china_time import china_today
from .. import access, audit
from ..accounts import invitations, notices, rights
from ..auth import sessions
from ..domain_errors import Invalid
from ..extensions import db
from ..offline import devices
from ..models import Membership, MembershipInvitation, Organization, User
from ..rules.organization import COMMITTEE_TITLES, GENDERS, MEMBER_CATEGORIES, RELATIONS
from . import joining

PHONE_PATTERN = re.compile(r"^1\d{10}$")
PERSON_FIELDS = ("name", "gender", "birth_date", "category", "join_date", "phone", "post")
PERSON_LABELS = {"name": "姓名", "gender": "性别", "birth_date": "出生日期", "category": "人员类别",
                 "join_date": "入党日期", "phone": "手机号", "post": "工作岗位"}
MEMBERSHIP_FIELDS = joining.MEMBERSHIP_FIELDS
INITIAL_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class RosterError(Invalid):
    """Carries {field: Chinese message} for the form or the import report."""


class AccountNotYours(PermissionError):
    """The actor manages the roster but not this person's account (accounts/rights.py)."""


@dataclass
class Added:
    membership: Membership | None  # None while an invitation waits
    initial_password: str | None  # set when a new account was created
    invitation: MembershipInvitation | None = None


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
    if birth and birth > china_today():
        errors["birth_date"] = "出生日期不能晚于今天"
    if birth and joined and joined < birth:
        errors["join_date"] = "入党日期不能早于出生日期"
    return errors


def validate_membership(org: Organization, data: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.get("relation", "home") not in RELATIONS:
        errors["relation"] = "请选择组织关系"
    elif org.is_temporary and (data.get("relation") or "home") == "home":
        # A temporary branch does not take anyone's formal relation (docs/domain.md "Members on the move").
        errors["relation"] = "临时党支部只建立临时组织关系；正式组织关系在党员所在支部"
    if data.get("title") and data["title"] not in COMMITTEE_TITLES:
        errors["title"] = "支委职务无效"
    group_id = data.get("group_id")
    if group_id:
        group = db.session.get(Organization, group_id)
        if group is None or group.parent_id != org.id or group.kind != "group":
            errors["group_id"] = "只能选择本支部的党小组"
    return errors


def find_membership(user_id: int, org_id: int) -> Membership | None:
    return joining.find_membership(user_id, org_id)


def add_member(org: Organization, data: dict, actor: User, hash_password) -> Added:
    """Add a person to the organization. A person who already has an account (same phone) is
    invited instead, unless the actor is a committee above both this organization and the
    person's home: their account is theirs, not the inviting branch's."""
    phone = normalize_phone(data.get("phone"))
    data = {**data, "phone": phone}
    existing = db.session.scalar(select(User).where(User.phone == phone)) if phone else None
    errors = validate_membership(org, data)
    if existing is None:
        errors |= validate_person(data)
    elif (membership := find_membership(existing.id, org.id)) is not None and membership.active:
        errors["phone"] = "此人已在本组织花名册中"
    if errors:
        raise RosterError(errors)

    if existing is not None and not rights.above_both(actor, org, existing):
        return Added(None, None, invitations.invite(org, existing, data, actor))
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
    membership = joining.join(org, user, data, actor)
    return Added(membership, password)


def update_member(membership: Membership, data: dict, actor: User) -> None:
    """Change the membership here; the person's own fields only for those who manage the account
    (accounts/rights.py), and the relation turns "home" only for them too."""
    user = membership.user
    owns_account = rights.manages_account(actor, user)
    errors = validate_membership(membership.org, data)
    if owns_account:
        data = {**data, "phone": normalize_phone(data.get("phone"))}
        errors |= validate_person(data, existing=user)
    elif (data.get("relation") or "home") == "home" and membership.relation != "home":
        errors["relation"] = "转为正式组织关系须由其正式组织关系所在党组织或上级党组织办理"
    if errors:
        raise RosterError(errors)
    person_before = {f: getattr(user, f) for f in PERSON_FIELDS}
    before = person_before | {f: getattr(membership, f) for f in MEMBERSHIP_FIELDS}
    if owns_account:
        for field in PERSON_FIELDS:
            setattr(user, field, data.get(field))
        user.name = user.name.strip()
    joining.apply_fields(membership, data)
    after = {f: getattr(user, f) for f in PERSON_FIELDS} | {
        f: getattr(membership, f) for f in MEMBERSHIP_FIELDS}
    changes = audit.diff(before, after)
    if changes:
        audit.record(actor, "update_member", "membership", membership.id, org_id=membership.org_id,
                     summary=f"修改 {user.name} 的花名册信息", changes=changes)
    account_changes = audit.diff(person_before, {f: getattr(user, f) for f in PERSON_FIELDS})
    if account_changes:
        audit.record(actor, "update_account", "user", user.id, org_id=membership.org_id,
                     summary=f"修改 {user.name} 的账号信息", changes=account_changes)
        labels = "、".join(PERSON_LABELS[f] for f in account_changes)
        notices.tell(user, actor, f"您的{labels}已由 {actor.name} 于 {notices.when()} 修改")
    access.forget(user)


def deactivate(membership: Membership, actor: User, reason: str = "") -> None:
    if not membership.active:
        raise RosterError({"membership": "该人员已停用"})
    membership.active = False
    membership.left_on = china_today()
    membership.title = None
    membership.is_recorder = False
    audit.record(actor, "deactivate_member", "membership", membership.id, org_id=membership.org_id,
                 summary=f"{membership.user.name} 移出 {membership.org.name}",
                 changes={"reason": reason})
    access.forget(membership.user)


def reactivate(membership: Membership, actor: User) -> None:
    if membership.active:
        raise RosterError({"membership": "该人员未停用"})
    if membership.relation == "home" and not rights.manages_account(actor, membership.user):
        raise RosterError({"membership": "此人的正式组织关系已在其他党组织，请重新邀请"})
    membership.active = True
    membership.left_on = None
    audit.record(actor, "reactivate_member", "membership", membership.id, org_id=membership.org_id,
                 summary=f"{membership.user.name} 恢复到 {membership.org.name}")
    access.forget(membership.user)


def reset_password(membership: Membership, actor: User, hash_password) -> str:
    """A new initial password for a member who forgot theirs, by those who manage the account.
    Signs out every session and sync device of the person, and tells them at next sign-in."""
    user = membership.user
    if not rights.may_reset_password(actor, user):
        raise AccountNotYours()
    password = new_initial_password()
    user.password_hash = hash_password(password)
    user.session_version += 1
    sessions.end_all(user)
    revoked = devices.revoke_all(user, actor)
    audit.record(actor, "reset_password", "user", user.id, org_id=membership.org_id,
                 summary=f"重置 {user.name} 的密码", changes={"devices_revoked": revoked})
    notices.tell(user, actor, f"您的密码已由 {actor.name} 于 {notices.when()} 重置")
    return password
