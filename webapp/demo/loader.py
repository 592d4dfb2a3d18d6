"""Loading the demo organization into an empty database."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from ..extensions import db
from ..models import Membership, MembershipInvitation, Organization, User
from ..models.base import utcnow
from ..orgs import tree
from . import dataset
from . import plans as plans_demo


def database_is_empty() -> bool:
    return db.session.scalar(select(func.count()).select_from(User)) == 0


def load(hash_password) -> dict[str, User]:
    """Create the demo tree, people and accounts. Returns the named accounts by username."""
    password_hash = hash_password(dataset.DEMO_PASSWORD)  # one hash: every demo account shares it
    today = date.today()
    committee = tree.create_root(dataset.COMMITTEE["kind"], dataset.COMMITTEE["name"])
    committee.committee_term_start = date(today.year - 2, 3, 1)
    committee.committee_term_end = date(today.year + 3, 2, 28)

    branches: dict[str, Organization] = {}
    groups: dict[str, list[Organization]] = {}
    for name, group_names, _count in dataset.ORDINARY_BRANCHES:
        branch = tree.create_child(committee, "branch", None, name=name,
                                   committee_term_start=date(today.year - 1, 6, 1),
                                   committee_term_end=date(today.year + 2, 5, 31))
        branches[name] = branch
        groups[name] = [tree.create_child(branch, "group", None, name=g) for g in group_names]

    def add(user: User, org: Organization, **fields) -> Membership:
        membership = Membership(user=user, org=org, joined_on=fields.pop("joined_on", None) or
                                org.start_date or date(today.year - 3, 1, 1), **fields)
        db.session.add(membership)
        return membership

    def accepted(user: User, org: Organization, **fields) -> Membership:
        """A temporary-branch member: joined by an invitation the person accepted (issue 13)."""
        db.session.add(MembershipInvitation(user=user, org=org, relation="temporary", state="accepted",
                                            is_recorder=fields.get("is_recorder", False), decided_by=user,
                                            decided_at=utcnow()))
        return add(user, org, relation="temporary", **fields)

    def make_user(data: dict, username: str | None = None) -> User:
        user = User(username=username, password_hash=password_hash, **data)
        db.session.add(user)
        return user

    index = 0
    people_by_branch: dict[str, list[User]] = {}
    for name, _groups, count in dataset.ORDINARY_BRANCHES:
        branch = branches[name]
        people_by_branch[name] = []
        titles = list(dataset.COMMITTEE_TITLES_FOR_LARGE_BRANCH) if count > 7 else []
        for position in range(count):
            index += 1
            user = make_user(dataset.person(index))
            # Committee members are full members (docs/domain.md "Organization").
            title = titles.pop(0) if titles and user.category == "full" else None
            branch_groups = groups[name]
            group = branch_groups[position % len(branch_groups)] if branch_groups else None
            add(user, branch, relation="home", title=title, group=group)
            people_by_branch[name].append(user)

    accounts: dict[str, User] = {}
    for username, spec in dataset.ACCOUNTS.items():
        user = make_user({k: spec[k] for k in ("name", "phone", "post", "category")} |
                         {"join_date": date(1998 + len(accounts) * 3, 7, 1),
                          "birth_date": date(1975 + len(accounts) * 4, 4, 12),
                          "gender": "female" if username == "dangyuan" else "male"},
                         username=username)
        accounts[username] = user
        if spec["branch"] is None:
            add(user, committee, relation="home", title=spec["title"])
        else:
            add(user, branches[spec["branch"]], relation="home", title=spec["title"])
            people_by_branch[spec["branch"]].append(user)
    # Branches of 7 or fewer members have a secretary only (docs/domain.md); give each one.
    for name, _groups, _count in dataset.ORDINARY_BRANCHES:
        branch = branches[name]
        has_secretary = any(
            m.title == "secretary" for m in db.session.scalars(
                select(Membership).where(Membership.org_id == branch.id)) if m.title
        ) or any(spec["branch"] == name and spec["title"] == "secretary"
                 for spec in dataset.ACCOUNTS.values())
        if not has_secretary:
            first = next(m for m in db.session.scalars(
                select(Membership).where(Membership.org_id == branch.id).order_by(Membership.id))
                if m.title is None and m.user.category == "full")
            first.title = "secretary"
    db.session.flush()
    # Party-group leaders: the first member of each group.
    for name, branch_groups in groups.items():
        for group in branch_groups:
            first = db.session.scalar(select(Membership).where(Membership.group_id == group.id)
                                      .order_by(Membership.id))
            if first is not None:
                group.leader_id = first.user_id

    for spec in dataset.TEMPORARY_BRANCHES:
        temp = tree.create_child(
            committee, "branch", None, is_temporary=True, name=spec["name"],
            project_name=spec["project_name"], site=spec["site"],
            start_date=today + timedelta(days=spec["start_offset_days"]),
            end_date=today + timedelta(days=spec["end_offset_days"]),
        )
        joined = 0
        for home_name in spec["home_members_from"]:
            for user in people_by_branch[home_name]:
                if joined >= spec["count"] or user in accounts.values():
                    continue
                accepted(user, temp)
                joined += 1
        leader = None
        for username, account in dataset.ACCOUNTS.items():
            if account.get("temporary") == spec["name"]:
                user = accounts[username]
                accepted(user, temp, is_recorder=bool(account.get("temporary_recorder")))
                if account.get("temporary_title") == "temporary_leader":
                    leader = user
        db.session.flush()
        if leader is None:  # the other project: its first member is appointed
            leader = db.session.scalar(select(Membership).where(Membership.org_id == temp.id)
                                       .order_by(Membership.id)).user
        tree.set_leader(temp, leader, None)
    db.session.flush()
    from . import records

    records.load(accounts)
    from . import dues

    dues.load(accounts)
    from . import standards

    standards.load(accounts)
    plans_demo.load(accounts)
    return accounts
