"""The reconciliation core on an in-memory store: applied, duplicate, conflict, rejected,
sequence checks, crash mid-batch and retry convergence."""
import uuid
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync import (
    APPLIED, CONFLICT, DUPLICATE, MAX_NUMBER, REJECTED, Applied, Mutation, MutationInvalid, Processor, Race,
    Rejected, fingerprint, process_batch,
)
from sync.fingerprint import legacy_fingerprint
from sync.memory import MemoryStore


class Boom(RuntimeError):
    pass


def record_handler(data: dict, m: Mutation) -> Applied:
    """Create or compare-and-swap edit; a conflicting edit is kept apart; approved = locked."""
    if m.payload.get("explode"):
        raise Boom("server crashed mid-mutation")
    if m.payload.get("topic") == "":
        raise Rejected("invalid", "请填写主题", {"topic": "请填写主题"}, org_id=7)
    rec = data.get(m.target)
    if rec is None:
        data[m.target] = {"version": 1, "versions": [dict(m.payload)], "conflicts": [], "approved": False,
                          "check_ins": set()}
        return Applied(target=m.target, version=1)
    if m.base_version is None:  # a create resent under another mutation id
        if rec["versions"][0] == m.payload:
            return Applied(status=DUPLICATE, target=m.target, version=rec["version"])
        rec["conflicts"].append(dict(m.payload))
        return Applied(status=CONFLICT, target=m.target, version=rec["version"])
    if rec["approved"] or m.base_version != rec["version"]:
        rec["conflicts"].append(dict(m.payload))
        return Applied(status=CONFLICT, target=m.target, version=rec["version"])
    rec["versions"].append(dict(m.payload))
    rec["version"] += 1
    return Applied(target=m.target, version=rec["version"])


def check_in_handler(data: dict, m: Mutation) -> Applied:
    rec = data.get(m.target)
    if rec is None:
        raise Rejected("not_found", "记录不存在")
    rec["check_ins"].add(m.payload["user"])
    return Applied(target=m.target, version=rec["version"])


HANDLERS = {"record": record_handler, "check_in": check_in_handler}


def store() -> MemoryStore:
    return MemoryStore(HANDLERS)


def mut(seq, entity="record", target=None, base=None, mid=None, **payload) -> Mutation:
    return Mutation(id=mid or str(uuid.uuid4()), seq=seq, entity=entity, target=target or REC,
                    base_version=base, payload=payload or {"topic": "主题党日"})


REC = str(uuid.uuid4())
OTHER = str(uuid.uuid4())


def test_apply_then_identical_resend_is_duplicate():
    s = store()
    m = mut(1)
    [first] = process_batch(s, "d1", [m])
    [again] = process_batch(s, "d1", [m])
    assert first.status == APPLIED and first.version == 1
    assert again.status == DUPLICATE and again.version == 1 and again.extra["first_status"] == APPLIED
    assert len(s.state["data"][REC]["versions"]) == 1


def test_same_id_with_different_content_is_a_conflict_and_changes_nothing():
    s = store()
    m = mut(1)
    process_batch(s, "d1", [m])
    changed = Mutation(id=m.id, seq=1, entity="record", target=REC, payload={"topic": "别的"})
    [out] = process_batch(s, "d1", [changed])
    assert out.status == CONFLICT and out.code == "id_reused"
    assert s.state["data"][REC]["versions"] == [{"topic": "主题党日"}]


def test_a_marker_fingerprinted_by_python_json_still_knows_its_identical_resend():
    """Markers stored before orjson hold json.dumps's fingerprint, which writes a float's negative
    exponent as 1e-07 where orjson writes 1e-7: an identical resend is still a duplicate."""
    s = store()
    m = mut(1, topic="主题党日", share=1e-07)
    process_batch(s, "d1", [m])
    [marker] = s.state["processed"].values()
    assert marker.fingerprint == fingerprint(m) != legacy_fingerprint(m)
    s.state["processed"][m.id] = replace(marker, fingerprint=legacy_fingerprint(m))
    [again] = process_batch(s, "d1", [m])
    assert again.status == DUPLICATE
    changed = Mutation(id=m.id, seq=1, entity="record", target=REC, payload={"topic": "主题党日", "share": 1e-06})
    assert process_batch(s, "d1", [changed])[0].status == CONFLICT


def test_edit_on_old_base_is_kept_as_conflict():
    s = store()
    process_batch(s, "d1", [mut(1), mut(2, base=1, topic="第二版")])
    [out] = process_batch(s, "d2", [mut(1, base=1, topic="另一台手机")])
    assert out.status == CONFLICT and out.version == 2
    assert s.state["data"][REC]["conflicts"] == [{"topic": "另一台手机"}]


