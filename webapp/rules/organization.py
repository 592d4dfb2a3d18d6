"""Organization rules (docs/domain.md, section "Organization (组织建设)")."""

# Kinds of organization in the tree 党委 → 党总支 → 党支部 → 党小组 (docs/domain.md "Tree").
ORG_KINDS = {
    "committee": "党委",
    "general_branch": "党总支",
    "branch": "党支部",
    "group": "党小组",
}

# Which kinds may sit below which (docs/domain.md "Tree: ... Any level may have many children").
ALLOWED_CHILD_KINDS = {
    "committee": ("committee", "general_branch", "branch"),
    "general_branch": ("branch",),
    "branch": ("group",),
    "group": (),
}

# A branch needs at least this many full members, else it is managed by a neighbour (代管).
# docs/domain.md: "A branch needs ≥ 3 full members (正式党员)".
MIN_FULL_MEMBERS_PER_BRANCH = 3

# Above this many members a branch elects a committee (支委会); at or below, a secretary only.
# docs/domain.md: "> 7 members: a branch committee (支委会) of 3–5 ... ≤ 7 members: a secretary only."
COMMITTEE_REQUIRED_ABOVE_MEMBERS = 7
COMMITTEE_SIZE_MIN = 3
COMMITTEE_SIZE_MAX = 5

# Committee term and extension (docs/domain.md: "Committee term 3–5 years ... extension ≤ 1 year").
COMMITTEE_TERM_YEARS_MIN = 3
COMMITTEE_TERM_YEARS_MAX = 5
COMMITTEE_TERM_EXTENSION_YEARS_MAX = 1

# Party group (docs/domain.md: "Party group (党小组): ≥ 3 members, ≥ 1 full member, one group leader").
GROUP_MIN_MEMBERS = 3
GROUP_MIN_FULL_MEMBERS = 1

# Temporary branch founding thresholds (docs/domain.md "Temporary branch (临时党支部)":
# "field work lasts > 15 days, ≥ 20 people and > 5 party members"). Warned, not enforced.
TEMP_BRANCH_MIN_DAYS_EXCLUSIVE = 15
TEMP_BRANCH_MIN_PEOPLE = 20
TEMP_BRANCH_MIN_MEMBERS_EXCLUSIVE = 5

# Member categories (docs/domain.md "Members": 正式 / 预备 / 积极分子).
MEMBER_CATEGORIES = {
    "full": "正式党员",
    "probationary": "预备党员",
    "activist": "入党积极分子",
}

# Committee titles (docs/domain.md: "书记, 副书记, 组织委员, 宣传委员, 纪检委员"), plus the appointed
# temporary leader of a temporary branch (docs/domain.md "The higher committee appoints a temporary leader").
COMMITTEE_TITLES = {
    "secretary": "书记",
    "deputy_secretary": "副书记",
    "organization": "组织委员",
    "propaganda": "宣传委员",
    "discipline": "纪检委员",
    "member": "委员",
    "temporary_leader": "临时负责人",
}

# Titles that carry management of the organization they are held in.
MANAGING_TITLES = frozenset(COMMITTEE_TITLES)

# Membership relation (docs/domain.md: "members keep their home branch (正式组织关系) and join the temporary
# one for the project (临时组织关系)").
RELATIONS = {
    "home": "正式组织关系",
    "temporary": "临时组织关系",
}

GENDERS = {"male": "男", "female": "女"}
