"""The quarantine: rejected mutations parked for the secretary to retry after a fix, or dismiss."""
from __future__ import annotations

from sqlalchemy import or_, select

from sync import Mutation, Outcome, Rejected

from .. import access, audit
from ..db_savepoint import savepoint
from ..extensions import db
from ..models import Organization, ProcessedMutation, QuarantinedMutation, User
from ..models.base import utcnow
from ..domain_errors import Invalid, NotAllowed
from . import processed_outcome
from .entities import confirmed_by_manager, handler_for


def parking_org_id(actor: User, claimed: int | None) -> int | None:
    """The branch a rejected mutation of ``actor`` is parked with: the one it names only when the
    person belongs to it or manages it, else their own branch (home first). The payload is the
    phone's claim: nobody puts text into another secretary's queue by naming their branch."""
    memberships = access.active_memberships(actor)
    if claimed is not None:
        org = db.session.get(Organization, claimed)
        if org is not None and (any(m.org_id == org.id for m in memberships) or access.manages(actor, org)):
            return org.id
    branches = sorted((m for m in memberships if m.org.kind == "branch"), key=lambda m: m.relation != "home")
    return branches[0].org_id if branches else None


def visible_filter(user: User):
    """Secretaries see their branches' items; everyone sees their own."""
    managed = select(Organization.id).where(access.managed_filter(user))
    return or_(QuarantinedMutation.org_id.in_(managed), QuarantinedMutation.user_id == user.id)


def items_for(user: User, state: str | None = "open") -> list[QuarantinedMutation]:
    query = select(QuarantinedMutation).where(visible_filter(user))
    if state:
        query = query.where(QuarantinedMutation.state == state)
    return list(db.session.scalars(query.order_by(QuarantinedMutation.created_at.desc()).limit(500)))


def can_view(user: User, item: QuarantinedMutation) -> bool:
    return item.user_id == user.id or can_resolve(user, item)


def can_resolve(user: User, item: QuarantinedMutation) -> bool:
    if item.org is not None:
        return access.manages(user, item.org)
    return any(access.manages(user, m.org) for m in access.active_memberships(item.user))


def _outcome_changed(item: QuarantinedMutation, outcome: Outcome) -> None:
    row = db.session.scalar(select(ProcessedMutation).where(ProcessedMutation.mutation_id == item.mutation_id))
    if row is not None:
        row.status = outcome.status
        row.target = outcome.target
        row.outcome = processed_outcome.stored({**outcome.to_json(), "resolved": item.state},
                                               {"mutation_id": row.mutation_id, "seq": row.seq,
                                                "status": row.status, "target": row.target})


def retry(item: QuarantinedMutation, actor: User) -> Outcome:
    """Run the mutation again as the person who made it (after the secretary fixed the cause)."""
    if not can_resolve(actor, item):
        raise NotAllowed("只有所在支部的书记或支委可以处理")
    if item.state != "open":
        raise Invalid({"state": "该项已处理"})
    mutation = Mutation(id=item.mutation_id, seq=1, entity=item.entity, payload=item.payload,
                        target=item.target, base_version=item.base_version)
    nested = savepoint()
    try:
        with confirmed_by_manager():
            applied = handler_for(item.entity)(item.user, mutation)
    except Rejected as rejection:
        nested.rollback()
        item.code, item.message, item.fields = rejection.code, rejection.message, rejection.fields
        audit.record(actor, "retry_failed", "sync_mutation", item.mutation_id, org_id=item.org_id,
                     summary=f"重试仍未通过：{rejection.message}")
        return Outcome(id=item.mutation_id, seq=0, status="rejected", code=rejection.code,
                       message=rejection.message, fields=rejection.fields)
    nested.commit()
    item.state, item.resolved_at, item.resolved_by_id = "applied", utcnow(), actor.id
    item.result_target = applied.target
    outcome = Outcome(id=item.mutation_id, seq=0, status=applied.status, target=applied.target,
                      version=applied.version, message=applied.message)
    _outcome_changed(item, outcome)
    audit.record(actor, "retry", "sync_mutation", item.mutation_id, org_id=item.org_id,
                 summary="离线提交重试后已入库")
    return outcome


def dismiss(item: QuarantinedMutation, actor: User, reason: str) -> None:
    if not can_resolve(actor, item):
        raise NotAllowed("只有所在支部的书记或支委可以处理")
    if item.state != "open":
        raise Invalid({"state": "该项已处理"})
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": "请填写不予入库的原因"})
    item.state, item.resolved_at, item.resolved_by_id = "dismissed", utcnow(), actor.id
    item.resolution_note = reason[:2000]
    _outcome_changed(item, Outcome(id=item.mutation_id, seq=0, status="rejected", code="dismissed",
                                   message=f"书记未予入库：{item.resolution_note}"))
    audit.record(actor, "dismiss", "sync_mutation", item.mutation_id, org_id=item.org_id,
                 summary=f"离线提交不予入库：{item.resolution_note}")


def summary(item: QuarantinedMutation) -> str:
    """A short human description of what the mutation carried."""
    from .payloads import envelope

    labels = {"record": "活动记录", "check_in": "签到", "study_note": "学习笔记", "dues_payment": "党费"}
    try:
        fields = envelope(item.payload)
        topic = fields.get("topic") or ""
    except ValueError:
        topic = ""
    payload_data = item.payload.get("data") if isinstance(item.payload.get("data"), dict) else {}
    topic = topic or payload_data.get("topic", "")
    return labels.get(item.entity, item.entity) + (f"：{topic}" if topic else "")


# Fields a secretary may correct before retrying, per entity, with their Chinese labels.
EDITABLE = {
    "record": {"occurred_on": "活动日期", "start_time": "开始时间", "end_time": "结束时间", "place": "地点",
               "topic": "主题", "content": "内容"},
    "study_note": {"noted_on": "学习日期", "topic": "学习主题", "text": "学习内容"},
}


def editable_values(item: QuarantinedMutation) -> dict[str, str]:
    from .payloads import envelope

    labels = EDITABLE.get(item.entity, {})
    try:
        fields = envelope(item.payload)
    except ValueError:
        return {}
    data = item.payload.get("data") if isinstance(item.payload.get("data"), dict) else None
    return {name: str((data or {}).get(name, "") if data is not None else fields.get(name, "") or "")
            for name in labels}


def correct(item: QuarantinedMutation, actor: User, values: dict[str, str]) -> Outcome:
    """Replace the corrected fields in the parked payload (the original stays in the audit log),
    then retry."""
    if not can_resolve(actor, item):
        raise NotAllowed("只有所在支部的书记或支委可以处理")
    labels = EDITABLE.get(item.entity)
    if not labels:
        raise Invalid({"entity": "这类内容不能在此修改"})
    new = {k: (values.get(k) or "").strip() for k in labels}
    payload = dict(item.payload)
    if isinstance(payload.get("data"), dict):
        payload["data"] = {**payload["data"], **new}
    else:
        pairs = [pair for pair in payload.get("fields", []) if pair[0] not in new]
        payload["fields"] = pairs + [[k, v] for k, v in new.items()]
    audit.record(actor, "correct", "sync_mutation", item.mutation_id, org_id=item.org_id,
                 summary="书记修正离线提交后重试", changes={"before": editable_values(item), "after": new})
    item.payload = payload
    return retry(item, actor)
