"""Derived ledgers a secretary can trust (issue 15, part C): dues owed by members only, arrears that
carry across years with the 自行脱党 alert, a theme day's payments entered once, 代收 into the home
ledger; one meeting one record (duplicates flagged and merged); 整改清单 items in the 整改台账."""
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select

from tests.records_helpers import FIELD_BRANCH, member_ids, org_named, theme_day_data
from webapp.china_time import china_today
from webapp.dues import alerts as dues_alerts
from webapp.dues import payment_form as dues_offline
from webapp.dues import service as dues
from webapp.extensions import db
from webapp.models import DuesPayment, Membership, PointsLine, Problem, Record, StandardMonthCount, User
from webapp.records import duplicates, queries
from webapp.records import service as records
from webapp.domain_errors import Invalid
from webapp.records.errors import RecordLocked

OFFICE = "办公室党支部"


def _member(org, category: str, relation: str = "home", untitled: bool = True) -> User:
    query = (select(Membership).join(User, Membership.user_id == User.id)
             .where(Membership.org_id == org.id, Membership.active.is_(True), Membership.relation == relation,
                    User.category == category).order_by(Membership.id))
    if untitled:
        query = query.where(Membership.title.is_(None))
    membership = db.session.scalars(query).first()
    assert membership is not None, f"demo has no {category} in {org.name}"
    return membership.user


def _activist_anywhere() -> tuple:
    membership = db.session.scalars(select(Membership).join(User, Membership.user_id == User.id).where(
        User.category == "activist", Membership.relation == "home", Membership.active.is_(True))
        .order_by(Membership.id)).first()
    return membership.org, membership.user


# --- dues: who owes ------------------------------------------------------------------------------

def test_an_activist_owes_nothing_and_is_never_in_arrears(client, auth, demo):
    org, activist = _activist_anywhere()
    with pytest.raises(Invalid) as error:
        dues.set_profile(org, activist, demo["shuji"], category="salaried", base="6000")
    assert "入党积极分子" in error.value.errors["category"]
    rows = dues.branch_year(org, china_today().year)
    assert activist.id not in {r.user.id for r in rows}
    assert dues.ledger_totals(rows)["arrears"] == sum(r.arrears_fen for r in rows)
    with pytest.raises(Invalid) as error:
        dues.record_payment(org, {"user_id": activist.id, "month": china_today().strftime("%Y-%m"),
                                  "amount": "10"}, demo["jiguan"])
    assert "不交纳党费" in error.value.errors["user_id"]
    assert activist.id not in {a.user.id for a in dues_alerts.member_dues_alerts(org, china_today())}
    assert dues.member_arrears(activist) == []


# --- dues: arrears across a year end and the 自行脱党 alert ------------------------------------------

def _unpaid_since_october(demo):
    """A full member of the office branch whose ledger starts in June 2025 and who paid June–September."""
    org = org_named(OFFICE)
    member = _member(org, "full")
    dues.set_profile(org, member, demo["shuji"], category="salaried", base="4000", since_month="2025-06")
    db.session.execute(delete(DuesPayment).where(DuesPayment.user_id == member.id))
    for month in ("2025-06", "2025-07", "2025-08", "2025-09"):
        dues.record_payment(org, {"user_id": member.id, "month": month, "amount": "40", "paid_on": "2025-09-20"},
                            demo["shuji"])
    db.session.commit()
    return org, member


