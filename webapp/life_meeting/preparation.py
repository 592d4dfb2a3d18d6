"""组织生活会 of a year (seed 003: "会前要听取意见、谈心交心,会上要有针对性地开展批评与自我批评,会后要逐一
整改落实"): opinions gathered, talks held (which pairs are still missing — for the committee only), each
member's 对照检查材料, the meeting's criticism per member. The meeting itself is the approved
``life_meeting`` record; its 整改清单 becomes 整改台账 items (webapp/standards/rectification.py), closed there.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import combinations

from sqlalchemy import select

from .. import access, audit
from ..china_time import china_today
from ..domain_errors import Invalid, NotAllowed
from ..extensions import db
from ..models import (
    LifeMeetingCriticism, LifeMeetingMaterial, LifeMeetingOpinion, LifeMeetingPrep, Membership, Organization,
    Problem, Record, User,
)
from ..nul_text import without_nul
from ..points.year_end import graded_by
from ..records import photo_access
from ..records.validation import SHA256
from ..rules.branch_year import MATERIAL_MAX_CHARS, OPINION_MAX_CHARS
from ..rules.life import COMMITTEE_SEAT_TITLES


def _text(value, limit: int, name: str, label: str, required: bool = True) -> str:
    text = without_nul(str(value or "")).strip()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid({name: f"{label}含有无效字符"}) from None
    if required and not text:
        raise Invalid({name: f"请填写{label}"})
    if len(text) > limit:
        raise Invalid({name: f"{label}不能超过 {limit} 字"})
    return text


def prep_of(org: Organization, year: int) -> LifeMeetingPrep | None:
    return db.session.scalar(select(LifeMeetingPrep).where(LifeMeetingPrep.org_id == org.id,
                                                           LifeMeetingPrep.year == year))


def _manager(actor: User, org: Organization) -> None:
    if not access.manages(actor, org):
        raise NotAllowed("只有本支部支委可以筹备组织生活会")


def open_prep(org: Organization, year: int, actor: User, theme: str = "", today: date | None = None) -> LifeMeetingPrep:
    today = today or china_today()
    _manager(actor, org)
    if org.kind != "branch":
        raise NotAllowed("组织生活会由党支部召开")
    if not 2000 <= year <= today.year:
        raise Invalid({"year": "年度无效"})
    if prep_of(org, year) is not None:
        raise Invalid({"year": f"{year} 年度组织生活会筹备已开始"})
    prep = LifeMeetingPrep(org_id=org.id, year=year, theme=_text(theme, 200, "theme", "主题", required=False),
                           created_by_id=actor.id)
    db.session.add(prep)
    db.session.flush()
    audit.record(actor, "open_life_meeting_prep", "life_meeting_prep", prep.uuid, org_id=org.id,
                 summary=f"开始筹备 {year} 年度组织生活会")
    return prep


def add_opinion(prep: LifeMeetingPrep, actor: User, source: str, text: str) -> LifeMeetingOpinion:
    """征求意见: one opinion as gathered (from members, the masses, the higher committee …)."""
    _manager(actor, prep.org)
    opinion = LifeMeetingOpinion(prep_id=prep.id, source=_text(source, 100, "source", "意见来源", required=False),
                                 text=_text(text, OPINION_MAX_CHARS, "text", "意见内容"), created_by_id=actor.id)
    db.session.add(opinion)
    db.session.flush()
    return opinion


def opinions(prep: LifeMeetingPrep) -> list[LifeMeetingOpinion]:
    return list(db.session.scalars(select(LifeMeetingOpinion).where(LifeMeetingOpinion.prep_id == prep.id)
                                   .order_by(LifeMeetingOpinion.id)))


def members(prep: LifeMeetingPrep) -> list[User]:
    """Who writes 对照检查材料 and takes part: the branch's party members of the year."""
    return graded_by(prep.org, prep.year)


def _committee(prep: LifeMeetingPrep) -> tuple[list[int], int | None]:
    rows = list(db.session.execute(select(Membership.user_id, Membership.title).where(
        Membership.org_id == prep.org_id, Membership.active.is_(True), Membership.title.in_(COMMITTEE_SEAT_TITLES))))
    secretary = next((uid for uid, title in rows if title == "secretary"), None)
    return sorted(uid for uid, _ in rows), secretary


def required_pairs(prep: LifeMeetingPrep) -> set[frozenset[int]]:
    """Committee members with each other, and the secretary with every member."""
    committee, secretary = _committee(prep)
    pairs = {frozenset(p) for p in combinations(committee, 2)}
    if secretary is not None:
        pairs |= {frozenset((secretary, u.id)) for u in members(prep) if u.id != secretary}
    return pairs


def done_pairs(prep: LifeMeetingPrep) -> set[frozenset[int]]:
    """Pairs who talked in an approved 谈心谈话 record of the year: the host with each person talked with."""
    out: set[frozenset[int]] = set()
    records = db.session.scalars(select(Record).where(
        Record.org_id == prep.org_id, Record.type == "talk", Record.approved_version.is_not(None),
        Record.merged_into_id.is_(None), Record.occurred_on.between(date(prep.year, 1, 1), date(prep.year, 12, 31))))
    for record in records:
        version = record.version_number(record.approved_version)
        data = version.data if version else {}
        host = data.get("host_id")
        if isinstance(host, int):
            out |= {frozenset((host, other)) for other in data.get("talk_with_ids") or []
                    if isinstance(other, int) and other != host}
    return out


