"""发展党员: the 25 steps in 5 stages, their order, intervals and deadlines, as data with sources.

Source: the national 《中国共产党发展党员工作细则》 (2014) as summarized in issue 21 and in docs/domain.md
"Party member development (发展党员)"; seed 003 (支部工作标准化) requires development "to standard" and
the 党员管理档案 to hold each person's development file. Article numbers below are those of the 细则.

Time rules never block (docs/domain.md: "Deadlines warn, they do not block"): an interval not yet
elapsed or a deadline passed is shown as a warning naming its rule. What does block is data that
cannot be true: a step dated before the step it follows (a sponsor named before the person became a
发展对象), a sponsor or contact who is not a full member, vote counts that do not add up.

Every number a higher committee may adjust for its subtree is an ``ADJUSTABLE`` key below; it is read
through ``webapp/standards/rule_book`` (``RuleBook.get(key, day)``), so an override with an effective
date applies from that date on.
"""
from __future__ import annotations

STAGES = {
    1: "入党申请人",
    2: "入党积极分子的确定和培养教育",
    3: "发展对象的确定和考察",
    4: "预备党员的接收",
    5: "预备党员的教育考察和转正",
}

# kind: what the step records besides its date
#   "date"      the date (and a note, photos of the signed forms)
#   "people"    one or two full members named (contacts: 1–2, sponsors: exactly 2)
#   "vote"      the branch general meeting's counts (webapp/development/votes.py)
#   "training"  days and class hours of the concentrated training
#   "recurring" reports written as notes (观察考察), not a single step
# after: the step whose date this one may not precede (order). interval / deadline: adjustable keys
# (below) counted from the date of ``from`` (default: ``after``); interval = at least, deadline = at most.
STEPS: list[dict] = [
    # --- Stage 1 入党申请 (细则 第二章)
    {"key": "application", "stage": 1, "label": "递交入党申请书", "kind": "date",
     "source": "细则第七条：年满十八岁，向工作、学习所在单位党组织提出入党申请"},
    {"key": "application_talk", "stage": 1, "label": "党组织派人谈话", "kind": "date", "after": "application",
     "deadline": "development.application_talk.within_months",
     "source": "细则第八条：党组织收到入党申请书后，应当在一个月内派人同入党申请人谈话"},
    # --- Stage 2 入党积极分子的确定和培养教育 (细则 第三章)
    {"key": "activist_decided", "stage": 2, "label": "推荐和确定入党积极分子（党员推荐、群团推优，支委会研究决定）",
     "kind": "date", "after": "application_talk", "category": "activist",
     "source": "细则第九条：采取党员推荐、群团组织推优等方式产生人选，由支部委员会研究决定"},
    {"key": "activist_filed", "stage": 2, "label": "报上级党委备案", "kind": "date", "after": "activist_decided",
     "source": "细则第九条：报具有审批权限的基层党委备案"},
    {"key": "contacts_named", "stage": 2, "label": "指定培养联系人", "kind": "people", "role": "contact",
     "min_people": 1, "max_people": 2, "after": "activist_decided",
     "source": "细则第十条：党组织应当指定一至两名正式党员作入党积极分子的培养联系人"},
    {"key": "activist_observed", "stage": 2, "label": "培养教育考察（每半年一次考察）", "kind": "recurring",
     "after": "activist_decided", "every": "development.observation.every_months",
     "source": "细则第十一条、第十二条：党支部每半年对入党积极分子进行一次考察"},
    # --- Stage 3 发展对象的确定和考察 (细则 第四章)
    {"key": "candidate_decided", "stage": 3, "label": "确定为发展对象（听取党小组、培养联系人、党员和群众意见）",
     "kind": "date", "after": "activist_decided", "interval": "development.candidate.min_activist_months",
     "source": "细则第十三条：经过一年以上培养教育和考察，听取党小组、培养联系人、党员和群众意见，"
               "支部委员会讨论同意"},
    {"key": "candidate_filed", "stage": 3, "label": "发展对象报上级党委备案", "kind": "date",
     "after": "candidate_decided", "source": "细则第十三条：报上级党委备案"},
    {"key": "sponsors_named", "stage": 3, "label": "确定入党介绍人", "kind": "people", "role": "sponsor",
     "min_people": 2, "max_people": 2, "after": "candidate_decided",
     "source": "细则第十四条：发展对象应当有两名正式党员作入党介绍人"},
    {"key": "political_review", "stage": 3, "label": "进行政治审查", "kind": "date", "after": "candidate_decided",
     "source": "细则第十五条：对发展对象进行政治审查"},
    {"key": "training", "stage": 3, "label": "开展集中培训", "kind": "training", "after": "candidate_decided",
     "source": "细则第十六条：集中培训时间一般不少于三天（或不少于二十四个学时）"},
    # --- Stage 4 预备党员的接收 (细则 第五章)
    {"key": "committee_review", "stage": 4, "label": "支部委员会审查", "kind": "date", "after": "training",
     "source": "细则第十七条：支部委员会对发展对象进行严格审查"},
    {"key": "prereview", "stage": 4, "label": "上级党委预审", "kind": "date", "after": "committee_review",
     "source": "细则第十八条：基层党委对发展对象进行预审"},
    {"key": "application_form", "stage": 4, "label": "填写入党志愿书", "kind": "date", "after": "prereview",
     "source": "细则第十九条：预审合格的，发放《中国共产党入党志愿书》"},
    {"key": "acceptance_vote", "stage": 4, "label": "支部大会讨论接收预备党员", "kind": "vote",
     "after": "application_form",
     "source": "细则第二十条、第二十二条：有表决权的到会人数超过应到会有表决权人数的半数；"
               "赞成人数超过应到会有表决权的正式党员的半数"},
    {"key": "committee_talk", "stage": 4, "label": "上级党委派人谈话", "kind": "date", "after": "acceptance_vote",
     "source": "细则第二十三条：党委审批前，应当指派党委委员或组织员同发展对象谈话"},
    {"key": "acceptance_approved", "stage": 4, "label": "上级党委审批", "kind": "date", "after": "committee_talk",
     "from": "acceptance_vote", "deadline": "development.acceptance_approval.within_months",
     "category": "probationary",
     "source": "细则第二十四条：上级党委审批，一般应当在三个月内审批"},
    {"key": "acceptance_filed", "stage": 4, "label": "报再上一级党委组织部门备案", "kind": "date",
     "after": "acceptance_approved", "source": "细则第二十五条：报上级党委组织部门备案"},
    # --- Stage 5 预备党员的教育考察和转正 (细则 第六章)
    {"key": "placed", "stage": 5, "label": "编入党支部和党小组", "kind": "date", "after": "acceptance_approved",
     "source": "细则第二十八条：预备党员编入党支部和党小组"},
    {"key": "oath", "stage": 5, "label": "入党宣誓", "kind": "date", "after": "acceptance_approved",
     "source": "细则第二十九条：预备党员必须面向党旗进行入党宣誓"},
    {"key": "probation_observed", "stage": 5, "label": "继续教育考察（预备期一年）", "kind": "recurring",
     "after": "acceptance_approved", "from": "acceptance_vote", "every": "development.observation.every_months",
     "source": "细则第三十条：党组织对预备党员继续进行教育和考察；第二十七条：预备期为一年"},
    {"key": "full_application", "stage": 5, "label": "提出转正申请", "kind": "date", "after": "acceptance_approved",
     "source": "细则第三十一条：预备期满时，预备党员应当主动向党组织提出书面转正申请"},
    {"key": "full_vote", "stage": 5, "label": "支部大会讨论转正", "kind": "vote", "after": "full_application",
     "source": "细则第三十一条：支部大会讨论，表决同第二十二条"},
    {"key": "full_approved", "stage": 5, "label": "上级党委审批转正", "kind": "date", "after": "full_vote",
     "deadline": "development.full_approval.within_months", "category": "full",
     "source": "细则第三十一条：上级党委审批，一般应当在三个月内审批；第三十四条：党龄从预备期满转为正式党员之日算起"},
    {"key": "archived", "stage": 5, "label": "材料归档", "kind": "date", "after": "full_approved",
     "source": "细则第三十五条：入党材料归入本人人事档案"},
]
STEPS_BY_KEY = {step["key"]: step for step in STEPS}
ORDER = {step["key"]: number for number, step in enumerate(STEPS, start=1)}
# Steps recorded once with a date (the two recurring ones are notes).
RECORDED_STEPS = tuple(step["key"] for step in STEPS if step["kind"] != "recurring")

