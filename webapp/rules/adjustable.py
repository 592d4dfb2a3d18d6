"""Rules a higher committee may adjust for its subtree, with an effective date (规则调整).

docs/domain.md, last section of "Lessons": "Local rules differ (for example how often a 党课 is due): rules
are data a higher committee can adjust." Every key below names its default, which is read from the
rules table it overrides (so the defaults and their sources stay in that table), and the kind of value
it takes:
  "period"  one of PERIODS (月 / 季度 / 半年 / 年)
  "int"     a whole number between ``min`` and ``max``
  "bands"   dues bands: [[upper bound in fen or None, rate in basis points], …], the last unbounded
An override takes effect on the first day of a month (the checklist counts records per month).
"""
from __future__ import annotations

from . import branch_year, development, dues, mobility, points, standards
from .life import RECORD_TYPE_LABELS

GROUPS = {"standards": "组织生活频次与对标标准", "dues": "党费标准", "points": "积分规则",
          "mobility": "临时党支部与流动党员", "development": "发展党员时间规则", "appraisal": "民主评议"}


def _standard_rules() -> dict[str, dict]:
    out: dict[str, dict] = {}
    for spec in standards.STANDARDS:
        if spec["check"] == "records":
            out[f"standard.{spec['key']}.period"] = {
                "group": "standards", "kind": "period", "label": f"{spec['short']}：考核周期",
                "default": spec["period"], "source": spec["source"]}
            out[f"standard.{spec['key']}.minimum"] = {
                "group": "standards", "kind": "int", "min": 1, "max": 31, "unit": "次",
                "label": f"{spec['short']}：每周期至少次数", "default": spec.get("minimum", 1),
                "source": spec["source"]}
    full = standards.STANDARDS_BY_KEY["full_members"]
    out["standard.full_members.minimum"] = {
        "group": "standards", "kind": "int", "min": 1, "max": 50, "unit": "人", "label": "支部正式党员最少人数",
        "default": full["minimum"], "source": full["source"]}
    out["standards.term_warning_days"] = {
        "group": "standards", "kind": "int", "min": 0, "max": 365, "unit": "天",
        "label": "支委会任期届满前提前提醒天数", "default": standards.TERM_WARNING_DAYS,
        "source": "webapp/rules/standards.py TERM_WARNING_DAYS (docs/domain.md Organization: Track term end)"}
    return out


def _dues_rules() -> dict[str, dict]:
    return {
        "dues.salaried_bands": {
            "group": "dues", "kind": "bands", "label": "在职党员党费比例（按税后工资）",
            "default": [list(band) for band in dues.SALARIED_BANDS], "source": "webapp/rules/dues.py SALARIED_BANDS"},
        "dues.retired_bands": {
            "group": "dues", "kind": "bands", "label": "离退休党员党费比例（按离退休费）",
            "default": [list(band) for band in dues.RETIRED_BANDS], "source": "webapp/rules/dues.py RETIRED_BANDS"},
        "dues.retained_share_percent": {
            "group": "dues", "kind": "int", "min": 0, "max": 100, "unit": "%", "label": "党费留存比例",
            "default": dues.RETAINED_SHARE_PERCENT, "source": "webapp/rules/dues.py RETAINED_SHARE_PERCENT"},
    }


def _points_rules() -> dict[str, dict]:
    out = {
        f"points.attendance.{record_type}": {
            "group": "points", "kind": "int", "min": 0, "max": 10, "unit": "分",
            "label": f"参加{RECORD_TYPE_LABELS[record_type]}得任务分", "default": value,
            "source": "webapp/rules/points.py ATTENDANCE_TASK_POINTS"}
        for record_type, value in points.ATTENDANCE_TASK_POINTS.items()}
    out["points.task_monthly_cap"] = {
        "group": "points", "kind": "int", "min": 1, "max": 70, "unit": "分", "label": "每月参加活动任务分上限",
        "default": points.TASK_MONTHLY_CAP, "source": "webapp/rules/points.py TASK_MONTHLY_CAP"}
    out["points.unexcused_absence_deduction"] = {
        "group": "points", "kind": "int", "min": 0, "max": 20, "unit": "分", "label": "无故缺席扣基础分",
        "default": points.UNEXCUSED_ABSENCE_DEDUCTION,
        "source": "webapp/rules/points.py UNEXCUSED_ABSENCE_DEDUCTION"}
    out["points.commitment_fulfilled"] = {
        "group": "points", "kind": "int", "min": 0, "max": 10, "unit": "分", "label": "践行一项承诺得任务分",
        "default": branch_year.COMMITMENT_FULFILLED_POINTS,
        "source": "webapp/rules/branch_year.py COMMITMENT_FULFILLED_POINTS (seed 004 承诺践诺)"}
    return out


