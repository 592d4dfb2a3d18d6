"""Every route, signed in as a secretary and as a member, fed junk in its URL numbers, query
arguments and form fields (Hypothesis draws them, derandomized): the answer may be a form error,
a 403 or a 404 (a 503 where a service is deliberately not configured, as push without VAPID keys
in tests), never a server error (500). Found on PostgreSQL: ids beyond the integer columns and
"digits" such as "²" (webapp/input_numbers.py). Found on both: a lone UTF-16 surrogate and JSON nested
100,000 deep in a JSON body (webapp/json_bodies.py); those, and a surrogate's bytes in forms and query
strings, are among the junk. Every POST route also gets JSON bodies holding them."""
import re
import uuid
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import CSRF_PATTERN
from webapp.extensions import db
from webapp.models import Membership, Organization, PointsApplication, Record, StudyNote, User

JUNK = st.one_of(
    st.sampled_from(["x" * 5000, str(10**30), str(2**31), "-1", "0", "²", "１２", "2026-13-45", "2026-02-30",
                     "99:99", "\x00", "🙂" * 300, "", " ", "1e9", "<script>", "' or 1=1 --", "abc",
                     "\ud800", "主题\udfff", "[" * 5000]),
    st.sampled_from(["1", "2", "2026", "2026-11", "2026-11-01", "09:00", "y"]),
    st.text(max_size=30),
)
QUERY_NAMES = ("year", "month", "page", "period", "type", "state", "org_id", "recorder_id", "sort", "cursor",
               "device", "temporary", "missing", "status", "next")
LONE = "\ud800"
DEEP = b"[" * 100_000 + b"]" * 100_000


def _encoded(pairs: dict) -> bytes:
    """Form or query text as a broken client sends it: a surrogate as its UTF-8-like bytes."""
    return urlencode([(k, v.encode("utf-8", "surrogatepass")) for k, v in pairs.items()]).encode("ascii")


EXAMPLES = settings(max_examples=3, derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def _csrf(html: str) -> str | None:
    match = CSRF_PATTERN.search(html)
    return (match.group(1) or match.group(2)) if match else None


def other_peoples_references() -> list[str]:
    """Real identifiers of every branch (most of them someone else's): people, memberships, groups,
    records, notes, applications, photos. Fed to URL parts and form fields, as a hostile client would."""
    import io

    from PIL import Image

    from webapp.records import photos

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (90, 10, 10)).save(buffer, "PNG")
    photo, _ = photos.store(buffer.getvalue(), db.session.scalar(select(User).where(User.username == "jiguan")))
    db.session.commit()
    refs = [photo.sha256]
    for column in (User.id, Membership.id, Organization.id, Record.uuid, StudyNote.uuid, PointsApplication.uuid):
        refs += [str(value) for value in db.session.scalars(select(column).order_by(column).limit(4))]
    return refs


def _junk_requests(client, rule, org_ids, record_uuids, refs, hostile, seen):
    """A Hypothesis test that sends junk to one route; ``seen`` collects the status codes."""
    @EXAMPLES
    @given(data=st.data())
    def request_with_junk(data):
        def part(match):
            converter, name = match.group(1) or "", match.group(2)
            if converter == "int":
                return str(data.draw(st.sampled_from([2**31, 10**12, *org_ids])))
            if "uuid" in name:
                return data.draw(st.sampled_from(record_uuids + [str(uuid.uuid4())] + refs))
            return data.draw(st.sampled_from(["ab" * 32, "notebooks", "x"] + refs))

        path = re.sub(r"<(?:(\w+):)?(\w+)>", part, rule.rule)
        query = {name: data.draw(JUNK) for name in QUERY_NAMES}
        if "GET" in rule.methods:
            page = client.get(path, query_string=_encoded(query).decode("ascii"))
            seen.append(page.status_code)
            assert page.status_code != 500, (rule.rule, {k: v[:40] for k, v in query.items()})
        if "POST" in rule.methods:
            html = client.get(path).get_data(as_text=True) if "GET" in rule.methods else ""
            token = _csrf(html) or _csrf(client.get("/").get_data(as_text=True))
            names = set(re.findall(r'name="([^"]+)"', html)) - {"csrf_token"}
            form = {name: data.draw(hostile) for name in sorted(names)}
            answer = client.post(path, data=_encoded({**form, "csrf_token": token}),
                                 content_type="application/x-www-form-urlencoded")
            seen.append(answer.status_code)
            assert answer.status_code != 500, (rule.rule, {k: v[:40] for k, v in form.items()})
            for body in ({name: LONE for name in sorted(names) or ["name"]}, {LONE: "x"}, DEEP):
                kwargs = {"data": body, "content_type": "application/json"} if isinstance(body, bytes) else {"json": body}
                answer = client.post(path, headers={"X-CSRFToken": token}, **kwargs)
                seen.append(answer.status_code)
                assert answer.status_code != 500, (rule.rule, "json", str(body)[:40])

    return request_with_junk


@pytest.mark.parametrize("login", ["shuji", "dangyuan"])
def test_no_route_answers_junk_with_a_server_error(app, client, auth, demo, login):
    org_ids = list(db.session.scalars(select(Organization.id)))
    record_uuids = list(db.session.scalars(select(Record.uuid).limit(3)))
    refs = other_peoples_references()
    hostile = st.one_of(JUNK, st.sampled_from(refs))
    auth.login(login)
    rules = [r for r in app.url_map.iter_rules()
             if not r.rule.startswith(("/static", "/api/")) and r.rule not in ("/login", "/logout", "/account/sign-out-everywhere")]
    seen = []

    for rule in rules:
        _junk_requests(client, rule, org_ids, record_uuids, refs, hostile, seen)()
    assert len(seen) > 2 * len(rules)
