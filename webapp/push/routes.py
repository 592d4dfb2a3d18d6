"""Notification settings under 我的 and the subscription API for the page's push.js (issue 5)."""
from __future__ import annotations

from datetime import time

from flask import flash, jsonify, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import access, audit
from ..errors import api_error
from ..extensions import csrf, db
from ..htmx import render
from ..models import NotificationPreference, PushSubscription
from ..rules import reminders as R
from ..rules.life import SECRETARY_TITLES
from ..view_helpers import row_or_404
from . import bp, endpoints, keys, scheduler


@bp.route("/vapid-public-key")
@login_required
def vapid_public_key():
    key = keys.public_key()
    if key is None:
        return api_error(503, "no_vapid_keys", "服务器尚未配置推送密钥", {})
    return jsonify({"publicKey": key})


def _subscription_fields(data: dict) -> tuple[str, dict, dict]:
    """(endpoint, keys, field errors) of a PushSubscription's JSON; the endpoint must belong to a real
    push service (issue 13: never an internal address, never judged from the Host header)."""
    endpoint = data.get("endpoint") if isinstance(data.get("endpoint"), str) else ""
    sub_keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    fields = {}
    try:
        endpoints.check(endpoint, resolve_required=False)
    except endpoints.Refused as refused:
        fields["endpoint"] = refused.message
    p256dh, auth = sub_keys.get("p256dh"), sub_keys.get("auth")
    if not (isinstance(p256dh, str) and p256dh and len(p256dh) <= 200
            and isinstance(auth, str) and auth and len(auth) <= 100):
        fields["keys"] = "缺少订阅密钥"
    return endpoint, {"p256dh": p256dh, "auth": auth}, fields


def _refusal(fields: dict):
    code = "endpoint_refused" if "endpoint" in fields else "invalid_subscription"
    message = fields.get("endpoint") or "订阅信息不完整"
    return api_error(400, code, message, fields or {})


def _save(subscription: PushSubscription, user_id: int, sub_keys: dict) -> None:
    subscription.user_id = user_id
    subscription.p256dh = sub_keys["p256dh"]
    subscription.auth = sub_keys["auth"]
    subscription.user_agent = (request.headers.get("User-Agent") or "")[:300]
    subscription.last_error = None


@bp.route("/subscriptions", methods=["POST"])
@login_required
def subscribe():
    data = request.get_json(silent=True)
    data = data if isinstance(data, dict) else {}
    endpoint, sub_keys, fields = _subscription_fields(data)
    if fields:
        return _refusal(fields)
    subscription = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    created = subscription is None
    if created:
        subscription = PushSubscription(endpoint=endpoint)
        db.session.add(subscription)
    # The same browser signed in as someone else now belongs to that person.
    _save(subscription, current_user.id, sub_keys)
    db.session.flush()
    audit.record(current_user, "push.subscribe", "push_subscription", subscription.id,
                 summary=f"开启通知：{subscription.device_label}")
    db.session.commit()
    return jsonify({"id": subscription.id, "device": subscription.device_label, "known": True}), \
        201 if created else 200


@bp.route("/subscriptions/status")
@login_required
def subscription_status():
    """Whether the server has this browser's subscription for the signed-in user (the page shows
    "已开启" only then, and re-posts a subscription the server dropped or never got)."""
    endpoint = request.args.get("endpoint", "")
    subscription = db.session.scalar(select(PushSubscription).where(
        PushSubscription.endpoint == endpoint, PushSubscription.user_id == current_user.id)) if endpoint else None
    if subscription is None:
        return jsonify({"known": False})
    return jsonify({"known": True, "id": subscription.id, "device": subscription.device_label})


@bp.route("/subscriptions/renew", methods=["POST"])
@csrf.exempt  # sent by the service worker, which has no form token: see the docstring
def renew_subscription():
    """``pushsubscriptionchange`` in the service worker: the browser replaced its subscription. The old
    endpoint, a secret only this browser and the server know, identifies the device (the worker may
    have no live session); the row keeps its owner and takes the new endpoint and keys. JSON only, so a
    cross-site form cannot post here."""
    data = request.get_json(silent=True) if request.is_json else None
    if not isinstance(data, dict):
        return api_error(400, "bad_request", "请求内容必须是 JSON 对象", {})
    old = data.get("oldEndpoint") if isinstance(data.get("oldEndpoint"), str) else ""
    endpoint, sub_keys, fields = _subscription_fields(data)
    if fields:
        return _refusal(fields)
    subscription = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == old)) \
        if old else None
    if subscription is None:
        return api_error(404, "unknown_subscription", "服务器没有该设备原来的订阅，请在“我的”页面重新开启通知", {})
    same = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint,
                                                            PushSubscription.id != subscription.id))
    if same is not None and same.user_id != subscription.user_id:
        # Someone else's subscription: an old endpoint proves one browser, not a claim on another's.
        return api_error(409, "endpoint_taken", "该推送地址已属于其他账号，请在“我的”页面重新开启通知", {})
    if same is not None:
        db.session.delete(same)
        db.session.flush()
    subscription.endpoint = endpoint
    _save(subscription, subscription.user_id, sub_keys)
    audit.record(subscription.user, "push.renew", "push_subscription", subscription.id,
                 summary=f"浏览器更换了推送订阅：{subscription.device_label}")
    db.session.commit()
    return jsonify({"id": subscription.id, "known": True})


