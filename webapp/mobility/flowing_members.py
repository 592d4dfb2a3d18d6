"""The 流动党员 registry (docs/domain.md "Members on the move").

The home branch registers a member's outflow (where to, which organization receives them, why, from and
until, a contact, the 活动证 number). When the receiving branch is in Zhibu it sees the inflow and
accepts it: the member then belongs there with a temporary relation and takes part, and the
participation counts at home through the derived union (webapp/members/participation.py). Members
from organizations outside Zhibu join a branch here as 流动党员 with their home organization's name.
Lost contact (失联) and return are recorded with their dates; the home secretary's list shows when each
member away was last heard of, with alerts at 3 and 6 months. Callers commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from .. import access, audit
from ..china_time import china_today
from ..domain_errors import Invalid, NotAllowed
from ..extensions import db
from ..input_numbers import row_id
from ..members import participation
from ..models import FlowingMember, Membership, Organization, User
from ..roster import joining
from ..roster.members import PHONE_PATTERN, normalize_phone
from ..standards.rule_book import book_for
from . import alerts

OPEN_STATES = ("away", "lost")
TEXT_FIELDS = {"destination": ("去向（工作地点）", 200), "receiving_org_name": ("接收党组织", 200),
               "reason": ("外出原因", 200), "contact_name": ("联系人", 64), "contact_phone": ("联系电话", 30),
               "card_number": ("流动党员活动证号", 60), "home_org_name": ("原所在党组织", 200),
               "whereabouts": ("所在地", 200)}


def _texts(data: dict, names: tuple[str, ...], required: tuple[str, ...] = ()) -> dict[str, str]:
    out, errors = {}, {}
    for name in names:
        label, limit = TEXT_FIELDS[name]
        text = str(data.get(name) or "").strip()
        if "\x00" in text:
            errors[name] = f"{label}含有无效字符"
        elif len(text) > limit:
            errors[name] = f"{label}过长（最多 {limit} 字）"
        elif name in required and not text:
            errors[name] = f"请填写{label}"
        out[name] = text
    if errors:
        raise Invalid(errors)
    return out


def _dates(data: dict) -> tuple[date, date | None]:
    start, until = data.get("from_date"), data.get("until_date")
    if not isinstance(start, date):
        raise Invalid({"from_date": "请填写外出开始日期"})
    if until is not None and (not isinstance(until, date) or until < start):
        raise Invalid({"until_date": "预计返回日期不能早于开始日期"})
    return start, until


def open_entry(person: User) -> FlowingMember | None:
    return db.session.scalar(select(FlowingMember).where(FlowingMember.user_id == person.id,
                                                         FlowingMember.state.in_(OPEN_STATES))
                             .order_by(FlowingMember.id.desc()))


def _receiving(data: dict, home: Organization | None) -> Organization | None:
    raw = data.get("receiving_org_id")
    if raw in (None, ""):
        return None
    org_id = row_id(raw)
    org = db.session.get(Organization, org_id) if org_id else None
    if org is None or org.kind != "branch" or org.is_closed or (home is not None and org.id == home.id):
        raise Invalid({"receiving_org_id": "接收党支部无效"})
    return org


def register_outflow(home: Organization, person: User, actor: User, data: dict) -> FlowingMember:
    if not access.manages(actor, home):
        raise NotAllowed("只有党员正式组织关系所在支部可以登记外出")
    if home.is_temporary or db.session.scalar(select(Membership.id).where(
            Membership.user_id == person.id, Membership.org_id == home.id, Membership.relation == "home",
            Membership.active.is_(True))) is None:
        raise Invalid({"user_id": "此人不是本支部正式党员"})
    if open_entry(person) is not None:
        raise Invalid({"user_id": "此人已登记为外出流动党员"})
    texts = _texts(data, ("destination", "receiving_org_name", "reason", "contact_name", "contact_phone",
                          "card_number"), required=("destination",))
    start, until = _dates(data)
    receiving = _receiving(data, home)
    entry = FlowingMember(user_id=person.id, direction="outflow", home_org_id=home.id,
                          receiving_org_id=receiving.id if receiving else None, from_date=start,
                          until_date=until, state="away", created_by_id=actor.id, **texts)
    if receiving is not None and not entry.receiving_org_name:
        entry.receiving_org_name = receiving.name
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, "register_outflow", "flowing_member", entry.uuid, org_id=home.id,
                 summary=f"{person.name} 外出流动：{entry.destination}",
                 changes={**texts, "from_date": start, "until_date": until,
                          "receiving_org_id": entry.receiving_org_id})
    return entry


def register_from_outside(org: Organization, actor: User, data: dict, on: date | None = None,
                          uuid: str | None = None) -> FlowingMember:
    """A member of an organization outside Zhibu joins ``org`` as a 流动党员 (temporary relation)."""
    if not access.manages(actor, org):
        raise NotAllowed("只有本支部负责人可以登记流入党员")
    if org.kind != "branch" or org.is_closed:
        raise Invalid({"org": "只能登记到正在运行的党支部"})
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 64 or "\x00" in name:
        raise Invalid({"name": "请填写姓名（最多 64 字）"})
    texts = _texts(data, ("home_org_name", "contact_name", "contact_phone", "card_number"),
                   required=("home_org_name",))
    category = data.get("category") or "full"
    if category not in ("full", "probationary"):
        raise Invalid({"category": "流动党员应为正式党员或预备党员"})
    phone = normalize_phone(data.get("phone")) or None
    if phone is not None:
        if not PHONE_PATTERN.match(phone):
            raise Invalid({"phone": "手机号应为 11 位数字，以 1 开头"})
        if db.session.scalar(select(User.id).where(User.phone == phone)) is not None:
            raise Invalid({"phone": "该手机号已有账号：系统内党员请通过“查找党员”邀请加入"})
    on = on or china_today()
    person = User(name=name, phone=phone, category=category)
    db.session.add(person)
    db.session.flush()
    audit.record(actor, "create", "user", person.id, org_id=org.id, summary=f"登记流入党员 {name}",
                 changes={"name": name, "phone": phone, "category": category})
    joining.join(org, person, {"relation": "temporary", "joined_on": on}, actor, "（流动党员）")
    entry = FlowingMember(user_id=person.id, direction="inflow", receiving_org_id=org.id,
                          receiving_org_name=org.name, destination=org.site or org.name, from_date=on,
                          inflow_accepted_on=on, state="away", created_by_id=actor.id, **texts)
    if uuid:
        entry.uuid = uuid
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, "register_inflow", "flowing_member", entry.uuid, org_id=org.id,
                 summary=f"{name}（{entry.home_org_name}）作为流动党员加入 {org.name}", changes=texts)
    return entry


def accept_inflow(entry: FlowingMember, actor: User, on: date | None = None) -> Membership:
    """The receiving branch in Zhibu takes the member in for the time away (temporary relation)."""
    org = entry.receiving_org
    if org is None or not access.manages(actor, org):
        raise NotAllowed("只有接收支部可以接收流入党员")
    if entry.state not in OPEN_STATES or entry.inflow_accepted_on is not None:
        raise Invalid({"state": "该流动党员已接收或已返回"})
    on = on or china_today()
    membership = joining.join(org, entry.user, {"relation": "temporary", "joined_on": max(on, entry.from_date)},
                              actor, "（流动党员流入）")
    entry.inflow_accepted_on = on
    audit.record(actor, "accept_inflow", "flowing_member", entry.uuid, org_id=org.id,
                 summary=f"{org.name} 接收流动党员 {entry.user.name}")
    return membership


def _manager_of(actor: User, entry: FlowingMember) -> Organization:
    """Where the entry is kept: the home branch; for members from outside, the receiving branch."""
    org = entry.home_org or entry.receiving_org
    if org is None or not access.manages(actor, org):
        raise NotAllowed("只有流动党员的管理支部可以办理")
    return org


def mark_lost(entry: FlowingMember, actor: User, on: date | None = None) -> None:
    org = _manager_of(actor, entry)
    if entry.state != "away":
        raise Invalid({"state": "只有外出中的党员可以登记失联"})
    entry.state, entry.lost_on = "lost", on or china_today()
    audit.record(actor, "flowing_lost", "flowing_member", entry.uuid, org_id=org.id,
                 summary=f"{entry.user.name} 失联（{entry.lost_on}）", changes={"lost_on": entry.lost_on})


def mark_returned(entry: FlowingMember, actor: User, on: date | None = None) -> None:
    org = _manager_of(actor, entry)
    if entry.state not in OPEN_STATES:
        raise Invalid({"state": "该党员已登记返回"})
    on = on or china_today()
    entry.state, entry.returned_on = "returned", on
    if entry.receiving_org_id is not None:
        membership = joining.find_membership(entry.user_id, entry.receiving_org_id)
        if membership is not None and membership.relation == "temporary" and membership.active:
            membership.active, membership.left_on = False, on
            access.forget(entry.user)
    audit.record(actor, "flowing_returned", "flowing_member", entry.uuid, org_id=org.id,
                 summary=f"{entry.user.name} 已返回（{on}）", changes={"returned_on": on})


def update_whereabouts(person: User, data: dict, on: date | None = None) -> FlowingMember:
    """The member's own word of where they are (from the phone, online or through the sync API)."""
    entry = open_entry(person)
    if entry is None:
        raise Invalid({"whereabouts": "您当前没有外出流动登记"})
    texts = _texts(data, ("whereabouts", "contact_phone"), required=("whereabouts",))
    on = min(on or china_today(), china_today())
    before = {"whereabouts": entry.whereabouts, "state": entry.state}
    entry.whereabouts, entry.whereabouts_on = texts["whereabouts"], on
    if texts["contact_phone"]:
        entry.contact_phone = texts["contact_phone"]
    if entry.state == "lost":
        entry.state, entry.lost_on = "away", None  # heard of again
    audit.record(person, "update_whereabouts", "flowing_member", entry.uuid, org_id=entry.home_org_id,
                 summary=f"{person.name} 更新所在地：{entry.whereabouts}",
                 changes=audit.diff(before, {"whereabouts": entry.whereabouts, "state": entry.state}))
    return entry