# Defaults of the adjustable numbers, each with its source (read by webapp/rules/adjustable.py).
ADJUSTABLE: dict[str, dict] = {
    "development.application_talk.within_months": {
        "label": "收到入党申请后谈话期限", "unit": "个月", "min": 1, "max": 6, "default": 1,
        "source": "细则第八条（一个月内派人谈话）"},
    "development.observation.every_months": {
        "label": "入党积极分子、预备党员考察间隔", "unit": "个月", "min": 1, "max": 12, "default": 6,
        "source": "细则第十二条（每半年进行一次考察）"},
    "development.candidate.min_activist_months": {
        "label": "确定为发展对象前至少培养", "unit": "个月", "min": 12, "max": 36, "default": 12,
        "source": "细则第十三条（一年以上培养教育和考察）"},
    "development.training.min_days": {
        "label": "发展对象集中培训至少天数", "unit": "天", "min": 1, "max": 30, "default": 3,
        "source": "细则第十六条（不少于三天）"},
    "development.training.min_hours": {
        "label": "发展对象集中培训至少学时", "unit": "学时", "min": 1, "max": 240, "default": 24,
        "source": "细则第十六条（或不少于二十四个学时）"},
    "development.acceptance_approval.within_months": {
        "label": "支部大会通过后上级党委审批期限", "unit": "个月", "min": 1, "max": 6, "default": 3,
        "source": "细则第二十四条（一般应当在三个月内审批）"},
    "development.full_approval.within_months": {
        "label": "转正支部大会后上级党委审批期限", "unit": "个月", "min": 1, "max": 6, "default": 3,
        "source": "细则第三十一条（一般应当在三个月内审批）"},
}

