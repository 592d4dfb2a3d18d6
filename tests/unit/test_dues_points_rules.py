import pytest

from webapp.rules import dues, points


@pytest.mark.parametrize("base_yuan,expected_fen", [
    ("3000", 1500),        # ≤ 3000: 0.5% (boundary inclusive)
    ("3000.01", 3000),     # > 3000: 1% of 3000.01 = 30.0001 → 30.00
    ("5000", 5000),        # ≤ 5000: 1%
    ("5000.01", 7500),     # > 5000: 1.5% of 5000.01 = 75.00015 → 75.00
    ("10000", 15000),      # ≤ 10000: 1.5%
    ("10000.01", 20000),   # > 10000: 2%
    ("2345.67", 1173),     # 11.72835 → 11.73 (half up)
])
def test_salaried_bands_at_their_edges(base_yuan, expected_fen):
    assert dues.monthly_amount_fen("salaried", dues.parse_yuan(base_yuan)) == expected_fen


@pytest.mark.parametrize("base_yuan,expected_fen", [("5000", 2500), ("5000.01", 5000), ("1200", 600)])
def test_retired_bands(base_yuan, expected_fen):
    assert dues.monthly_amount_fen("retired", dues.parse_yuan(base_yuan)) == expected_fen


def test_fixed_amounts_and_farmer_range():
    assert dues.monthly_amount_fen("student", 0) == 20
    assert dues.monthly_amount_fen("hardship", 999999) == 20
    assert dues.monthly_amount_fen("farmer", 50) == 50
    assert dues.monthly_amount_fen("farmer", 5) == 20 and dues.monthly_amount_fen("farmer", 500) == 100


def test_yuan_parsing_and_display_never_use_floats():
    assert dues.parse_yuan("3,500.5") == 350050 and dues.parse_yuan("12元") == 1200
    for bad in ("", "-1", "1.234", "abc", "1.2.3"):
        with pytest.raises(ValueError):
            dues.parse_yuan(bad)
    assert dues.yuan(1173) == "11.73" and dues.yuan(5) == "0.05" and dues.yuan(-250) == "-2.50"
    assert dues.retained_fen(10001) == 2500


@pytest.mark.parametrize("total,grade", [(100, "excellent"), (90, "excellent"), (89, "qualified"),
                                         (80, "qualified"), (79, "basic"), (60, "basic"), (59, "unqualified"),
                                         (0, "unqualified")])
def test_grades_at_their_edges(total, grade):
    assert points.grade_for(total) == grade


def test_total_caps_task_and_bonus_and_never_goes_below_zero_base():
    assert points.total(0, 70, 10) == 100
    assert points.total(-3, 90, 25) == 97
    assert points.total(-40, 0, 0) == 0


def test_awards_at_county_level_or_above_count_beyond_the_bonus_cap():
    # Seed 004: 县级以上(包括县级)表彰 另行加分，不占奖励分值.
    assert points.total(0, 70, 25, award=6) == 106
    assert points.total(0, 0, 3, award=5) == 28
