"""Type-specific rules for saving a record, in one place.

``clean(org, type, raw, actor)`` turns form or sync input into the canonical version data, and
derives the columns lists and checklists use (duration, the theme-day standard from
``webapp/standards/theme_days.py``, the secretary's lecture). Every problem is reported at once, keyed
by field, in Chinese.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Iterable

from sqlalchemy import select

from ..china_time import china_datetime, china_today, cn_datetime
from ..extensions import db
from ..input_numbers import MAX_ROW_ID
from ..models import Membership, Organization, User
from ..domain_errors import Invalid
from ..rules.life import (
    COMMITTEE_MIN_SEATS, COMMITTEE_SEAT_TITLES, EVALUATION_GRADES, EVALUATION_STEPS,
    PHOTOS_PER_RECORD_MAX, RECORD_TYPES, SECRETARY_TITLES,
)
from ..standards import theme_days
from . import photo_access
from .expected import expected_for

SHA256 = re.compile(r"^[0-9a-f]{64}$")
RECTIFICATION_ITEMS_MAX = 50
TEXT_LIMITS = {"topic": 200, "place": 200, "content": 20000, "lecturer_name": 64,
               "rectification": 20000}


@dataclass
class Cleaned:
    data: dict
    occurred_on: date
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    meets_standard: bool | None
    standard_problems: list[str] = field(default_factory=list)
    is_secretary_lecture: bool = False


def branch_members(org: Organization) -> dict[int, Membership]:
    return {m.user_id: m for m in db.session.scalars(
        select(Membership).where(Membership.org_id == org.id, Membership.active.is_(True)))}


def has_committee(members: dict[int, Membership]) -> bool:
    seats = sum(1 for m in members.values() if m.title in COMMITTEE_SEAT_TITLES)
    return seats >= COMMITTEE_MIN_SEATS


def _int(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError
    number = int(value)
    if abs(number) > MAX_ROW_ID:
        raise ValueError("id out of range")
    return number


def _ids(values) -> list[int]:
    if values in (None, ""):
        return []
    if not isinstance(values, (list, tuple)):
        values = [values]
    return sorted({_int(v) for v in values if v not in (None, "")})


def _date(value) -> date | None:
    if isinstance(value, date):
        return value
    if not value:
        return None
    return date.fromisoformat(str(value))


def _time(value) -> time | None:
    if isinstance(value, time):
        return value
    if not value:
        return None
    text = str(value)
    return time.fromisoformat(text if len(text) > 5 else text.zfill(5))


def _text(raw: dict, key: str) -> str:
    value = raw.get(key)
    return "" if value is None else str(value).strip()


def clean(org: Organization, record_type: str, raw: dict, actor: User,
          *, today: date | None = None, members: dict[int, Membership] | None = None,
          attached: Iterable[str] = (), expected_memo: dict | None = None) -> Cleaned:
    """``members``: the branch's active members when the caller already read them (a sync batch
    cleans many records of one branch), ``expected_memo`` its ``expected_for`` answers so far (the
    batch changes no membership while it holds them). ``attached``: the photos the record carries already (an
    edit may keep them); any other photo must be one the actor uploaded or may see."""
    spec = _record_type(org, record_type)
    if members is None:
        members = branch_members(org)
    fields = _Fields(raw, members)
    occurred_on = _occurred_on(fields, today or china_today())
    start, end = _times(fields)
    data = _texts(fields)
    data.update(_people(fields, actor))
    data["photos"] = _photos(fields, actor, attached)
    data.update(_type_rules(fields, org, record_type, spec))
    if not fields.errors and data["absentees"]:
        data["absentees"] = _expected_absentees(org, record_type, occurred_on, data, members, expected_memo)
    if fields.errors:
        raise Invalid(fields.errors)
    return _cleaned(record_type, data, occurred_on, start, end, members)


class _Fields:
    """The raw input, the branch's members, and every problem found so far (keyed by field)."""

    def __init__(self, raw: dict, members: dict[int, Membership]):
        self.raw, self.members = raw, members
        self.errors: dict[str, str] = {}

    def member_ids(self, key: str, label: str) -> list[int]:
        try:
            ids = _ids(self.raw.get(key))
        except (TypeError, ValueError):
            self.errors[key] = f"{label}格式不正确"
            return []
        if any(i not in self.members for i in ids):
            self.errors[key] = f"{label}中有不属于本支部的人员，请作为“列席人员”填写"
        return ids

    def one_member(self, key: str, label: str) -> int | None:
        try:
            value = _int(self.raw.get(key))
        except (TypeError, ValueError):
            self.errors[key] = f"{label}格式不正确"
            return None
        if value is not None and value not in self.members:
            self.errors[key] = f"{label}必须是本支部人员"
        return value


