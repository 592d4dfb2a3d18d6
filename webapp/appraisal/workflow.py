"""民主评议党员 as the seed orders it: 个人自评 → 党员互评 → 民主测评 → 组织评定.

Who takes part is who the points year end grades (``points.year_end.graded_by``: the branch's own
正式/预备 members of the year); activists neither vote nor are graded. The committee's 组织评定 is written
to each person's one ``YearResult`` of the year (``evaluation_grade``), the grade the year end uses.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from .. import access, audit
from ..china_time import china_today
from ..domain_errors import Invalid, NotAllowed
from ..extensions import db
from ..models import (
    Appraisal, AppraisalBallot, AppraisalBallotReceipt, AppraisalVoteCount, Organization, SelfAssessment, User,
    YearResult,
)
from ..models.base import new_uuid, utcnow
from ..nul_text import without_nul
from ..points import year_end
from ..rules.branch_year import APPRAISAL_GRADES, BALLOT_REMARK_MAX_CHARS, SELF_ASSESSMENT_MAX_CHARS
from ..standards.rule_book import rule_in_force


class AppraisalClosed(Invalid):
    """The 组织评定 is done: nothing of the appraisal changes any more."""

    def __init__(self):
        super().__init__({"appraisal": "本年度民主评议已完成组织评定，不能再修改"})


def appraisal_of(org: Organization, year: int) -> Appraisal | None:
    return db.session.scalar(select(Appraisal).where(Appraisal.org_id == org.id, Appraisal.year == year))


def participants(appraisal: Appraisal) -> list[User]:
    """The members who write, vote and are graded: the same people the year end grades."""
    return year_end.graded_by(appraisal.org, appraisal.year)


def _participant_ids(appraisal: Appraisal) -> set[int]:
    return {u.id for u in participants(appraisal)}


def open_appraisal(org: Organization, year: int, actor: User, today: date | None = None) -> Appraisal:
    today = today or china_today()
    if org.kind != "branch" or not access.manages(actor, org):
        raise NotAllowed("只有本支部支委可以启动民主评议")
    if year > today.year or year < 2000:
        raise Invalid({"year": "年度无效"})
    if appraisal_of(org, year) is not None:
        raise Invalid({"year": f"{year} 年度民主评议已启动"})
    appraisal = Appraisal(org_id=org.id, year=year, opened_by_id=actor.id, state="open")
    db.session.add(appraisal)
    db.session.flush()
    audit.record(actor, "open_appraisal", "appraisal", appraisal.uuid, org_id=org.id,
                 summary=f"启动 {year} 年度民主评议党员")
    return appraisal


def _clean_text(value, limit: int, field_name: str, label: str, required: bool = True) -> str:
    text = without_nul(str(value or "")).strip()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid({field_name: f"{label}含有无效字符"}) from None
    if required and not text:
        raise Invalid({field_name: f"请填写{label}"})
    if len(text) > limit:
        raise Invalid({field_name: f"{label}不能超过 {limit} 字"})
    return text


def write_self_assessment(appraisal: Appraisal, actor: User, text: str, *, uuid: str | None = None,
                          client_recorded_at: datetime | None = None) -> SelfAssessment:
    """个人自评: the member's own text; writing again replaces it (one per member and year)."""
    if actor.id not in _participant_ids(appraisal):
        raise NotAllowed("只有本支部党员（正式、预备）参加民主评议")
    if appraisal.is_decided:
        raise AppraisalClosed()
    text = _clean_text(text, SELF_ASSESSMENT_MAX_CHARS, "text", "自评内容")
    mine = db.session.scalar(select(SelfAssessment).where(SelfAssessment.appraisal_id == appraisal.id,
                                                          SelfAssessment.user_id == actor.id))
    if mine is None and uuid and db.session.scalar(select(SelfAssessment.id).where(SelfAssessment.uuid == uuid)):
        raise Invalid({"uuid": "标识已被使用"})
    if mine is None:
        mine = SelfAssessment(appraisal_id=appraisal.id, user_id=actor.id, text=text)
        if uuid:
            mine.uuid = uuid
        db.session.add(mine)
    else:
        mine.text = text
    if client_recorded_at is not None:
        mine.client_recorded_at = client_recorded_at
    db.session.flush()
    return mine


def self_assessment_of(appraisal: Appraisal, user: User) -> SelfAssessment | None:
    return db.session.scalar(select(SelfAssessment).where(SelfAssessment.appraisal_id == appraisal.id,
                                                          SelfAssessment.user_id == user.id))


