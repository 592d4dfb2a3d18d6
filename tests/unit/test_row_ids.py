"""Ids from outside are checked before they reach a query (webapp/row_ids.py)."""
import pytest

from webapp.row_ids import MAX_ROW_ID, row_id


@pytest.mark.parametrize("value, expected", [
    (7, 7), ("42", 42), (" 42 ", 42), (MAX_ROW_ID, MAX_ROW_ID), (str(MAX_ROW_ID), MAX_ROW_ID),
    (MAX_ROW_ID + 1, None), (str(10**40), None), (10**40, None), (0, None), (-3, None), ("-3", None),
    ("", None), (None, None), ("4a", None), ("４２", None), (True, None), (4.0, None), ([1], None),
])
def test_row_id(value, expected):
    assert row_id(value) == expected