def test_rejected_is_marked_processed_quarantined_and_does_not_block():
    s = store()
    bad = mut(1, topic="")
    outs = process_batch(s, "d1", [bad, mut(2)])
    assert [o.status for o in outs] == [REJECTED, APPLIED]
    assert outs[0].fields == {"topic": "请填写主题"} and outs[0].code == "invalid"
    assert len(s.state["quarantine"]) == 1 and s.state["quarantine"][0][1].id == bad.id
    [again] = process_batch(s, "d1", [bad])
    assert again.status == DUPLICATE and again.extra["first_status"] == REJECTED
    assert len(s.state["quarantine"]) == 1


def test_batch_processed_in_sequence_order_and_gaps_reported():
    s = store()
    outs = process_batch(s, "d1", [mut(3, base=1, topic="二"), mut(1)])
    assert [(o.seq, o.status) for o in outs] == [(1, APPLIED), (3, APPLIED)]
    assert outs[1].extra == {"gap": 1}
    assert s.state["last_seq"]["d1"] == 3


def test_a_late_mutation_never_processed_is_applied_and_said_to_be_out_of_order():
    # Two tabs, or an outbox export restored: seq 2 arrives after seq 5 of the same device.
    s = store()
    late_edit = mut(2, base=1, topic="二")
    process_batch(s, "d1", [mut(1), mut(5, target=OTHER)])
    [out] = process_batch(s, "d1", [late_edit])
    assert out.status == APPLIED and out.version == 2
    assert out.extra == {"out_of_order": True, "last_seq": 5}
    assert s.state["data"][REC]["version"] == 2 and s.state["last_seq"]["d1"] == 5  # never lowered
    # Idempotency comes from the id: the same late mutation again is a duplicate, not a second edit.
    [again] = process_batch(s, "d1", [late_edit])
    assert again.status == DUPLICATE and again.extra["out_of_order"] is True
    assert s.state["data"][REC]["version"] == 2


def test_a_late_mutation_still_meets_the_conflict_rules():
    s = store()
    process_batch(s, "d1", [mut(1), mut(3, base=1, topic="三")])
    [out] = process_batch(s, "d1", [mut(2, base=1, topic="二")])  # edited the same base, arrived late
    assert out.status == CONFLICT and out.extra["out_of_order"] is True
    assert s.state["data"][REC]["version"] == 2 and s.state["data"][REC]["conflicts"] == [{"topic": "二"}]
    [bad] = process_batch(s, "d1", [mut(1, topic="")])
    assert bad.status == REJECTED and bad.code == "invalid" and bad.extra["out_of_order"] is True


def test_sequences_are_per_device():
    s = store()
    process_batch(s, "d1", [mut(1)])
    other = str(uuid.uuid4())
    [out] = process_batch(s, "d2", [mut(1, target=other)])
    assert out.status == APPLIED


def test_check_ins_merge_as_a_set():
    s = store()
    process_batch(s, "d1", [mut(1)])
    outs = process_batch(s, "d2", [mut(1, "check_in", user=5), mut(2, "check_in", user=5),
                                   mut(3, "check_in", user=6)])
    assert [o.status for o in outs] == [APPLIED] * 3
    assert s.state["data"][REC]["check_ins"] == {5, 6}


def test_crash_mid_batch_keeps_earlier_and_rolls_back_the_failing_one_then_retry_converges():
    s = store()
    a, b = mut(1), mut(2, base=1, topic="二")
    crash = Mutation(id=str(uuid.uuid4()), seq=3, entity="record", target=REC, base_version=2,
                     payload={"topic": "三", "explode": True})
    with pytest.raises(Boom):
        process_batch(s, "d1", [a, b, crash])
    assert s.state["data"][REC]["version"] == 2 and s.state["last_seq"]["d1"] == 2
    assert crash.id not in s.state["processed"]
    fixed = Mutation(id=crash.id, seq=3, entity="record", target=REC, base_version=2, payload={"topic": "三"})
    outs = process_batch(s, "d1", [a, b, fixed])
    assert [o.status for o in outs] == [DUPLICATE, DUPLICATE, APPLIED]
    assert s.state["data"][REC]["version"] == 3


def test_a_batch_commits_once_with_all_its_markers():
    s = store()
    outs = process_batch(s, "d1", [mut(1), mut(2, base=1, topic="二"), mut(3, "check_in", user=5)])
    assert [o.status for o in outs] == [APPLIED, APPLIED, APPLIED]
    assert s.commits == 1 and s.state["last_seq"]["d1"] == 3 and len(s.state["processed"]) == 3


