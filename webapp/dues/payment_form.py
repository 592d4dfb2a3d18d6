"""A dues payment form's fields, read the same way from the web form and from the offline outbox, and
a queued payment applied (idempotent on its uuid) by the same rules."""
from __future__ import annotations

from ..extensions import db
from ..input_numbers import row_id
from ..models import DuesPayment, Organization, User
from ..domain_errors import Invalid
from ..records.form_data import as_multidict
from . import service


def payment_form_to_data(form) -> dict:
    form = as_multidict(form)
    return {name: (form.get(name) or "").strip()
            for name in ("org_id", "user_id", "month", "amount", "paid_on", "channel", "note")}


def apply_payment(actor: User, uuid: str, data) -> DuesPayment:
    """Idempotent on ``uuid``. Raises Invalid (``.errors``) or PaymentConflict."""
    fields = payment_form_to_data(data.get("fields", data) if isinstance(data, dict) else data)
    org_id = row_id(fields.get("org_id"))
    org = db.session.get(Organization, org_id) if org_id else None
    if org is None:
        raise Invalid({"org_id": "支部不存在"})
    return service.record_payment(org, fields, actor, uuid=uuid)
