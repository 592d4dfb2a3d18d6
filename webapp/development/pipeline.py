"""The development file of one person: recording steps, extending the probation, writing notes.

The file belongs to the PERSON: steps are recorded by whoever manages the person's home branch at the
time (``org_id`` on each step keeps where it happened), so a person who moves branch continues where
they were. A temporary branch does not admit members: it may only write observations of activists who
are on its roster, and these reach the home branch's board (docs/domain.md "Party member development").

Category (正式/预备/积极分子 on the roster) follows the pipeline: the step that makes a person an activist,
a probationary member or a full member sets ``User.category`` (docs/domain.md says why).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from .. import access, audit
from ..china_time import china_today
from ..domain_errors import Invalid, NotAllowed
from ..extensions import db
from ..models import DevelopmentFile, DevelopmentNote, DevelopmentStep, Membership, Organization, User
from ..records import photo_access
from ..rules.development import (
    EXTENSION_MAX_MONTHS, EXTENSION_MIN_MONTHS, EXTENSION_SOURCE, MIN_AGE, NOTE_KINDS, NOTE_TEXT_MAX, ORDER,
    PEOPLE_SOURCE, RECORDED_STEPS, STEPS_BY_KEY, TEMPORARY_NOTE_KINDS,
)
from ..standards import rule_book
from . import timing, votes
from .inputs import day, ids, whole_number

SHA256_LENGTH = 64
PHOTOS_MAX = 20


class StepAlreadyRecorded(Invalid):
    """Each step is recorded once."""


def _home_memberships(*columns):
    """Memberships that make a branch someone's home branch (正式组织关系): active, in a standing branch,
    the earliest first (``columns`` of them, else the whole rows)."""
    return select(*(columns or (Membership,))).join(Organization, Membership.org_id == Organization.id).where(
        Membership.relation == "home", Membership.active.is_(True), Organization.kind == "branch",
        Organization.is_temporary.is_(False)).order_by(Membership.id)


def home_membership(person: User) -> Membership | None:
    return db.session.scalar(_home_memberships().where(Membership.user_id == person.id))


def home_branch(person: User) -> Organization | None:
    membership = home_membership(person)
    return membership.org if membership else None


def home_branch_ids(user_ids):
    """A subquery of the home branches' ids of every user ``user_ids`` (a list or a subquery) selects."""
    return _home_memberships(Membership.org_id).where(Membership.user_id.in_(user_ids))


def home_branches(user_ids) -> dict[int, Organization]:
    """``home_branch`` of every user ``user_ids`` (a list or a subquery) selects, by user id, in one query."""
    homes: dict[int, Organization] = {}
    for membership in db.session.scalars(_home_memberships().options(contains_eager(Membership.org))
                                         .where(Membership.user_id.in_(user_ids))):
        homes.setdefault(membership.user_id, membership.org)
    return homes


def file_of(person: User) -> DevelopmentFile | None:
    return db.session.scalar(select(DevelopmentFile).where(DevelopmentFile.user_id == person.id))


def done_dates(file: DevelopmentFile | None) -> dict[str, date]:
    return {s.step: s.done_on for s in (file.steps if file else [])}


def steps_by_key(file: DevelopmentFile | None) -> dict[str, DevelopmentStep]:
    return {s.step: s for s in (file.steps if file else [])}


def vote_of(step: DevelopmentStep | None) -> votes.Vote | None:
    if step is None or not isinstance((step.data or {}).get("vote"), dict):
        return None
    return votes.parse(step.data["vote"])


def _passed(step: DevelopmentStep | None) -> bool:
    if step is None:
        return False
    if STEPS_BY_KEY[step.step]["kind"] != "vote":
        return True
    vote = vote_of(step)
    return bool(vote and vote.passed)


def rule_for(org: Organization) -> timing.Rule:
    book = rule_book.book_for(org)
    return lambda key, on: book.get(key, on)


