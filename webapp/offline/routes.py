"""Offline sync: device registration, push / pull / photo API, the outbox and quarantine pages."""
from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from sqlalchemy import select

from sync import UUID_PATTERN, Mutation, MutationInvalid, Processor

from .. import access, json_bodies
from ..errors import api_error
from ..extensions import csrf, db
from ..models import Device, Membership, QuarantinedMutation, User
from ..models.base import utcnow
from ..ops import metrics
from ..records import photos
from ..domain_errors import Invalid, NotAllowed
from ..rules.sync import PUSH_MAX_BYTES, PUSH_MAX_MUTATIONS
from ..view_helpers import managed_org_or_404, row_or_404
from . import bp, devices, pull, quarantine
from .store import SqlStore


class AuthFailed(Exception):
    def __init__(self, status: int, code: str, message: str):
        self.response = api_error(status, code, message)


def sync_identity(device_uuid: str | None) -> tuple[User, Device]:
    """Bearer device token (works with an expired session), else the session plus CSRF."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        device = devices.by_token(header[7:].strip())
        if device is None:
            raise AuthFailed(401, "device_refused", "该设备的同步凭据无效或已停用，请重新登录后再同步")
        return device.user, device
    if not current_user.is_authenticated:
        raise AuthFailed(401, "sign_in_required", "登录已过期，请重新登录；待同步内容仍保存在手机上")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        try:
            csrf.protect()
        except CSRFError:
            raise AuthFailed(400, "csrf_failed", "页面已过期，请刷新后重试") from None
    device = db.session.scalar(select(Device).where(Device.uuid == (device_uuid or "").lower(),
                                                    Device.user_id == current_user.id)) if device_uuid else None
    if device is None or not device.is_active:
        raise AuthFailed(401, "device_refused", "该设备未登记或已停用，请重新登记设备")
    return current_user._get_current_object(), device


@bp.errorhandler(AuthFailed)
def _auth_failed(error: AuthFailed):
    return error.response


@bp.app_context_processor
def _helpers():
    return {"offline_devices": devices.devices_of}


# --- devices ---------------------------------------------------------------------------------

@bp.post("/api/sync/devices")
@login_required
def register_device():
    body = request.get_json(silent=True) or {}
    name = body.get("name") if isinstance(body.get("name"), str) else request.form.get("name", "")
    name = name or (request.user_agent.string or "")[:60]
    key = body.get("client_key") if isinstance(body.get("client_key"), str) else None
    device, token = devices.register(current_user, name, key)
    db.session.commit()
    return jsonify({"device": device.uuid, "token": token, "name": device.name,
                    "user_id": current_user.id, "user_name": current_user.name}), 201


@bp.get("/api/sync/whoami")
def whoami():
    """Who is signed in on this browser (the phone checks its device belongs to that person)."""
    if not current_user.is_authenticated:
        return api_error(401, "sign_in_required", "未登录")
    return jsonify({"user_id": current_user.id, "user_name": current_user.name})


@bp.post("/offline/devices/<device_uuid>/revoke")
@login_required
def revoke_device(device_uuid: str):
    device = row_or_404(Device, where=(Device.uuid == device_uuid,),
                        visible=lambda device: devices.can_revoke(current_user, device))
    devices.revoke(device, current_user)
    db.session.commit()
    flash(f"已停用设备“{device.name}”，它将不能再同步", "success")
    back = request.form.get("next") or ""
    return redirect(back if back.startswith("/") and not back.startswith("//") else url_for("home.me"))


@bp.get("/offline/devices/org/<int:org_id>")
@login_required
def org_devices(org_id: int):
    org = managed_org_or_404(org_id)
    rows = db.session.execute(
        select(Device, User).join(User, Device.user_id == User.id)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.org_id == org.id, Membership.active.is_(True))
        .order_by(User.name, Device.created_at.desc())).all()
    return render_template("offline/org_devices.html", org=org, rows=rows)


# --- push / photos / pull -------------------------------------------------------------------

@bp.post("/api/sync/push")
@csrf.exempt  # the session path checks CSRF itself in sync_identity; the bearer path needs none
def push():
    body, suspicious, refused = _push_batch()
    if refused is not None:
        return refused
    actor, device = sync_identity(body.get("device") if isinstance(body.get("device"), str) else None)
    results, mutations = _mutations(body["mutations"], suspicious)
    if not mutations:
        device.last_seen_at = utcnow()
        db.session.commit()
    # Otherwise the device's last contact is written with the batch (SqlStore), in one transaction.
    device_id, device_uuid = device.id, device.uuid
    processor = Processor(SqlStore(actor, device), device_id)
    # Should the batch fall back to one transaction per mutation, the objects loaded for this request
    # (the person, the branch, its roster) need not be reloaded after every commit.
    session = db.session()
    session.expire_on_commit = False
    committed: list = []
    try:
        processor.process(mutations, done=committed)
    except Exception:  # a server fault: what was committed is answered, resending the rest converges
        current_app.logger.exception("sync push failed mid-batch")
        db.session.rollback()
        answered = results + [outcome.to_json() for outcome in committed]
        metrics.count_sync(answered)
        return api_error(500, "server_error", "服务器处理时出错，已处理的内容已保存，其余请稍后重试",
                         results=answered)
    finally:
        session.expire_on_commit = True
        if processor.redone_because:
            current_app.logger.warning("sync batch of %d redone one by one: %s", len(mutations),
                                       processor.redone_because)
    results.extend(outcome.to_json() for outcome in committed)
    metrics.count_sync(results)
    return jsonify({"device": device_uuid, "last_seq": processor.store.device_last_seq(),
                    "results": results, "server_time": utcnow().isoformat()})


def _push_batch():
    """(body, may hold bad text, None) for a batch within the limits, else (None, False, the JSON error)."""
    if (request.content_length or 0) > PUSH_MAX_BYTES:
        return None, False, api_error(413, "payload_too_large",
                                      f"一次同步的内容过大（最多 {PUSH_MAX_BYTES // 1024} KB），请分批发送")
    data = request.get_data(cache=True) if request.is_json else b""
    try:
        # Lone surrogates are looked for per mutation (_mutations): one bad item must not refuse the batch.
        body = json_bodies.parse(data, check_text=False)
    except json_bodies.BadJSON as error:
        return None, False, api_error(400, error.code, error.message)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return None, False, api_error(400, "bad_request", "请求内容必须是 JSON 对象")
    raw = body.get("mutations")
    if not isinstance(raw, list):
        return None, False, api_error(400, "bad_request", "缺少 mutations 列表", {"mutations": "缺少 mutations 列表"})
    if len(raw) > PUSH_MAX_MUTATIONS:
        return None, False, api_error(400, "batch_too_large", f"一次最多同步 {PUSH_MAX_MUTATIONS} 项，请分批发送")
    suspicious = json_bodies.may_hold_bad_text(data)
    if suspicious and json_bodies.has_bad_text({k: v for k, v in body.items() if k != "mutations"}):
        return None, False, api_error(400, "bad_text", json_bodies.TEXT_MESSAGE)
    return body, suspicious, None


def _mutations(raw: list, suspicious: bool) -> tuple[list[dict], list[Mutation]]:
    """The batch's well-formed mutations, and an answer for each item refused before processing."""
    results, mutations = [], []
    for index, item in enumerate(raw):
        mid = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else None
        if suspicious and json_bodies.has_bad_text(item):
            # Answered, never stored (the database could not hold the text); the phone shows why.
            results.append({"index": index, "id": mid if mid and UUID_PATTERN.match(mid) else None,
                            "status": "rejected", "code": "bad_text", "message": json_bodies.TEXT_MESSAGE})
            continue
        try:
            mutations.append(Mutation.from_json(item))
        except MutationInvalid as error:
            results.append({"index": index, "id": mid, "status": "rejected", "code": "malformed",
                            "message": "格式不正确：" + error.args[0], "fields": error.fields})
    return results, mutations


