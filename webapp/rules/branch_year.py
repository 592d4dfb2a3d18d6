"""The branch's yearly rhythm (seed 003 制度 4–7; seed 004 积分制, 承诺践诺): 民主评议, 组织生活会,
换届, 发挥作用. Thresholds here are defaults; the adjustable ones are listed in rules/adjustable.py.
"""
from __future__ import annotations

from .life import EVALUATION_GRADES

# 民主评议 (seed 003 "7.民主评议党员制度": "按照个人自评、党员互评、民主测评、组织评定的程序 … 每年进行一次,
# 根据民主评议情况和党员日常表现,确定评议等次").
APPRAISAL_STEPS = {"self": "个人自评", "peer": "党员互评", "vote": "民主测评", "decide": "组织评定"}
APPRAISAL_GRADES = EVALUATION_GRADES  # 优秀 / 合格 / 基本合格 / 不合格
# Only party members take part (正式 and 预备); activists are neither graded nor vote.
APPRAISAL_CATEGORIES = ("full", "probationary")
SELF_ASSESSMENT_MAX_CHARS = 5000
BALLOT_REMARK_MAX_CHARS = 500
# The share of 优秀 the 组织评定 may give, in percent of the members graded (rounded down, at least one
# when anyone is graded). No seed fixes a share for 民主评议; the nearest local rule is seed 004's
# "年度积分累计在本支部排名前20%的党员 … 优先作为当年度评先选优的参评对象", so 20 is the default and a
# higher committee sets its own (rules/adjustable.py "appraisal.excellent_share_max_percent").
EXCELLENT_SHARE_MAX_PERCENT = 20

# 组织生活会 (seed 003 "5.组织生活会制度": "每年至少召开一次 … 会前要听取意见、谈心交心,会上要有针对性地开展
# 批评与自我批评,会后要逐一整改落实"; seed 003 档案: "支部班子和支部委员的对照检查材料、相互批评意见表、
# 整改落实台账,谈心谈话记录"). Talks owed before the meeting (seed 004: "领导班子成员相互谈心,对班子成员及
# 全体党员的思想、工作情况作出适当的评价"): every two committee members with each other, and the secretary
# with every member.
OPINION_MAX_CHARS = 2000
MATERIAL_MAX_CHARS = 20000

# 换届 (seed 003 "党支部委员会每届任期三年至五年,届满按时改选,如需延期或提前进行换届选举,须报上级党组织批准,
# 延期一般不超过1年。任期内,委员如有缺额,由党员大会及时补选。党支部书记由支部委员会选举产生,选举结果报机关
# 党委审批").
ELECTION_KINDS = {"general": "换届选举", "by_election": "补选"}
ELECTION_STATES = {"reported": "待上级审批", "approved": "已批准", "rejected": "未批准"}
EXTENSION_MONTHS_MAX = 12
# Reminders before the term ends (issue 22: "6 months and 3 months ahead, monthly once overdue").
TERM_REMINDER_MONTHS_AHEAD = (6, 3)

# 承诺践诺 (seed 004: four kinds of commitment for members without posts).
COMMITMENT_KINDS = {"common": "共性承诺", "post": "岗位承诺", "deed": "实事承诺", "discipline": "自律承诺"}
COMMITMENT_STATES = {"made": "已承诺", "fulfilled": "已践诺", "unfulfilled": "未践诺"}
# Task points for a fulfilled commitment (seed 004 积分制: task points are earned by the year's
# commitments; adjustable as "points.commitment_fulfilled").
COMMITMENT_FULFILLED_POINTS = 2
