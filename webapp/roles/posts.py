"""党员示范岗 and 党员责任区: the committee assigns a post or an area to a member for a year; the member
(or the committee) keeps the year's notes on it."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from .. import access, audit
from ..china_time import china_today
from ..domain_errors import Invalid, NotAllowed
from ..extensions import db
from ..models import Organization, RolePost, RolePostNote, User
from ..nul_text import without_nul
from ..points.year_end import graded_by

POST_KINDS = {"model_post": "党员示范岗", "duty_area": "党员责任区"}


def _text(value, limit: int, name: str, label: str) -> str:
    text = without_nul(str(value or "")).strip()
    if not text:
        raise Invalid({name: f"请填写{label}"})
    if len(text) > limit:
        raise Invalid({name: f"{label}不能超过 {limit} 字"})
    return text


def assign(org: Organization, actor: User, user_id: int | None, year: int, kind: str, name: str) -> RolePost:
    if not access.manages(actor, org):
        raise NotAllowed("只有本支部支委可以设岗定区")
    if kind not in POST_KINDS:
        raise Invalid({"kind": "请选择示范岗或责任区"})
    if not 2000 <= year <= china_today().year + 1:
        raise Invalid({"year": "年度无效"})
    if user_id not in {u.id for u in graded_by(org, year)}:
        raise Invalid({"user_id": "请选择本支部党员"})
    post = RolePost(org_id=org.id, user_id=user_id, year=year, kind=kind, name=_text(name, 200, "name", "岗位或区域名称"),
                    created_by_id=actor.id)
    db.session.add(post)
    db.session.flush()
    audit.record(actor, "assign_role_post", "role_post", post.uuid, org_id=org.id,
                 summary=f"设立{POST_KINDS[kind]}：{post.name}")
    return post


def add_note(post: RolePost, actor: User, text: str, noted_on: date | None = None) -> RolePostNote:
    org = db.session.get(Organization, post.org_id)
    if actor.id != post.user_id and not access.manages(actor, org):
        raise NotAllowed("只有本人或支委可以记录")
    note = RolePostNote(post_id=post.id, noted_on=noted_on or china_today(), text=_text(text, 2000, "text", "记录内容"),
                        created_by_id=actor.id)
    db.session.add(note)
    db.session.flush()
    return note


def of_branch(org: Organization, year: int) -> list[RolePost]:
    return list(db.session.scalars(select(RolePost).where(RolePost.org_id == org.id, RolePost.year == year)
                                   .order_by(RolePost.kind, RolePost.id)))
