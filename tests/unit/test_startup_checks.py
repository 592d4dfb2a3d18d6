"""Production refuses to start with files, the job queue or the Web Push key on each server's own disk
when several servers are declared."""
import pytest

from webapp import create_app
from webapp.startup_checks import UnsafeConfiguration, problems

SAFE = {"PRODUCTION": True, "SECRET_KEY": "s", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/8"}
SHARED_JOBS = {"JOBS_URL": "redis://127.0.0.1:6379/9", "VAPID_PRIVATE_KEY_PATH": "/etc/zhibu/vapid.pem"}


def test_several_servers_need_shared_file_storage():
    found = problems({**SAFE, **SHARED_JOBS, "SERVERS": 3})
    assert len(found) == 1 and "ZHIBU_STORAGE_URL" in found[0] and "instance folder" in found[0]
    assert "ZHIBU_STORAGE_URL" in problems({**SAFE, **SHARED_JOBS, "SERVERS": 2, "STORAGE_URL": "file:///srv/zhibu"})[0]
    assert problems({**SAFE, **SHARED_JOBS, "SERVERS": 2, "STORAGE_URL": "s3://zhibu?endpoint=http://10.0.0.5:8333"}) == []


S3 = {"STORAGE_URL": "s3://zhibu?endpoint=http://10.0.0.5:8333", "VAPID_PRIVATE_KEY_PATH": "/etc/zhibu/vapid.pem"}


def test_several_servers_need_a_shared_job_queue():
    found = problems({**SAFE, **S3, "SERVERS": 2})
    assert len(found) == 1 and "ZHIBU_JOBS_URL" in found[0] and "SQLite" in found[0]
    assert "ZHIBU_JOBS_URL" in problems({**SAFE, **S3, "SERVERS": 2, "JOBS_URL": "sqlite:////srv/jobs.db"})[0]
    assert problems({**SAFE, **S3, "SERVERS": 2, **SHARED_JOBS}) == []
    assert problems({**SAFE, "SERVERS": 1}) == []  # one server: the SQLite file is shared by its processes
    assert "ZHIBU_JOBS_URL" in problems({**SAFE, "JOBS_URL": "amqp://elsewhere"})[0]  # a store Huey cannot use


def test_one_server_or_development_keeps_the_local_folder():
    assert problems({**SAFE, "SERVERS": 1, "WORKERS": 4}) == []  # several workers share one disk
    assert problems({"PRODUCTION": False, "SERVERS": 4}) == []


def test_create_app_refuses_to_start(tmp_path):
    with pytest.raises(UnsafeConfiguration, match="ZHIBU_STORAGE_URL"):
        create_app({**SAFE, **SHARED_JOBS, "SERVERS": 2, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
                    "SCHEMA_CHECK": False})


def test_several_servers_need_one_push_key_file():
    shared = {**SAFE, **S3, "JOBS_URL": "redis://127.0.0.1:6379/9"}
    for unset in (None, "", "  "):
        found = problems({**shared, "SERVERS": 2, "VAPID_PRIVATE_KEY_PATH": unset})
        assert len(found) == 1 and "ZHIBU_VAPID_PRIVATE_KEY_PATH" in found[0] and "2 servers" in found[0]
    assert problems({**shared, "SERVERS": 2, "VAPID_PRIVATE_KEY_PATH": "/etc/zhibu/vapid.pem"}) == []
    assert problems({**SAFE, "SERVERS": 1, "VAPID_PRIVATE_KEY_PATH": None}) == []  # one server: its instance folder


def test_every_missing_shared_part_is_named_at_once():
    found = problems({"PRODUCTION": True, "SERVERS": 2})
    assert [next(name for name in ("ZHIBU_SECRET_KEY", "ZHIBU_RATELIMIT_STORAGE", "ZHIBU_STORAGE_URL",
                                   "ZHIBU_JOBS_URL", "ZHIBU_VAPID_PRIVATE_KEY_PATH") if name in problem)
            for problem in found] == ["ZHIBU_SECRET_KEY", "ZHIBU_RATELIMIT_STORAGE", "ZHIBU_STORAGE_URL",
                                      "ZHIBU_JOBS_URL", "ZHIBU_VAPID_PRIVATE_KEY_PATH"]
