"""Zhibu counts days on China's calendar (webapp/china_time.py). The server's own zone is UTC in
production and Asia/Shanghai in the test suite (tests/conftest.py), so an app module that asked the
local zone for "today" would be right in the tests and a day off in production every evening after
16:00 UTC: no app module may."""
import re
from pathlib import Path

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"
LOCAL_DAY = re.compile(r"\bdate\.today\(\)|\bdatetime\.now\(\s*\)|\bdatetime\.today\(\)|\btime\.localtime\(")


def test_no_app_module_reads_the_local_calendar():
    found = [f"{path.relative_to(WEBAPP)}:{number}: {line.strip()}"
             for path in WEBAPP.rglob("*.py")
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if LOCAL_DAY.search(line)]
    assert not found, "use china_time.china_today() / models.base.utcnow():\n" + "\n".join(found)


def test_dates_and_times_are_written_the_chinese_way():
    from datetime import date, datetime, timezone

    from webapp.china_time import cn_date, cn_datetime

    assert cn_date(date(2026, 11, 30)) == "2026年11月30日"
    assert cn_date(date(2026, 11, 30), weekday=True) == "2026年11月30日（星期一）"
    assert cn_date(date(2026, 3, 1), weekday=True) == "2026年3月1日（星期日）"
    # The ISO text kept in records' JSON, a month key, and anything else as it is.
    assert cn_date("2026-11-30", weekday=True) == "2026年11月30日（星期一）"
    assert cn_date("2026-02") == "2026年2月"
    assert cn_date("项目结束") == "项目结束" and cn_date(None) == "" and cn_date("") == ""
    # An instant in China time: 16:30 UTC is half past midnight the next day in Beijing.
    assert cn_datetime(datetime(2026, 11, 30, 16, 30, tzinfo=timezone.utc)) == "2026年12月1日 00:30"
    assert cn_datetime(None) == ""
