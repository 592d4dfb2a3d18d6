"""The time rules of the pipeline, as pure functions of the recorded dates (no database).

``findings(done, rule, today, ...)`` answers what is due and when, what is late and what came too
early, each finding naming the rule that says so. Nothing here blocks: these are warnings.

Boundaries: "within N months" of a day D is due on D + N months (same day of the month, clamped to the
month's end); on that day it is on time, the day after it is late. "At least N months" after D is
reached on D + N months; the day before it is too early.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Callable

from ..china_time import china_today
from ..rules.development import (
    ADJUSTABLE, EXTENSION_SOURCE, PROBATION_FROM, PROBATION_MONTHS, PROBATION_SOURCE, STEPS, STEPS_BY_KEY,
)

Rule = Callable[[str, date], int]  # (adjustable key, day) -> value in force that day


def default_rule(key: str, _day: date) -> int:
    return ADJUSTABLE[key]["default"]


def add_months(day: date, months: int) -> date:
    """The same day N months later (or earlier), clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Finding:
    step: str
    level: str  # "late" (a deadline passed), "early" (an interval not elapsed), "due" (open, on time), "short"
    message: str
    source: str
    due: date | None = None

    @property
    def warns(self) -> bool:
        return self.level in ("late", "early", "short")


def _label(key: str) -> str:
    return STEPS_BY_KEY[key]["label"]


def _source(key: str) -> str:
    return STEPS_BY_KEY[key]["source"]


def probation_end(done: dict[str, date], extension_months: int | None) -> date | None:
    start = done.get(PROBATION_FROM)
    if start is None:
        return None
    return add_months(start, PROBATION_MONTHS + (extension_months or 0))


def _deadline(step: dict, done: dict[str, date], rule: Rule, today: date) -> list[Finding]:
    anchor_key = step.get("from") or step["after"]
    anchor = done.get(anchor_key)
    if anchor is None:
        return []
    months = rule(step["deadline"], anchor)
    due = add_months(anchor, months)
    source = f"{_source(step['key'])}（现行：{_label(anchor_key)}后 {months} 个月内）"
    when = done.get(step["key"])
    if when is not None:
        if when > due:
            return [Finding(step["key"], "late", f"{_label(step['key'])}于 {when} 完成，超过期限 {due}"
                                                 f"（逾期 {(when - due).days} 天）", source, due)]
        return []
    if today > due:
        return [Finding(step["key"], "late", f"{_label(step['key'])}应于 {due} 前完成，已逾期 {(today - due).days} 天",
                        source, due)]
    return [Finding(step["key"], "due", f"{_label(step['key'])}应于 {due} 前完成", source, due)]


def _interval(step: dict, done: dict[str, date], rule: Rule, today: date) -> list[Finding]:
    anchor = done.get(step["after"])
    if anchor is None:
        return []
    months = rule(step["interval"], anchor)
    earliest = add_months(anchor, months)
    source = f"{_source(step['key'])}（现行：{_label(step['after'])}后至少 {months} 个月）"
    when = done.get(step["key"])
    if when is not None:
        if when < earliest:
            return [Finding(step["key"], "early", f"{_label(step['key'])}于 {when}，距{_label(step['after'])}"
                                                  f"不足 {months} 个月（最早 {earliest}）", source, earliest)]
        return []
    return [Finding(step["key"], "due", f"最早于 {earliest} 可{_label(step['key'])}", source, earliest)]


def _observations(step: dict, done: dict[str, date], observed: list[date], rule: Rule, today: date,
                  window_end: str) -> list[Finding]:
    start = done.get(step.get("from") or step["after"])
    if start is None or done.get(window_end) is not None:
        return []
    last = max([d for d in observed if d >= start], default=start)
    months = rule(step["every"], last)
    due = add_months(last, months)
    source = f"{step['source']}（现行：每 {months} 个月）"
    if today > due:
        return [Finding(step["key"], "late", f"考察报告应于 {due} 前完成，已逾期 {(today - due).days} 天", source, due)]
    return [Finding(step["key"], "due", f"下次考察报告应于 {due} 前完成", source, due)]


def findings(done: dict[str, date], rule: Rule = default_rule, today: date | None = None,
             observed: list[date] | None = None, extension_months: int | None = None,
             training: dict | None = None) -> list[Finding]:
    """Every time rule over the recorded ``done`` dates (step key -> date) on ``today``.

    ``observed``: dates of observation reports; ``training``: {"days": n, "hours": n} as recorded."""
    today = today or china_today()
    observed = observed or []
    out: list[Finding] = []
    for step in STEPS:
        if step.get("deadline"):
            out += _deadline(step, done, rule, today)
        if step.get("interval"):
            out += _interval(step, done, rule, today)
    out += _observations(STEPS_BY_KEY["activist_observed"], done, observed, rule, today, "acceptance_vote")
    out += _observations(STEPS_BY_KEY["probation_observed"], done, observed, rule, today, "full_vote")
    if training is not None and done.get("training") is not None:
        day = done["training"]
        min_days = rule("development.training.min_days", day)
        min_hours = rule("development.training.min_hours", day)
        if training.get("days", 0) < min_days and training.get("hours", 0) < min_hours:
            out.append(Finding("training", "short", f"集中培训 {training.get('days', 0)} 天、{training.get('hours', 0)} "
                                                    f"学时，不足 {min_days} 天或 {min_hours} 学时",
                               f"{_source('training')}（现行：{min_days} 天或 {min_hours} 学时）"))
    end = probation_end(done, extension_months)
    if end is not None and done.get("full_vote") is None:
        source = PROBATION_SOURCE + ("；" + EXTENSION_SOURCE if extension_months else "")
        if today > end:
            out.append(Finding("full_vote", "late", f"预备期已于 {end} 期满，支部大会尚未讨论转正"
                                                    f"（逾期 {(today - end).days} 天）", source, end))
        else:
            out.append(Finding("full_vote", "due", f"预备期于 {end} 期满，届时讨论转正", source, end))
    if end is not None and done.get("full_vote") is not None and done["full_vote"] < end:
        out.append(Finding("full_vote", "early", f"支部大会于 {done['full_vote']} 讨论转正，预备期至 {end} 才满",
                           PROBATION_SOURCE, end))
    return out