@bp.route("/subscriptions/remove", methods=["POST"])
@login_required
def unsubscribe_endpoint():
    """The browser unsubscribed itself (push.js): forget that endpoint if it is the user's."""
    data = request.get_json(silent=True) or {}
    subscription = db.session.scalar(select(PushSubscription).where(
        PushSubscription.endpoint == str(data.get("endpoint") or ""),
        PushSubscription.user_id == current_user.id))
    if subscription is None:
        return api_error(404, "not_found", "未找到该设备的订阅", {})
    audit.record(current_user, "push.unsubscribe", "push_subscription", subscription.id,
                 summary=f"关闭通知：{subscription.device_label}")
    db.session.delete(subscription)
    db.session.commit()
    return jsonify({"ok": True})


@bp.route("/subscriptions/<int:subscription_id>/delete", methods=["POST"])
@login_required
def delete_subscription(subscription_id: int):
    subscription = row_or_404(PushSubscription, subscription_id,
                              visible=lambda subscription: subscription.user_id == current_user.id)
    audit.record(current_user, "push.unsubscribe", "push_subscription", subscription.id,
                 summary=f"移除设备：{subscription.device_label}")
    db.session.delete(subscription)
    db.session.commit()
    flash("已移除该设备，它将不再收到通知", "success")
    return _back()


def _parse_time(value: str | None) -> time | None:
    try:
        hh, mm = (value or "").split(":")[:2]
        return time(int(hh), int(mm))
    except ValueError:
        return None


@bp.route("/preferences", methods=["POST"])
@login_required
def preferences():
    prefs = db.session.scalar(select(NotificationPreference).where(
        NotificationPreference.user_id == current_user.id))
    if prefs is None:
        prefs = NotificationPreference(user_id=current_user.id)
        db.session.add(prefs)
    wanted = set(request.form.getlist("kinds"))
    errors = {}
    quiet_on = request.form.get("quiet_on") == "y"
    start, end = _parse_time(request.form.get("quiet_start")), _parse_time(request.form.get("quiet_end"))
    if quiet_on and (start is None or end is None):
        errors["quiet_start"] = "请填写免打扰的开始和结束时间"
    elif quiet_on and start == end:
        errors["quiet_start"] = "开始和结束时间不能相同"
    if errors:
        db.session.rollback()
        context = settings_context()
        context["errors"] = errors
        context["form_values"] = {"quiet_start": request.form.get("quiet_start", ""),
                                  "quiet_end": request.form.get("quiet_end", ""), "kinds": wanted,
                                  "quiet_on": quiet_on}
        return render("push/settings.html", "push/_settings.html", status=400, push=context)
    before = {"kinds_off": list(prefs.kinds_off or []), "quiet": [str(prefs.quiet_start), str(prefs.quiet_end)]}
    shown = {key for key, _label in settings_context()["kinds"]}
    kept = [k for k in (prefs.kinds_off or []) if k not in shown]
    prefs.kinds_off = sorted(set(kept) | {k for k in shown if k not in wanted})
    prefs.quiet_start, prefs.quiet_end = (start, end) if quiet_on else (None, None)
    after = {"kinds_off": prefs.kinds_off, "quiet": [str(prefs.quiet_start), str(prefs.quiet_end)]}
    audit.record(current_user, "push.preferences", "notification_preference", current_user.id,
                 summary="修改通知设置", changes=audit.diff(before, after))
    db.session.commit()
    flash("通知设置已保存", "success")
    return _back()


@bp.route("/test", methods=["POST"])
@login_required
def send_test():
    has_device = db.session.scalar(select(PushSubscription.id).where(
        PushSubscription.user_id == current_user.id)) is not None
    if not has_device:
        flash("本账号还没有开启通知的设备，请先点击“开启通知”", "error")
        return _back()
    scheduler.test_message(current_user)
    db.session.commit()
    flash("测试通知已加入发送队列，稍后将出现在您已开启通知的设备上", "success")
    return _back()


@bp.route("/settings")
@login_required
def settings():
    return render("push/settings.html", "push/_settings.html", push=settings_context())


def _back():
    return redirect(url_for("home.me") + "#notifications")


@bp.app_template_global("push_settings")
def settings_context() -> dict:
    """What the 我的 section needs: preferences, devices, kinds and whether keys exist."""
    prefs = scheduler.preferences(current_user.id)
    devices = list(db.session.scalars(select(PushSubscription).where(
        PushSubscription.user_id == current_user.id).order_by(PushSubscription.created_at)))
    is_secretary = any(m.title in SECRETARY_TITLES for m in access.active_memberships(current_user))
    on_committee = any(m.title for m in access.active_memberships(current_user) if m.org.kind == "branch")
    kinds = [(k, R.KINDS[k]["label"]) for k in R.USER_KINDS
             if (k != "digest" or is_secretary) and (k != "term" or on_committee)]
    return {"prefs": prefs, "devices": devices, "kinds": kinds, "has_keys": keys.key_path().exists(),
            "errors": {}, "form_values": None}
