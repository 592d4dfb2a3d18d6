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
