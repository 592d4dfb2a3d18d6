"""Yearly obligations judged by what the branch's own workflows hold (issue 22), not by a tick:
the 组织生活会 preparation (opinions gathered, every talk pair held, every member's 对照检查材料), 报告工作
(the branch's report and the secretary's 述职 saved) and 党员汇报 (every member's report written)."""
from __future__ import annotations

from datetime import date

from ..models import Organization
from .judge import Verdict


def yearly_verdict(spec: dict, org: Organization, year: int, today: date) -> Verdict:
    fact = spec["fact"]
    if org.kind != "branch":
        return Verdict("na")
    if fact == "life_meeting_prep":
        return _life_meeting_prep(org, year, today)
    if fact == "report_work":
        return _report_work(org, year, today)
    if fact == "member_reports":
        return _member_reports(org, year, today)
    raise ValueError(f"unknown yearly fact {fact}")


def _open_or_missed(year: int, today: date, note: str) -> Verdict:
    end = date(year, 12, 31)
    if end < today:
        return Verdict("missed", note=note)
    return Verdict("not_yet", note=f"{note}；本年度剩 {(end - today).days + 1} 天", days_left=(end - today).days + 1)


def _life_meeting_prep(org: Organization, year: int, today: date) -> Verdict:
    from ..life_meeting import preparation

    prep = preparation.prep_of(org, year)
    if prep is None:
        return _open_or_missed(year, today, "尚未开始筹备组织生活会")
    state = preparation.readiness(prep)
    done = f"征求意见 {state.opinions} 条，谈心谈话 {state.talks_required - state.talks_missing}/{state.talks_required} 对，" \
           f"对照检查材料 {state.materials}/{state.members} 人"
    if state.ready:
        return Verdict("met", done=state.materials, required=state.members, note=done)
    return _open_or_missed(year, today, done)


def _report_work(org: Organization, year: int, today: date) -> Verdict:
    from ..reports import drafts

    missing = [label for kind, label in drafts.KINDS.items() if drafts.report_of(org, year, kind) is None]
    if not missing:
        return Verdict("met", done=len(drafts.KINDS), required=len(drafts.KINDS), note="报告工作和书记述职已完成")
    return _open_or_missed(year, today, "尚缺：" + "、".join(missing))


def _member_reports(org: Organization, year: int, today: date) -> Verdict:
    from ..reports import member_reports

    written, owed = member_reports.written_count(org, year)
    if owed == 0:
        return Verdict("na", note="没有应汇报的党员")
    if written >= owed:
        return Verdict("met", done=written, required=owed, note=f"{written}/{owed} 名党员已汇报")
    verdict = _open_or_missed(year, today, f"{written}/{owed} 名党员已汇报")
    verdict.done, verdict.required = written, owed
    return verdict
