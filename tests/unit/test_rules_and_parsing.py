"""Pure functions: roster row parsing, dates, passwords, audit diffs."""
from datetime import date, datetime

import pytest

from webapp import audit
from webapp.passwords import Passwords, password_problem
from webapp.roster.xlsx_import import SheetError, _parse_date, parse_row


@pytest.mark.parametrize("raw,expected", [
    ("2024-05-01", date(2024, 5, 1)), ("2024/5/1", date(2024, 5, 1)), ("2024.05.01", date(2024, 5, 1)),
    ("2024年5月1日", date(2024, 5, 1)), (datetime(2024, 5, 1, 8, 0), date(2024, 5, 1)),
    (date(2024, 5, 1), date(2024, 5, 1)), (None, None), ("", None),
])
def test_dates_in_the_forms_people_type(raw, expected):
    assert _parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["去年", "2024-13-01", "2024-02-30"])
def test_bad_dates_are_named(raw):
    with pytest.raises(SheetError):
        _parse_date(raw)


def test_parse_row_maps_chinese_labels():
    data, problems = parse_row({"姓名": " 王芳 ", "性别": "女", "人员类别": "预备党员", "手机号": 13800001111.0,
                                "支委职务": "组织委员", "党小组": "一组"}, {"一组": 7})
    assert problems == []
    assert data["name"] == "王芳" and data["gender"] == "female" and data["category"] == "probationary"
    assert data["phone"] == "13800001111" and data["title"] == "organization" and data["group_id"] == 7


def test_parse_row_collects_every_problem():
    _data, problems = parse_row({"姓名": "王芳", "性别": "未知", "支委职务": "主任", "出生日期": "某天"}, {})
    assert len(problems) == 3


def test_passwords_roundtrip_and_reject():
    hasher = Passwords(1, 1024, 1)
    stored = hasher.hash("correct horse")
    assert stored.startswith("$argon2id$")
    assert hasher.verify(stored, "correct horse")
    assert not hasher.verify(stored, "wrong")
    assert not hasher.verify(None, "anything")
    assert not hasher.verify("not-a-hash", "anything")


def test_password_policy_messages():
    assert password_problem("short") == "密码至少需要 8 位"
    assert password_problem("1234567890") == "密码不能全是数字"
    assert password_problem("long-enough-1") is None


def test_audit_diff_only_changed_fields():
    assert audit.diff({"a": 1, "b": date(2024, 1, 1)}, {"a": 1, "b": date(2024, 2, 1), "c": None}) == {
        "b": ["2024-01-01", "2024-02-01"]}
