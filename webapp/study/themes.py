"""The monthly guiding theme (主题党日+): set by a higher committee, shown on theme-day forms."""
from __future__ import annotations

from sqlalchemy import select

from .. import access, audit
from ..extensions import db
from ..input_numbers import is_month_text
from ..models import MonthlyTheme, Organization, User
from ..domain_errors import Invalid, NotAllowed


def theme_for(org: Organization, month: str) -> MonthlyTheme | None:
    """The theme of the nearest organization above (or at) ``org`` that set one for ``month``."""
    ancestors = org.ancestor_ids()
    if not ancestors:
        return None
    themes = {t.org_id: t for t in db.session.scalars(
        select(MonthlyTheme).where(MonthlyTheme.org_id.in_(ancestors), MonthlyTheme.month == month))}
    for org_id in reversed(ancestors):
        if org_id in themes:
            return themes[org_id]
    return None


def set_theme(org: Organization, month: str, title: str, guidance: str, actor: User) -> MonthlyTheme:
    if org.kind not in ("committee", "general_branch") or not access.manages(actor, org):
        raise NotAllowed("只有上级党组织可以设置月度主题")
    errors = {}
    if not is_month_text(month):
        errors["month"] = "月份格式应为 2026-11"
    if not title.strip():
        errors["title"] = "请填写主题"
    if errors:
        raise Invalid(errors)
    theme = db.session.scalar(select(MonthlyTheme).where(MonthlyTheme.org_id == org.id,
                                                         MonthlyTheme.month == month))
    action = "update"
    if theme is None:
        theme = MonthlyTheme(org_id=org.id, month=month, created_by_id=actor.id, title="")
        db.session.add(theme)
        action = "create"
    theme.title, theme.guidance = title.strip(), guidance.strip()
    db.session.flush()
    audit.record(actor, action, "monthly_theme", theme.id, org_id=org.id, summary=f"{month} 主题：{theme.title}")
    return theme
