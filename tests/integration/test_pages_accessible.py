"""Crawl every page a demo user can reach and check what each page owes its users:
it loads, every form control has a label, no inline script/handlers/styles (strict CSP), Chinese."""
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

CONTROLS = {"input", "select", "textarea"}
UNLABELLED_OK_TYPES = {"hidden", "submit", "button", "reset", "image"}
MAX_PAGES = 150


class PageAudit(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.label_depth = 0
        self.problems: list[str] = []
        self.html_lang = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "label":
            self.label_depth += 1
            if attributes.get("for"):
                self.label_for.add(attributes["for"])
        if tag in CONTROLS:
            self.controls.append({**attributes, "_tag": tag, "_in_label": self.label_depth > 0})
        if tag == "script" and not attributes.get("src"):
            self.problems.append("inline <script>")
        for name in attributes:
            if name.startswith("on"):
                self.problems.append(f"inline handler {name} on <{tag}>")
        if "style" in attributes:
            self.problems.append(f"inline style on <{tag}>")

    def handle_endtag(self, tag):
        if tag == "label" and self.label_depth:
            self.label_depth -= 1

    def unlabelled(self) -> list[str]:
        missing = []
        for control in self.controls:
            if control["_tag"] == "input" and control.get("type", "text") in UNLABELLED_OK_TYPES:
                continue
            if control["_in_label"] or control.get("aria-label") or control.get("aria-labelledby"):
                continue
            if control.get("id") and control["id"] in self.label_for:
                continue
            missing.append(f'<{control["_tag"]} name={control.get("name")!r} id={control.get("id")!r}>')
        return missing


def crawl(client, start="/"):
    seen, queue, audited = set(), [start], {}
    while queue and len(audited) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code in (301, 302, 303):
            continue
        audited[path] = response
        if not response.mimetype == "text/html":
            continue
        audit = PageAudit()
        audit.feed(response.get_data(as_text=True))
        response.audit = audit
        for href in audit.links:
            target = urljoin(path, href)
            parts = urlsplit(target)
            if parts.netloc or not parts.path.startswith("/") or parts.path.startswith("/static/"):
                continue
            if parts.path.endswith((".xlsx", ".pdf", ".json", ".jpg", ".png")):
                continue
            url = parts.path + (("?" + parts.query) if parts.query else "")
            if url not in seen:
                queue.append(url)
    return audited


@pytest.mark.parametrize("login", ["dangyuan", "shuji", "linshi", "jiguan"])
def test_every_reachable_page_is_labelled_and_csp_clean(client, auth, demo, login):
    auth.login(login)
    pages = crawl(client)
    assert len(pages) >= 4
    failures = []
    for path, response in pages.items():
        if response.status_code != 200:
            failures.append(f"{path}: HTTP {response.status_code}")
            continue
        audit = getattr(response, "audit", None)
        if audit is None:
            continue
        if audit.html_lang not in (None, "zh-CN"):
            failures.append(f"{path}: lang={audit.html_lang}")
        failures += [f"{path}: {p}" for p in audit.problems]
        failures += [f"{path}: unlabelled {c}" for c in audit.unlabelled()]
    assert not failures, "\n".join(failures)