def findings(file: DevelopmentFile, org: Organization, today: date | None = None,
             book: rule_book.RuleBook | None = None) -> list[timing.Finding]:
    """What the time rules say of one file on ``today``; ``book`` is ``org``'s rule book when the caller
    has read it already (the minute's reminders read all branches' books in one query)."""
    steps = steps_by_key(file)
    training = steps.get("training")
    rule = rule_for(org) if book is None else (lambda key, on: book.get(key, on))
    return timing.findings(
        done_dates(file), rule, today or china_today(),
        observed=[n.written_on for n in file.notes if n.kind == "observation"],
        extension_months=file.extension_months,
        training=(training.data if training else None))


def _check_manages_home(actor: User, person: User, org: Organization) -> None:
    if org.is_temporary:
        raise NotAllowed("临时党支部不接收党员，只能记录对入党积极分子的考察（考察报告转至其正式党支部）")
    home = home_branch(person)
    if home is None or home.id != org.id:
        raise NotAllowed(f"{person.name} 的正式组织关系不在{org.name}，发展步骤由其所在党支部记录")
    if not access.manages(actor, org):
        raise NotAllowed("只有本支部支委或上级党委可以记录发展党员步骤")


def _people(raw, person: User, org: Organization, step: dict, on: date) -> list[int]:
    chosen = ids(raw)
    label = "入党介绍人" if step["role"] == "sponsor" else "培养联系人"
    if chosen == [-1]:
        raise Invalid({"people": f"{label}选择无效"})
    if not step["min_people"] <= len(chosen) <= step["max_people"]:
        count = (f"{step['min_people']} 名" if step["min_people"] == step["max_people"]
                 else f"{step['min_people']} 至 {step['max_people']} 名")
        raise Invalid({"people": f"须指定 {count}{label}（{step['source']}）"})
    if person.id in chosen:
        raise Invalid({"people": f"本人不能作自己的{label}"})
    members = {m.user_id: m.user for m in db.session.scalars(select(Membership).where(
        Membership.org_id == org.id, Membership.active.is_(True), Membership.user_id.in_(chosen)))}
    for user_id in chosen:
        member = members.get(user_id)
        if member is None:
            raise Invalid({"people": f"{label}须为{org.name}的党员"})
        if member.category != "full":
            raise Invalid({"people": f"{member.name} 不是正式党员，不能作{label}（{PEOPLE_SOURCE}）"})
    return chosen


def _photos(raw, actor: User) -> list[str]:
    hashes = []
    for value in raw or []:
        text = str(value).strip().lower()
        if not text:
            continue
        if len(text) != SHA256_LENGTH or any(c not in "0123456789abcdef" for c in text):
            raise Invalid({"photos": "照片标识格式不正确"})
        if text not in hashes:
            hashes.append(text)
    if len(hashes) > PHOTOS_MAX:
        raise Invalid({"photos": f"每个步骤最多 {PHOTOS_MAX} 张照片"})
    if photo_access.refused(actor, hashes):
        raise Invalid({"photos": photo_access.REFUSED_MESSAGE})
    return hashes


def _check_order(key: str, on: date, steps: dict[str, DevelopmentStep]) -> None:
    spec = STEPS_BY_KEY[key]
    after = spec.get("after")
    if not after:
        return
    before = steps.get(after)
    label, after_label = spec["label"], STEPS_BY_KEY[after]["label"]
    if before is None:
        raise Invalid({"done_on": f"须先记录「{after_label}」，才能记录「{label}」（发展党员工作细则规定的顺序）"})
    if not _passed(before):
        raise Invalid({"done_on": f"「{after_label}」表决未通过，不能记录「{label}」"})
    if on < before.done_on:
        raise Invalid({"done_on": f"「{label}」的日期 {on} 早于「{after_label}」的日期 {before.done_on}："
                                  f"按发展党员工作细则的顺序，{label}须在{after_label}之后（{spec['source']}）"})


def _age_on(person: User, on: date) -> int | None:
    born = person.birth_date
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@dataclass
class Recorded:
    step: DevelopmentStep
    warnings: list[timing.Finding]


