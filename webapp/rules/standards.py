"""Checking against the standard (对标自查): one table of standards, each a row of data.

Adding a standard is adding a row here. ``check`` names how it is proven:
  "records"     approved records of ``record_type`` counted per ``period`` (``minimum`` each), with an
                optional ``condition``: "meets_standard" (theme day ≥ 1 h with the three items),
                "secretary_lecture", "has_committee" (required only while the branch has a committee),
                "per_group" (each party group separately);
  "structural"  a fact about the branch on the last day checked (committee term, committee size, members);
  "yearly"      a yearly obligation judged by the branch's workflow records (``fact``; issue 22), e.g. the
                组织生活会 preparation (webapp/standards/yearly_verdicts.py);
  "manual"      no record can prove it: the secretary ticks it once a year with a note and a photo.
"""
from __future__ import annotations

STANDARDS = [
    {"key": "theme_day", "short": "主题党日", "detail": "（不少于 1 小时，含三项必备内容）", "label": "主题党日每月至少 1 次（不少于 1 小时，含三项必备内容）", "check": "records",
     "record_type": "theme_day", "period": "month", "minimum": 1, "condition": "meets_standard",
     "source": "docs/domain.md Organizational life: 主题党日 theme party day | monthly, ≥ 1 hour | required items"},
    {"key": "general_meeting", "short": "支部党员大会", "detail": "", "label": "支部党员大会每季度至少 1 次", "check": "records",
     "record_type": "general_meeting", "period": "quarter", "minimum": 1,
     "source": "docs/domain.md Organizational life: 支部党员大会 general meeting | quarterly"},
    {"key": "committee_meeting", "short": "支委会", "detail": "（设支委会的支部）", "label": "支委会每月至少 1 次（设支委会的支部）", "check": "records",
     "record_type": "committee_meeting", "period": "month", "minimum": 1, "condition": "has_committee",
     "source": "docs/domain.md Organizational life: 支委会 committee meeting | monthly | only where a committee exists"},
    {"key": "group_meeting", "short": "党小组会", "detail": "（每个党小组）", "label": "党小组会每月至少 1 次（每个党小组）", "check": "records",
     "record_type": "group_meeting", "period": "month", "minimum": 1, "condition": "per_group",
     "source": "docs/domain.md Organizational life: 党小组会 group meeting | monthly per group"},
    {"key": "lecture", "short": "党课", "detail": "", "label": "党课每半年至少 1 次", "check": "records", "record_type": "lecture",
     "period": "half_year", "minimum": 1,
     "source": "docs/domain.md Organizational life: 党课 party lecture | every half year"},
    {"key": "secretary_lecture", "short": "支部书记讲党课", "detail": "", "label": "支部书记每年讲党课至少 1 次", "check": "records",
     "record_type": "lecture", "period": "year", "minimum": 1, "condition": "secretary_lecture",
     "source": "docs/domain.md Organizational life: 党课 … the secretary gives ≥ 1 a year"},
    {"key": "life_meeting", "short": "组织生活会", "detail": "", "label": "组织生活会每年 1 次", "check": "records", "record_type": "life_meeting",
     "period": "year", "minimum": 1, "source": "docs/domain.md Organizational life: 组织生活会 | yearly"},
    {"key": "evaluation", "short": "民主评议党员", "detail": "", "label": "民主评议党员每年 1 次", "check": "records", "record_type": "evaluation",
     "period": "year", "minimum": 1, "source": "docs/domain.md Organizational life: 民主评议党员 | yearly"},
    {"key": "committee_term", "label": "支委会任期未到期（到期及时换届）", "check": "structural",
     "fact": "committee_term", "source": "docs/domain.md Organization: Committee term 3–5 years; … Track term end."},
    {"key": "committee_size", "label": "党员 7 人以上的支部设立支委会", "check": "structural",
     "fact": "committee_when_large", "source": "docs/domain.md Organization: > 7 members: a branch committee (支委会) of 3–5"},
    {"key": "full_members", "label": "正式党员不少于 3 人", "check": "structural", "fact": "full_members",
     "minimum": 3, "source": "docs/domain.md Organization: A branch needs ≥ 3 full members (正式党员)"},
    {"key": "committee_composition", "label": "支委会委员 3 至 5 人，且为奇数", "check": "structural",
     "fact": "committee_composition",
     "source": "docs/domain.md Organization: > 7 members: a branch committee (支委会) of 3–5, odd number"},
    {"key": "committee_term_length", "label": "支委会每届任期 3 至 5 年", "check": "structural",
     "fact": "committee_term_length", "source": "docs/domain.md Organization: Committee term 3–5 years"},
    {"key": "group_composition", "label": "党小组不少于 3 人，至少 1 名正式党员", "check": "structural",
     "fact": "group_composition",
     "source": "docs/domain.md Organization: Party group (党小组): ≥ 3 members, ≥ 1 full member, one group leader"},
    {"key": "temporary_conditions", "label": "临时党支部成立条件：工期超过 15 天、人员 20 人以上、党员超过 5 人",
     "check": "structural", "fact": "temporary_conditions",
     "source": "docs/domain.md Organization: Temporary branch … set up when field work lasts > 15 days, ≥ 20 people "
               "and > 5 party members"},
    {"key": "life_meeting_prep", "label": "组织生活会会前征求意见、谈心谈话、党员对照检查材料齐全", "check": "yearly",
     "fact": "life_meeting_prep", "period": "year",
     "source": "seed 003 5.组织生活会制度: 会前要听取意见、谈心交心; 档案: 对照检查材料、谈心谈话记录"},
    {"key": "report_work", "label": "每年向上级党组织报告工作，支部书记述职", "check": "yearly",
     "fact": "report_work", "period": "year",
     "source": "seed 003 4.报告工作制度: 各党支部每年至少向上级党组织就全面工作进行一次汇报,可与支部书记述职评议结合进行"},
    {"key": "member_reports", "label": "党员每年向党小组或党支部汇报一次", "check": "yearly",
     "fact": "member_reports", "period": "year",
     "source": "seed 003 6.党员汇报制度: 党员每年就本人的思想、工作、学习及开展群众工作等情况,向党小组或党支部作一次汇报"},
    {"key": "activity_room", "label": "党员活动室“一牌一旗二板”", "check": "manual", "period": "year",
     "source": "docs/domain.md Checking against the standard: lets the secretary tick the rest (activity room 一牌一旗二板 etc.)"},
    {"key": "notebooks", "label": "党员学习笔记本按时发放", "check": "manual", "period": "year",
     "source": "docs/domain.md Members: Study (党员教育): each member keeps study notes (notebooks issued: seed 001)"},
]
STANDARDS_BY_KEY = {s["key"]: s for s in STANDARDS}