def _record_type(org: Organization, record_type: str) -> dict:
    spec = RECORD_TYPES.get(record_type)
    if spec is None:
        raise Invalid({"type": "记录类型无效"})
    if org.kind != "branch":
        raise Invalid({"org": "只能在党支部下记录组织生活"})
    if org.is_closed:
        raise Invalid({"org": "该支部已撤销，不能新增或修改记录"})
    return spec


def _occurred_on(fields: _Fields, today: date) -> date | None:
    try:
        occurred_on = _date(fields.raw.get("occurred_on"))
    except ValueError:
        fields.errors["occurred_on"] = "日期格式不正确"
        return None
    if occurred_on is None:
        fields.errors["occurred_on"] = "请填写活动日期"
    elif occurred_on > today:
        fields.errors["occurred_on"] = "活动日期不能晚于今天（计划中的活动请在“活动安排”中发布）"
    return occurred_on


def _times(fields: _Fields) -> tuple[time | None, time | None]:
    errors = fields.errors
    try:
        start, end = _time(fields.raw.get("start_time")), _time(fields.raw.get("end_time"))
    except ValueError:
        errors["start_time"] = "时间格式不正确，请写成 09:00"
        return None, None
    if start is None:
        errors["start_time"] = "请填写开始时间"
    if end is None:
        errors["end_time"] = "请填写结束时间"
    elif start is not None and end <= start:
        errors["end_time"] = "结束时间应晚于开始时间"
    return start, end


def _texts(fields: _Fields) -> dict:
    data = {}
    for key, limit in TEXT_LIMITS.items():
        data[key] = _text(fields.raw, key)
        if len(data[key]) > limit:
            fields.errors[key] = f"内容过长（最多 {limit} 字）"
    if not data["topic"]:
        fields.errors["topic"] = "请填写主题"
    if not data["place"]:
        fields.errors["place"] = "请填写地点"
    return data


def _people(fields: _Fields, actor: User) -> dict:
    """Host, recorder (the actor by default, when a member), attendees, absentees and guests."""
    host_id = fields.one_member("host_id", "主持人")
    recorder_id = fields.one_member("recorder_id", "记录人")
    if recorder_id is None and actor.id in fields.members:
        recorder_id = actor.id
    attendees = fields.member_ids("attendee_ids", "出席人员")
    absentees = _absentees(fields)
    if set(attendees) & {a["user_id"] for a in absentees}:
        fields.errors["absentees"] = "同一人不能既出席又缺席"
    return {"host_id": host_id, "recorder_id": recorder_id,
            "attendee_ids": attendees, "absentees": absentees, "invited": _invited(fields)}


def _absentees(fields: _Fields) -> list[dict]:
    absentees = []
    for index, item in enumerate(fields.raw.get("absentees") or []):
        try:
            user_id = int(item.get("user_id"))
        except (TypeError, ValueError, AttributeError):
            fields.errors["absentees"] = f"第 {index + 1} 位缺席人员格式不正确"
            continue
        if user_id not in fields.members:
            fields.errors["absentees"] = "缺席人员必须是本支部人员"
        reason = str(item.get("reason") or "").strip()[:200]
        absentees.append({"user_id": user_id, "reason": reason})
    absentees.sort(key=lambda item: item["user_id"])
    return absentees