def _open_file(person: User, key: str) -> DevelopmentFile:
    """The person's file; the application opens it (not for someone already a member)."""
    file = file_of(person)
    if key == "application" and file is None and person.category in ("full", "probationary"):
        raise Invalid({"user_id": f"{person.name} 已是{person.category_label}，无需登记入党申请"})
    if file is None:
        if key != "application":
            raise Invalid({"done_on": "须先记录「递交入党申请书」"})
        file = DevelopmentFile(user_id=person.id)
        db.session.add(file)
        db.session.flush()
    return file


def _check_not_recorded(spec: dict, existing: DevelopmentStep | None) -> None:
    """Each step is recorded once; only a vote that failed may be held again."""
    if existing is not None and (spec["kind"] != "vote" or _passed(existing)):
        raise StepAlreadyRecorded({"step": f"「{spec['label']}」已于 {existing.done_on} 记录（每个步骤只记录一次）"})


def _check_not_after_later(key: str, on: date, steps: dict[str, DevelopmentStep]) -> None:
    """The date is not after a step already recorded that comes after this one."""
    later = [s for s in steps.values() if ORDER[s.step] > ORDER[key] and STEPS_BY_KEY[s.step].get("after") == key
             and s.done_on < on]
    if later:
        raise Invalid({"done_on": f"「{STEPS_BY_KEY[key]['label']}」的日期 {on} 晚于已记录的"
                                  f"「{STEPS_BY_KEY[later[0].step]['label']}」（{later[0].done_on}）"})


def _check_age(person: User, key: str, on: date) -> None:
    """The applicant is of age on the day of the application."""
    if key != "application":
        return
    age = _age_on(person, on)
    if age is not None and age < MIN_AGE:
        raise Invalid({"done_on": f"{person.name} 于 {on} 未满 {MIN_AGE} 周岁（{STEPS_BY_KEY[key]['source']}）"})


def _step_data(spec: dict, form: dict, person: User, org: Organization, on: date) -> dict:
    """What the step's kind records: the people named, the vote counts, or the training days and hours."""
    if spec["kind"] == "people":
        return {"people": _people(form.get("people"), person, org, spec, on)}
    if spec["kind"] == "vote":
        return {"vote": votes.parse(form).as_dict()}
    if spec["kind"] == "training":
        days = whole_number(form.get("days") or 0, 0, 366)
        hours = whole_number(form.get("hours") or 0, 0, 5000)
        if days is None or hours is None:
            raise Invalid({"days": "培训天数、学时须为整数"})
        return {"days": days, "hours": hours}
    return {}


def _step_note(form: dict) -> str:
    note = str(form.get("note") or "").strip()
    if len(note) > NOTE_TEXT_MAX:
        raise Invalid({"note": f"说明不超过 {NOTE_TEXT_MAX} 字"})
    return note


def _save_step(file: DevelopmentFile, existing: DevelopmentStep | None, key: str, on: date, org: Organization,
               data: dict, note: str, photos: list, actor: User) -> DevelopmentStep:
    """A new step, or a failed vote held again (``data`` gains the earlier counts, which are kept)."""
    if existing is not None:
        data["earlier"] = [*(existing.data.get("earlier") or []),
                           {"done_on": existing.done_on.isoformat(), "vote": existing.data.get("vote")}]
        existing.done_on, existing.data, existing.note, existing.org_id = on, data, note, org.id
        existing.photos, existing.recorded_by_id = photos, actor.id
        return existing
    step = DevelopmentStep(file_id=file.id, step=key, done_on=on, org_id=org.id, data=data, note=note,
                           photos=photos, recorded_by_id=actor.id)
    db.session.add(step)
    file.steps.append(step)
    return step


def _promote(person: User, spec: dict, step: DevelopmentStep, steps: dict[str, DevelopmentStep]) -> None:
    """A passed step that changes the person's category; becoming probationary sets the join date."""
    if spec.get("category") and _passed(step):
        person.category = spec["category"]
        if spec["category"] == "probationary" and person.join_date is None:
            person.join_date = steps["acceptance_vote"].done_on