PERIODS = {"month": "月", "quarter": "季度", "half_year": "半年", "year": "年"}
# "waived": a structural rule not met, with the reason the higher committee gave when it accepted the
# exception (structural rules warn, never block: docs/domain.md "Deadlines warn, they do not block").
STATUS_LABELS = {"met": "已达标", "not_yet": "进行中", "missed": "未达标", "na": "不适用", "waived": "已说明例外"}
# What "this period" is called in a month view of a longer standard ("本季度已完成", "本半年尚缺，剩 12 天").
THIS_PERIOD = {"month": "本月", "quarter": "本季度", "half_year": "本半年", "year": "本年度"}
# Kinds of period from the shortest to the longest: each lies inside the next.
PERIOD_ORDER = ("month", "quarter", "half_year", "year")

# A record entered this many days or more after the activity is shown as 补录 with the gap wherever it
# is counted (docs/domain.md Lessons: "keep both when it happened and when it was recorded, and show the gap
# honestly").
LATE_ENTRY_MIN_DAYS = 1

# The weekly digest names a quarterly, half-yearly or yearly standard still short once its period has
# at most this many days left (monthly standards are named all month).
LONGER_PERIOD_REMINDER_DAYS = 31

# Temporary branches are judged only over their active days and prorated: they owe
# round(active days / days per period) records, half up — so a branch of 40 days owes one monthly
# theme day (40/30 ≈ 1.3), not three, and no quarterly meeting (40/91 ≈ 0.4). docs/domain.md Organization:
# a temporary branch is set up "when field work lasts > 15 days"; shorter windows owe nothing.
DAYS_PER_PERIOD = {"month": 30, "quarter": 91, "half_year": 182, "year": 365}

# Member alerts (docs/domain.md Members: "a member who, without reason, misses organizational life for 6
# consecutive months … is treated as having left the party (自行脱党). The software warns well before").
ALERT_WARNING_MONTHS = 3
ALERT_SERIOUS_MONTHS = 6

# The committee's term is flagged this many days before it ends (re-election is due).
TERM_WARNING_DAYS = 90

# Problems (问题清单和整改台账, docs/domain.md Checking against the standard, seed 000).
PROBLEM_STATES = {"open": "整改中", "closed": "已销号"}

# The committee dashboard's tree view (webapp/standards/rollup.py): organizations per page at each level
# of the roll-up (province → city → county), and branches per page at the leaf level. Not a rule of the
# party's documents but of reading on a phone: one screen-and-a-half of rows (docs/domain.md "mobile-first").
DASHBOARD_LEVEL_PAGE_SIZE = 20
DASHBOARD_BRANCH_PAGE_SIZE = 50
