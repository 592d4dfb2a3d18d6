"""组织生活档案: every approved 三会一课 / theme day / lecture record as a record-book page, the
secretary's 述职 report, the 组织生活会 with its preparation, 对照检查材料, 相互批评意见 and its 整改落实台账
(seed 003 files 整改落实 here, not under 组织管理), the talks as far as their privacy allows (date and
people only), 民主评议 with its steps and grades, and where the branch's members took part elsewhere.

A member in two branches (home and temporary) has each meeting once, in the branch that held it; the
home branch lists where its members took part elsewhere (type, date, branch — never the minutes), so
participation is the union without a meeting bound twice (webapp/members/participation.py)."""
from __future__ import annotations

from sqlalchemy import select

from ...appraisal.workflow import participants
from ...china_time import china_today
from ...extensions import db
from ...members.participation import history
from ...models import (Appraisal, AppraisalBallotReceipt, AppraisalVoteCount, BranchReport, LifeMeetingPrep,
                       Organization, Problem, Record, SelfAssessment, YearResult)
from ...life_meeting import preparation
from ...rules.life import EVALUATION_GRADES, EVALUATION_STEPS
from .common import Part, approved_data, approved_records, memberships, user_names
from .meeting_entries import meeting_entry
from .meeting_pages import people_named
from .model import Archive, Entry, Paragraphs, Table

KEY, TITLE = "org_life", "组织生活档案"
SOURCE = ("存放“三会一课”及会议材料,主题党日活动资料,支部书记抓党建工作述职报告,支部书记党课讲稿,组织生活会方案、"
          "筹备工作报告,支部班子和支部委员的对照检查材料、相互批评意见表、整改落实台账,谈心谈话记录,民主评议党员登记表、"
          "测评表,其它组织生活相关资料。上述资料应建立目录,每年合订一次。")
TALK_NOTE = "仅限支委会和上级党组织查阅"


def build(org: Organization, year: int, *, only: frozenset[int] | None = None, pages: bool = True) -> Archive:
    """``pages`` False: the meeting entries without their pages (a summary counts them only)."""
    part = Part(org, year, only)
    if part.whole:
        records = approved_records(org, year)
        entries = [*_meetings(records, pages), *_talks(records), *_secretary_report(part), *_life_meeting(part),
                   *_appraisal(part, records), *_elsewhere(part)]
    else:
        entries = [*_took_part_here(part), *_life_meeting(part), *_appraisal(part, [])]
    return Archive(KEY, TITLE, SOURCE, entries)


def _meetings(records: list[Record], pages: bool = True) -> list[Entry]:
    """One page per meeting (talks apart: their content is not bound)."""
    meetings = [r for r in records if r.type != "talk"]
    names = user_names(people_named(meetings)) if pages else None
    return [meeting_entry(record, names) for record in meetings]


def _talks(records: list[Record]) -> list[Entry]:
    """谈心谈话: that a talk took place, when and between whom; never what was said."""
    talks = [r for r in records if r.type == "talk"]
    if not talks:
        return []
    data = {r.id: approved_data(r) for r in talks}
    ids = {i for d in data.values() for i in [d.get("host_id"), d.get("recorder_id"), *(d.get("talk_with_ids") or [])]}
    names = user_names(ids)
    rows = []
    for record in talks:
        d = data[record.id]
        talker = names.get(d.get("host_id")) or names.get(d.get("recorder_id")) or ""
        rows.append((record.occurred_on, talker, "、".join(names.get(int(i), "") for i in d.get("talk_with_ids") or []),
                     record.place))
    blocks = [Paragraphs([f"谈话内容{TALK_NOTE}，本册只列谈话的日期和参加人。"]),
              Table(("日期", "谈话人", "谈话对象", "地点"), rows, (2, 2, 4, 3))]
    return [Entry("谈心谈话记录", talks[0].occurred_on, blocks, kind="talks")]


def _secretary_report(part: Part) -> list[Entry]:
    report = db.session.scalar(select(BranchReport).where(
        BranchReport.org_id == part.org.id, BranchReport.year == part.year, BranchReport.kind == "secretary"))
    if report is None:
        return []
    return [Entry("支部书记抓党建工作述职报告", None,
                  [Paragraphs([p for p in report.text.splitlines() if p.strip()])], kind="secretary_report")]