def record_step(org: Organization, person: User, key: str, form: dict, actor: User,
                today: date | None = None) -> Recorded:
    """Record step ``key`` of ``person``'s file in their home branch ``org``.

    ``form``: done_on, note, photos (list), people (list of ids), vote counts, days/hours.
    Raises Invalid naming the rule (dates out of order, a sponsor not a full member, counts that do not
    add up) or NotAllowed; returns the step and the time-rule warnings it now carries."""
    today = today or china_today()
    _check_manages_home(actor, person, org)
    if key not in RECORDED_STEPS:
        raise Invalid({"step": "没有这个发展步骤"})
    spec = STEPS_BY_KEY[key]
    on = day(form.get("done_on"), today)
    if on is None:
        raise Invalid({"done_on": "请填写日期（不晚于今天）"})
    file = _open_file(person, key)
    steps = steps_by_key(file)
    existing = steps.get(key)
    _check_not_recorded(spec, existing)
    _check_order(key, on, steps)
    _check_not_after_later(key, on, steps)
    _check_age(person, key, on)
    data = _step_data(spec, form, person, org, on)
    note = _step_note(form)
    photos = _photos(form.get("photos"), actor)
    step = _save_step(file, existing, key, on, org, data, note, photos, actor)
    _promote(person, spec, step, steps)
    db.session.flush()
    audit.record(actor, "development_step", "user", person.id, org_id=org.id,
                 summary=f"{person.name}：{spec['label']}（{on}）", changes={"step": key, **data})
    warned = [f for f in findings(file, org, today) if f.step == key and f.warns]
    return Recorded(step, warned)


def extend_probation(org: Organization, person: User, form: dict, actor: User, today: date | None = None) -> None:
    """Extend the probation once, by 6 to 12 months (细则第三十二条), before the full vote."""
    today = today or china_today()
    _check_manages_home(actor, person, org)
    file = file_of(person)
    steps = steps_by_key(file)
    if file is None or "acceptance_approved" not in steps:
        raise Invalid({"months": "尚未成为预备党员，不能延长预备期"})
    if file.extension_months:
        raise Invalid({"months": f"预备期已于 {file.extended_on} 延长 {file.extension_months} 个月，只能延长一次"
                                 f"（{EXTENSION_SOURCE}）"})
    if "full_approved" in steps:
        raise Invalid({"months": "已转为正式党员，不能再延长预备期"})
    months = whole_number(form.get("months"), 1, 99)
    if months is None or not EXTENSION_MIN_MONTHS <= months <= EXTENSION_MAX_MONTHS:
        raise Invalid({"months": f"延长时间须为 {EXTENSION_MIN_MONTHS} 至 {EXTENSION_MAX_MONTHS} 个月（{EXTENSION_SOURCE}）"})
    on = day(form.get("done_on"), today)
    if on is None or on < steps["acceptance_approved"].done_on:
        raise Invalid({"done_on": "请填写支部大会决定延长预备期的日期（不早于上级党委审批接收之日，不晚于今天）"})
    reason = str(form.get("reason") or "").strip()
    if not reason or len(reason) > 1000:
        raise Invalid({"reason": "请填写延长预备期的理由（不超过 1000 字）"})
    file.extension_months, file.extended_on, file.extension_reason = months, on, reason
    audit.record(actor, "development_extend", "user", person.id, org_id=org.id,
                 summary=f"{person.name} 预备期延长 {months} 个月", changes={"months": months, "reason": reason})


def full_on(file: DevelopmentFile) -> date | None:
    """Party age counts from the day the probation ended, once the higher committee approved (细则第三十四条)."""
    if file is None or "full_approved" not in done_dates(file):
        return None
    return timing.probation_end(done_dates(file), file.extension_months)