def test_a_rejected_mutation_leaves_no_trace_of_what_its_handler_wrote_first():
    def half_then_reject(data, m):
        data.setdefault("half", []).append(m.id)
        raise Rejected("invalid", "内容不完整", org_id=7)

    for crash_later in (False, True):  # within the one-transaction batch, and one by one after a fault
        s = MemoryStore({**HANDLERS, "note": half_then_reject})
        batch = [mut(1), mut(2, "note")]
        if crash_later:
            batch.append(Mutation(id=str(uuid.uuid4()), seq=3, entity="record", target=REC, base_version=1,
                                  payload={"explode": True}))
            with pytest.raises(Boom):
                process_batch(s, "d1", batch)
        else:
            process_batch(s, "d1", batch)
        assert "half" not in s.state["data"]
        assert s.state["processed"][batch[1].id].outcome.status == REJECTED
        assert len(s.state["quarantine"]) == 1 and REC in s.state["data"]


class RacingStore(MemoryStore):
    """Another request commits the same keys first: the batch's one transaction fails at commit."""

    def __init__(self, handlers):
        super().__init__(handlers)
        self.raced = False

    def batch(self, mutations):
        from contextlib import contextmanager

        @contextmanager
        def losing():
            with self.transaction():
                yield
                if not self.raced:
                    self.raced = True
                    raise Race("uq_sync_processed_mutation_id")
        return losing()


def test_a_batch_that_loses_a_race_is_redone_one_by_one():
    s = RacingStore(HANDLERS)
    processor = Processor(s, "d1")
    outs = processor.process([mut(1), mut(2, base=1, topic="二")])
    assert [o.status for o in outs] == [APPLIED, APPLIED] and processor.redone_because == "race"
    assert s.raced and s.commits == 2 and s.state["data"][REC]["version"] == 2


def test_fingerprint_ignores_key_order_and_transport_fields():
    one = Mutation(id=str(uuid.uuid4()), seq=1, entity="record", payload={"a": 1, "b": [1, "二"]})
    two = Mutation(id=one.id, seq=9, entity="record", payload={"b": [1, "二"], "a": 1}, client_at="x")
    three = Mutation(id=one.id, seq=1, entity="record", payload={"a": 2, "b": [1, "二"]})
    assert fingerprint(one) == fingerprint(two) != fingerprint(three)


def test_envelope_validation_in_chinese():
    with pytest.raises(MutationInvalid) as error:
        Mutation.from_json({"id": "nope", "seq": 0, "entity": "", "payload": [], "base_version": True})
    assert set(error.value.fields) == {"id", "seq", "entity", "payload", "base_version"}
    ok = Mutation.from_json({"id": REC.upper(), "seq": 1, "entity": "record", "payload": {}})
    assert ok.id == REC


def test_sequence_and_version_numbers_fit_the_integer_columns():
    with pytest.raises(MutationInvalid) as error:
        Mutation.from_json({"id": REC, "seq": MAX_NUMBER + 1, "entity": "record", "payload": {},
                            "base_version": 10**40})
    assert set(error.value.fields) == {"seq", "base_version"}
    assert Mutation.from_json({"id": REC, "seq": MAX_NUMBER, "entity": "record", "payload": {},
                               "base_version": MAX_NUMBER}).seq == MAX_NUMBER


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 5)), min_size=1, max_size=12),
       st.lists(st.integers(0, 11), max_size=4))
def test_any_crash_pattern_converges_to_exactly_once(plan, crash_points):
    """A device pushes its queue; the server crashes at random mutations; the device resends the
    whole unacknowledged queue until done. The end state equals a crash-free run."""
    target = str(uuid.uuid4())
    queue = [Mutation(id=str(uuid.uuid4()), seq=1, entity="record", target=target, payload={"topic": "起"})]
    for i, (is_check_in, user) in enumerate(plan, start=2):
        if is_check_in:
            queue.append(Mutation(id=str(uuid.uuid4()), seq=i, entity="check_in", target=target,
                                  payload={"user": user}))
        else:
            queue.append(Mutation(id=str(uuid.uuid4()), seq=i, entity="record", target=target,
                                  base_version=None, payload={"topic": f"版{user}"}))

    crashes = set(crash_points)
    calls = {"n": 0}

    def flaky(data, m):
        calls["n"] += 1
        if calls["n"] in crashes:
            raise Boom
        return HANDLERS[m.entity](data, m)

    s = MemoryStore({"record": flaky, "check_in": flaky})
    pending = list(queue)
    for _ in range(20):
        if not pending:
            break
        acked = set()
        try:
            for out in process_batch(s, "d", pending):
                acked.add(out.id)
        except Boom:
            acked = set()  # the phone got an error: it resends everything not acknowledged
        pending = [m for m in pending if m.id not in acked]
    assert not pending

    clean = store()
    process_batch(clean, "d", queue)
    assert s.state["data"] == clean.state["data"]
    assert set(s.state["processed"]) == {m.id for m in queue}
