"""组织关系转接 (docs/domain.md "Members on the move"): transferring a member's formal relation.

Within Zhibu the old branch issues the transfer (转出) and the new branch accepts it (转入) or returns it
with a reason. Out of Zhibu the old branch issues a letter (介绍信: number, destination, validity) that
goes 开具 → 在途 → 已回执 / 已退回; a letter still out after its validity is expired and puts the person
on the branch's 口袋党员 list until the secretary resolves it. Deadlines warn, they never block: a late
receipt is still accepted. From outside, the receiving secretary registers the letter and the member.

The person's file moves with them (person_file.snapshot is kept with the transfer); their past records
stay where they happened. Every step is audited. Callers commit.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import or_, select

from .. import access, audit
from ..china_time import china_today
from ..domain_errors import Invalid, NotAllowed
from ..dues import service as dues_service
from ..extensions import db
from ..models import DuesProfile, Membership, MembershipTransfer, Organization, User
from ..roster import joining
from ..rules.mobility import POCKET_RESOLUTIONS
from ..standards.rule_book import rule_in_force
from . import person_file

PENDING_STATES = ("issued", "letter_issued", "in_transit")
TEXT_MAX = {"outside_name": 200, "letter_number": 60, "reason": 500}


def _text(value, field: str, label: str, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise Invalid({field: f"请填写{label}"})
    if len(text) > TEXT_MAX.get(field, 200):
        raise Invalid({field: f"{label}过长"})
    return text


def home_membership(person: User, org: Organization) -> Membership | None:
    return db.session.scalar(select(Membership).where(
        Membership.user_id == person.id, Membership.org_id == org.id, Membership.relation == "home",
        Membership.active.is_(True)))


def pending_for(person: User) -> MembershipTransfer | None:
    return db.session.scalar(select(MembershipTransfer).where(
        MembershipTransfer.user_id == person.id, MembershipTransfer.state.in_(PENDING_STATES)))


def _check_issuer(actor: User, person: User, from_org: Organization) -> None:
    if not access.manages(actor, from_org):
        raise NotAllowed("只有党员正式组织关系所在支部可以办理转出")
    if from_org.is_temporary:
        raise NotAllowed("临时党支部不办理组织关系转接")
    if home_membership(person, from_org) is None:
        raise Invalid({"user_id": "此人不是本支部正式党员（正式组织关系不在本支部）"})
    if pending_for(person) is not None:
        raise Invalid({"user_id": "此人已有一项正在办理的组织关系转接"})


def issue_within(person: User, from_org: Organization, to_org: Organization, actor: User,
                 on: date | None = None, note: str = "") -> MembershipTransfer:
    """转出 to another branch in Zhibu: it waits for the receiving branch."""
    _check_issuer(actor, person, from_org)
    if to_org.kind != "branch" or to_org.is_temporary or to_org.is_closed or to_org.id == from_org.id:
        raise Invalid({"to_org_id": "请选择另一个正在运行的（非临时）党支部"})
    on = on or china_today()
    transfer = MembershipTransfer(user_id=person.id, kind="within", from_org_id=from_org.id, to_org_id=to_org.id,
                                  issued_on=on, state="issued", reason=_text(note, "reason", "说明", False),
                                  file=person_file.snapshot(person, on), created_by_id=actor.id)
    db.session.add(transfer)
    db.session.flush()
    audit.record(actor, "transfer_out", "membership_transfer", transfer.uuid, org_id=from_org.id,
                 summary=f"{person.name} 组织关系转出至 {to_org.name}",
                 changes={"to_org_id": to_org.id, "file": transfer.file})
    return transfer


def _end_home(person: User, org: Organization, on: date) -> None:
    membership = home_membership(person, org)
    if membership is not None:
        membership.active = False
        membership.left_on = on
        membership.title = None
        membership.is_recorder = False
        membership.group_id = None
    access.forget(person)


def _carry_dues(person: User, from_org: Organization, to_org: Organization, paid_through: str | None) -> None:
    """The dues ledger continues in the new branch from the month after the last one paid."""
    if db.session.scalar(select(DuesProfile).where(DuesProfile.org_id == to_org.id,
                                                   DuesProfile.user_id == person.id)) is not None:
        return
    old = db.session.scalar(select(DuesProfile).where(DuesProfile.org_id == from_org.id,
                                                      DuesProfile.user_id == person.id))
    profile = DuesProfile(org_id=to_org.id, user_id=person.id,
                          category=old.category if old else "salaried", base_fen=old.base_fen if old else 0,
                          override_fen=old.override_fen if old else None,
                          override_reason=old.override_reason if old else "",
                          since_month=dues_service.next_month(paid_through) if paid_through else None)
    db.session.add(profile)


def accept(transfer: MembershipTransfer, actor: User, on: date | None = None) -> Membership:
    """转入: the receiving branch takes the member; the old home relation ends that day."""
    if transfer.kind != "within" or transfer.state != "issued":
        raise Invalid({"state": "该转接不在待接收状态"})
    if not access.manages(actor, transfer.to_org):
        raise NotAllowed("只有接收支部可以办理转入")
    on = on or china_today()
    if on < transfer.issued_on:
        raise Invalid({"on": "转入日期不能早于转出日期"})
    person = transfer.user
    _end_home(person, transfer.from_org, on)
    membership = joining.join(transfer.to_org, person, {"relation": "home", "joined_on": on}, actor,
                              "（组织关系转入）")
    _carry_dues(person, transfer.from_org, transfer.to_org, (transfer.file or {}).get("dues_paid_through"))
    transfer.state, transfer.decided_on, transfer.decided_by_id = "accepted", on, actor.id
    audit.record(actor, "transfer_in", "membership_transfer", transfer.uuid, org_id=transfer.to_org_id,
                 summary=f"{person.name} 组织关系由 {transfer.from_org.name} 转入 {transfer.to_org.name}",
                 changes={"on": on})
    return membership


def return_transfer(transfer: MembershipTransfer, actor: User, reason: str, on: date | None = None) -> None:
    """退回: the receiving branch (or the organization holding a letter) sends it back with a reason."""
    reason = _text(reason, "reason", "退回理由")
    if transfer.kind == "within":
        if transfer.state != "issued":
            raise Invalid({"state": "该转接不在待接收状态"})
        if not access.manages(actor, transfer.to_org):
            raise NotAllowed("只有接收支部可以退回")
    elif transfer.kind == "outgoing":
        if transfer.state not in ("letter_issued", "in_transit"):
            raise Invalid({"state": "该介绍信不在开具或在途状态"})
        if not access.manages(actor, transfer.from_org):
            raise NotAllowed("只有开具介绍信的支部可以登记退回")
    else:
        raise Invalid({"state": "该转接不能退回"})
    transfer.state, transfer.reason = "returned", reason
    transfer.decided_on, transfer.decided_by_id = on or china_today(), actor.id
    audit.record(actor, "transfer_returned", "membership_transfer", transfer.uuid,
                 org_id=transfer.to_org_id if transfer.kind == "within" else transfer.from_org_id,
                 summary=f"{transfer.user.name} 组织关系转接已退回：{reason}", changes={"reason": reason})


def issue_letter(person: User, from_org: Organization, actor: User, *, destination: str, letter_number: str,
                 issued_on: date | None = None, valid_until: date | None = None) -> MembershipTransfer:
    """开具介绍信 to an organization outside Zhibu."""
    _check_issuer(actor, person, from_org)
    destination = _text(destination, "outside_name", "接收单位（去向）")
    letter_number = _text(letter_number, "letter_number", "介绍信编号")
    issued_on = issued_on or china_today()
    if valid_until is None:
        valid_until = issued_on + timedelta(days=rule_in_force(from_org, "mobility.letter.validity_days", issued_on))
    if valid_until < issued_on:
        raise Invalid({"valid_until": "有效期不能早于开具日期"})
    if db.session.scalar(select(MembershipTransfer.id).where(MembershipTransfer.kind == "outgoing",
                                                             MembershipTransfer.from_org_id == from_org.id,
                                                             MembershipTransfer.letter_number == letter_number)):
        raise Invalid({"letter_number": "本支部已有相同编号的介绍信"})
    transfer = MembershipTransfer(user_id=person.id, kind="outgoing", from_org_id=from_org.id,
                                  outside_name=destination, letter_number=letter_number, issued_on=issued_on,
                                  valid_until=valid_until, state="letter_issued",
                                  file=person_file.snapshot(person, issued_on), created_by_id=actor.id)
    db.session.add(transfer)
    db.session.flush()
    audit.record(actor, "issue_letter", "membership_transfer", transfer.uuid, org_id=from_org.id,
                 summary=f"{person.name} 开具组织关系介绍信 {letter_number} 至 {destination}",
                 changes={"letter_number": letter_number, "destination": destination, "valid_until": valid_until})
    return transfer


def _letter_of(actor: User, transfer: MembershipTransfer, states: tuple[str, ...]) -> None:
    if transfer.kind != "outgoing" or transfer.state not in states:
        raise Invalid({"state": "该介绍信的状态不允许此操作"})
    if not access.manages(actor, transfer.from_org):
        raise NotAllowed("只有开具介绍信的支部可以办理")


def mark_in_transit(transfer: MembershipTransfer, actor: User) -> None:
    _letter_of(actor, transfer, ("letter_issued",))
    transfer.state = "in_transit"
    audit.record(actor, "letter_in_transit", "membership_transfer", transfer.uuid, org_id=transfer.from_org_id,
                 summary=f"{transfer.user.name} 介绍信 {transfer.letter_number} 在途")


def receipt(transfer: MembershipTransfer, actor: User, on: date | None = None) -> None:
    """已回执: the destination received the member; the home relation here ends that day. A receipt
    after the letter's validity is still taken (deadlines warn)."""
    _letter_of(actor, transfer, ("letter_issued", "in_transit"))
    on = on or china_today()
    late = transfer.is_expired(on)
    _end_home(transfer.user, transfer.from_org, on)
    transfer.state, transfer.decided_on, transfer.decided_by_id = "receipted", on, actor.id
    audit.record(actor, "letter_receipted", "membership_transfer", transfer.uuid, org_id=transfer.from_org_id,
                 summary=f"{transfer.user.name} 介绍信 {transfer.letter_number} 已回执" + ("（逾期）" if late else ""),
                 changes={"on": on, "late": late})


