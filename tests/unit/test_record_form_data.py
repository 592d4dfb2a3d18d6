from werkzeug.datastructures import MultiDict

from webapp.records.form_data import data_to_pairs, form_to_data, note_form_to_data


def test_members_listed_but_not_ticked_become_absentees_with_their_reason():
    form = MultiDict([
        ("occurred_on", "2026-11-20"), ("start_time", "09:00"), ("end_time", "10:30"),
        ("topic", " 学习党章 "), ("place", "项目部会议室"),
        ("roster_ids", "1"), ("roster_ids", "2"), ("roster_ids", "3"),
        ("attendee_ids", "1"), ("attendee_ids", "3"), ("attendee_ids", "3"),
        ("leave_reason_2", "出差"), ("leave_reason_1", "ignored: present"),
    ])
    data = form_to_data(form)
    assert data["topic"] == "学习党章"
    assert data["attendee_ids"] == ["1", "3"]
    assert data["absentees"] == [{"user_id": "2", "reason": "出差"}]


def test_outbox_pairs_parse_exactly_like_the_posted_form():
    pairs = [["topic", "主题党日"], ["theme_items", "recite_constitution"], ["theme_items", "pay_dues"],
             ["invited_name", "王工"], ["invited_note", "分包单位"], ["invited_name", " "],
             ["invited_note", ""], ["grade_7", "excellent"], ["grade_8", ""], ["photos", "a" * 64],
             ["host_id", ""]]
    data = form_to_data(pairs)
    assert data == form_to_data(MultiDict([tuple(p) for p in pairs]))
    assert data["theme_items"] == ["recite_constitution", "pay_dues"]
    assert data["invited"] == [{"name": "王工", "note": "分包单位"}]
    assert data["grades"] == {"7": "excellent"}
    assert data["host_id"] is None
    assert data["photos"] == ["a" * 64]


def test_saved_data_round_trips_through_form_pairs():
    saved = {"occurred_on": "2026-11-20", "start_time": "09:00", "end_time": "10:00", "topic": "党课",
             "place": "工地", "content": "", "host_id": 3, "attendee_ids": [1, 3],
             "absentees": [{"user_id": 2, "reason": "病假"}, {"user_id": 4, "reason": ""}],
             "invited": [{"name": "李工", "note": ""}], "grades": {"3": "qualified"}, "photos": []}
    again = form_to_data(data_to_pairs(saved))
    assert again["attendee_ids"] == ["1", "3"]
    assert again["absentees"] == [{"user_id": "2", "reason": "病假"}, {"user_id": "4", "reason": ""}]
    assert again["invited"] == [{"name": "李工", "note": ""}]
    assert again["grades"] == {"3": "qualified"}
    assert again["host_id"] == "3"


def test_note_form():
    assert note_form_to_data([["topic", " 二十大报告 "], ["noted_on", "2026-11-01"]]) == {
        "noted_on": "2026-11-01", "topic": "二十大报告", "text": "", "photo_sha256": ""}
