"""Static assets (issue 16): a version per file content, minified scripts and CSS, names kept inside
the static folder."""
import os

from webapp import static_assets


def test_version_follows_the_content_and_minified_text_is_kept_per_version(tmp_path):
    script = tmp_path / "js" / "a.js"
    script.parent.mkdir()
    script.write_text("// a comment\nfunction add(first, second) {\n  return first + second;\n}\n")
    one = static_assets.find(str(tmp_path), "js/a.js")
    assert one.mimetype == "text/javascript"
    assert b"comment" not in one.body and b"return first+second" in one.body
    assert static_assets.find(str(tmp_path), "js/a.js") is one  # unchanged file: the same asset
    script.write_text("function add(first, second) { return second + first; }\n")
    os.utime(script, ns=(1, 1))  # even with an old modification time, the size differs
    two = static_assets.find(str(tmp_path), "js/a.js")
    assert two.version != one.version and b"return second+first" in two.body


def test_css_is_minified_and_files_already_minified_or_binary_are_kept(tmp_path):
    (tmp_path / "a.css").write_text("/* note */\n.card {\n  color: #111111;\n}\n")
    (tmp_path / "lib.min.js").write_text("var a = 1;  // kept as shipped\n")
    (tmp_path / "icon.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(20))
    assert static_assets.find(str(tmp_path), "a.css").body == b".card{color:#111111}"
    assert static_assets.find(str(tmp_path), "lib.min.js").body == b"var a = 1;  // kept as shipped\n"
    icon = static_assets.find(str(tmp_path), "icon.png")
    assert icon.body is None and icon.mimetype == "image/png"


def test_names_outside_the_folder_or_missing_find_nothing(tmp_path):
    inside = tmp_path / "static"
    inside.mkdir()
    (tmp_path / "secret.js").write_text("var secret = 1;")
    for name in ("../secret.js", "/etc/passwd", "missing.js", "", ".", "a\x00.js"):
        assert static_assets.find(str(inside), name) is None, name
