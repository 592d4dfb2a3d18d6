"""Demo organizational-life records: four months of theme days, meetings, a lecture, a talk, study
notes and a monthly theme, recorded by recorders and approved by someone else."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from ..china_time import china_today
from ..extensions import db
from ..models import Membership, Organization, User
from ..records import service
from ..study import notes as study_notes, themes
from ..records.expected import expected_for
from ..records.validation import has_committee

THEME_TITLES = ["学习贯彻党的二十届四中全会精神", "汛期安全生产与责任担当", "弘扬水文精神 服务防汛大局",
                "以案为鉴 筑牢廉洁防线"]
THEME_TOPICS = ["学习二十届四中全会公报", "重温入党誓词 争做防汛先锋", "学习《中国共产党纪律处分条例》",
                "观看警示教育片《零容忍》"]
COMMITTEE_TOPICS = ["研究本月主题党日安排", "讨论发展对象人选", "研究党费收缴和使用", "部署年度民主评议"]
PLACES = {"长江中游水文测验项目临时党支部": "城南水文站会议室"}


def _roster(org: Organization) -> list[Membership]:
    return list(db.session.scalars(select(Membership).where(Membership.org_id == org.id,
                                                            Membership.active.is_(True))
                                   .order_by(Membership.id)))


def _month_day(today: date, months_ago: int, day: int) -> date:
    year, month = today.year, today.month - months_ago
    while month <= 0:
        month += 12
        year -= 1
    candidate = date(year, month, min(day, 28))
    return min(candidate, today)


def _expected(org: Organization, record_type: str, when: date, group_id: int | None = None) -> list[Membership]:
    """Who is expected that day: members taking part in a temporary branch are not listed at home, so
    nobody types a leave reason for them (entered once, where they are)."""
    return sorted(expected_for(org, record_type, when, group_id=group_id).expected, key=lambda m: m.id)


def _data(roster, when: date, topic: str, place: str, start="09:00", end="10:30", **extra) -> dict:
    ids = [m.user_id for m in roster]
    on_leave, absent = (ids[1], ids[2]) if len(ids) > 4 else (None, None)
    attendees = [i for i in ids if i not in (on_leave, absent)]
    absentees = [{"user_id": i, "reason": r} for i, r in ((on_leave, "病假"), (absent, "")) if i]
    return {"occurred_on": when.isoformat(), "start_time": start, "end_time": end, "topic": topic,
            "place": place, "content": f"{topic}。会议由支部书记主持，与会党员结合岗位工作交流了体会。",
            "attendee_ids": attendees, "absentees": absentees, "host_id": ids[0], **extra}


def load(accounts: dict[str, User]) -> None:
    today = china_today()
    jiguan = accounts["jiguan"]
    committee = db.session.scalar(select(Organization).where(Organization.parent_id.is_(None)))
    for months_ago, title in enumerate(THEME_TITLES[:2]):
        month = _month_day(today, months_ago, 1).strftime("%Y-%m")
        themes.set_theme(committee, month, title, "结合岗位实际开展学习讨论，引导党员在急难险重任务中发挥先锋模范作用。",
                         jiguan)

    branches = list(db.session.scalars(select(Organization).where(Organization.kind == "branch")
                                       .order_by(Organization.id)))
    for branch in branches:
        roster = _roster(branch)
        if not roster:
            continue
        secretary = next((m.user for m in roster if m.title in ("secretary", "temporary_leader")), roster[0].user)
        recorder = next((m.user for m in roster if m.is_recorder), secretary)
        # The temporary leader reviews the field branch's records; elsewhere the higher committee does.
        approver = secretary if branch.is_temporary and recorder.id != secretary.id else jiguan
        place = PLACES.get(branch.name, "机关三楼党员活动室")
        _monthly_meetings(branch, roster, recorder, approver, place, today)
        if branch.name == "办公室党支部":
            _office_records(branch, roster, place, today, accounts)
        if branch.is_temporary and recorder.id == accounts["dangyuan"].id:
            _field_records(branch, roster, today, accounts["dangyuan"])
    db.session.flush()


def _monthly_meetings(branch: Organization, roster, recorder: User, approver: User, place: str, today: date) -> None:
    """Theme days of the last four months (this month's still under review), with committee meetings
    five days before where the branch has a committee."""
    start = branch.start_date if branch.is_temporary and branch.start_date else today - timedelta(days=130)
    committee_exists = has_committee({m.user_id: m for m in roster})
    for months_ago in range(3, -1, -1):
        when = _month_day(today, months_ago, 12 + branch.id % 5)
        if when < start:
            continue
        short = branch.name == "规划计划处党支部" and months_ago == 1
        items = ["recite_constitution", "collective_study"] + ([] if short else ["pay_dues"])
        expected = _expected(branch, "theme_day", when)
        if not expected:
            continue  # everyone is in the field that month: the theme day is held there
        record = service.create_record(branch, "theme_day", _data(
            expected, when, THEME_TOPICS[months_ago], place, "14:30", "15:20" if short else "16:30",
            theme_items=items, theme_forms=["discussion"] if months_ago % 2 else ["red_education"]),
            recorder)
        _entered_on_time(record, approver if months_ago > 0 else None)
        meeting_day = when - timedelta(days=5)
        if committee_exists and _expected(branch, "committee_meeting", meeting_day):
            meeting = service.create_record(branch, "committee_meeting", _data(
                _expected(branch, "committee_meeting", meeting_day), meeting_day,
                COMMITTEE_TOPICS[months_ago], place), recorder)
            _entered_on_time(meeting, approver if months_ago > 0 else None)


def _entered_on_time(record, approver: User | None) -> None:
    record.recorded_late_days = 0
    if approver is not None:
        service.approve(record, approver)


def _office_records(branch: Organization, roster, place: str, today: date, accounts: dict[str, User]) -> None:
    """The office branch: an approved lecture, a talk, and a group meeting returned for correction."""
    shuji, jiguan = accounts["shuji"], accounts["jiguan"]
    lecture = service.create_record(branch, "lecture", _data(
        _expected(branch, "lecture", _month_day(today, 2, 20)), _month_day(today, 2, 20), "新时代党员的初心与担当", place, "09:00", "11:00",
        lecturer_id=shuji.id), shuji)
    _entered_on_time(lecture, jiguan)
    talk_with = roster[3].user_id
    talk = service.create_record(branch, "talk", {
        "occurred_on": _month_day(today, 1, 8).isoformat(), "start_time": "16:00", "end_time": "16:40",
        "topic": "谈心谈话：工作压力与家庭情况", "place": "书记办公室", "talk_with_ids": [talk_with],
        "content": "了解近期思想和工作状况，鼓励其发挥业务骨干作用。"}, shuji)
    talk.recorded_late_days = 0
    group = next(g for g in branch.children if g.kind == "group")
    returned = service.create_record(branch, "group_meeting", _data(
        _expected(branch, "group_meeting", _month_day(today, 0, 3), group.id) or roster, _month_day(today, 0, 3), "学习党章第一章", place,
        group_id=group.id), shuji)
    returned.recorded_late_days = 0
    service.return_for_correction(returned, jiguan, "请补充会议纪要中每位发言人的主要观点。")


def _field_records(branch: Organization, roster, today: date, dangyuan: User) -> None:
    """The field branch recorded by dangyuan: today's theme day with check-ins, and two study notes."""
    latest = service.create_record(branch, "theme_day", _data(
        _expected(branch, "theme_day", today), today, "汛后总结 重温入党誓词", "城南水文站院内", "08:00", "09:10",
        theme_items=["recite_constitution", "collective_study", "pay_dues"],
        theme_forms=["political_birthday"]), dangyuan)
    for member in roster[:3]:
        if member.user_id != dangyuan.id:
            service.check_in(latest, member.user)
    for offset, topic in ((9, "学习《习近平关于防汛救灾工作论述摘编》"), (2, "汛期测验安全规程再学习")):
        study_notes.create_note(dangyuan, branch, {
            "noted_on": (today - timedelta(days=offset)).isoformat(), "topic": topic,
            "text": "坚持人民至上、生命至上，把确保人民群众生命安全放在第一位。测验作业前必须穿戴救生衣。"})
