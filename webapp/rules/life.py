"""Organizational life (组织生活): record types and what each must contain.

Source: docs/domain.md, section "Organizational life (组织生活): what each branch must do". Frequencies are
listed with each type for the checklist; local rules may differ (docs/domain.md, last section), so the
standards capability treats them as data it can override.
"""

# type key → label, minimum frequency (docs/domain.md table "record type | minimum frequency").
RECORD_TYPES = {
    "general_meeting": {"label": "支部党员大会", "frequency": "quarterly"},
    "committee_meeting": {"label": "支委会", "frequency": "monthly", "needs_committee": True},
    "group_meeting": {"label": "党小组会", "frequency": "monthly", "per_group": True},
    "lecture": {"label": "党课", "frequency": "half_year"},
    "theme_day": {"label": "主题党日", "frequency": "monthly"},
    "life_meeting": {"label": "组织生活会", "frequency": "yearly"},
    "evaluation": {"label": "民主评议党员", "frequency": "yearly"},
    # docs/domain.md: "谈心谈话 heart-to-heart talk | as needed | private: visible to the branch committee only".
    "talk": {"label": "谈心谈话", "frequency": "as_needed", "private": True},
}

RECORD_TYPE_LABELS = {key: spec["label"] for key, spec in RECORD_TYPES.items()}
PRIVATE_RECORD_TYPES = frozenset(k for k, spec in RECORD_TYPES.items() if spec.get("private"))

# Theme party day (docs/domain.md: "主题党日 | monthly, ≥ 1 hour | required items: 集体诵读党章,
# 组织集中学习, 交纳当月党费; optional forms: 政治生日, 主题实践, 视频教学, 集中研讨, 业务培训,
# 廉洁教育, 红色教育, 志愿服务").
THEME_DAY_MIN_MINUTES = 60
THEME_DAY_REQUIRED_ITEMS = {
    "recite_constitution": "集体诵读党章",
    "collective_study": "组织集中学习",
    "pay_dues": "交纳当月党费",
}
THEME_DAY_OPTIONAL_FORMS = {
    "political_birthday": "政治生日",
    "practice": "主题实践",
    "video": "视频教学",
    "discussion": "集中研讨",
    "training": "业务培训",
    "integrity": "廉洁教育",
    "red_education": "红色教育",
    "volunteer": "志愿服务",
}

# Evaluation steps and grades (docs/domain.md "民主评议党员 | yearly | steps: 个人自评 → 党员互评 →
# 民主测评 → 组织评定; result: a grade per member").
EVALUATION_STEPS = {
    "self": "个人自评",
    "mutual": "党员互评",
    "democratic": "民主测评",
    "organizational": "组织评定",
}
EVALUATION_GRADES = {"excellent": "优秀", "qualified": "合格", "basic": "基本合格", "unqualified": "不合格"}

# A branch "has a committee" when at least this many committee titles are held in it
# (docs/domain.md: "> 7 members: a branch committee (支委会) of 3–5").
COMMITTEE_MIN_SEATS = 3
# Titles that sit on the branch committee (the temporary leader alone is not a committee).
COMMITTEE_SEAT_TITLES = frozenset(
    {"secretary", "deputy_secretary", "organization", "propaganda", "discipline", "member"}
)
# Titles whose 党课 counts as "the secretary gives ≥ 1 a year" (docs/domain.md "党课 ... the secretary
# gives ≥ 1 a year"); a temporary branch's leader stands in for its secretary.
SECRETARY_TITLES = frozenset({"secretary", "temporary_leader"})

# Review states (issue "records": 待审核 → 已通过 or 已退回), plus a sync conflict marker.
RECORD_STATES = {"submitted": "待审核", "approved": "已通过", "returned": "已退回", "merged": "已合并"}
CONFLICT_LABEL = "冲突"

# Attendance statuses. A leave with a reason (请假) is not a miss (docs/domain.md "Members ... without reason").
ATTENDANCE_STATUSES = {"present": "出席", "leave": "请假", "absent": "缺席"}

# Photos (issue "records": shrunk in the browser to at most 1600 px on the long side).
PHOTO_MAX_EDGE_PX = 1600
PHOTO_THUMB_EDGE_PX = 320
PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")
PHOTOS_PER_RECORD_MAX = 30

# One meeting, one record (issue 15): a second record of the same branch, type and day is flagged as a
# likely duplicate (recorded on two phones). Talks are private and many may happen on one day with
# different people, so they are never flagged; group meetings are compared within the same group.
DUPLICATE_EXCLUDED_TYPES = frozenset({"talk"})
MERGED_STATE_LABEL = "已合并"
