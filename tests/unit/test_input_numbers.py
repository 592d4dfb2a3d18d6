"""Ids from outside are checked before they reach a query (webapp/input_numbers.py)."""
import pytest

from webapp.input_numbers import MAX_ROW_ID, is_month_text, row_id


@pytest.mark.parametrize("value, expected", [
    (7, 7), ("42", 42), (" 42 ", 42), (MAX_ROW_ID, MAX_ROW_ID), (str(MAX_ROW_ID), MAX_ROW_ID),
    (MAX_ROW_ID + 1, None), (str(10**40), None), (10**40, None), (0, None), (-3, None), ("-3", None),
    ("", None), (None, None), ("4a", None), ("４２", None), ("²", None), (True, None), (4.0, None), ([1], None),
])
def test_row_id(value, expected):
    assert row_id(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("2026-11", True), ("2026-01", True), ("2026-12", True), ("2026-13", False), ("2026-00", False),
    ("2026-1", False), ("2026/11", False), ("²⁰²⁶-¹¹", False), ("２０２６-１１", False), ("", False),
])
def test_is_month_text(value, expected):
    assert is_month_text(value) is expected
