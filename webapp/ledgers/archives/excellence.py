"""创先争优档案: 党员示范岗 and 责任区 with their notes, 承诺践诺, volunteering, and the awards at county
level or above (县级以上表彰) the points ledger holds (entered once, as points lines)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Commitment, Organization, PointsLine, RolePost, User, VolunteerHours
from ...roles.posts import POST_KINDS
from ...rules.branch_year import COMMITMENT_KINDS, COMMITMENT_STATES
from ...rules.points import AWARD_BUCKET
from .common import Part, kept_in_year
from .model import Archive, Entry, Table

KEY, TITLE = "excellence", "创先争优档案"
SOURCE = "存放先进典型选树资料,其它创先争优相关资料。上述资料应建立目录,每年合订一次。"


def build(org: Organization, year: int, *, only: frozenset[int] | None = None) -> Archive:
    part = Part(org, year, only)
    entries = [*_awards(part), *_posts(part), *_commitments(part), *_volunteering(part)]
    return Archive(KEY, TITLE, SOURCE, entries)


def _awards(part: Part) -> list[Entry]:
    lines = [line for line in db.session.scalars(
        select(PointsLine).where(PointsLine.org_id == part.org.id, PointsLine.year == part.year,
                                 PointsLine.bucket == AWARD_BUCKET).order_by(PointsLine.month, PointsLine.id))
        if part.keeps(line.user_id)]
    if not lines:
        return []
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_({x.user_id for x in lines}))).all())
    rows = [(names.get(x.user_id, ""), x.month, x.reason, x.delta) for x in lines]
    return [Entry("先进典型（县级以上表彰、通报表扬）", None,
                  [Table(("姓名", "月份", "表彰事由", "加分"), rows, (2, 1, 6, 1))], kind="awards")]


def _posts(part: Part) -> list[Entry]:
    posts = [p for p in db.session.scalars(
        select(RolePost).where(RolePost.org_id == part.org.id, RolePost.year == part.year)
        .options(selectinload(RolePost.notes)).order_by(RolePost.kind, RolePost.id)) if part.keeps(p.user_id)]
    if not posts:
        return []
    rows = [(POST_KINDS.get(p.kind, p.kind), p.name, p.user.name, len(p.notes)) for p in posts]
    notes = [(p.name, n.noted_on, n.text) for p in posts for n in p.notes]
    blocks = [Table(("类型", "名称", "党员", "工作记录（条）"), rows, (2, 4, 2, 1))]
    if notes:
        blocks.append(Table(("示范岗 / 责任区", "日期", "工作记录"), notes, (3, 2, 6)))
    return [Entry("党员示范岗、党员责任区", None, blocks, kind="posts")]


def _commitments(part: Part) -> list[Entry]:
    items = [c for c in db.session.scalars(
        select(Commitment).where(Commitment.org_id == part.org.id, Commitment.year == part.year)
        .order_by(Commitment.user_id, Commitment.id)) if part.keeps(c.user_id)]
    if not items:
        return []
    rows = sorted((c.user.name, COMMITMENT_KINDS.get(c.kind, c.kind), c.text, COMMITMENT_STATES.get(c.state, c.state),
                   c.review_note) for c in items)
    return [Entry("党员承诺践诺", None,
                  [Table(("姓名", "类别", "承诺内容", "践诺情况", "评议意见"), rows, (2, 2, 6, 2, 3))], kind="commitments")]


def _volunteering(part: Part) -> list[Entry]:
    rows_db = kept_in_year(part, VolunteerHours, VolunteerHours.served_on)
    if not rows_db:
        return []
    rows = [(v.served_on, v.activity, v.user.name, v.minutes) for v in rows_db]
    return [Entry("志愿服务", rows_db[0].served_on,
                  [Table(("日期", "活动", "党员", "时长（分钟）"), rows, (2, 5, 2, 1))], kind="volunteering")]
