"""Members on the move: temporary branches, 流动党员 and 组织关系转接 (docs/domain.md, "Members on the move").

Every number here is a default a higher committee may adjust for its subtree (``rules/adjustable.py``,
group "mobility"); the services read them through ``standards.rule_book.rule_in_force``.
"""
from .organization import (
    TEMP_BRANCH_MIN_DAYS_EXCLUSIVE, TEMP_BRANCH_MIN_MEMBERS_EXCLUSIVE, TEMP_BRANCH_MIN_PEOPLE,
)

# Founding a temporary branch (docs/domain.md "Organization", temporary branch; seed 004): field work of
# more than 15 days, at least 20 people, more than five members. Warned, with an override reason.
TEMPORARY_CONDITIONS = {
    "min_days_exclusive": TEMP_BRANCH_MIN_DAYS_EXCLUSIVE,
    "min_people": TEMP_BRANCH_MIN_PEOPLE,
    "min_members_exclusive": TEMP_BRANCH_MIN_MEMBERS_EXCLUSIVE,
}

# 流动党员 not heard of (no participation anywhere, no whereabouts of their own) for this many whole
# months: a warning at 3, an alert at 6 (docs/domain.md "Members": 自行脱党 after six months, warned at
# three; "Members on the move": the home secretary's list of members away).
FLOWING_WARNING_MONTHS = 3
FLOWING_ALERT_MONTHS = 6

# A transfer letter (介绍信) is valid for this many days unless the secretary writes another date
# (docs/domain.md "Members on the move": the 介绍信 is valid for at most three months).
LETTER_VALIDITY_DAYS = 90

# What a temporary branch may do, and what it may not (docs/domain.md "Organization", temporary branch;
# seed 004). The app offers only the first list in a temporary branch.
TEMPORARY_BRANCH_MAY = {
    "study": "组织学习（学习笔记、学习任务）",
    "organizational_life": "开展组织生活（主题党日、党课、党员大会、党小组会等）",
    "observe_activists": "考察入党积极分子（记录考察意见，撤销时转交其正式组织）",
    "collect_dues_on_behalf": "代收党费（计入党员正式组织关系所在支部）",
}
TEMPORARY_BRANCH_MAY_NOT = {
    "admit_members": "发展党员（接收预备党员、预备党员转正）",
    "discipline": "处分党员",
    "collect_dues_for_itself": "为本支部收缴、留存党费",
    "elect_delegates": "选举党代表",
    "change_committee": "改选或调整支委会",
    "transfer_membership": "办理组织关系转接",
}

FLOWING_STATES = {"away": "外出", "lost": "失联", "returned": "已返回"}
FLOWING_DIRECTIONS = {"outflow": "流出（本支部党员外出）", "inflow": "流入（外单位党员）"}

TRANSFER_KINDS = {"within": "系统内转接", "outgoing": "转出至系统外（介绍信）", "incoming": "从系统外转入"}
TRANSFER_STATES = {
    "issued": "已转出（待接收）",   # within: 转出, waiting for 转入
    "accepted": "已转入",
    "returned": "已退回",
    "letter_issued": "开具",       # outgoing: 开具 → 在途 → 已回执 / 已退回 / 已过期
    "in_transit": "在途",
    "receipted": "已回执",
    "registered": "已登记转入",     # incoming from outside
}
EXPIRED_LABEL = "已过期"
# Resolutions of an expired letter (口袋党员): the secretary must choose one.
POCKET_RESOLUTIONS = {
    "receipted": "回执已收到（补登）",
    "returned": "介绍信已退回，党员回原支部",
    "reissued": "重新开具介绍信",
}