def test_six_months_unpaid_across_a_year_end_is_alerted_and_three_are_warned(client, auth, demo):
    org, member = _unpaid_since_october(demo)

    def alert_for(today):
        return next((a for a in dues_alerts.member_dues_alerts(org, today) if a.user.id == member.id), None)

    assert alert_for(date(2025, 12, 10)) is None  # October and November: two months
    warning = alert_for(date(2026, 1, 10))
    assert warning.level == "warning" and warning.months == ["2025-10", "2025-11", "2025-12"]
    serious = alert_for(date(2026, 4, 10))
    assert serious.level == "serious"
    assert serious.months == ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
    # The ledger of the new year still shows last year's unpaid months: arrears do not restart in January.
    row = next(r for r in dues.branch_year(org, 2026, date(2026, 4, 10)) if r.user.id == member.id)
    assert row.earlier_arrears == ["2025-10", "2025-11", "2025-12"]
    assert row.arrears_fen == 40_00 * 7  # October to April
    # The member sees the same run in their own dues.
    [(_org, own)] = dues.member_arrears(member, date(2026, 4, 10))
    assert own.unpaid_run == serious.months
    # Paying March ends the run of unpaid months.
    dues.record_payment(org, {"user_id": member.id, "month": "2026-03", "amount": "40", "paid_on": "2026-03-20"},
                        demo["shuji"])
    assert alert_for(date(2026, 4, 10)) is None
    # The secretary sees it where the non-participation alerts are listed.
    auth.login("shuji")
    html = client.get(f"/standards/{org.id}/alerts").get_data(as_text=True)
    assert "党员交纳党费提醒" in html and member.name in html and "严重（6 个月）" in html


# --- dues: a theme day's payments, entered once ----------------------------------------------------

def test_a_theme_days_payments_are_entered_once_and_the_item_derives_from_them(client, auth, demo):
    org = org_named(OFFICE)
    day = china_today() - timedelta(days=1)
    month = day.strftime("%Y-%m")
    db.session.execute(delete(DuesPayment).where(DuesPayment.org_id == org.id, DuesPayment.month == month))
    data = theme_day_data(org, occurred_on=day.isoformat(), theme_items=["recite_constitution", "collective_study"])
    record = records.create_record(org, "theme_day", data, demo["jiguan"])
    records.approve(record, demo["shuji"])
    db.session.commit()
    assert record.meets_standard is False and "缺少必备内容：交纳当月党费" in record.standard_problems
    present = {a.user_id for a in record.attendances if a.status == "present"}
    owing = {u.id for u in db.session.scalars(select(User).where(User.id.in_(present)))
             if u.category in ("full", "probationary")}
    assert owing

    auth.login("shuji")
    page = client.get(f"/records/{record.uuid}").get_data(as_text=True)
    assert "登记本次党费" in page
    screen = client.get(f"/dues/theme-day/{record.uuid}")
    assert screen.status_code == 200
    form = {"paid_ids": sorted(owing)}
    response = auth.post(f"/dues/theme-day/{record.uuid}", form, page=f"/dues/theme-day/{record.uuid}")
    assert response.status_code == 302
    payments = list(db.session.scalars(select(DuesPayment).where(DuesPayment.record_id == record.id)))
    assert {p.user_id for p in payments} == owing
    assert {p.month for p in payments} == {month} and {p.org_id for p in payments} == {org.id}
    db.session.refresh(record)
    assert record.meets_standard is True and record.standard_problems == []
    ok = db.session.scalar(select(StandardMonthCount.count).where(
        StandardMonthCount.org_id == org.id, StandardMonthCount.month == month,
        StandardMonthCount.key == "theme_day_ok"))
    assert ok and ok >= 1
    from webapp.standards import summaries

    summaries.rebuild([org.id])  # the full recount derives the item from the ledger the same way
    assert db.session.scalar(select(StandardMonthCount.count).where(
        StandardMonthCount.org_id == org.id, StandardMonthCount.month == month,
        StandardMonthCount.key == "theme_day_ok")) == ok
    rows = {r.user.id: r for r in dues.branch_year(org, day.year, china_today())}
    assert all(rows[uid].months[month] is not None for uid in owing)
    # Sent again: nothing is entered twice.
    auth.post(f"/dues/theme-day/{record.uuid}", form, page=f"/dues/theme-day/{record.uuid}")
    assert db.session.scalar(select(func.count()).select_from(DuesPayment).where(
        DuesPayment.org_id == org.id, DuesPayment.month == month)) == len(owing)


# --- dues: 代收 by a temporary branch --------------------------------------------------------------

