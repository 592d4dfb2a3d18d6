"""Demo dues and points: bases for the ordinary branches' members, this year's payments with a few
arrears, and a points application waiting for review. Attendance points follow the approved demo records."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..china_time import china_today
from ..extensions import db
from ..models import DuesPayment, DuesProfile, Membership, Organization, User
from ..points import service as points
from ..rules import dues as rules

BASES_YUAN = [4200, 5600, 7800, 3000, 9600, 12500, 6400, 5000, 8800, 10000, 4600]


def load(accounts: dict[str, User]) -> None:
    today = china_today()
    branches = list(db.session.scalars(select(Organization).where(
        Organization.kind == "branch", Organization.is_temporary.is_(False)).order_by(Organization.id)))
    index = 0
    for branch in branches:
        secretary = next((m.user for m in db.session.scalars(select(Membership).where(
            Membership.org_id == branch.id, Membership.title == "secretary"))), None)
        memberships = list(db.session.scalars(select(Membership).where(
            Membership.org_id == branch.id, Membership.active.is_(True)).order_by(Membership.id)))
        for position, membership in enumerate(memberships):
            index += 1
            if not rules.owes_dues(membership.user.category):
                continue  # an activist (入党积极分子) is not a member and owes no dues
            category = "retired" if position == len(memberships) - 1 else "salaried"
            profile = DuesProfile(org_id=branch.id, user_id=membership.user_id, category=category,
                                  base_fen=BASES_YUAN[index % len(BASES_YUAN)] * 100,
                                  since_month=f"{today.year}-01",  # the ledger starts this year
                                  updated_by_id=secretary.id if secretary else None)
            db.session.add(profile)
            due = rules.monthly_amount_fen(category, profile.base_fen)
            # Most are paid up to last month; every fourth member still owes the last two months.
            last_paid = today.month - (3 if index % 4 == 0 else 1)
            for month in range(1, max(last_paid, 0) + 1):
                db.session.add(DuesPayment(org_id=branch.id, user_id=membership.user_id,
                                           month=f"{today.year}-{month:02d}", amount_fen=due,
                                           paid_on=date(today.year, month, min(15, today.day if month == today.month else 15)),
                                           channel="cash" if month % 3 else "transfer",
                                           recorded_by_id=secretary.id if secretary else None))
    db.session.flush()
    shuji_branch = db.session.scalar(select(Organization).where(Organization.name == "办公室党支部"))
    member = db.session.scalar(select(Membership).where(Membership.org_id == shuji_branch.id,
                                                        Membership.title.is_(None)).order_by(Membership.id))
    points.apply(shuji_branch, member.user, {"bucket": "bonus", "points": "3",
                                             "note": "参加区防汛抢险志愿服务三天，获街道通报表扬"})