@dataclass
class TalkStatus:
    required: int
    missing: list[tuple[User, User]]  # for the committee only


def talks(prep: LifeMeetingPrep) -> TalkStatus:
    required = required_pairs(prep)
    missing_ids = required - done_pairs(prep)
    ids = {i for pair in missing_ids for i in pair}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    missing = sorted(((users[a], users[b]) for a, b in (sorted(p) for p in missing_ids)),
                     key=lambda pair: (pair[0].name, pair[1].name))
    return TalkStatus(required=len(required), missing=missing)


def write_material(prep: LifeMeetingPrep, actor: User, text: str, photo_sha256: str | None = None) -> LifeMeetingMaterial:
    """对照检查材料: the member's own, written or a photo of the paper."""
    if actor.id not in {u.id for u in members(prep)}:
        raise NotAllowed("只有本支部党员提交对照检查材料")
    text = _text(text, MATERIAL_MAX_CHARS, "text", "对照检查材料", required=False)
    photo = (photo_sha256 or "").strip().lower() or None
    if photo and (not SHA256.match(photo) or photo_access.refused(actor, [photo])):
        raise Invalid({"photo_sha256": "照片无效或无权使用"})
    if not text and not photo:
        raise Invalid({"text": "请填写对照检查材料或上传材料照片"})
    material = db.session.scalar(select(LifeMeetingMaterial).where(LifeMeetingMaterial.prep_id == prep.id,
                                                                   LifeMeetingMaterial.user_id == actor.id))
    if material is None:
        material = LifeMeetingMaterial(prep_id=prep.id, user_id=actor.id)
        db.session.add(material)
    material.text, material.photo_sha256 = text, photo
    db.session.flush()
    return material


def materials(prep: LifeMeetingPrep) -> dict[int, LifeMeetingMaterial]:
    return {m.user_id: m for m in db.session.scalars(select(LifeMeetingMaterial).where(
        LifeMeetingMaterial.prep_id == prep.id))}


def link_record(prep: LifeMeetingPrep, actor: User, record: Record) -> None:
    """The meeting as held: the approved 组织生活会 record of the year."""
    _manager(actor, prep.org)
    if (record.org_id != prep.org_id or record.type != "life_meeting" or record.approved_version is None
            or record.occurred_on.year != prep.year):
        raise Invalid({"record": "请选择本支部本年度已审核通过的组织生活会记录"})
    prep.record_id = record.id
    db.session.flush()


def note_criticism(prep: LifeMeetingPrep, actor: User, user_id: int, self_criticism: str,
                   criticism: str) -> LifeMeetingCriticism:
    """At the meeting: what the member said of themself and what others raised, per member."""
    _manager(actor, prep.org)
    if prep.record_id is None:
        raise Invalid({"record": "请先关联召开的组织生活会记录"})
    if user_id not in {u.id for u in members(prep)}:
        raise Invalid({"user_id": "请选择本支部党员"})
    row = db.session.scalar(select(LifeMeetingCriticism).where(LifeMeetingCriticism.prep_id == prep.id,
                                                               LifeMeetingCriticism.user_id == user_id))
    if row is None:
        row = LifeMeetingCriticism(prep_id=prep.id, user_id=user_id)
        db.session.add(row)
    row.self_criticism = _text(self_criticism, MATERIAL_MAX_CHARS, "self_criticism", "自我批评", required=False)
    row.criticism = _text(criticism, MATERIAL_MAX_CHARS, "criticism", "相互批评意见", required=False)
    if not (row.self_criticism or row.criticism):
        raise Invalid({"self_criticism": "请填写自我批评或批评意见"})
    row.noted_by_id = actor.id
    db.session.flush()
    return row


def criticisms(prep: LifeMeetingPrep) -> dict[int, LifeMeetingCriticism]:
    return {c.user_id: c for c in db.session.scalars(select(LifeMeetingCriticism).where(
        LifeMeetingCriticism.prep_id == prep.id))}


def problems(prep: LifeMeetingPrep) -> list[Problem]:
    """The meeting's problems as 整改台账 items (entered on the record, closed in the ledger)."""
    if prep.record_id is None:
        return []
    return list(db.session.scalars(select(Problem).where(Problem.record_id == prep.record_id).order_by(Problem.id)))


@dataclass
class Readiness:
    opinions: int
    talks_required: int
    talks_missing: int
    materials: int
    members: int

    @property
    def ready(self) -> bool:
        return self.opinions > 0 and self.talks_missing == 0 and self.materials >= self.members > 0


def readiness(prep: LifeMeetingPrep) -> Readiness:
    status = talks(prep)
    people = {u.id for u in members(prep)}
    return Readiness(opinions=len(opinions(prep)), talks_required=status.required, talks_missing=len(status.missing),
                     materials=len(set(materials(prep)) & people), members=len(people))
