"""The one place that says which pages a phone keeps for offline use (issues 14 and 16).

Three things are derived from here and nowhere else:

- ``KEPT_PAGES``: the URL shapes the service worker serves network-first with the kept copy as
  fallback (sent to the worker inside ``/sw.js``, see ``worker_config``);
- ``FORM_POSTS``: the form posts the worker keeps in the outbox when they cannot reach the server
  (path shape → sync entity), also in ``worker_config``;
- ``pages_for(user)``: the concrete pages of one person (navigation, branches, entry forms, recent
  records and their edit pages with returned records first, study), sent with every sync pull so the
  phone refreshes them whenever it syncs, each with a Chinese title for the "not on this phone" notice.

Patterns are written in the common subset of Python ``re`` and JavaScript ``RegExp`` syntax; a
unit test compiles every one in both and checks each page of ``pages_for`` matches one of them.
"""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import case, select

from .. import access
from ..extensions import db
from ..models import Record, StudyNote, User
from ..models.base import utcnow
from ..records.queries import offered_record_types
from ..china_time import china_today
from ..development import pipeline as development_pipeline
from ..rules.life import RECORD_TYPES

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
FALLBACK = "/offline/fallback"

# (name, pattern): the pages a member may need in the field. Stable URLs without query strings.
KEPT_PAGES: tuple[tuple[str, str], ...] = (
    ("home", r"^/$"),
    ("me", r"^/me$"),
    ("outbox", r"^/offline/outbox$"),
    ("fallback", r"^/offline/fallback$"),
    ("records", r"^/records/?$"),
    ("record_types", r"^/records/new/\d+$"),
    ("record_form", r"^/records/new/\d+/[a-z_]+$"),
    ("record", rf"^/records/{UUID}$"),
    ("record_edit", rf"^/records/{UUID}/edit$"),
    ("study", r"^/study/?$"),
    ("study_note_form", r"^/study/notes/new/\d+$"),
    ("study_note", rf"^/study/notes/{UUID}$"),
    ("branch", r"^/orgs/\d+$"),
    ("dues_pay", r"^/dues/\d+/pay$"),
    ("whereabouts", r"^/mobility/me/whereabouts$"),
    ("development_note_form", r"^/development/\d+/notes/new$"),
    ("appraisal_year", r"^/appraisal/\d+/\d+$"),
    ("reports_year", r"^/reports/\d+/\d+$"),
)

# (pattern, sync entity): offline-capable form posts (contract 3).
FORM_POSTS: tuple[tuple[str, str], ...] = (
    (r"^/records/new/\d+/[a-z_]+$", "record"),
    (rf"^/records/{UUID}/edit$", "record"),
    (rf"^/records/{UUID}/check-in$", "check_in"),
    (r"^/study/notes/new/\d+$", "study_note"),
    (r"^/dues/\d+/pay$", "dues_payment"),
    (r"^/mobility/me/whereabouts$", "whereabouts"),
    (rf"^/mobility/records/{UUID}/outside-attendee$", "outside_attendance"),
    (r"^/development/\d+/notes/new$", "development_note"),
    (r"^/appraisal/\d+/\d+/self$", "self_assessment"),
    (r"^/reports/\d+/\d+/mine$", "member_report"),
)

# Where a new-record form's path names its branch and type (the sync API reads queued posts by it).
NEW_RECORD_ACTION = re.compile(r"/records/new/(\d+)/([a-z_]+)/?$")

# How many of the person's records (and their edit pages) a phone keeps.
RECENT_RECORDS = 15
RECENT_NOTES = 5
RECENT_DAYS = 120


def is_kept(path: str) -> bool:
    return any(re.search(pattern, path) for _name, pattern in KEPT_PAGES)


def worker_config() -> dict:
    """What the service worker needs to decide, per request, whether a page is kept."""
    from ..rules.life import RECORD_TYPE_LABELS

    # record_types: what a form kept by the worker itself (server gone mid-save) is called in the outbox.
    return {"kept": [p for _n, p in KEPT_PAGES], "form_posts": [list(row) for row in FORM_POSTS],
            "fallback": FALLBACK, "record_types": dict(RECORD_TYPE_LABELS)}