def pocket_members(org: Organization, today: date | None = None) -> list[MembershipTransfer]:
    """口袋党员: letters of this branch still out after their validity, to be resolved."""
    today = today or china_today()
    rows = db.session.scalars(select(MembershipTransfer).where(
        MembershipTransfer.from_org_id == org.id, MembershipTransfer.kind == "outgoing",
        MembershipTransfer.state.in_(("letter_issued", "in_transit")), MembershipTransfer.valid_until < today)
        .order_by(MembershipTransfer.valid_until))
    return list(rows)


def resolve_pocket(transfer: MembershipTransfer, actor: User, resolution: str, note: str = "", *,
                   letter_number: str = "", valid_until: date | None = None,
                   today: date | None = None) -> MembershipTransfer | None:
    """The secretary resolves an expired letter: the receipt came after all, the letter came back, or a
    new letter is issued (returned)."""
    today = today or china_today()
    if resolution not in POCKET_RESOLUTIONS:
        raise Invalid({"resolution": "请选择处理方式"})
    _letter_of(actor, transfer, ("letter_issued", "in_transit"))
    if not transfer.is_expired(today):
        raise Invalid({"state": "该介绍信尚在有效期内"})
    note = _text(note, "reason", "处理说明", required=resolution == "returned")
    new = None
    if resolution == "receipted":
        receipt(transfer, actor, today)
    elif resolution == "returned":
        return_transfer(transfer, actor, note, today)
    else:
        transfer.state, transfer.decided_on, transfer.decided_by_id = "returned", today, actor.id
        transfer.reason = note or "介绍信过期，重新开具"
        new = issue_letter(transfer.user, transfer.from_org, actor, destination=transfer.outside_name,
                           letter_number=letter_number, issued_on=today, valid_until=valid_until)
        transfer.replaced_by_id = new.id
    transfer.resolution, transfer.resolution_note = resolution, note
    from ..models.base import utcnow
    transfer.resolved_at = utcnow()
    audit.record(actor, "resolve_pocket_member", "membership_transfer", transfer.uuid,
                 org_id=transfer.from_org_id,
                 summary=f"{transfer.user.name} 过期介绍信已处理：{POCKET_RESOLUTIONS[resolution]}",
                 changes={"resolution": resolution, "note": note, "new_letter": new.uuid if new else None})
    return new


