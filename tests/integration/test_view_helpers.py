"""The helpers every view shares (flashes read from the session, where the next page finds them): one way to load a row or 404, and one step for a button or a form
(call the service; a refusal is flashed or shown, nothing committed; done: commit, flash, redirect)."""
import pytest
from flask import session
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from webapp.domain_errors import Invalid, NotAllowed
from webapp.extensions import db
from webapp.models import Organization
from webapp.view_helpers import act, row_or_404, save_or_errors


def _org() -> Organization:
    org = Organization(kind="committee", name="视图辅助测试党委")
    db.session.add(org)
    db.session.commit()
    return org


def _names() -> list[str]:
    db.session.rollback()  # what was not committed is gone
    return list(db.session.scalars(select(Organization.name).order_by(Organization.id)))


def test_row_or_404_by_key_by_column_and_visibility(app):
    org = _org()
    with app.test_request_context("/"):
        assert row_or_404(Organization, org.id) is org
        assert row_or_404(Organization, where=(Organization.name == org.name,)) is org
        assert row_or_404(Organization, org.id, visible=lambda o: o.kind == "committee") is org
        with pytest.raises(NotFound):
            row_or_404(Organization, org.id + 1000)
        with pytest.raises(NotFound):
            row_or_404(Organization, where=(Organization.name == "没有这个组织",))
        with pytest.raises(NotFound):  # exists but not for this person: the same 404
            row_or_404(Organization, org.id, visible=lambda o: False)


def test_act_commits_and_flashes_when_done(app):
    org = _org()
    with app.test_request_context("/", method="POST"):

        def rename():
            org.name = "改名后的党委"
            return org

        response = act(rename, lambda o: f"已改名为 {o.name}", "/orgs/1")
        assert response.status_code == 302 and response.location == "/orgs/1"
        assert session.get("_flashes", []) == [("success", "已改名为 改名后的党委")]
    assert "改名后的党委" in _names()


@pytest.mark.parametrize("error", [Invalid({"name": "名称不能为空"}), NotAllowed("名称不能为空")])
def test_act_flashes_a_refusal_and_commits_nothing(app, error):
    org = _org()
    with app.test_request_context("/", method="POST"):

        def refuse():
            org.name = "不该保存的名称"
            raise error

        response = act(refuse, "不该出现", "/back")
        assert response.status_code == 302 and response.location == "/back"
        assert session.get("_flashes", []) == [("error", "名称不能为空")]
    assert "不该保存的名称" not in _names()


def test_save_or_errors_gives_the_form_its_errors_by_field(app):
    org = _org()
    with app.test_request_context("/", method="POST"):

        def refuse_fields():
            raise Invalid({"name": "名称不能为空", "kind": "类型无效"})

        assert save_or_errors(refuse_fields, "不该出现", lambda _: "/x") == (
            None, {"name": "名称不能为空", "kind": "类型无效"})

        def refuse_whole():
            raise NotAllowed("无权操作")

        assert save_or_errors(refuse_whole, "不该出现", lambda _: "/x", "name") == (None, {"name": "无权操作"})
        assert session.get("_flashes", []) == []

        saved, errors = save_or_errors(lambda: org, "已保存", lambda o: f"/orgs/{o.id}")
        assert errors == {} and saved.status_code == 302 and saved.location == f"/orgs/{org.id}"
        assert session.get("_flashes", []) == [("success", "已保存")]


def test_save_or_errors_rolls_back_what_a_refused_save_wrote_before_the_page_renders(app):
    """The form is shown again in the same request: a half-made row must not be flushed by a query
    the page runs (a list of the branch's rows, say), nor the changed name be shown as if saved."""
    org = _org()
    with app.test_request_context("/", method="POST"):

        def refuse_half_way():
            org.name = "不该保存的名称"
            db.session.add(Organization(kind="committee", name="半途写入的组织"))
            db.session.flush()
            raise Invalid({"name": "名称重复"})

        assert save_or_errors(refuse_half_way, "不该出现", lambda _: "/x")[0] is None
        shown = list(db.session.scalars(select(Organization.name).order_by(Organization.id)))
        assert "半途写入的组织" not in shown and "不该保存的名称" not in shown and org.name == "视图辅助测试党委"