def test_a_temporary_branch_collects_into_the_home_ledger(client, auth, demo):
    temp = org_named(FIELD_BRANCH)
    member = _member(temp, "full", relation="temporary")
    home = next(m.org for m in db.session.scalars(select(Membership).where(
        Membership.user_id == member.id, Membership.relation == "home")))
    month = f"{china_today().year - 1}-12"
    db.session.execute(delete(DuesPayment).where(DuesPayment.user_id == member.id, DuesPayment.month == month))
    payment = dues.record_payment(temp, {"user_id": member.id, "month": month, "amount": "50"}, demo["linshi"])
    db.session.commit()
    assert payment.org_id == home.id and payment.collected_by_org_id == temp.id
    assert member.id not in {r.user.id for r in dues.branch_year(temp, china_today().year - 1)}
    # The offline outbox takes the same path: a payment queued in the temporary branch lands at home.
    queued = dues_offline.apply_payment(demo["linshi"], "33333333-2222-4333-8444-555555555555", {"fields": [
        ["org_id", str(temp.id)], ["user_id", str(member.id)], ["month", f"{china_today().year - 1}-11"],
        ["amount", "50"], ["paid_on", china_today().isoformat()], ["channel", "cash"]]})
    assert queued.org_id == home.id and queued.collected_by_org_id == temp.id
    db.session.commit()
    # The temporary branch lists what it collected; the home ledger marks the month 代收.
    auth.login("linshi")
    page = client.get(f"/dues/{temp.id}?year={china_today().year - 1}").get_data(as_text=True)
    assert "本支部代收的党费" in page and member.name in page and home.name in page
    auth.logout()
    auth.login("jiguan")
    page = client.get(f"/dues/{home.id}?year={china_today().year - 1}").get_data(as_text=True)
    assert f"{temp.name}代收" in page


# --- one meeting, one record ------------------------------------------------------------------------

def _push_from_phone(client, auth, login: str, record: dict) -> str:
    from tests.sync_helpers import Phone, register

    phone = Phone(client, register(client, auth, login))
    rid = str(uuid.uuid4())
    [result] = phone.push(phone.mutation("record", record, target=rid))["results"]
    assert result["status"] == "applied", result
    auth.logout()
    return rid