def has_voted(appraisal: Appraisal, user: User) -> bool:
    return db.session.get(AppraisalBallotReceipt, (appraisal.id, user.id)) is not None


def cast_ballot(appraisal: Appraisal, voter: User, sheet: dict[int, tuple[str, str]]) -> int:
    """党员互评: the voter's sheet, a grade (and remark) for every other member. Stored without the
    voter (see models/appraisal.py); a receipt marks that the voter has voted, once."""
    people = _participant_ids(appraisal)
    if voter.id not in people:
        raise NotAllowed("只有本支部党员（正式、预备）参加党员互评")
    if appraisal.is_decided:
        raise AppraisalClosed()
    if has_voted(appraisal, voter):
        raise Invalid({"ballot": "您已提交互评表，不能重复提交"})
    others = people - {voter.id}
    if set(sheet) != others:
        raise Invalid({"ballot": "请对本支部每一名其他党员给出评价等次"})
    lines = []
    for subject_id, (grade, remark) in sheet.items():
        if grade not in APPRAISAL_GRADES:
            raise Invalid({f"grade_{subject_id}": "等次只能是优秀、合格、基本合格或不合格"})
        lines.append(AppraisalBallot(key=new_uuid(), appraisal_id=appraisal.id, subject_id=subject_id, grade=grade,
                                     remark=_clean_text(remark, BALLOT_REMARK_MAX_CHARS, f"remark_{subject_id}",
                                                        "评价意见", required=False)))
    # Lines in a shuffled order, so nothing about the sheet's order survives either.
    lines.sort(key=lambda line: line.key)
    db.session.add(AppraisalBallotReceipt(appraisal_id=appraisal.id, voter_id=voter.id))
    db.session.add_all(lines)
    db.session.flush()
    return len(lines)


def _check_member_counts(subject_id: int, by_grade: dict[str, int], ballots_returned: int) -> None:
    """One member's counts: known grades, none negative, together no more than the ballots returned."""
    if set(by_grade) - set(APPRAISAL_GRADES) or any(n < 0 for n in by_grade.values()):
        raise Invalid({f"counts_{subject_id}": "票数无效"})
    if sum(by_grade.values()) > ballots_returned:
        raise Invalid({f"counts_{subject_id}": "一名党员的各等次票数之和不能超过收回票数"})


def _store_member_counts(appraisal: Appraisal, subject_id: int, by_grade: dict[str, int]) -> None:
    row = db.session.get(AppraisalVoteCount, (appraisal.id, subject_id))
    if row is None:
        row = AppraisalVoteCount(appraisal_id=appraisal.id, subject_id=subject_id)
        db.session.add(row)
    for grade in APPRAISAL_GRADES:
        setattr(row, grade, int(by_grade.get(grade, 0)))


def record_vote_counts(appraisal: Appraisal, actor: User, ballots_returned: int,
                       counts: dict[int, dict[str, int]]) -> None:
    """民主测评: the committee enters the counted votes per member and grade from the meeting's count."""
    if not access.manages(actor, appraisal.org):
        raise NotAllowed("只有本支部支委可以登记民主测评结果")
    if appraisal.is_decided:
        raise AppraisalClosed()
    people = _participant_ids(appraisal)
    if not 0 < ballots_returned <= len(people):
        raise Invalid({"ballots_returned": f"收回票数应在 1 至 {len(people)} 之间（参评党员人数）"})
    if not set(counts) <= people:
        raise Invalid({"counts": "只能登记本支部参评党员的测评票数"})
    for subject_id, by_grade in counts.items():
        _check_member_counts(subject_id, by_grade, ballots_returned)
    appraisal.vote_ballots_returned = ballots_returned
    for subject_id, by_grade in counts.items():
        _store_member_counts(appraisal, subject_id, by_grade)
    db.session.flush()
    audit.record(actor, "appraisal_vote_counts", "appraisal", appraisal.uuid, org_id=appraisal.org_id,
                 summary=f"登记 {appraisal.year} 年度民主测评结果（收回 {ballots_returned} 票）")


@dataclass
class Tally:
    user: User
    peer: dict[str, int] = field(default_factory=dict)  # 互评 grades received, by grade
    vote: dict[str, int] = field(default_factory=dict)  # 民主测评 counts, by grade
    written: bool = False
    grade: str | None = None  # the 组织评定, once decided