# 细则第七条: an applicant is at least 18 on the day of applying.
MIN_AGE = 18
# 细则第三十二条: the probation may be extended once, by at least six months and at most a year.
EXTENSION_MIN_MONTHS = 6
EXTENSION_MAX_MONTHS = 12
EXTENSION_SOURCE = "细则第三十二条：预备期可以延长一次，延长时间不能少于半年，最长不超过一年"
# 细则第二十条: the probation counts from the day the branch general meeting adopts the resolution.
PROBATION_FROM = "acceptance_vote"
PROBATION_MONTHS = 12  # the Party Constitution's one year; not adjustable by any committee
PROBATION_SOURCE = "细则第二十七条：预备期自支部大会通过其为预备党员之日算起，为一年"
PEOPLE_SOURCE = "细则第十条、第十四条：培养联系人、入党介绍人须为正式党员"
VOTE_SOURCE = STEPS_BY_KEY["acceptance_vote"]["source"]

# Notes written about a person under development (a phone may write them offline).
NOTE_KINDS = {"talk": "谈话记录", "observation": "考察报告", "contact_note": "培养联系人记录"}
# A temporary branch does not admit members (docs/domain.md Organization): it may only record this.
TEMPORARY_NOTE_KINDS = ("observation",)
NOTE_TEXT_MAX = 5000
# Push reminders (issue 21): how far ahead each is sent.
REMIND_TALK_WITHIN_DAYS = 31          # "a secretary whose applicant's talk is due within the month"
REMIND_OBSERVATION_WITHIN_DAYS = 14   # "a contact whose half-yearly report is due"
REMIND_PROBATION_NEXT_MONTH = True    # "a probation that ends next month"