def _life_meeting(part: Part) -> list[Entry]:
    """组织生活会: preparation (theme, opinions gathered), each member's 对照检查材料 and the criticism
    noted at the meeting, and the 整改落实台账 of the problems it found."""
    prep = db.session.scalar(select(LifeMeetingPrep).where(LifeMeetingPrep.org_id == part.org.id,
                                                           LifeMeetingPrep.year == part.year))
    entries = []
    if prep is not None:
        entries += _life_meeting_prep(part, prep)
    if part.whole:
        entries += _rectification(part, prep)
    return entries


def _life_meeting_prep(part: Part, prep: LifeMeetingPrep) -> list[Entry]:
    entries = []
    if part.whole:
        opinions = preparation.opinions(prep)
        blocks = [Table(("项目", "内容"), [("主题", prep.theme), ("征求意见（条）", len(opinions)),
                                          ("会议记录", "已关联" if prep.record_id else "尚未召开")], (1, 3))]
        if opinions:
            blocks.append(Table(("来源", "意见"), [(o.source, o.text) for o in opinions], (1, 4)))
        entries.append(Entry("组织生活会方案及筹备情况", None, blocks, kind="life_meeting_prep"))
    materials = [m for m in preparation.materials(prep).values() if part.keeps(m.user_id)]
    if materials:
        rows = [(m.user.name, m.text or ("（纸质材料照片）" if m.photo_sha256 else "")) for m in materials]
        entries.append(Entry("对照检查材料", None, [Table(("姓名", "对照检查"), sorted(rows), (1, 5))],
                             kind="life_meeting_materials"))
    criticisms = [c for c in preparation.criticisms(prep).values() if part.keeps(c.user_id)]
    if criticisms:
        rows = [(c.user.name, c.self_criticism, c.criticism) for c in criticisms]
        entries.append(Entry("相互批评意见", None, [Table(("姓名", "自我批评", "批评意见"), sorted(rows), (1, 3, 3))],
                             kind="life_meeting_criticism"))
    return entries


def _rectification(part: Part, prep: LifeMeetingPrep | None) -> list[Entry]:
    """整改落实台账: the problems the year's 组织生活会 records put on the ledger (entered once, on the
    record; closed with evidence in the standards capability)."""
    start, end = part.span
    query = (select(Problem).join(Record, Problem.record_id == Record.id)
             .where(Problem.org_id == part.org.id, Record.type == "life_meeting",
                    Record.occurred_on.between(start, end)).order_by(Problem.found_on, Problem.id))
    problems = list(db.session.scalars(query))
    if not problems:
        return []
    rows = [(p.description, p.measure, p.responsible.name if p.responsible else "", p.deadline, p.state_label,
             p.closed_on, p.evidence) for p in problems]
    table = Table(("问题", "整改措施", "责任人", "整改时限", "状态", "完成日期", "整改情况"), rows, (4, 4, 2, 2, 1, 2, 3))
    return [Entry("组织生活会整改落实台账", problems[0].found_on, [table], kind="rectification")]


def _appraisal(part: Part, records: list[Record]) -> list[Entry]:
    """民主评议党员: the workflow's four steps and each member's votes and grade; a year recorded only
    as an evaluation record gives its steps and grades from the record."""
    appraisal = db.session.scalar(select(Appraisal).where(Appraisal.org_id == part.org.id,
                                                          Appraisal.year == part.year))
    if appraisal is not None:
        return [_appraisal_entry(part, appraisal)]
    return [e for e in (_evaluation_record_entry(part, r) for r in records if r.type == "evaluation") if e]


