"""Error pages in Chinese for people, structured JSON for the API."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError

MESSAGES = {
    400: "请求有误，请检查后重试",
    403: "您没有权限执行此操作",
    404: "页面不存在或您无权查看",
    405: "不支持该操作",
    413: "上传的内容过大",
    429: "尝试次数过多，请稍后再试",
    500: "服务器出错了，请稍后再试；已填写的内容不会丢失",
    503: "服务暂不可用，请稍后再试",
}

CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def error_response(status: int, message: str | None = None, code: str | None = None):
    message = message or MESSAGES.get(status, "出错了")
    if wants_json():
        body = {"error": {"code": code or CODES.get(status, "error"), "message": message}}
        return jsonify(body), status
    return render_template("error.html", status=status, message=message), status


def api_error(status: int, code: str, message: str, fields: dict | None = None, **extra):
    """The API's one error body: ``{"error": {"code", "message"[, "fields"]}, **extra}`` (``fields``,
    the messages by field, when given)."""
    error = {"code": code, "message": message, **({"fields": fields} if fields is not None else {})}
    return jsonify({"error": error, **extra}), status


def install(app) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        return error_response(
            400, "页面已过期，请刷新后重新提交（表单安全校验失败）", "csrf_failed"
        )

    for status in (400, 403, 404, 405, 413, 429, 500, 503):
        app.register_error_handler(status, lambda e, s=status: error_response(s))
