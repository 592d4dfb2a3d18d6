"""交纳当月党费 at a theme day (主题党日): the attendees' payments entered once, on one screen, straight
into each member's home dues ledger. The theme day's "交纳当月党费" item is derived from them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..models import DuesPayment, Membership, Organization, Record, User
from ..records import events
from ..domain_errors import Invalid
from ..standards.theme_days import meets_standard
from ..rules import dues as rules
from . import service


@dataclass
class Payer:
    """A member who may pay in this branch: where the payment lands, what is due, what is paid."""
    user: User
    ledger: Organization
    due_fen: int | None
    paid: DuesPayment | None
    arrears: list[str]

    @property
    def collected(self) -> bool:
        """Paid here for another (home) branch: 代收."""
        return self.paid is not None and self.paid.collected_by_org_id is not None


def payers(org: Organization, month: str, today: date, user_ids: list[int] | None = None) -> list[Payer]:
    """Members of ``org`` (home or temporary) who owe dues, each with the ledger their payment lands in."""
    query = select(Membership).where(Membership.org_id == org.id, Membership.active.is_(True))
    if user_ids is not None:
        query = query.where(Membership.user_id.in_(user_ids or [0]))
    by_ledger: dict[int, tuple[Organization, set[int]]] = {}
    for membership in db.session.scalars(query):
        ledger, _reason = service.ledger_for(org, membership.user_id)
        if ledger is not None:
            by_ledger.setdefault(ledger.id, (ledger, set()))[1].add(membership.user_id)
    result = []
    for ledger, wanted in by_ledger.values():
        rows = {r.user.id: r for r in service.branch_year(ledger, int(month[:4]), today)
                if r.user.id in wanted}
        paid = {p.user_id: p for p in db.session.scalars(select(DuesPayment).where(
            DuesPayment.org_id == ledger.id, DuesPayment.month == month, DuesPayment.user_id.in_(wanted)))}
        for user_id in wanted:
            row = rows.get(user_id)
            if row is None:
                continue
            result.append(Payer(user=row.user, ledger=ledger, due_fen=row.due_fen, paid=paid.get(user_id),
                                arrears=row.arrears))
    return sorted(result, key=lambda p: p.user.name)


def theme_day_month(record: Record) -> str:
    return record.occurred_on.strftime("%Y-%m")


def attendee_payers(record: Record, today: date) -> list[Payer]:
    """Those present at the theme day who owe dues (activists and invited guests owe none)."""
    present = [a.user_id for a in record.attendances if a.status == "present"]
    return payers(record.org, theme_day_month(record), today, present)


def refresh_standard(record: Record) -> None:
    """Re-derive the theme day's standard now that its dues are in the ledger; an approved record's
    counts follow (the same receivers as an approval, which are idempotent)."""
    version = record.current
    if version is None or record.type != "theme_day" or record.duration_minutes is None:
        return
    meets, problems = meets_standard(record.duration_minutes, version.data.get("theme_items", []),
                                     dues_paid=bool(record.dues_payments))
    record.meets_standard, record.standard_problems = meets, problems
    db.session.flush()
    if record.approved_version is not None:
        events.record_approved.send(record)


def record_payments(record: Record, form, actor: User) -> tuple[list[DuesPayment], dict[str, str]]:
    """The ticked attendees' payments for the theme day's month. One bad line never blocks the others:
    each is saved in its own savepoint; errors come back keyed by ``user_<id>``."""
    if record.merged_into_id is not None or record.type != "theme_day":
        raise Invalid({"record": "只能为主题党日登记党费"})
    month = theme_day_month(record)
    allowed = {p.user.id: p for p in attendee_payers(record, record.occurred_on)}
    saved, errors = [], {}
    for raw in dict.fromkeys(form.getlist("paid_ids")):
        try:
            user_id = int(raw)
        except (TypeError, ValueError):
            errors["paid_ids"] = "人员标识无效"
            continue
        payer = allowed.get(user_id)
        if payer is None:
            errors[f"user_{user_id}"] = "只能为出席本次主题党日的党员登记党费"
            continue
        if payer.paid is not None:
            continue  # already in the ledger: entered once
        amount = (form.get(f"amount_{user_id}") or "").strip() or rules.yuan(payer.due_fen or 0)
        data = {"user_id": user_id, "month": month, "amount": amount, "paid_on": record.occurred_on.isoformat(),
                "channel": "cash", "note": f"主题党日（{record.occurred_on:%m月%d日}）当场交纳"}
        savepoint = db.session.begin_nested()
        try:
            payment = service.record_payment(record.org, data, actor, record_id=record.id)
        except Invalid as error:
            savepoint.rollback()
            errors[f"user_{user_id}"] = f"{payer.user.name}：" + "；".join(error.errors.values())
        else:
            savepoint.commit()
            saved.append(payment)
    db.session.expire(record, ["dues_payments"])
    if saved:
        refresh_standard(record)
    return saved, errors
