"""`flask push keys` creates keys once and refuses to overwrite; `flask push work --once` sends."""
from pathlib import Path

from tests.push_helpers import subscribe
from webapp.extensions import db
from webapp.models import PushMessage
from webapp.push import keys, scheduler


def test_keys_are_created_once_and_never_overwritten(app, tmp_path):
    app.config["VAPID_PRIVATE_KEY_PATH"] = str(tmp_path / "instance" / "vapid_private.pem")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["push", "keys"])
    assert first.exit_code == 0, first.output
    path = Path(app.config["VAPID_PRIVATE_KEY_PATH"])
    content = path.read_bytes()
    assert path.stat().st_mode & 0o777 == 0o600
    assert keys.public_key(app) in first.output
    second = runner.invoke(args=["push", "keys"])
    assert second.exit_code != 0 and "refusing to overwrite" in second.output
    assert path.read_bytes() == content
    assert runner.invoke(args=["push", "keys", "--if-missing"]).exit_code == 0
    assert path.read_bytes() == content


def test_work_once_without_keys_explains(app, tmp_path):
    app.config["VAPID_PRIVATE_KEY_PATH"] = str(tmp_path / "none.pem")
    result = app.test_cli_runner().invoke(args=["push", "work", "--once"])
    assert result.exit_code != 0 and "push keys" in result.output


def test_work_once_sends_what_is_due(app, tmp_path, push_service, branch):
    app.config["VAPID_PRIVATE_KEY_PATH"] = str(tmp_path / "vapid.pem")
    keys.create_keys(keys.key_path(app))
    _org, people = branch
    subscribe(push_service, people["a"])
    message = scheduler.test_message(people["a"])
    db.session.commit()
    message_id = message.id
    result = app.test_cli_runner().invoke(args=["push", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent=1" in result.output
    assert db.session.get(PushMessage, message_id).state == "sent"
    assert push_service.received[0].payload["title"] == "支部通测试通知"