def register_incoming(to_org: Organization, person: User, actor: User, *, origin: str, letter_number: str,
                      issued_on: date | None, received_on: date | None = None,
                      dues_paid_through: str | None = None) -> MembershipTransfer:
    """From outside Zhibu: the receiving secretary registers the letter; the person (already added to
    the roster by ``roster.members.add_member``) joins with the formal relation here."""
    if not access.manages(actor, to_org):
        raise NotAllowed("只有接收支部可以登记转入")
    if to_org.kind != "branch" or to_org.is_temporary or to_org.is_closed:
        raise NotAllowed("只有正在运行的（非临时）党支部可以接收组织关系")
    origin = _text(origin, "outside_name", "原单位党组织")
    letter_number = _text(letter_number, "letter_number", "介绍信编号")
    received_on = received_on or china_today()
    if dues_paid_through and not (len(dues_paid_through) == 7 and dues_paid_through[4] == "-"
                                  and dues_paid_through[:4].isdigit() and dues_paid_through[5:].isdigit()
                                  and 1 <= int(dues_paid_through[5:]) <= 12):
        raise Invalid({"dues_paid_through": "党费交至月份应写成 2026-05"})
    file = person_file.snapshot(person, received_on)
    file["dues_paid_through"] = dues_paid_through or file["dues_paid_through"]
    transfer = MembershipTransfer(user_id=person.id, kind="incoming", to_org_id=to_org.id, outside_name=origin,
                                  letter_number=letter_number, issued_on=issued_on or received_on,
                                  state="registered", decided_on=received_on, decided_by_id=actor.id,
                                  file=file, created_by_id=actor.id)
    db.session.add(transfer)
    if dues_paid_through:
        profile = db.session.scalar(select(DuesProfile).where(DuesProfile.org_id == to_org.id,
                                                              DuesProfile.user_id == person.id))
        if profile is None:
            db.session.add(DuesProfile(org_id=to_org.id, user_id=person.id,
                                       since_month=dues_service.next_month(dues_paid_through)))
    db.session.flush()
    audit.record(actor, "register_incoming", "membership_transfer", transfer.uuid, org_id=to_org.id,
                 summary=f"{person.name} 由 {origin} 转入（介绍信 {letter_number}）",
                 changes={"origin": origin, "letter_number": letter_number, "file": file})
    return transfer


def for_org(org: Organization) -> list[MembershipTransfer]:
    """The branch's transfer ledger: every transfer out of it or into it, newest first."""
    return list(db.session.scalars(select(MembershipTransfer).where(
        or_(MembershipTransfer.from_org_id == org.id, MembershipTransfer.to_org_id == org.id))
        .order_by(MembershipTransfer.issued_on.desc(), MembershipTransfer.id.desc())))


def of_person(person: User) -> list[MembershipTransfer]:
    return list(db.session.scalars(select(MembershipTransfer).where(MembershipTransfer.user_id == person.id)
                                   .order_by(MembershipTransfer.issued_on, MembershipTransfer.id)))


def may_see(actor: User, transfer: MembershipTransfer) -> bool:
    orgs = [o for o in (transfer.from_org, transfer.to_org) if o is not None]
    return actor.id == transfer.user_id or any(access.manages(actor, o) for o in orgs)