def _invited(fields: _Fields) -> list[dict]:
    invited = []
    for item in fields.raw.get("invited") or []:
        if not isinstance(item, dict):
            fields.errors["invited"] = "列席人员格式不正确"
            continue
        name = str(item.get("name") or "").strip()[:64]
        if name:
            invited.append({"name": name, "note": str(item.get("note") or "").strip()[:100]})
    return invited


def _photos(fields: _Fields, actor: User, attached: Iterable[str]) -> list[str]:
    photos = [str(p).lower() for p in (fields.raw.get("photos") or [])]
    if any(not SHA256.match(p) for p in photos):
        fields.errors["photos"] = "照片标识无效"
    if len(photos) > PHOTOS_PER_RECORD_MAX:
        fields.errors["photos"] = f"每条记录最多 {PHOTOS_PER_RECORD_MAX} 张照片"
    elif "photos" not in fields.errors and photo_access.refused(actor, photos, already=attached):
        fields.errors["photos"] = photo_access.REFUSED_MESSAGE
    return list(dict.fromkeys(photos))


def _type_rules(fields: _Fields, org: Organization, record_type: str, spec: dict) -> dict:
    """The fields one type of record has (the others keep their empty defaults)."""
    data: dict = {"group_id": None, "lecturer_id": None, "talk_with_ids": [], "theme_items": [],
                  "theme_forms": [], "evaluation_steps": [], "grades": {}}
    if spec.get("needs_committee") and not has_committee(fields.members):
        fields.errors["type"] = "本支部未设支委会（党员 7 人及以下只设书记），不能记录支委会"
    rules = _TYPE_RULES.get(record_type)
    if rules is not None:
        data.update(rules(fields, org))
    if record_type == "life_meeting" and fields.raw.get("rectification_items") is not None:
        data["rectification_items"] = _rectification_items(fields.raw.get("rectification_items"),
                                                           fields.members, fields.errors)
    return data


def _group_meeting(fields: _Fields, org: Organization) -> dict:
    try:
        group_id = _int(fields.raw.get("group_id"))
    except (TypeError, ValueError):
        group_id = None
    group = db.session.get(Organization, group_id) if group_id else None
    if group is None or group.parent_id != org.id or group.kind != "group":
        fields.errors["group_id"] = "请选择本支部的党小组"
    return {"group_id": group_id}


def _lecture(fields: _Fields, org: Organization) -> dict:
    lecturer_id = fields.one_member("lecturer_id", "授课人")
    if lecturer_id is None and not _text(fields.raw, "lecturer_name"):
        fields.errors["lecturer_id"] = "请填写授课人"
    return {"lecturer_id": lecturer_id}


def _theme_day(fields: _Fields, org: Organization) -> dict:
    items, forms = theme_days.ticked_items(fields.raw, fields.errors)
    return {"theme_items": items, "theme_forms": forms}


def _talk(fields: _Fields, org: Organization) -> dict:
    talk_with_ids = fields.member_ids("talk_with_ids", "谈话对象")
    if not talk_with_ids and "talk_with_ids" not in fields.errors:
        fields.errors["talk_with_ids"] = "请选择谈话对象"
    return {"talk_with_ids": talk_with_ids}


def _evaluation(fields: _Fields, org: Organization) -> dict:
    steps = [str(s) for s in (fields.raw.get("evaluation_steps") or [])]
    if any(s not in EVALUATION_STEPS for s in steps):
        fields.errors["evaluation_steps"] = "评议步骤无效"
    return {"evaluation_steps": [s for s in EVALUATION_STEPS if s in steps], "grades": _grades(fields)}


def _grades(fields: _Fields) -> dict[str, str]:
    grades = fields.raw.get("grades") or {}
    if not isinstance(grades, dict):
        fields.errors["grades"] = "评定结果格式不正确"
        return {}
    clean_grades = {}
    for user_id, grade in grades.items():
        try:
            uid = int(user_id)
        except (TypeError, ValueError):
            fields.errors["grades"] = "评定结果格式不正确"
            continue
        if uid not in fields.members or grade not in EVALUATION_GRADES:
            fields.errors["grades"] = "评定结果只能给本支部党员，等次为优秀、合格、基本合格或不合格"
            continue
        clean_grades[str(uid)] = grade
    return dict(sorted(clean_grades.items(), key=lambda kv: int(kv[0])))


