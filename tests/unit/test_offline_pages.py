"""The kept-page shapes are one source for Python and the service worker's JavaScript."""
import json
import re
import shutil
import subprocess

import pytest

from webapp.pwa import offline_pages

UUID = "0b7e3f7a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
KEPT = ["/", "/me", "/records/", "/records", "/records/new/7", "/records/new/7/theme_day", f"/records/{UUID}",
        f"/records/{UUID}/edit", "/study/", "/study/notes/new/3", f"/study/notes/{UUID}", "/orgs/12",
        "/dues/3/pay", "/offline/outbox", "/offline/fallback"]
NOT_KEPT = ["/login", "/orgs/12/edit", "/records/review", f"/records/{UUID}/compare", "/api/sync/pull",
            "/records/new/7/theme_day/x", "/ledgers/", "/orgs/", f"/records/{UUID}/check-in"]


@pytest.mark.parametrize("path", KEPT)
def test_field_pages_are_kept(path):
    assert offline_pages.is_kept(path)


@pytest.mark.parametrize("path", NOT_KEPT)
def test_other_pages_are_not_kept(path):
    assert not offline_pages.is_kept(path)


def test_javascript_reads_the_patterns_the_same_way():
    node = shutil.which("node")
    assert node, "node is needed (make test-js installs it)"
    config = offline_pages.worker_config()
    script = ("const c = JSON.parse(process.argv[1]); const paths = JSON.parse(process.argv[2]);"
              "const kept = c.kept.map((p) => new RegExp(p));"
              "const posts = c.form_posts.map((r) => [new RegExp(r[0]), r[1]]);"
              "console.log(JSON.stringify(paths.map((p) => [kept.some((r) => r.test(p)),"
              " (posts.find((r) => r[0].test(p)) || [null, null])[1]])));")
    paths = KEPT + NOT_KEPT
    out = subprocess.run([node, "-e", script, json.dumps(config), json.dumps(paths)], capture_output=True,
                         text=True, check=True).stdout
    in_python = [[offline_pages.is_kept(p),
                  next((e for pat, e in offline_pages.FORM_POSTS if re.search(pat, p)), None)] for p in paths]
    assert json.loads(out) == in_python


def test_no_script_writes_its_own_list_of_kept_page_shapes():
    """The worker and the offline client read the shapes from /sw.js and the pull; a path pattern
    written into a script (such as /^\\/records(\\/|$)/) would be a second source."""
    from pathlib import Path

    static = Path(offline_pages.__file__).resolve().parents[1] / "static"
    scripts = list((static / "sw").glob("*.js")) + list((static / "js").rglob("*.js"))
    path_regex = re.compile(r"/\^\\/")
    offenders = [str(p.relative_to(static)) for p in scripts if path_regex.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
