"""The pages a phone keeps (webapp/pwa/offline_pages.py): listed with every pull, navigation and
the person's branches first, their returned records (and edit pages) before the others, entry forms
of the branches where they record; the worker gets the page shapes from the same place."""
import json
import uuid

from sqlalchemy import select

from tests.records_helpers import FIELD_BRANCH, org_named
from tests.sync_helpers import Phone, new_record, register
from webapp.models import Record, User
from webapp.extensions import db
from webapp.pwa import offline_pages
from webapp.records import service


def pulled_pages(client, phone) -> list[dict]:
    body = client.get("/api/sync/pull", headers={"Authorization": f"Bearer {phone.device['token']}"}).get_json()
    return body["offline_pages"]


def test_pull_lists_navigation_branches_entry_forms_and_returned_records_first(client, auth, demo):
    phone = Phone(client, register(client, auth))
    org = org_named(FIELD_BRANCH)
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    phone.push(phone.mutation("record", new_record(org, topic="先记的一条"), target=first),
               phone.mutation("record", new_record(org, topic="后记的一条"), target=second))
    record = db.session.scalar(select(Record).where(Record.uuid == first))
    service.return_for_correction(record, demo["linshi"], "请补充地点")
    db.session.commit()

    urls = [p["url"] for p in pulled_pages(client, phone)]
    assert urls[:5] == ["/", "/records/", "/study/", "/me", "/offline/outbox"]
    assert f"/orgs/{org.id}" in urls
    assert {f"/records/new/{org.id}", f"/records/new/{org.id}/theme_day", f"/study/notes/new/{org.id}"} <= set(urls)
    assert urls.index(f"/records/{first}") < urls.index(f"/records/{second}")  # returned first
    assert urls.index(f"/records/{first}/edit") < urls.index(f"/records/{second}")
    titles = {p["url"]: p["title"] for p in pulled_pages(client, phone)}
    assert titles[f"/records/{first}"].startswith("已退回") and "先记的一条" in titles[f"/records/{first}"]
    assert all(offline_pages.is_kept(u) for u in urls)
    assert len(urls) == len(set(urls))


def test_someone_elses_records_and_other_branches_are_not_listed(client, auth, demo):
    phone = Phone(client, register(client, auth))
    org = org_named(FIELD_BRANCH)
    rid = str(uuid.uuid4())
    phone.push(phone.mutation("record", new_record(org, topic="张晓燕的记录"), target=rid))
    from webapp.offline import devices

    outsider = db.session.scalar(select(User).where(User.username == "shuji"))
    _device, token = devices.register(outsider, "x")
    db.session.commit()
    body = client.get("/api/sync/pull", headers={"Authorization": f"Bearer {token}"}).get_json()
    urls = [p["url"] for p in body["offline_pages"]]
    assert f"/records/{rid}" not in urls and f"/orgs/{org.id}" not in urls


def test_the_worker_carries_the_page_shapes_from_the_same_source(client):
    text = client.get("/sw.js").get_data(as_text=True)
    line = next(l for l in text.splitlines() if l.startswith("self.ZHIBU_OFFLINE = "))
    config = json.loads(line[len("self.ZHIBU_OFFLINE = "):].rstrip(";"))
    assert config == offline_pages.worker_config()