# --- notes (talks, observation reports, contacts' notes), also written offline -------------------------

def note_people(actor: User, org: Organization) -> list[tuple[User, DevelopmentFile]]:
    """People under development ``actor`` may write notes about from ``org``."""
    if org.is_temporary:
        if not access.manages(actor, org):
            return []
        rows = db.session.scalars(select(DevelopmentFile).join(Membership, Membership.user_id == DevelopmentFile.user_id)
                                  .where(Membership.org_id == org.id, Membership.active.is_(True)))
        return [(f.user, f) for f in rows if f.user.category == "activist"]
    rows = db.session.scalars(select(DevelopmentFile).join(Membership, Membership.user_id == DevelopmentFile.user_id)
                              .where(Membership.org_id == org.id, Membership.active.is_(True),
                                     Membership.relation == "home"))
    manager = access.manages(actor, org)
    return [(f.user, f) for f in rows if "full_approved" not in done_dates(f) and (manager or actor.id in named(f))]


def named(file: DevelopmentFile) -> set[int]:
    """Contacts and sponsors named in the file."""
    out: set[int] = set()
    for step in file.steps:
        out.update((step.data or {}).get("people") or [])
    return out


def _own_resent_note(uuid: str | None, actor: User) -> DevelopmentNote | None:
    """The note already written under ``uuid`` (a resend), which must be the actor's own."""
    if not uuid:
        return None
    existing = db.session.scalar(select(DevelopmentNote).where(DevelopmentNote.uuid == uuid))
    if existing is not None and existing.author_id != actor.id:
        raise NotAllowed("这条记录不是您写的")
    return existing


def _note_kind(org: Organization, form: dict) -> str:
    kind = str(form.get("kind") or "")
    if kind not in NOTE_KINDS:
        raise Invalid({"kind": "请选择记录类型"})
    if org.is_temporary and kind not in TEMPORARY_NOTE_KINDS:
        raise Invalid({"kind": "临时党支部不接收党员，只能记录对入党积极分子的考察"})
    return kind


def _note_text(form: dict) -> str:
    text = str(form.get("text") or "").strip()
    if not text or len(text) > NOTE_TEXT_MAX:
        raise Invalid({"text": f"请填写内容（不超过 {NOTE_TEXT_MAX} 字）"})
    return text


def add_note(actor: User, org: Organization, form: dict, uuid: str | None = None,
             client_recorded_at: datetime | None = None, today: date | None = None) -> tuple[DevelopmentNote, bool]:
    """Write a note; idempotent on ``uuid`` (returns the note and whether it is new)."""
    today = today or china_today()
    existing = _own_resent_note(uuid, actor)
    if existing is not None:
        return existing, False
    if org.is_closed:
        raise NotAllowed(f"{org.name}已撤销，不能再记录")
    kind = _note_kind(org, form)
    person_id = whole_number(form.get("user_id"), 1, 2**31 - 1)
    allowed = {p.id: f for p, f in note_people(actor, org)}
    if person_id is None or person_id not in allowed:
        raise NotAllowed("您不能为此人写发展党员记录（须为其培养联系人、入党介绍人或支委）")
    on = day(form.get("written_on"), today)
    if on is None:
        raise Invalid({"written_on": "请填写日期（不晚于今天）"})
    text = _note_text(form)
    file = allowed[person_id]
    start = file.steps[0].done_on if file.steps else None
    if start is not None and on < start:
        raise Invalid({"written_on": f"日期 {on} 早于递交入党申请书的日期 {start}"})
    note = DevelopmentNote(file_id=file.id, kind=kind, written_on=on, org_id=org.id, author_id=actor.id,
                           text=text, client_recorded_at=client_recorded_at, **({"uuid": uuid} if uuid else {}))
    db.session.add(note)
    file.notes.append(note)
    db.session.flush()
    audit.record(actor, "development_note", "user", person_id, org_id=org.id,
                 summary=f"{file.user.name}：{NOTE_KINDS[kind]}（{on}）")
    return note, True
