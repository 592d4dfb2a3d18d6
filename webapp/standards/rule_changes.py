"""规则调整: a higher committee adjusts a rule for its subtree from the first day of a month.

Only staff of a committee or general branch (党委, 党总支) adjust, for the subtree of the organization
they manage; branches read the rules in force. Every change is kept (rows are only added) and written
to the audit log with its reason. Callers commit.
"""
from __future__ import annotations

import re
from datetime import date

from .. import access, audit
from ..extensions import db
from ..models import Organization, RuleOverride, User
from ..domain_errors import Invalid, NotAllowed
from ..rules.adjustable import ADJUSTABLE_RULES, REASON_MAX
from ..rules.standards import PERIODS
from . import rollup_store

ADJUSTING_KINDS = ("committee", "general_branch")
BAND_ITEM = re.compile(r"^(\d{1,7}|以上|其余)\s*[:：]\s*(\d{1,2})(?:\.(\d{1,2}))?\s*%?$")


def may_adjust(user: User, org: Organization) -> bool:
    return org.kind in ADJUSTING_KINDS and not org.is_closed and access.manages(user, org)


def show_value(key: str, value) -> str:
    spec = ADJUSTABLE_RULES[key]
    if spec["kind"] == "period":
        return f"每{PERIODS.get(value, value)}"
    if spec["kind"] == "bands":
        return "，".join(("以上" if upper is None else f"{upper // 100}") + f"：{_percent(rate)}%"
                        for upper, rate in value)
    return f"{value} {spec.get('unit', '')}".strip()


def _percent(basis_points: int) -> str:
    whole, frac = divmod(basis_points, 100)
    return f"{whole}.{frac:02d}".rstrip("0").rstrip(".")


def editable_text(key: str, value) -> str:
    """The value as typed into the form ("3000:0.5, 5000:1, 以上:2" for bands)."""
    spec = ADJUSTABLE_RULES[key]
    if spec["kind"] == "bands":
        return ", ".join(("以上" if upper is None else f"{upper // 100}") + f":{_percent(rate)}" for upper, rate in value)
    return str(value)


def parse_value(key: str, text: str):
    """The typed value as stored, or a Chinese message in ValueError."""
    spec = ADJUSTABLE_RULES[key]
    text = (text or "").strip()
    if spec["kind"] == "period":
        return _period(text)
    if spec["kind"] == "int":
        return _whole_number(spec, text)
    return _bands(text)


def _period(text: str) -> str:
    by_label = {label: kind for kind, label in PERIODS.items()}
    text = by_label.get(text.removeprefix("每"), text)
    if text not in PERIODS:
        raise ValueError("考核周期请填写：月、季度、半年或年")
    return text


def _whole_number(spec: dict, text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not spec["min"] <= int(text) <= spec["max"]:
        raise ValueError(f"请填写 {spec['min']} 至 {spec['max']} 之间的整数")
    return int(text)


def _bands(text: str) -> list[list]:
    """Dues bands "3000:0.5, 5000:1, 以上:2" as [[upper bound in fen or None, rate in basis points], ...]."""
    bands, previous = [], -1
    items = [i.strip() for i in re.split(r"[,，;；\n]", text) if i.strip()]
    for index, item in enumerate(items):
        upper, rate = _band(item, last=index == len(items) - 1, previous=previous)
        if upper is not None:
            previous = upper
        bands.append([upper, rate])
    if not bands:
        raise ValueError("请填写党费比例档次")
    if any(rate > 10_00 for _, rate in bands):
        raise ValueError("比例不能超过 10%")
    return bands


def _band(item: str, *, last: bool, previous: int) -> tuple[int | None, int]:
    """One band (upper bound in fen, None for the last; rate in basis points) above ``previous``."""
    match = BAND_ITEM.match(item)
    if not match:
        raise ValueError("请按“3000:0.5, 5000:1, 以上:2”的格式填写（上限元:比例%），最后一档写“以上”")
    bound, whole, frac = match.groups()
    rate = int(whole) * 100 + int((frac or "0").ljust(2, "0"))
    if bound in ("以上", "其余"):
        if not last:
            raise ValueError("“以上”只能是最后一档")
        return None, rate
    upper = int(bound) * 100
    if last:
        raise ValueError("最后一档请写“以上”，即超过前一档上限的部分")
    if upper <= previous:
        raise ValueError("各档上限须从小到大排列")
    return upper, rate


def _month_start(text: str) -> date:
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValueError("请填写生效日期（如 2026-07-01）") from None
    if not 2000 <= day.year <= 2100:
        raise ValueError("生效日期不在合理范围内")
    if day.day != 1:
        raise ValueError("生效日期须为某月 1 日（对标按月统计）")
    return day


def adjust(org: Organization, form, actor: User) -> RuleOverride:
    """Add an override from the form's ``key``, ``value``, ``effective_from`` and ``reason``."""
    if not may_adjust(actor, org):
        raise NotAllowed("只有上级党组织（党委、党总支）可以调整其下属组织的规则")
    errors: dict[str, str] = {}
    key = (form.get("key") or "").strip()
    value = None
    if key not in ADJUSTABLE_RULES:
        errors["key"] = "请选择要调整的规则"
    else:
        try:
            value = parse_value(key, form.get("value", ""))
        except ValueError as error:
            errors["value"] = str(error)
    try:
        effective_from = _month_start(form.get("effective_from", ""))
    except ValueError as error:
        errors["effective_from"] = str(error)
    reason = (form.get("reason") or "").strip()
    if not reason:
        errors["reason"] = "请写明调整原因（如上级文件名称和文号）"
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"调整原因不超过 {REASON_MAX} 字"
    if errors:
        raise Invalid(errors)
    override = RuleOverride(org_id=org.id, key=key, value=value, effective_from=effective_from, reason=reason,
                            created_by_id=actor.id)
    db.session.add(override)
    db.session.flush()
    if key.startswith("standard."):
        rollup_store.forget()  # units or minimums move for the subtree: filled again on the next view
    label = ADJUSTABLE_RULES[key]["label"]
    audit.record(actor, "adjust_rule", "rule_override", override.id, org_id=org.id,
                 summary=f"调整规则：{label} 自 {effective_from:%Y-%m-%d} 起为 {show_value(key, value)}",
                 changes={"key": key, "value": value, "effective_from": effective_from, "reason": reason})
    return override