@dataclass(frozen=True)
class Away:
    entry: FlowingMember
    last_took: participation.Took | None
    last_heard: date | None
    months_silent: int
    level: str | None  # None / warning / alert


def away_from(home: Organization, today: date | None = None) -> list[Away]:
    """The home secretary's list: members away or lost, when last heard of anywhere, and alerts."""
    today = today or china_today()
    entries = list(db.session.scalars(select(FlowingMember).where(
        FlowingMember.home_org_id == home.id, FlowingMember.state.in_(OPEN_STATES))
        .order_by(FlowingMember.from_date)))
    last = participation.last_in_touch([e.user_id for e in entries])
    book = book_for(home)
    warning, alert = book.get("mobility.flowing.warning_months", today), book.get("mobility.flowing.alert_months",
                                                                                   today)
    out = []
    for entry in entries:
        took = last.get(entry.user_id)
        heard = alerts.last_heard(took.occurred_on if took else None, entry.whereabouts_on) or entry.from_date
        months = alerts.whole_months(heard, today)
        out.append(Away(entry, took, heard, months, alerts.alert_level(months, warning, alert)))
    return out


def inflow_to(org: Organization) -> list[FlowingMember]:
    """Members away from home who take part in ``org`` (registered to it or from outside)."""
    return list(db.session.scalars(select(FlowingMember).where(
        FlowingMember.receiving_org_id == org.id, FlowingMember.state.in_(OPEN_STATES))
        .order_by(FlowingMember.from_date)))


def may_see(actor: User, entry: FlowingMember) -> bool:
    orgs = [o for o in (entry.home_org, entry.receiving_org) if o is not None]
    return actor.id == entry.user_id or any(access.manages(actor, o) for o in orgs)