def _appraisal_entry(part: Part, appraisal: Appraisal) -> Entry:
    selves = {s.user_id: s for s in db.session.scalars(select(SelfAssessment).where(
        SelfAssessment.appraisal_id == appraisal.id))}
    receipts = db.session.scalar(select(db.func.count()).select_from(AppraisalBallotReceipt).where(
        AppraisalBallotReceipt.appraisal_id == appraisal.id)) or 0
    counts = {c.subject_id: c for c in db.session.scalars(select(AppraisalVoteCount).where(
        AppraisalVoteCount.appraisal_id == appraisal.id))}
    grades = dict(db.session.execute(select(YearResult.user_id, YearResult.evaluation_grade).where(
        YearResult.evaluation_appraisal_id == appraisal.id)).all())
    people = [u for u in participants(appraisal) if part.keeps(u.id)]
    decided = appraisal.decided_at
    steps = Table(("步骤", "数量", "说明"), [
        (EVALUATION_STEPS["self"], len(selves), "人提交个人自评"),
        (EVALUATION_STEPS["mutual"], int(receipts), "人交回互评表（不记名）"),
        (EVALUATION_STEPS["democratic"], appraisal.vote_ballots_returned or 0, "张测评票收回"),
        (EVALUATION_STEPS["organizational"], len(grades), "人已评定" if appraisal.is_decided else "人（尚未评定）")],
        (2, 1, 3))
    rows = []
    for u in people:
        c = counts.get(u.id)
        votes = (c.excellent, c.qualified, c.basic, c.unqualified) if c else (None, None, None, None)
        rows.append((u.name, "已提交" if u.id in selves else "", *votes,
                     EVALUATION_GRADES.get(grades.get(u.id) or "", "")))
    table = Table(("姓名", "个人自评", "测评：优秀", "合格", "基本合格", "不合格", "组织评定等次"), rows,
                  (2, 1, 1, 1, 1, 1, 2))
    texts = [f"{u.name}：{selves[u.id].text}" for u in people if u.id in selves]
    blocks = [steps, table] + ([Paragraphs(texts)] if texts else [])
    when = china_today(decided) if decided else None
    return Entry(f"{part.year} 年度民主评议党员（登记表、测评表）", when, blocks, kind="appraisal")


def _evaluation_record_entry(part: Part, record: Record) -> Entry | None:
    data = approved_data(record)
    grades = {int(k): v for k, v in (data.get("grades") or {}).items() if part.keeps(int(k))}
    names = user_names(grades)
    done = set(data.get("evaluation_steps") or [])
    steps = Table(("步骤", "情况"), [(label, "已完成" if key in done else "未记录")
                                    for key, label in EVALUATION_STEPS.items()], (1, 3))
    rows = sorted((names.get(uid, ""), EVALUATION_GRADES.get(g, g)) for uid, g in grades.items())
    return Entry(f"{record.occurred_on:%Y-%m-%d} 民主评议党员结果", record.occurred_on,
                 [steps, Table(("姓名", "评定等次"), rows, (1, 1))], kind="appraisal")


def _elsewhere(part: Part) -> list[Entry]:
    """Where the branch's members took part in another branch's organizational life (a temporary
    branch): type, date and branch only; the meeting itself is bound by the branch that held it."""
    start, end = part.span
    members = {m.user_id: m.user.name for m in memberships(part) if m.relation == "home"}
    took = [t for items in history(members, since=start, until=end).values() for t in items
            if t.org_id != part.org.id]
    if not took:
        return []
    took.sort(key=lambda t: (t.occurred_on, members[t.user_id]))
    rows = [(t.occurred_on, members[t.user_id], t.org_name, t.type_label,
             "出席" if t.status == "present" else f"请假（{t.reason}）") for t in took]
    table = Table(("日期", "姓名", "组织", "活动", "情况"), rows, (2, 2, 4, 2, 2))
    return [Entry("本支部党员在其他党组织参加组织生活情况", None, [table], kind="elsewhere")]


def _took_part_here(part: Part) -> list[Entry]:
    """For a home branch reading a closed temporary branch: its members' attendance here, by date."""
    start, end = part.span
    took = [t for items in history(part.only or (), since=start, until=end).values() for t in items
            if t.org_id == part.org.id]
    if not took:
        return []
    names = user_names(part.only or ())
    took.sort(key=lambda t: (t.occurred_on, names.get(t.user_id, "")))
    rows = [(t.occurred_on, names.get(t.user_id, ""), t.type_label,
             "出席" if t.status == "present" else f"请假（{t.reason}）") for t in took]
    return [Entry(f"参加{part.org.name}组织生活情况", None,
                  [Table(("日期", "姓名", "活动", "情况"), rows, (2, 2, 2, 2))], kind="elsewhere")]
