"""The points system (积分制): a 100-point year per member.

Source: docs/domain.md, section "Points system (积分制, seed 004)": "100 points a year: base 20 (deductions
against the member's duties), task 70 (monthly commitments, 5–6 points a month), bonus 10. Grades: ≥ 90
优秀, 80–89 合格, 60–79 基本合格, < 60 不合格." and "Activity attendance feeds points automatically;
everything else is applied for and reviewed." Seed 004 adds: "对出现违法、违纪、违规行为的，直接认定为
不合格党员" (a disciplinary case is graded 不合格 directly).
"""
from __future__ import annotations

BUCKETS = {"base": "基础分", "task": "任务分", "bonus": "奖励分", "award": "县级以上表彰加分"}
# Seed 004: "对于获得县级以上(包括县级)表彰、通报表扬的另行加分(不占奖励分值)" — awards at county level
# or above are added beyond the 10-point bonus cap, in their own bucket.
AWARD_BUCKET = "award"
APPLICATION_BUCKETS = ("task", "bonus", AWARD_BUCKET)
# docs/domain.md: base 20, task 70, bonus 10.
BASE_POINTS = 20
TASK_CAP = 70
BONUS_CAP = 10
# docs/domain.md: "task 70 (monthly commitments, 5–6 points a month)": attendance earns at most this much
# task score in one month.
TASK_MONTHLY_CAP = 6

# Task points for attending an approved activity, by record type (attendance feeds points
# automatically, docs/domain.md). Talks are private and one-to-one: they earn nothing.
ATTENDANCE_TASK_POINTS = {
    "theme_day": 2,
    "general_meeting": 2,
    "life_meeting": 2,
    "lecture": 1,
    "committee_meeting": 1,
    "group_meeting": 1,
    "evaluation": 1,
}
# Base points deducted for missing an approved activity without a reason (a duty not met);
# leave with a reason costs nothing.
UNEXCUSED_ABSENCE_DEDUCTION = 1

# Grades (docs/domain.md): ≥ 90 优秀, 80–89 合格, 60–79 基本合格, < 60 不合格 — (minimum, key, label).
GRADES = [
    (90, "excellent", "优秀"),
    (80, "qualified", "合格"),
    (60, "basic", "基本合格"),
    (0, "unqualified", "不合格"),
]
GRADE_LABELS = {key: label for _, key, label in GRADES}

# Application steps (seed 004: 党员申请 → 支委会初评 → 党员大会评定 → 公示).
APPLICATION_STATES = {"applied": "待初评", "reviewed": "待评定", "approved": "已认定", "rejected": "未认定"}
APPLICATION_MAX_POINTS = 10


def grade_for(total: int) -> str:
    for minimum, key, _label in GRADES:
        if total >= minimum:
            return key
    return "unqualified"


def total(base_delta: int, task: int, bonus: int, award: int = 0) -> int:
    """Base 20 plus deductions (negative deltas), task capped at 70, bonus capped at 10, and awards at
    county level or above on top (seed 004: 另行加分，不占奖励分值)."""
    return max(0, BASE_POINTS + base_delta) + min(task, TASK_CAP) + min(bonus, BONUS_CAP) + max(0, award)


# The year (seed 004: "以一年为一个积分周期 … 年终时根据考评结果评定党员格次"): during the year the
# points show 本年累计 (so far this year); the grade is given only when the branch closes the year.
SO_FAR_LABEL = "本年累计"

# Exemption (seed 004: "对因特殊情况不能发挥先锋模范作用的党员，经征集本人意愿—党(总)支部申请—主管党组织
# 审核—县委组织部审批后，不参与积分活动"): the branch applies with a reason, the higher committee decides.
EXEMPT_LABEL = "免于积分"
EXEMPTION_STATES = {"requested": "待上级审批", "approved": "已批准", "rejected": "未批准"}

# Where a year's grade came from. One result per person and year: the 民主评议 组织评定 decides when it
# graded the person (seed 004 steps "年底评议—评定格次": the points are its basis), a disciplinary case is
# 不合格 directly, an exempted member has no grade, otherwise the points grade stands.
RESULT_SOURCES = {
    "points": "按积分评定",
    "evaluation": "民主评议组织评定",
    "override": "支委会直接认定",
    "exempt": "免于积分",
}
