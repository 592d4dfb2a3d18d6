"""A form the phone may fill offline (``data-offline-entity``) is kept in the outbox by
``js/offline/capture.js``; each page loads only the scripts it names (``{% block scripts %}``), so
every page with such a form, or including a partial with one, must name capture.js. Without it the
service worker still keeps the post, but the form stays filled and the outbox count is not shown."""
import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "webapp" / "templates"


def _templates() -> dict[str, str]:
    return {str(p.relative_to(TEMPLATES)): p.read_text(encoding="utf-8") for p in TEMPLATES.rglob("*.html")}


def test_every_page_with_an_offline_form_loads_capture():
    templates = _templates()
    with_form = {name for name, text in templates.items() if "data-offline-entity" in text}
    assert with_form
    pages = set()
    for name in with_form:
        if Path(name).name.startswith("_"):  # a partial: the pages that include it
            includers = {other for other, text in templates.items()
                         if re.search(r"""include\s+["']""" + re.escape(name) + """["']""", text)}
            assert includers, f"{name} is included nowhere"
            pages |= includers
        else:
            pages.add(name)
    missing = sorted(page for page in pages if "js/offline/capture.js" not in templates[page])
    assert not missing, f"pages with an offline form that do not load capture.js: {missing}"