def test_the_same_meeting_from_two_phones_is_flagged_merged_and_counted_once(client, auth, demo):
    org = org_named(FIELD_BRANCH)
    ids = member_ids(org)
    day = (china_today() - timedelta(days=1)).isoformat()
    sha_a, sha_b = "a" * 64, "b" * 64
    first = theme_day_data(org, occurred_on=day, attendee_ids=ids[:3], absentees=[{"user_id": ids[4], "reason": ""}],
                           photos=[sha_a], topic="主题党日（手机甲）")
    second = theme_day_data(org, occurred_on=day, attendee_ids=ids[2:5], absentees=[], photos=[sha_b],
                            topic="主题党日（手机乙）", invited=[])
    uuid_a = _push_from_phone(client, auth, "dangyuan", {"data": first, "org_id": org.id, "type": "theme_day"})
    uuid_b = _push_from_phone(client, auth, "jiguan", {"data": second, "org_id": org.id, "type": "theme_day"})
    a = db.session.scalar(select(Record).where(Record.uuid == uuid_a))
    b = db.session.scalar(select(Record).where(Record.uuid == uuid_b))

    # Online, the record form warns before a third copy is saved.
    auth.login("linshi")
    warning = client.get(f"/records/new/{org.id}/theme_day/duplicates?occurred_on={day}",
                         headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "可能与已有记录重复" in warning and uuid_a in warning and uuid_b in warning
    assert "可能与已有记录重复" not in client.get(
        f"/records/new/{org.id}/theme_day/duplicates?occurred_on=2020-01-01").get_data(as_text=True)
    # Review shows the pair, side by side.
    review = client.get("/records/review").get_data(as_text=True)
    assert f"/records/{uuid_a}/duplicates/{uuid_b}" in review
    compare = client.get(f"/records/{uuid_a}/duplicates/{uuid_b}").get_data(as_text=True)
    assert "主题党日（手机甲）" in compare and "主题党日（手机乙）" in compare and "合并" in compare

    # Both approved before anyone noticed: the member present on both is counted twice.
    records.approve(a, demo["linshi"])
    records.approve(b, demo["linshi"])
    db.session.commit()
    both = ids[2]

    def task_lines(user_id):
        return db.session.scalar(select(func.count()).select_from(PointsLine).where(
            PointsLine.user_id == user_id, PointsLine.record_id.in_([a.id, b.id]), PointsLine.bucket == "task"))

    assert task_lines(both) == 2
    month = day[:7]

    def theme_days_counted():
        return db.session.scalar(select(StandardMonthCount.count).where(
            StandardMonthCount.org_id == org.id, StandardMonthCount.month == month,
            StandardMonthCount.key == "theme_day")) or 0

    counted_before = theme_days_counted()

    response = auth.post(f"/records/{uuid_a}/merge", {"other": uuid_b}, page=f"/records/{uuid_a}/duplicates/{uuid_b}")
    assert response.status_code == 302
    db.session.expire_all()
    a, b = db.session.get(Record, a.id), db.session.get(Record, b.id)
    assert b.merged_into_id == a.id and b.state == "merged" and b.approved_version is None
    assert {x.user_id for x in a.attendances if x.status == "present"} == set(ids[:5])
    assert {p.sha256 for p in a.photos} == {sha_a, sha_b}
    assert a.state == "approved" and a.approved_version == a.version
    kept = [v for v in a.versions if v.kind == "merged"]
    assert len(kept) == 1 and kept[0].data["topic"] == "主题党日（手机乙）"
    assert [v.data["topic"] for v in a.versions if v.kind == "edit"][0] == "主题党日（手机甲）"
    assert b.versions and b.versions[0].data["topic"] == "主题党日（手机乙）"  # the other record keeps its own
    # Attendance and points count once.
    assert task_lines(both) == 1
    assert db.session.scalar(select(func.count()).select_from(PointsLine).where(
        PointsLine.record_id == b.id)) == 0
    assert {x.user_id for x in db.session.scalars(select(PointsLine).where(
        PointsLine.record_id == a.id, PointsLine.bucket == "task"))} == set(ids[:5])
    assert theme_days_counted() == counted_before - 1
    assert (a.id, b.id) not in {(x.id, y.id) for x, y in duplicates.pairs_for_review(demo["linshi"])}
    member = db.session.get(User, both)
    rows = [r for r in queries.attendance_history(member) if r.record_id in (a.id, b.id)]
    assert queries.attendance_summary(rows)["present"] == 1
    # The merged-away record is read-only; an edit goes to the kept one.
    with pytest.raises(RecordLocked):
        records.revise_record(b, second, demo["linshi"], base_version=b.version)
    html = client.get(f"/records/{uuid_b}").get_data(as_text=True)
    assert "已合并到" in html and uuid_a in html


# --- 组织生活会: the 整改清单 enters the 整改台账 --------------------------------------------------------

def test_a_life_meetings_rectification_items_appear_in_the_ledger_and_close_there(client, auth, demo):
    org = org_named(OFFICE)
    ids = [str(i) for i in member_ids(org)]
    responsible = ids[1]
    deadline = (china_today() + timedelta(days=60)).isoformat()
    auth.login("jiguan")
    assert "整改清单" in client.get(f"/records/new/{org.id}/life_meeting").get_data(as_text=True)
    response = auth.post(f"/records/new/{org.id}/life_meeting", {
        "occurred_on": (china_today() - timedelta(days=1)).isoformat(), "start_time": "14:00", "end_time": "17:00",
        "place": "机关三楼会议室", "topic": "年度组织生活会", "content": "批评与自我批评。",
        "roster_ids": ids, "attendee_ids": ids,
        "rect_description": ["理论学习不够系统", "", "联系群众不够紧密"],
        "rect_measure": ["制定季度学习计划，每月集中学习一次", "", "每名党员联系两户群众"],
        "rect_responsible_id": [responsible, "", ids[2]],
        "rect_deadline": [deadline, "", ""],
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    record = db.session.scalar(select(Record).where(Record.org_id == org.id, Record.type == "life_meeting")
                               .order_by(Record.id.desc()))
    items = record.current.data["rectification_items"]
    assert [i["description"] for i in items] == ["理论学习不够系统", "联系群众不够紧密"]
    assert items[0] == {"description": "理论学习不够系统", "measure": "制定季度学习计划，每月集中学习一次",
                        "responsible_id": int(responsible), "deadline": deadline}
    assert not db.session.scalars(select(Problem).where(Problem.record_id == record.id)).all()
    auth.logout()

    records.approve(record, demo["shuji"])
    db.session.commit()
    problems = {p.description: p for p in db.session.scalars(select(Problem).where(Problem.record_id == record.id))}
    assert set(problems) == {"理论学习不够系统", "联系群众不够紧密"}
    first = problems["理论学习不够系统"]
    assert first.org_id == org.id and first.measure == "制定季度学习计划，每月集中学习一次"
    assert first.responsible_id == int(responsible) and first.deadline.isoformat() == deadline
    assert first.state == "open" and first.found_on == record.occurred_on

    auth.login("shuji")
    ledger = client.get(f"/standards/{org.id}/problems").get_data(as_text=True)
    assert "理论学习不够系统" in ledger and f"/records/{record.uuid}" in ledger
    response = auth.post(f"/standards/problems/{first.uuid}/close", {"evidence": "已制定并执行学习计划"},
                         page=f"/standards/{org.id}/problems")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Problem, first.id).state == "closed"
    detail = client.get(f"/records/{record.uuid}").get_data(as_text=True)
    assert "整改台账：已销号" in detail and "整改台账：整改中" in detail
    # Approving again after a correction does not enter the items twice, nor reopen a closed one.
    from webapp.records.form_data import data_to_pairs, form_to_data
    from werkzeug.datastructures import MultiDict

    data = form_to_data(MultiDict(data_to_pairs(record.current.data)))
    data["topic"] = "年度组织生活会（更正）"
    records.revise_record(record, data, demo["jiguan"], base_version=record.version)
    records.approve(record, demo["shuji"])
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Problem).where(Problem.record_id == record.id)) == 2
    assert db.session.get(Problem, first.id).state == "closed"