@bp.put("/api/sync/photos/<sha256>")
@csrf.exempt
def put_photo(sha256: str):
    actor, _device = sync_identity(request.args.get("device"))
    sha256 = sha256.lower()
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        return api_error(400, "bad_hash", "照片标识无效")
    try:
        photo, created = photos.store(request.get_data(cache=False), actor, expected_sha256=sha256)
    except photos.PhotoRejected as error:
        return api_error(413 if error.code == "too_large" else 400, error.code, error.args[0])
    db.session.commit()
    return jsonify({"sha256": photo.sha256, "created": created}), 201 if created else 200


@bp.get("/api/sync/pull")
def pull_changes():
    actor, device = sync_identity(request.args.get("device"))
    device.last_seen_at = utcnow()
    body = pull.snapshot(actor, request.args.get("cursor"), request.args.get("branches_etag"),
                         request.args.get("quarantine_etag"), request.args.get("offline_pages_etag"))
    db.session.commit()
    return jsonify(body)


@bp.get("/api/openapi.json")
def openapi():
    from .openapi import document

    return jsonify(document())


# --- pages -----------------------------------------------------------------------------------

@bp.get("/offline/outbox")
@login_required
def outbox():
    return render_template("offline/outbox.html")


@bp.get("/offline/fallback")
def fallback():
    """Shown by the service worker when a page is neither reachable nor cached."""
    return render_template("offline/fallback.html")


