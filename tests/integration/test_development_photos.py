"""Documents of a 发展党员 step are content-addressed photos under the same check as everywhere: a step may
carry photos its recorder uploaded or may see, never another branch's; those who manage the branch (and
the person's home branch after a move) see them, a member of another branch does not."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from webapp.development import pipeline
from webapp.domain_errors import Invalid
from webapp.extensions import db
from webapp.models import Membership, Organization, User
from webapp.records import photo_access, photos
from webapp.roster import joining


def _png(color) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, "PNG")
    return buffer.getvalue()


def org(name):
    return db.session.scalar(select(Organization).where(Organization.name == name))


def test_step_documents_follow_the_photo_rules(app, demo):
    office, survey = org("办公室党支部"), org("水文测验处党支部")
    shuji, jiguan, dangyuan = demo["shuji"], demo["jiguan"], demo["dangyuan"]
    survey_secretary = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.org_id == survey.id, Membership.title == "secretary"))
    person = User(name="林晓东", phone="13800004444")
    db.session.add(person)
    db.session.flush()
    joining.join(office, person, {"relation": "home"}, shuji)
    own, _ = photos.store(_png((10, 20, 30)), shuji)
    foreign, _ = photos.store(_png((200, 20, 30)), survey_secretary)
    db.session.commit()
    day = (date.today() - timedelta(days=5)).isoformat()
    with pytest.raises(Invalid, match=photo_access.REFUSED_MESSAGE):
        pipeline.record_step(office, person, "application", {"done_on": day, "photos": [foreign.sha256]}, shuji)
    with pytest.raises(Invalid, match="照片标识格式不正确"):
        pipeline.record_step(office, person, "application", {"done_on": day, "photos": ["../etc/passwd"]}, shuji)
    db.session.rollback()
    pipeline.record_step(office, person, "application", {"done_on": day, "photos": [own.sha256]}, shuji)
    db.session.commit()
    assert photo_access.may_see(jiguan, own.sha256)           # the higher committee manages the branch
    assert not photo_access.may_see(dangyuan, own.sha256)     # a member of another branch
    assert not photo_access.may_see(survey_secretary, own.sha256)
    # The person moves to the survey branch: its secretary now keeps the file and sees its documents.
    from webapp.roster import members

    members.deactivate(joining.find_membership(person.id, office.id), shuji)
    joining.join(survey, person, {"relation": "home"}, jiguan)
    db.session.commit()
    assert photo_access.may_see(survey_secretary, own.sha256)
