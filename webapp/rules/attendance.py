"""Who is expected at an activity (应到), by record type, and who only sits in (列席).

Sources: docs/domain.md "Organizational life": 支委会 is the committee's meeting ("only where a committee
exists"), 党小组会 is held "per group", 大会 / 主题党日 / 党课 are the branch's; "Every record keeps …
attendees, absentees with leave reasons (请假), invited non-members"; activists are "invited to
activities" (docs/domain.md "Who uses it"). docs/domain.md "Members": "a member who, without reason, misses
organizational life" — absence is only a miss for those who were expected. Public practice on 流动党员
and temporary branches (docs/domain.md "More rules"): formal membership stays at home "while the member takes
part in organizational life where they work (一方隶属、参加多重组织生活)": a member whose temporary
membership is in force takes part in the field, and is not expected at the home branch's activities.
"""

# record type → who is expected: "committee" (the committee's titles), "group" (the chosen party
# group), "branch" (every party member of the branch in force that day, home and temporary), "talk"
# (the people talked with; a talk has no absences).
EXPECTED_BY_TYPE = {
    "committee_meeting": "committee",
    "group_meeting": "group",
    "general_meeting": "branch",
    "theme_day": "branch",
    "lecture": "branch",
    "life_meeting": "branch",
    "evaluation": "branch",
    "talk": "talk",
}

# Titles that sit on a 支委会: the elected committee, and the appointed temporary leader of a
# temporary branch (docs/domain.md "The higher committee appoints a temporary leader").
COMMITTEE_EXPECTED_TITLES = frozenset(
    {"secretary", "deputy_secretary", "organization", "propaganda", "discipline", "member", "temporary_leader"}
)

# Categories that are never expected (列席, never absent): activists are invited, not obliged.
SITTING_IN_CATEGORIES = frozenset({"activist"})