def tallies(appraisal: Appraisal) -> list[Tally]:
    """For the committee's 组织评定: each member's 互评 and 测评 counts (never shown to the branch)."""
    people = participants(appraisal)
    rows = {u.id: Tally(u, {g: 0 for g in APPRAISAL_GRADES}, {g: 0 for g in APPRAISAL_GRADES}) for u in people}
    for subject_id, grade in db.session.execute(select(AppraisalBallot.subject_id, AppraisalBallot.grade).where(
            AppraisalBallot.appraisal_id == appraisal.id)):
        if subject_id in rows:
            rows[subject_id].peer[grade] = rows[subject_id].peer.get(grade, 0) + 1
    for count in db.session.scalars(select(AppraisalVoteCount).where(AppraisalVoteCount.appraisal_id == appraisal.id)):
        if count.subject_id in rows:
            rows[count.subject_id].vote = {g: getattr(count, g) for g in APPRAISAL_GRADES}
    for user_id in db.session.scalars(select(SelfAssessment.user_id).where(
            SelfAssessment.appraisal_id == appraisal.id)):
        if user_id in rows:
            rows[user_id].written = True
    for result in db.session.scalars(select(YearResult).where(YearResult.evaluation_appraisal_id == appraisal.id)):
        if result.user_id in rows:
            rows[result.user_id].grade = result.evaluation_grade
    return list(rows.values())


@dataclass
class Progress:
    total: int
    written: int
    voted: int
    not_written: list[User]  # shown to the committee only


def progress(appraisal: Appraisal) -> Progress:
    people = participants(appraisal)
    written = set(db.session.scalars(select(SelfAssessment.user_id).where(SelfAssessment.appraisal_id == appraisal.id)))
    voted = set(db.session.scalars(select(AppraisalBallotReceipt.voter_id).where(
        AppraisalBallotReceipt.appraisal_id == appraisal.id)))
    ids = {u.id for u in people}
    return Progress(total=len(people), written=len(written & ids), voted=len(voted & ids),
                    not_written=[u for u in people if u.id not in written])


def excellent_cap(appraisal: Appraisal, graded: int, on: date) -> tuple[int, int]:
    """(most 优秀 allowed, the percent in force): floor of the share, at least one when the share is
    above zero and anyone is graded (a branch of four may still name one 优秀 under 20 %)."""
    percent = rule_in_force(appraisal.org, "appraisal.excellent_share_max_percent", on)
    cap = graded * percent // 100
    if percent > 0 and graded > 0:
        cap = max(cap, 1)
    return cap, percent


def decide(appraisal: Appraisal, actor: User, grades: dict[int, str], today: date | None = None) -> int:
    """组织评定: the committee gives every participant a grade, 优秀 within the cap in force; the grades
    go to each person's year result (the grade the points year end uses)."""
    today = today or china_today()
    if not access.manages(actor, appraisal.org):
        raise NotAllowed("只有本支部支委可以进行组织评定")
    if appraisal.is_decided:
        raise AppraisalClosed()
    people = _participant_ids(appraisal)
    if set(grades) != people:
        raise Invalid({"grades": "请为每一名参评党员评定等次"})
    if any(g not in APPRAISAL_GRADES for g in grades.values()):
        raise Invalid({"grades": "等次只能是优秀、合格、基本合格或不合格"})
    cap, percent = excellent_cap(appraisal, len(people), today)
    excellent = sum(1 for g in grades.values() if g == "excellent")
    if excellent > cap:
        raise Invalid({"grades": f"“优秀”不能超过参评党员的 {percent}%（本支部最多 {cap} 名），现为 {excellent} 名"})
    points_year = year_end.year_of(appraisal.org, appraisal.year)
    if points_year is not None and points_year.is_closed:
        raise Invalid({"grades": f"{appraisal.year} 年度积分已结算，请先重新打开年度再进行组织评定"})
    for user_id, grade in grades.items():
        result = year_end.year_result(user_id, appraisal.year)
        if result.is_frozen:  # frozen by another branch that grades the person
            continue
        result.evaluation_grade, result.evaluation_appraisal_id = grade, appraisal.id
        result.evaluation_record_id = None
    appraisal.state, appraisal.decided_at, appraisal.decided_by_id = "decided", utcnow(), actor.id
    db.session.flush()
    audit.record(actor, "decide_appraisal", "appraisal", appraisal.uuid, org_id=appraisal.org_id,
                 summary=f"{appraisal.year} 年度民主评议组织评定：{len(grades)} 名党员，优秀 {excellent} 名",
                 changes={"grades": {str(k): v for k, v in sorted(grades.items())}, "excellent_cap": cap})
    return len(grades)
