"""Loading the demo organization into an empty database."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from ..china_time import china_today
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
    demo = _Demo(password_hash=hash_password(dataset.DEMO_PASSWORD))  # one hash: every demo account shares it
    demo.ordinary_branches()
    demo.branch_members()
    demo.named_accounts()
    demo.secretaries_where_missing()
    db.session.flush()
    demo.group_leaders()
    for spec in dataset.TEMPORARY_BRANCHES:
        demo.temporary_branch(spec)
    db.session.flush()
    from . import records

    records.load(demo.accounts)
    from . import dues

    dues.load(demo.accounts)
    from . import standards

    standards.load(demo.accounts)
    plans_demo.load(demo.accounts)
    return demo.accounts


@dataclass
class _Demo:
    """The demo organization as it is built, step by step, in the order rows are added."""
    password_hash: str
    today: date = field(default_factory=china_today)
    committee: Organization | None = None
    branches: dict[str, Organization] = field(default_factory=dict)
    groups: dict[str, list[Organization]] = field(default_factory=dict)
    people_by_branch: dict[str, list[User]] = field(default_factory=dict)
    accounts: dict[str, User] = field(default_factory=dict)

    def add(self, user: User, org: Organization, **fields) -> Membership:
        membership = Membership(user=user, org=org, joined_on=fields.pop("joined_on", None) or
                                org.start_date or date(self.today.year - 3, 1, 1), **fields)
        db.session.add(membership)
        return membership

    def accepted(self, user: User, org: Organization, **fields) -> Membership:
        """A temporary-branch member: joined by an invitation the person accepted (issue 13)."""
        db.session.add(MembershipInvitation(user=user, org=org, relation="temporary", state="accepted",
                                            is_recorder=fields.get("is_recorder", False), decided_by=user,
                                            decided_at=utcnow()))
        return self.add(user, org, relation="temporary", **fields)

    def make_user(self, data: dict, username: str | None = None) -> User:
        user = User(username=username, password_hash=self.password_hash, **data)
        db.session.add(user)
        return user

    def ordinary_branches(self) -> None:
        today = self.today
        self.committee = tree.create_root(dataset.COMMITTEE["kind"], dataset.COMMITTEE["name"])
        self.committee.committee_term_start = date(today.year - 2, 3, 1)
        self.committee.committee_term_end = date(today.year + 3, 2, 28)
        for name, group_names, _count in dataset.ORDINARY_BRANCHES:
            branch = tree.create_child(self.committee, "branch", None, name=name,
                                       committee_term_start=date(today.year - 1, 6, 1),
                                       committee_term_end=date(today.year + 2, 5, 31))
            self.branches[name] = branch
            self.groups[name] = [tree.create_child(branch, "group", None, name=g) for g in group_names]

    def branch_members(self) -> None:
        index = 0
        for name, _groups, count in dataset.ORDINARY_BRANCHES:
            self.people_by_branch[name] = []
            titles = list(dataset.COMMITTEE_TITLES_FOR_LARGE_BRANCH) if count > 7 else []
            branch_groups = self.groups[name]
            for position in range(count):
                index += 1
                user = self.make_user(dataset.person(index))
                # Committee members are full members (docs/domain.md "Organization").
                title = titles.pop(0) if titles and user.category == "full" else None
                group = branch_groups[position % len(branch_groups)] if branch_groups else None
                self.add(user, self.branches[name], relation="home", title=title, group=group)
                self.people_by_branch[name].append(user)

    def named_accounts(self) -> None:
        for username, spec in dataset.ACCOUNTS.items():
            count = len(self.accounts)
            user = self.make_user({k: spec[k] for k in ("name", "phone", "post", "category")} |
                                  {"join_date": date(1998 + count * 3, 7, 1),
                                   "birth_date": date(1975 + count * 4, 4, 12),
                                   "gender": "female" if username == "dangyuan" else "male"},
                                  username=username)
            self.accounts[username] = user
            if spec["branch"] is None:
                self.add(user, self.committee, relation="home", title=spec["title"])
            else:
                self.add(user, self.branches[spec["branch"]], relation="home", title=spec["title"])
                self.people_by_branch[spec["branch"]].append(user)

    def secretaries_where_missing(self) -> None:
        """Branches of 7 or fewer members have a secretary only (docs/domain.md); give each one."""
        for name, _groups, _count in dataset.ORDINARY_BRANCHES:
            memberships = list(db.session.scalars(select(Membership).where(Membership.org_id == self.branches[name].id)
                                                  .order_by(Membership.id)))
            has_secretary = any(m.title == "secretary" for m in memberships) or any(
                spec["branch"] == name and spec["title"] == "secretary" for spec in dataset.ACCOUNTS.values())
            if not has_secretary:
                first = next(m for m in memberships if m.title is None and m.user.category == "full")
                first.title = "secretary"

    def group_leaders(self) -> None:
        """Party-group leaders: the first member of each group."""
        for branch_groups in self.groups.values():
            for group in branch_groups:
                first = db.session.scalar(select(Membership).where(Membership.group_id == group.id)
                                          .order_by(Membership.id))
                if first is not None:
                    group.leader_id = first.user_id

    def temporary_branch(self, spec: dict) -> None:
        temp = tree.create_child(
            self.committee, "branch", None, is_temporary=True, name=spec["name"],
            project_name=spec["project_name"], site=spec["site"],
            start_date=self.today + timedelta(days=spec["start_offset_days"]),
            end_date=self.today + timedelta(days=spec["end_offset_days"]),
        )
        named = set(self.accounts.values())
        from_home = [user for home_name in spec["home_members_from"] for user in self.people_by_branch[home_name]
                     if user not in named]
        for user in from_home[:spec["count"]]:
            self.accepted(user, temp)
        leader = None
        for username, account in dataset.ACCOUNTS.items():
            if account.get("temporary") == spec["name"]:
                user = self.accounts[username]
                self.accepted(user, temp, is_recorder=bool(account.get("temporary_recorder")))
                if account.get("temporary_title") == "temporary_leader":
                    leader = user
        db.session.flush()
        if leader is None:  # the other project: its first member is appointed
            leader = db.session.scalar(select(Membership).where(Membership.org_id == temp.id)
                                       .order_by(Membership.id)).user
        tree.set_leader(temp, leader, None)
