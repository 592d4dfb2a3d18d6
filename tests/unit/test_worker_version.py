"""The service worker's version follows the static files' contents (webapp/pwa/worker_version.py)."""
import json
import shutil
from pathlib import Path

import pytest

from webapp.pwa.worker_version import PLACEHOLDER, static_version, worker_script

STATIC = Path(__file__).resolve().parents[2] / "webapp" / "static"


@pytest.fixture()
def static_copy(tmp_path):
    folder = tmp_path / "static"
    shutil.copytree(STATIC, folder)
    return folder


def test_the_worker_script_carries_the_version_of_the_files(static_copy):
    text, version = worker_script(static_copy)
    assert PLACEHOLDER not in text
    assert f'self.SW_VERSION = "{version}";' in text
    assert len(version) == 16 and version == static_version(static_copy)


def test_any_changed_static_file_changes_the_version(static_copy):
    before = static_version(static_copy)
    css = static_copy / "css" / "app.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* changed */\n", encoding="utf-8")
    after_css = static_version(static_copy)
    assert after_css != before
    (static_copy / "icons" / "new.png").write_bytes(b"\x89PNG")
    assert static_version(static_copy) not in (before, after_css)


def test_the_same_files_give_the_same_version(static_copy, tmp_path):
    other = tmp_path / "again"
    shutil.copytree(static_copy, other)
    assert static_version(other) == static_version(static_copy)


def test_a_worker_script_without_the_placeholder_is_refused(static_copy):
    sw = static_copy / "sw" / "sw.js"
    sw.write_text(sw.read_text(encoding="utf-8").replace(PLACEHOLDER, 'self.SW_VERSION = "4";'), encoding="utf-8")
    with pytest.raises(RuntimeError, match="SW_VERSION"):
        worker_script(static_copy)


def test_the_worker_script_carries_the_shell_at_versioned_urls(static_copy):
    from webapp.pwa.worker_version import SHELL_FILES, SHELL_PLACEHOLDER

    shell = [f"/static/{name}?v=abc" for name in SHELL_FILES]
    text, _version = worker_script(static_copy, shell)
    assert SHELL_PLACEHOLDER not in text
    assert "self.SW_SHELL = " + json.dumps(shell) + ";" in text
    assert all((static_copy / name).is_file() for name in SHELL_FILES)  # the shell names real files