_TYPE_RULES = {"group_meeting": _group_meeting, "lecture": _lecture, "theme_day": _theme_day,
               "talk": _talk, "evaluation": _evaluation}


def _expected_absentees(org: Organization, record_type: str, occurred_on: date, data: dict,
                        members: dict[int, Membership], memo: dict | None = None) -> list[dict]:
    """Absence counts only against those expected at this type of meeting: anyone else listed
    (activists, members the meeting does not concern, members in the field) sits in (列席)."""
    expected = expected_for(org, record_type, occurred_on, group_id=data["group_id"],
                            talk_with_ids=data["talk_with_ids"], members=list(members.values()), memo=memo)
    return [a for a in data["absentees"] if a["user_id"] in expected.expected_ids]


def _cleaned(record_type: str, data: dict, occurred_on: date, start: time, end: time,
             members: dict[int, Membership]) -> Cleaned:
    data["occurred_on"] = occurred_on.isoformat()
    data["start_time"] = start.strftime("%H:%M")
    data["end_time"] = end.strftime("%H:%M")
    starts_at, ends_at = china_datetime(occurred_on, start), china_datetime(occurred_on, end)
    duration = int((ends_at - starts_at).total_seconds() // 60)
    meets, problems = None, []
    if record_type == "theme_day":
        meets, problems = theme_days.meets_standard(duration, data["theme_items"])
    lecturer = members.get(data["lecturer_id"]) if data["lecturer_id"] else None
    return Cleaned(
        data=data, occurred_on=occurred_on, starts_at=starts_at, ends_at=ends_at,
        duration_minutes=duration, meets_standard=meets, standard_problems=problems,
        is_secretary_lecture=bool(lecturer and lecturer.title in SECRETARY_TITLES),
    )


def saved_before_end(record) -> str | None:
    """A warning, never a block: the record's current version was saved (on the phone when it came
    by sync, else on the server) before the meeting's end time, so the times may be planned rather
    than kept. The phone warns before saving (static/js/meeting.js); this says it on the record, to
    the recorder after saving and to the reviewer. None when the times are plausible."""
    version = record.current
    if version is None or record.ends_at is None:
        return None
    saved_at = version.client_recorded_at or version.created_at
    if saved_at is None or saved_at >= record.ends_at:
        return None
    return (f"提示：保存时会议还没有结束（结束时间 {cn_datetime(record.ends_at)}，保存于 {cn_datetime(saved_at)}），"
            "请核对开始和结束时间是否为实际时间")


def _rectification_items(raw, members: dict[int, Membership], errors: dict[str, str]) -> list[dict]:
    """A 组织生活会's 整改清单 as rows that become 整改台账 items (webapp/standards/rectification.py)."""
    if not isinstance(raw, list) or len(raw) > RECTIFICATION_ITEMS_MAX:
        errors["rectification_items"] = f"整改清单格式不正确（最多 {RECTIFICATION_ITEMS_MAX} 条）"
        return []
    items = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            errors["rectification_items"] = f"整改清单第 {index} 条格式不正确"
            continue
        description = str(item.get("description") or "").strip()
        if not description:
            continue
        measure = str(item.get("measure") or "").strip()
        if len(description) > 500 or len(measure) > 2000:
            errors["rectification_items"] = f"整改清单第 {index} 条内容过长（问题最多 500 字，措施最多 2000 字）"
        try:
            responsible = _int(item.get("responsible_id"))
        except (TypeError, ValueError):
            responsible = None
            errors["rectification_items"] = f"整改清单第 {index} 条责任人格式不正确"
        if responsible is not None and responsible not in members:
            errors["rectification_items"] = f"整改清单第 {index} 条责任人必须是本支部人员"
        try:
            deadline = _date(item.get("deadline"))
        except (TypeError, ValueError):
            deadline = None
            errors["rectification_items"] = f"整改清单第 {index} 条整改期限格式不正确"
        items.append({"description": description, "measure": measure, "responsible_id": responsible,
                      "deadline": deadline.isoformat() if deadline else None})
    return items
