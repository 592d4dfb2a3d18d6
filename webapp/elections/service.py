"""换届选举 and 补选 as records, their approval by the higher committee, and term extensions.

Seed 003: "党支部委员会由党员大会 … 选举产生。党支部书记由支部委员会选举产生,选举结果报机关党委审批 …
每届任期三年至五年,届满按时改选,如需延期 … 须报上级党组织批准,延期一般不超过1年。任期内,委员如有缺额,由党员
大会及时补选。" The new titles and term take effect from the approval date; only full members
(正式党员) may be candidates (预备党员 have no right to be elected).
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from .. import access, audit
from ..china_time import china_today
from ..domain_errors import Invalid, NotAllowed
from ..extensions import db
from ..input_numbers import row_id
from ..models import Election, ElectionCandidate, Membership, Organization, TermExtension, User
from ..models.base import utcnow
from ..nul_text import without_nul
from ..rules.branch_year import ELECTION_KINDS, EXTENSION_MONTHS_MAX
from ..rules.life import COMMITTEE_SEAT_TITLES
from ..rules.organization import COMMITTEE_SIZE_MAX, COMMITTEE_TERM_YEARS_MAX, COMMITTEE_TERM_YEARS_MIN
from .terms import add_months, add_years


def _decider(actor: User, org: Organization) -> None:
    """The higher committee: someone managing the branch from above it."""
    if not (access.manages(actor, org) and any(
            root.kind in ("committee", "general_branch") and org.is_within(root) and root.id != org.id
            for root in access.managed_roots(actor))):
        raise NotAllowed("须由上级党组织审批")


def _int(raw, name: str, label: str, errors: dict, low: int = 0, high: int = 100000) -> int:
    value = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit() and len(raw.strip()) <= 9:
        value = int(raw.strip())
    if value is None or not low <= value <= high:
        errors[name] = f"{label}无效"
        return 0
    return value


def _held_on(data: dict, today: date, errors: dict) -> date | None:
    try:
        held_on = date.fromisoformat(str(data.get("held_on") or ""))
    except ValueError:
        held_on = None
        errors["held_on"] = "选举日期无效"
    if held_on and held_on > today:
        errors["held_on"] = "选举日期不能晚于今天"
    return held_on


def _ballot_counts(data: dict, errors: dict) -> tuple[int, int, int, int]:
    """Seats, electors, ballots issued and returned; returned ≤ issued ≤ electors, and more than half came."""
    seats = _int(data.get("seats"), "seats", "应选名额", errors, 1, COMMITTEE_SIZE_MAX)
    electors = _int(data.get("electors"), "electors", "应到会有选举权的党员人数", errors, 1)
    issued = _int(data.get("ballots_issued"), "ballots_issued", "发出选票数", errors, 1)
    returned = _int(data.get("ballots_returned"), "ballots_returned", "收回选票数", errors, 1)
    if not errors and not returned <= issued <= electors:
        errors["ballots_returned"] = "收回选票数不能多于发出数，发出数不能多于应到会人数"
    if not errors and returned * 2 <= electors:
        errors["ballots_returned"] = "到会有选举权的党员未超过应到会人数的一半，选举无效"
    return seats, electors, issued, returned


def _full_members(org: Organization) -> set[int]:
    return set(db.session.scalars(select(Membership.user_id).join(User, User.id == Membership.user_id).where(
        Membership.org_id == org.id, Membership.active.is_(True), User.category == "full")))


def _candidate(i: int, row, full_members: set[int], seen: set[int], returned: int,
               errors: dict) -> ElectionCandidate | None:
    """Row ``i`` of the candidates: a full member of the branch named once, their votes and seat title."""
    if not isinstance(row, dict):
        errors["candidates"] = "候选人格式不正确"
        return None
    user_id = row_id(row.get("user_id"))
    if user_id is None or user_id not in full_members or user_id in seen:
        errors[f"candidate_{i}"] = "候选人须为本支部正式党员，且不能重复"
        return None
    seen.add(user_id)
    votes = _int(row.get("votes"), f"votes_{i}", "得票数", errors, 0)
    if not errors.get(f"votes_{i}") and votes > returned:
        errors[f"votes_{i}"] = "得票数不能多于收回选票数"
    title = str(row.get("title") or "") or None
    if title is not None and title not in COMMITTEE_SEAT_TITLES:
        errors[f"title_{i}"] = "职务无效"
    return ElectionCandidate(user_id=user_id, votes=votes, title=title)


def _candidates(data: dict, org: Organization, returned: int, errors: dict) -> list[ElectionCandidate]:
    full_members = _full_members(org)
    rows = data.get("candidates") or []
    if not isinstance(rows, list) or not rows:
        errors["candidates"] = "请填写候选人及得票"
        rows = []
    seen: set[int] = set()
    candidates = [_candidate(i, row, full_members, seen, returned, errors) for i, row in enumerate(rows[:50])]
    return [c for c in candidates if c is not None]


def _elect(candidates: list[ElectionCandidate], kind: str, seats: int, returned: int) -> list[ElectionCandidate]:
    """Those elected: the most votes, more than half of the ballots returned, within the seats; each with a
    seat title, and one secretary at a general election. The others lose their title."""
    ranked = sorted(candidates, key=lambda c: -c.votes)
    elected = [c for c in ranked if c.votes * 2 > returned][:seats]
    for candidate in candidates:
        candidate.elected = candidate in elected
        if not candidate.elected:
            candidate.title = None
    if any(c.title is None for c in elected):
        raise Invalid({"candidates": "请为每一名当选委员填写分工（书记、副书记、委员等）"})
    if kind == "general" and sum(1 for c in elected if c.title == "secretary") != 1:
        raise Invalid({"candidates": "换届选举须产生一名书记"})
    return elected


def record_election(org: Organization, actor: User, data: dict, today: date | None = None) -> Election:
    """The branch records an election held at its general meeting, with ballots and votes; the result is
    computed (elected: the most votes, more than half of the ballots returned, within the seats)."""
    today = today or china_today()
    if org.kind != "branch" or not access.manages(actor, org):
        raise NotAllowed("只有本支部支委可以登记选举结果")
    errors: dict[str, str] = {}
    kind = str(data.get("kind") or "")
    if kind not in ELECTION_KINDS:
        errors["kind"] = "请选择换届选举或补选"
    held_on = _held_on(data, today, errors)
    seats, electors, issued, returned = _ballot_counts(data, errors)
    term_years = None
    if kind == "general":
        term_years = _int(data.get("term_years"), "term_years", "任期年限", errors, COMMITTEE_TERM_YEARS_MIN,
                          COMMITTEE_TERM_YEARS_MAX)
    candidates = _candidates(data, org, returned, errors)
    if errors:
        raise Invalid(errors)
    elected = _elect(candidates, kind, seats, returned)
    election = Election(org_id=org.id, kind=kind, held_on=held_on, seats=seats, electors=electors,
                        ballots_issued=issued, ballots_returned=returned, term_years=term_years,
                        recorded_by_id=actor.id, candidates=candidates, state="reported")
    db.session.add(election)
    db.session.flush()
    audit.record(actor, "record_election", "election", election.uuid, org_id=org.id,
                 summary=f"登记{ELECTION_KINDS[kind]}结果：当选 {len(elected)} 人，报上级审批")
    return election


def decide_election(election: Election, actor: User, *, approve: bool, note: str = "",
                    today: date | None = None) -> None:
    """The higher committee approves (titles and term take effect today) or refuses with a reason."""
    today = today or china_today()
    org = election.org
    _decider(actor, org)
    if election.state != "reported":
        raise Invalid({"state": "该选举结果已审批"})
    note = without_nul(str(note or "")).strip()[:500]
    if not approve and not note:
        raise Invalid({"note": "不予批准时请写明原因"})
    election.state = "approved" if approve else "rejected"
    election.decided_by_id, election.decision_note = actor.id, note
    if approve:
        election.approved_on = today
        _apply(election, today)
    db.session.flush()
    audit.record(actor, "decide_election", "election", election.uuid, org_id=org.id,
                 summary=f"{'批准' if approve else '不批准'}{ELECTION_KINDS[election.kind]}结果",
                 changes={"state": election.state})


def _apply(election: Election, today: date) -> None:
    """Titles from the approval date: a 换届 replaces the whole committee and starts a new term; a 补选
    fills seats and leaves the term as it is."""
    org = election.org
    memberships = {m.user_id: m for m in db.session.scalars(select(Membership).where(
        Membership.org_id == org.id, Membership.active.is_(True)))}
    elected = {c.user_id: c.title for c in election.candidates if c.elected}
    if election.kind == "general":
        for membership in memberships.values():
            if membership.title in COMMITTEE_SEAT_TITLES and membership.user_id not in elected:
                membership.title = None
        org.committee_term_start = today
        org.committee_term_end = add_years(today, election.term_years or COMMITTEE_TERM_YEARS_MIN) - timedelta(days=1)
    elif "secretary" in elected.values():
        for membership in memberships.values():
            if membership.title == "secretary" and membership.user_id not in elected:
                membership.title = "member"
    for user_id, title in elected.items():
        if user_id in memberships:
            memberships[user_id].title = title
    access_forget_all(list(memberships.values()))


def access_forget_all(memberships: list[Membership]) -> None:
    for membership in memberships:
        access.forget(membership.user)


def elections_of(org: Organization) -> list[Election]:
    return list(db.session.scalars(select(Election).where(Election.org_id == org.id)
                                   .order_by(Election.held_on.desc(), Election.id.desc())))


def extended_months(org: Organization) -> int:
    """Months of extension approved for the present term."""
    if org.committee_term_start is None:
        return 0
    return sum(db.session.scalars(select(TermExtension.months).where(
        TermExtension.org_id == org.id, TermExtension.state == "approved",
        TermExtension.term_end_before >= org.committee_term_start)))


def request_extension(org: Organization, actor: User, months, reason: str) -> TermExtension:
    if org.kind != "branch" or not access.manages(actor, org):
        raise NotAllowed("只有本支部支委可以申请延期换届")
    errors: dict[str, str] = {}
    if org.committee_term_end is None:
        errors["months"] = "未登记支委会任期，不能申请延期"
    count = _int(months, "months", "延期月数", errors, 1, EXTENSION_MONTHS_MAX)
    reason = without_nul(str(reason or "")).strip()
    if not reason:
        errors["reason"] = "请写明延期原因"
    if not errors and extended_months(org) + count > EXTENSION_MONTHS_MAX:
        errors["months"] = f"本届任期延期累计不能超过 {EXTENSION_MONTHS_MAX} 个月"
    if not errors and db.session.scalar(select(TermExtension.id).where(
            TermExtension.org_id == org.id, TermExtension.state == "requested")):
        errors["months"] = "已有待审批的延期申请"
    if errors:
        raise Invalid(errors)
    extension = TermExtension(org_id=org.id, months=count, reason=reason[:2000],
                              term_end_before=org.committee_term_end, requested_by_id=actor.id)
    db.session.add(extension)
    db.session.flush()
    audit.record(actor, "request_term_extension", "term_extension", extension.uuid, org_id=org.id,
                 summary=f"申请支委会延期换届 {count} 个月")
    return extension


def decide_extension(extension: TermExtension, actor: User, *, approve: bool) -> None:
    org = db.session.get(Organization, extension.org_id)
    _decider(actor, org)
    if extension.state != "requested":
        raise Invalid({"state": "该申请已处理"})
    if approve and extended_months(org) + extension.months > EXTENSION_MONTHS_MAX:
        raise Invalid({"months": f"本届任期延期累计不能超过 {EXTENSION_MONTHS_MAX} 个月"})
    extension.state = "approved" if approve else "rejected"
    extension.decided_by_id, extension.decided_at = actor.id, utcnow()
    if approve:
        org.committee_term_end = add_months(extension.term_end_before, extension.months)
    db.session.flush()
    audit.record(actor, "decide_term_extension", "term_extension", extension.uuid, org_id=org.id,
                 summary=f"{'批准' if approve else '不批准'}延期换届 {extension.months} 个月")


def pending_extensions(org: Organization) -> list[TermExtension]:
    return list(db.session.scalars(select(TermExtension).where(TermExtension.org_id == org.id)
                                   .order_by(TermExtension.id.desc())))