def test_a_phones_check_in_to_a_merged_away_record_counts_on_the_kept_one(client, auth, demo):
    from tests.sync_helpers import Phone, register

    org = org_named(FIELD_BRANCH)
    me = demo["dangyuan"].id
    others = [i for i in member_ids(org) if i != me]
    day = (china_today() - timedelta(days=1)).isoformat()
    a = records.create_record(org, "theme_day", theme_day_data(org, occurred_on=day, attendee_ids=others[:2],
                                                               absentees=[]), demo["jiguan"])
    b = records.create_record(org, "theme_day", theme_day_data(org, occurred_on=day, attendee_ids=others[2:4],
                                                               absentees=[]), demo["linshi"])
    db.session.commit()
    duplicates.merge(a, b, demo["linshi"])
    db.session.commit()
    # The phone still knows only the other record (it synced before the merge) and checks in to it.
    phone = Phone(client, register(client, auth, "dangyuan"))
    [result] = phone.push(phone.mutation("check_in", {}, target=b.uuid))["results"]
    assert result["status"] == "applied"
    db.session.expire_all()
    kept = db.session.get(Record, a.id)
    assert me in {c.user_id for c in kept.check_ins}
    assert {x.user_id for x in kept.attendances if x.status == "present"} == set(others[:4]) | {me}
    assert not db.session.get(Record, b.id).check_ins


def test_a_new_dues_base_starts_the_ledger_this_month_not_years_back(demo):
    org = org_named(OFFICE)
    member = _member(org, "full")
    db.session.execute(delete(DuesPayment).where(DuesPayment.user_id == member.id))
    profile = dues.profile_for(org, member.id)
    db.session.delete(profile)
    db.session.flush()
    dues.set_profile(org, member, demo["shuji"], category="salaried", base="4000")
    row = next(r for r in dues.branch_year(org, china_today().year) if r.user.id == member.id)
    assert row.start_month == china_today().strftime("%Y-%m") and row.arrears == [row.start_month]
    # Naming an earlier 起缴月份 carries the arrears back across the year end.
    earlier = f"{china_today().year - 1}-11"
    dues.set_profile(org, member, demo["shuji"], category="salaried", base="4000", since_month=earlier)
    row = next(r for r in dues.branch_year(org, china_today().year) if r.user.id == member.id)
    assert row.arrears[0] == earlier and len(row.arrears) == 12 + china_today().month - 11 + 1
    # Left blank later, it stays as it was.
    dues.set_profile(org, member, demo["shuji"], category="salaried", base="4500", since_month="")
    assert dues.profile_for(org, member.id).since_month == earlier