def _development_rules() -> dict[str, dict]:
    return {key: {"group": "development", "kind": "int", "min": spec["min"], "max": spec["max"],
                  "unit": spec["unit"], "label": spec["label"], "default": spec["default"],
                  "source": "webapp/rules/development.py ADJUSTABLE（" + spec["source"] + "）"}
            for key, spec in development.ADJUSTABLE.items()}


def _mobility_rules() -> dict[str, dict]:
    conditions = mobility.TEMPORARY_CONDITIONS
    source = "webapp/rules/mobility.py {} (docs/domain.md Organization: temporary branch, seed 004)"
    return {
        "mobility.temporary.min_days_exclusive": {
            "group": "mobility", "kind": "int", "min": 1, "max": 365, "unit": "天",
            "label": "成立临时党支部：工期超过天数", "default": conditions["min_days_exclusive"],
            "source": source.format("TEMPORARY_CONDITIONS")},
        "mobility.temporary.min_people": {
            "group": "mobility", "kind": "int", "min": 1, "max": 1000, "unit": "人",
            "label": "成立临时党支部：项目人员至少", "default": conditions["min_people"],
            "source": source.format("TEMPORARY_CONDITIONS")},
        "mobility.temporary.min_members_exclusive": {
            "group": "mobility", "kind": "int", "min": 1, "max": 100, "unit": "人",
            "label": "成立临时党支部：党员超过", "default": conditions["min_members_exclusive"],
            "source": source.format("TEMPORARY_CONDITIONS")},
        "mobility.flowing.warning_months": {
            "group": "mobility", "kind": "int", "min": 1, "max": 24, "unit": "个月",
            "label": "流动党员未联系提醒月数", "default": mobility.FLOWING_WARNING_MONTHS,
            "source": "webapp/rules/mobility.py FLOWING_WARNING_MONTHS (docs/domain.md Members: 自行脱党)"},
        "mobility.flowing.alert_months": {
            "group": "mobility", "kind": "int", "min": 1, "max": 24, "unit": "个月",
            "label": "流动党员未联系警示月数", "default": mobility.FLOWING_ALERT_MONTHS,
            "source": "webapp/rules/mobility.py FLOWING_ALERT_MONTHS (docs/domain.md Members: 自行脱党)"},
        "mobility.letter.validity_days": {
            "group": "mobility", "kind": "int", "min": 1, "max": 365, "unit": "天",
            "label": "组织关系介绍信默认有效天数", "default": mobility.LETTER_VALIDITY_DAYS,
            "source": "webapp/rules/mobility.py LETTER_VALIDITY_DAYS (docs/domain.md Members on the move)"},
    }


def _appraisal_rules() -> dict[str, dict]:
    return {"appraisal.excellent_share_max_percent": {
        "group": "appraisal", "kind": "int", "min": 0, "max": 100, "unit": "%",
        "label": "民主评议“优秀”等次最高比例", "default": branch_year.EXCELLENT_SHARE_MAX_PERCENT,
        "source": "webapp/rules/branch_year.py EXCELLENT_SHARE_MAX_PERCENT (seed 004 前20%)"}}


ADJUSTABLE_RULES: dict[str, dict] = {**_standard_rules(), **_dues_rules(), **_points_rules(),
                                     **_mobility_rules(), **_development_rules(), **_appraisal_rules()}

# Longest reason kept with an override.
REASON_MAX = 500