def _page(url: str, title: str) -> dict:
    return {"url": url, "title": title}


WHEREABOUTS = "/mobility/me/whereabouts"


def _away(user: User) -> bool:
    from ..mobility.flowing_members import open_entry

    return open_entry(user) is not None


def entry_pages(user: User, org, membership) -> list[str]:
    """The entry forms of one branch the person may use (contract 3)."""
    pages = [f"/study/notes/new/{org.id}"]
    if org.kind == "branch" and user.category in ("full", "probationary"):
        # The year's own writing (issue 22): 个人自评 and 党员汇报, offline too.
        year = china_today().year
        pages += [f"/appraisal/{org.id}/{year}", f"/reports/{org.id}/{year}"]
    if membership.relation == "home" and _away(user):
        pages.append(WHEREABOUTS)  # a 流动党员 reports where they are, offline too
    if not org.is_closed and (membership.is_recorder or access.manages(user, org)):
        pages.append(f"/records/new/{org.id}")
        pages += [f"/records/new/{org.id}/{kind}" for kind in offered_record_types(user, org)]
        pages.append(f"/dues/{org.id}/pay")
    if not org.is_closed and development_pipeline.note_people(user, org):
        pages.append(f"/development/{org.id}/notes/new")  # talks and observation reports, offline too
    return pages


def _entry_titles(org) -> dict[str, str]:
    titles = {f"/study/notes/new/{org.id}": f"写学习笔记 · {org.name}",
              f"/records/new/{org.id}": f"新建记录 · {org.name}",
              f"/dues/{org.id}/pay": f"登记党费 · {org.name}", WHEREABOUTS: "我的所在地",
              f"/development/{org.id}/notes/new": f"发展党员谈话与考察 · {org.name}"}
    year = china_today().year
    titles[f"/appraisal/{org.id}/{year}"] = f"民主评议 · 个人自评 · {org.name}"
    titles[f"/reports/{org.id}/{year}"] = f"年度汇报 · {org.name}"
    for kind, spec in RECORD_TYPES.items():
        titles[f"/records/new/{org.id}/{kind}"] = f"记录{spec['label']} · {org.name}"
    return titles


def _recent_records(user: User) -> list[Record]:
    """The person's own recent records (recorded or created by them): returned ones first."""
    since = utcnow() - timedelta(days=RECENT_DAYS)
    returned_first = case((Record.state == "returned", 0), else_=1)
    query = (select(Record)
             .where((Record.recorder_id == user.id) | (Record.created_by_id == user.id))
             .where(Record.updated_at >= since)
             .order_by(returned_first, Record.updated_at.desc(), Record.id.desc())
             .limit(RECENT_RECORDS))
    return list(db.session.scalars(query))


def pages_for(user: User) -> list[dict]:
    """The concrete pages this person's phone keeps, most needed first."""
    from ..records.visibility import can_edit

    pages = [_page("/", "首页"), _page("/records/", "记录"), _page("/study/", "学习"), _page("/me", "我的"),
             _page("/offline/outbox", "待同步")]
    entries: list[dict] = []
    for membership in access.active_memberships(user):
        org = membership.org
        if org.kind != "branch":
            continue
        pages.append(_page(f"/orgs/{org.id}", org.name))
        titles = _entry_titles(org)
        entries += [_page(url, titles.get(url, url)) for url in entry_pages(user, org, membership)]
    for record in _recent_records(user):
        label = f"{record.type_label}：{record.topic}"
        if record.state == "returned":
            label = "已退回 · " + label
        pages.append(_page(f"/records/{record.uuid}", label))
        if can_edit(user, record):
            pages.append(_page(f"/records/{record.uuid}/edit", "修改 · " + label))
    pages += entries
    notes = db.session.scalars(select(StudyNote).where(StudyNote.user_id == user.id)
                               .order_by(StudyNote.noted_on.desc(), StudyNote.id.desc()).limit(RECENT_NOTES))
    pages += [_page(f"/study/notes/{n.uuid}", f"学习笔记：{n.topic}") for n in notes]
    seen: set[str] = set()
    out = []
    for page in pages:
        if page["url"] not in seen and is_kept(page["url"]):
            seen.add(page["url"])
            out.append(page)
    return out
