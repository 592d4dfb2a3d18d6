"""Party dues (党费): who pays how much. Amounts are integers in fen (分), never floats.

Source: docs/domain.md, section "Members", bullet "Dues (党费)": "Rate by monthly after-tax salary (2008
central rule), boundaries inclusive: ≤ 3000 yuan 0.5%; > 3000 and ≤ 5000 1%; > 5000 and ≤ 10000 1.5%;
> 10000 2%. Retirees: ≤ 5000 0.5%, > 5000 1%. Farmers 0.2–1 yuan a month; students and members in
hardship 0.2 yuan." and "A share of retained dues (25% in seed 003) funds branch activities."
"""
from __future__ import annotations

# Member categories for dues, with the label the secretary picks from.
DUES_CATEGORIES = {
    "salaried": "在职（按税后工资）",
    "retired": "离退休（按离退休费）",
    "farmer": "农民党员",
    "student": "学生党员",
    "hardship": "生活困难党员",
}

# (upper bound of the monthly base in fen, inclusive — None for no bound, rate in basis points).
# docs/domain.md: "≤ 3000 yuan 0.5%; > 3000 and ≤ 5000 1%; > 5000 and ≤ 10000 1.5%; > 10000 2%".
SALARIED_BANDS = [
    (300_000, 50),
    (500_000, 100),
    (1_000_000, 150),
    (None, 200),
]
# docs/domain.md: "Retirees: ≤ 5000 0.5%, > 5000 1%".
RETIRED_BANDS = [
    (500_000, 50),
    (None, 100),
]
# docs/domain.md: "Farmers 0.2–1 yuan a month" — the branch sets the amount within this range.
FARMER_RANGE_FEN = (20, 100)
# docs/domain.md: "students and members in hardship 0.2 yuan".
FIXED_FEN = {"student": 20, "hardship": 20}

# Rounding: the percentage of a base in fen is rounded half up to the whole fen.
BASIS_POINTS = 10_000

# docs/domain.md: "A share of retained dues (25% in seed 003) funds branch activities."
RETAINED_SHARE_PERCENT = 25


def rate_basis_points(category: str, base_fen: int, bands: list | None = None) -> int | None:
    """The rate for a salaried or retired member's base: by ``bands`` (those in force, which a higher
    committee may adjust: ``webapp/standards/rule_book.py``), else the defaults above."""
    if bands is None:
        bands = SALARIED_BANDS if category == "salaried" else RETIRED_BANDS if category == "retired" else None
    if bands is None:
        return None
    for upper, rate in bands:
        if upper is None or base_fen <= upper:
            return rate
    raise AssertionError("bands end with an unbounded row")


def monthly_amount_fen(category: str, base_fen: int, bands: list | None = None) -> int:
    """Where the dues rate is computed: the monthly dues for a category and base (fen), by ``bands``
    for salaried and retired members (the bands in force), else by the defaults above."""
    if category in FIXED_FEN:
        return FIXED_FEN[category]
    if category == "farmer":
        low, high = FARMER_RANGE_FEN
        return min(max(base_fen, low), high)
    rate = rate_basis_points(category, base_fen, bands)
    if rate is None:
        raise ValueError(f"unknown dues category: {category}")
    return (base_fen * rate + BASIS_POINTS // 2) // BASIS_POINTS


def retained_fen(collected_fen: int) -> int:
    return (collected_fen * RETAINED_SHARE_PERCENT + 50) // 100


def yuan(fen: int | None) -> str:
    """Fen shown as yuan with two decimals, without floating point."""
    fen = fen or 0
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def parse_yuan(text: str) -> int:
    """'3500', '3500.5', '3,500.25' → fen. Raises ValueError on anything else."""
    cleaned = str(text).strip().replace(",", "").replace("，", "").replace("元", "")
    if not cleaned or cleaned.startswith("-"):
        raise ValueError(text)
    whole, _, frac = cleaned.partition(".")
    if not whole.isdigit() or (frac and (not frac.isdigit() or len(frac) > 2)):
        raise ValueError(text)
    return int(whole) * 100 + int((frac + "00")[:2])


# Who owes dues. docs/domain.md Members: the roster's category is "正式 / 预备 / 积极分子"; an activist
# (入党积极分子) is not yet a party member and pays no dues — only 正式 and 预备 党员 do.
DUES_PAYING_CATEGORIES = frozenset({"full", "probationary"})

# 自行脱党 by dues. Seed 003 (三、党员管理 3)严格党员处置): "党员如果没有正当理由，连续六个月不参加党的
# 组织生活，或不交纳党费，或不做党分配的工作，按自行脱党处理。" docs/domain.md: "The software warns well
# before that" — a warning at 3 months, as for non-participation (rules/standards.py ALERT_*).
# Counted in whole months that have ended unpaid; the current month is not yet missed.
DUES_ALERT_WARNING_MONTHS = 3
DUES_ALERT_SERIOUS_MONTHS = 6


def owes_dues(member_category: str | None) -> bool:
    """Only party members owe dues. A person whose category was never set is treated as a member
    (the roster's default is a member); an activist never owes."""
    return member_category is None or member_category in DUES_PAYING_CATEGORIES