@bp.get("/offline/quarantine")
@login_required
def quarantine_index():
    state = request.args.get("state", "open")
    if state not in ("open", "applied", "dismissed"):
        state = "open"
    items = quarantine.items_for(current_user, state)
    return render_template("offline/quarantine.html", items=items, state=state, summary=quarantine.summary,
                           can_resolve=quarantine.can_resolve,
                           branches=access.managed_orgs(current_user, kinds=("branch",)))


def _item_or_404(item_id: int) -> QuarantinedMutation:
    return row_or_404(QuarantinedMutation, item_id, visible=lambda item: quarantine.can_view(current_user, item))


def _resolve_item(item_id: int, act):
    """Run a secretary's decision on a parked item; refused ones flash why. Answers the list."""
    item = _item_or_404(item_id)
    try:
        message, category = act(item)
    except NotAllowed:
        abort(403)
    except Invalid as error:
        message, category = "；".join(error.errors.values()), "error"
    else:
        db.session.commit()
    flash(message, category)
    return redirect(url_for("offline.quarantine_index"))


@bp.post("/offline/quarantine/<int:item_id>/retry")
@login_required
def quarantine_retry(item_id: int):
    def retry(item):
        outcome = quarantine.retry(item, current_user)
        if outcome.status == "rejected":
            return f"重试仍未通过：{outcome.message}", "error"
        return "已重新入库", "success"
    return _resolve_item(item_id, retry)


@bp.post("/offline/quarantine/<int:item_id>/dismiss")
@login_required
def quarantine_dismiss(item_id: int):
    def dismiss(item):
        quarantine.dismiss(item, current_user, request.form.get("reason", ""))
        return "已标记为不予入库", "success"
    return _resolve_item(item_id, dismiss)


@bp.route("/offline/quarantine/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def quarantine_edit(item_id: int):
    item = _item_or_404(item_id)
    if not quarantine.can_resolve(current_user, item) or item.state != "open":
        abort(403)
    if item.entity not in quarantine.EDITABLE:
        abort(404)
    values = quarantine.editable_values(item)
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in quarantine.EDITABLE[item.entity]}
        outcome = quarantine.correct(item, current_user, values)
        db.session.commit()
        if outcome.status != "rejected":
            flash("已修正并入库", "success")
            return redirect(url_for("offline.quarantine_index"))
        flash(f"仍未通过：{outcome.message}", "error")
    return render_template("offline/quarantine_edit.html", item=item, values=values,
                           labels=quarantine.EDITABLE[item.entity], summary=quarantine.summary)
