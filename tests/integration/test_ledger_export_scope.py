"""Issue 23 "Scope and privacy" in the export path, on both databases: a home branch exports its members'
part of a closed temporary branch as a binder PDF (read back with PDFium), a running temporary branch is
refused, strangers and other branches never see the job, and a committee exports a summary across the
branches below it (a branch secretary cannot).

The year and the branches are test_ledger_archives.py's: 归档支部 (home of 档3 and 档4, 档3 worked in
归档临时党支部), 邻近支部 (home of 邻甲 and 邻乙, both in the temporary branch), the committee above them."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import Auth
from tests.integration.test_ledger_archives import YEAR, _fill_the_year, world  # noqa: F401 - the fixture
from tests.integration.test_ledger_binder import _read
from webapp.domain_errors import NotAllowed
from webapp.extensions import db
from webapp.ledgers import jobs
from webapp.models import ExportJob


def _jobs() -> int:
    return db.session.scalar(select(func.count()).select_from(ExportJob))


def _last_job() -> ExportJob:
    db.session.expire_all()
    return db.session.scalar(select(ExportJob).order_by(ExportJob.id.desc()))


def _pdf_text(client, job: ExportJob, tmp_path) -> str:
    response = client.get(f"/ledgers/exports/{job.uuid}/download")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / f"{job.uuid}.pdf"
    path.write_bytes(response.data)
    return "".join(page.flat for page in _read(path))


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _export_part(auth, temporary, home, page: str):
    return auth.post(f"/ledgers/archives/{temporary.id}/{YEAR}/export", {"home": home.id}, page=page)


def test_home_branch_exports_only_its_members_part_of_a_closed_temporary_branch(world, client, tmp_path):  # noqa: F811
    _fill_the_year(world)
    field, home, p = world["field"], world["home"], world["p"]
    auth = Auth(client)
    auth.login(p[0].username)
    index = client.get("/ledgers/").get_data(as_text=True)
    assert field.name in index and "导出本支部党员部分" in index
    catalogue = f"/ledgers/archives/{field.id}/{YEAR}?home={home.id}"
    assert f"/ledgers/archives/{field.id}/{YEAR}/export" in client.get(catalogue).get_data(as_text=True)
    response = _export_part(auth, field, home, catalogue)
    job = _last_job()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/ledgers/exports/{job.uuid}")
    assert (job.org_id, job.viewer_org_id, job.kind, job.state) == (field.id, home.id, "pdf", "done")
    assert job.file_name == f"{field.name}-{YEAR}年台账合订本-{home.name}党员部分.pdf"
    assert client.get(f"/ledgers/exports/{job.uuid}").status_code == 200
    text = _pdf_text(client, job, tmp_path)
    assert _flat(f"仅含{home.name}党员") in text and p[3].name in text
    for outsider in (world["leader"].name, world["worker"].name):
        assert outsider not in text
    # The whole binder of the same branch-year (the committee's) does hold them: the part is a filter.
    auth.logout()
    auth.login("jiguan")
    whole = auth.post(f"/ledgers/archives/{field.id}/{YEAR}/export", {}, page="/ledgers/")
    assert whole.status_code == 302 and _last_job().viewer_org_id is None
    assert world["leader"].name in _pdf_text(client, _last_job(), tmp_path)


def test_the_part_is_a_pdf_only_and_restarts_as_the_part(world, client):  # noqa: F811
    _fill_the_year(world)
    field, home, p = world["field"], world["home"], world["p"]
    with pytest.raises(NotAllowed) as refused:
        jobs.request_export(field, YEAR, "xlsx", p[0], viewer=home)
    assert "只能导出台账合订本" in refused.value.message
    job = jobs.request_export(field, YEAR, "pdf", p[0], viewer=home)
    job.state = "failed"
    db.session.commit()
    auth = Auth(client)
    auth.login(p[0].username)
    assert auth.post(f"/ledgers/exports/{job.uuid}/restart", page="/ledgers/").status_code == 302
    again = _last_job()
    assert again.id != job.id and again.viewer_org_id == home.id and again.state == "done"


def test_a_running_temporary_branch_is_refused(world, client):  # noqa: F811
    field, home, p = world["field"], world["home"], world["p"]
    assert not field.is_closed
    auth = Auth(client)
    auth.login(p[0].username)
    before = _jobs()
    assert _export_part(auth, field, home, "/ledgers/").status_code == 403
    assert _jobs() == before
    assert field.name not in client.get("/ledgers/").get_data(as_text=True)
    with pytest.raises(NotAllowed):
        jobs.request_export(field, YEAR, "pdf", p[0], viewer=home)


def test_strangers_and_other_branches_never_reach_the_part(world, client):  # noqa: F811
    _fill_the_year(world)
    field, home, p = world["field"], world["home"], world["p"]
    auth = Auth(client)
    auth.login(p[0].username)
    _export_part(auth, field, home, "/ledgers/")
    job = _last_job()
    assert job.viewer_org_id == home.id and job.state == "done"
    urls = [f"/ledgers/exports/{job.uuid}", f"/ledgers/exports/{job.uuid}/download"]
    auth.logout()
    before = _jobs()
    # 邻书记 manages 邻近支部 (home of others in the temporary branch): sees the branch, not 归档支部's part.
    auth.login(world["neighbour_secretary"].username)
    assert _export_part(auth, field, home, "/ledgers/").status_code == 403
    assert [client.get(u).status_code for u in urls] == [404, 404]
    assert auth.post(f"/ledgers/exports/{job.uuid}/restart", page="/ledgers/").status_code == 404
    assert job.uuid not in client.get("/ledgers/").get_data(as_text=True)
    auth.logout()
    auth.login("shuji")  # a stranger: another branch's secretary who cannot see the temporary branch
    assert _export_part(auth, field, home, "/ledgers/").status_code == 404
    assert [client.get(u).status_code for u in urls] == [404, 404]
    auth.logout()
    auth.login(p[1].username)  # a plain member of the home branch
    assert [client.get(u).status_code for u in urls] == [404, 404]
    assert _jobs() == before


def test_committee_exports_a_summary_and_a_branch_secretary_cannot(world, client, tmp_path):  # noqa: F811
    _fill_the_year(world)
    committee, p = world["committee"], world["p"]
    auth = Auth(client)
    auth.login(p[0].username)  # 归档支部's secretary
    before = _jobs()
    assert auth.post(f"/ledgers/archives/{committee.id}/{YEAR}/summary/export", page="/ledgers/").status_code in (403, 404)
    assert _jobs() == before
    with pytest.raises(NotAllowed):
        jobs.request_export(committee, YEAR, "summary", p[0])
    auth.logout()
    auth.login("jiguan")
    page = f"/ledgers/archives/{committee.id}/{YEAR}/summary"
    assert f"{page}/export" in client.get(page).get_data(as_text=True)
    assert auth.post(f"{page}/export", page=page).status_code == 302
    job = _last_job()
    assert (job.org_id, job.kind, job.state, job.viewer_org_id) == (committee.id, "summary", "done", None)
    assert job.file_name == f"{committee.name}-{YEAR}年党支部台账汇总.pdf"
    text = _pdf_text(client, job, tmp_path)
    assert "各党支部归档情况" in text and "归档支部" in text and "空白支部" in text
    auth.logout()
    auth.login(p[0].username)
    assert client.get(f"/ledgers/exports/{job.uuid}").status_code == 404
    assert client.get(f"/ledgers/exports/{job.uuid}/download").status_code == 404
