"""What the records blueprint's route modules share: loading a record, or a branch the person may
record in, for a view (404 when unseen, 403 when seen but not allowed); the likely duplicates a form
shows before saving."""
from __future__ import annotations

from datetime import date

from flask import abort
from flask_login import current_user

from .. import access
from ..input_numbers import row_id
from ..models import Organization, Record
from ..view_helpers import row_or_404, visible_org_or_404
from . import duplicates
from .visibility import can_check_in, can_record, can_view


def record_or_404(uuid: str) -> Record:
    """The record, if the person may see it — or check in to it: members of the branch see an activity
    that is still open (not yet approved) so they can tap 签到."""
    return row_or_404(Record, where=(Record.uuid == uuid,), visible=lambda record: can_view(current_user, record) or (
        record.state != "approved" and can_check_in(current_user, record)))


def recordable_org_or_404(org_id: int) -> Organization:
    org = visible_org_or_404(org_id)
    if not can_record(current_user, org):
        abort(403)
    return org


def form_duplicates(org: Organization, record_type: str, occurred: str, group_id, record) -> list[Record]:
    """Records of the same meeting already saved, shown on the form before saving (online only)."""
    try:
        day = date.fromisoformat(occurred)
    except ValueError:
        return []
    found = duplicates.likely_duplicates(org.id, record_type, day, group_id=row_id(group_id),
                                         exclude_id=record.id if record else None)
    return [r for r in found if not r.is_private or access.manages(current_user, org)]
