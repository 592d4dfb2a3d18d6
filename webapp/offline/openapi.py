"""OpenAPI 3.1 description of the sync API (served at /api/openapi.json)."""
from __future__ import annotations

from sync import MAX_NUMBER

from ..rules.sync import PULL_PAGE_SIZE, PUSH_MAX_BYTES, PUSH_MAX_MUTATIONS

_ERROR = {"$ref": "#/components/schemas/Error"}
_PHOTO = {"type": "object", "required": ["sha256", "created"], "properties": {
    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}, "created": {"type": "boolean"}}}
_SNAPSHOT = {"type": "object", "required": ["server_time", "cursor", "more", "user", "branches", "branches_etag", "records",
                                        "quarantine", "quarantine_etag", "offline_pages",
                                        "offline_pages_etag"],
             "properties": {
                 "server_time": {"type": "string"}, "cursor": {"type": ["string", "null"]}, "more": {"type": "boolean"},
                 "user": {"type": "object", "required": ["id", "name"]},
                 # null: unchanged since the etag the client sent (branches_etag / quarantine_etag)
                 "branches": {"type": ["array", "null"], "items": {"type": "object", "required": ["id", "name", "entry_pages"]}},
                 "branches_etag": {"type": "string"}, "quarantine_etag": {"type": "string"},
                 "records": {"type": "array", "items": {"type": "object", "required": [
                     "uuid", "org_id", "type", "topic", "occurred_on", "state", "version"]}},
                 "quarantine": {"type": ["array", "null"], "items": {"type": "object", "required": ["id", "state", "code"]}},
                 "offline_pages_etag": {"type": "string"},
                 "offline_pages": {"type": ["array", "null"], "items": {"type": "object", "required": ["url", "title"], "properties": {
                     "url": {"type": "string"}, "title": {"type": "string"}}}}}}


# A push the server applies as it stands once ``org_id`` names a branch the device's owner belongs to
# (tests/integration/test_sync_push.py pushes it).
PUSH_EXAMPLE = {"mutations": [{
    "id": "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f", "seq": 1, "entity": "study_note", "target": None,
    "base_version": None, "client_at": "2026-11-20T09:00:00+08:00",
    "payload": {"fields": [["uuid", "0b7c3a52-1f4e-4d8a-9c61-2e5f7a9d4b10"], ["org_id", "1"],
                           ["noted_on", "2026-11-20"], ["topic", "学习党章第一章"],
                           ["text", "党的性质和宗旨：全心全意为人民服务。"]]}}]}


def _json(schema: dict, example: dict | None = None) -> dict:
    media = {"schema": schema} if example is None else {"schema": schema, "example": example}
    return {"content": {"application/json": media}}


def _errors(*codes: int) -> dict:
    text = {400: "输入有误", 401: "未登录或设备凭据无效/已停用", 413: "内容过大", 500: "服务器出错（已处理部分保留，可重发）"}
    return {str(c): {"description": text[c], **_json(_ERROR)} for c in codes}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "支部通离线同步接口", "version": "1",
                 "description": "手机离线保存的变更（mutation）分批推送；每项变更与“已处理”标记在同一事务中写入，"
                                "相同内容重发视为重复（duplicate），同一标识不同内容视为冲突。"},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {
                "device": {"type": "http", "scheme": "bearer", "description": "设备登记时发放的长期凭据"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "登录会话；写操作需 X-CSRFToken 头，并在请求中给出 device"},
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["code", "message"], "properties": {
                        "code": {"type": "string"}, "message": {"type": "string", "description": "中文说明"},
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}}},
                "Mutation": {"type": "object", "required": ["id", "seq", "entity", "payload"], "properties": {
                    "id": {"type": "string", "format": "uuid", "description": "手机生成，永不复用"},
                    "seq": {"type": "integer", "minimum": 1, "maximum": MAX_NUMBER, "description": "本设备递增序号"},
                    "entity": {"type": "string", "enum": ["record", "check_in", "study_note", "dues_payment", "whereabouts",
                                                          "outside_attendance", "development_note", "self_assessment",
                                                          "member_report"]},
                    "target": {"type": ["string", "null"], "format": "uuid", "description": "记录的 UUID"},
                    "base_version": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_NUMBER,
                                     "description": "修改所基于的版本（比较并交换）"},
                    "client_at": {"type": ["string", "null"], "description": "手机时间，仅作参考"},
                    "payload": {"type": "object", "description": "{\"fields\": [[name, value], ...]}（表单）"
                                                                 "或 {\"data\": {...}}"}}},
                "Result": {"type": "object", "required": ["id", "status"], "properties": {
                    "id": {"type": ["string", "null"]}, "seq": {"type": "integer"},
                    "index": {"type": "integer", "description": "格式不正确或含无法识别字符时：该项在本批中的位置"},
                    "status": {"type": "string", "enum": ["applied", "duplicate", "conflict", "rejected"]},
                    "first_status": {"type": "string", "description": "重复时：第一次处理的结果"},
                    "target": {"type": ["string", "null"]}, "version": {"type": ["integer", "null"]},
                    "code": {"type": "string"}, "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                    "gap": {"type": "integer", "description": "此前尚未收到的序号个数"},
                    "out_of_order": {"type": "boolean",
                                     "description": "晚于本设备更大序号到达（仍按内容处理，冲突规则照常）"},
                    "last_seq": {"type": "integer", "description": "迟到时：本设备此前已处理到的序号"}}},
            },
        },
        "security": [{"device": []}, {"session": []}],
        "paths": {
            "/api/sync/devices": {"post": {
                "summary": "登记本设备，返回一次性显示的长期凭据", "security": [{"session": []}],
                "requestBody": _json({"type": "object", "properties": {
                    "name": {"type": "string"},
                    "client_key": {"type": "string", "description": "浏览器自选并保存的标识：重新登记时续用同一设备"}}}),
                "responses": {"201": {"description": "已登记", **_json({
                    "type": "object", "required": ["device", "token", "name", "user_id", "user_name"], "properties": {
                        "device": {"type": "string", "format": "uuid"}, "token": {"type": "string"},
                        "name": {"type": "string"}, "user_id": {"type": "integer"}, "user_name": {"type": "string"}}})},
                    **_errors(400, 401)}}},
            "/api/sync/whoami": {"get": {
                "summary": "本浏览器登录的是谁（手机据此核对设备属于同一人）", "security": [{"session": []}],
                "responses": {"200": {"description": "已登录", **_json({
                    "type": "object", "required": ["user_id", "user_name"], "properties": {
                        "user_id": {"type": "integer"}, "user_name": {"type": "string"}}})},
                    **_errors(401)}}},
            "/api/sync/push": {"post": {
                "summary": f"推送一批变更（最多 {PUSH_MAX_MUTATIONS} 项，{PUSH_MAX_BYTES // 1024} KB）",
                "requestBody": _json({"type": "object", "required": ["mutations"], "properties": {
                    "device": {"type": "string", "description": "会话方式时必填"},
                    "mutations": {"type": "array", "maxItems": PUSH_MAX_MUTATIONS,
                                  "items": {"$ref": "#/components/schemas/Mutation"}}}}, PUSH_EXAMPLE),
                "responses": {"200": {"description": "逐项结果（一项有误只拒绝该项，其余照常处理）", **_json({
                    "type": "object", "required": ["device", "last_seq", "results", "server_time"], "properties": {
                        "device": {"type": "string"}, "last_seq": {"type": "integer"}, "server_time": {"type": "string"},
                        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}}}})},
                    **_errors(400, 401, 413, 500)}}},
            "/api/sync/photos/{sha256}": {"put": {
                "summary": "按内容哈希上传照片（幂等）",
                "parameters": [{"name": "sha256", "in": "path", "required": True,
                                "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}],
                "requestBody": {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}},
                "responses": {"201": {"description": "新存入", **_json(_PHOTO)}, "200": {"description": "已存在", **_json(_PHOTO)},
                              **_errors(400, 401, 413)}}},
            "/api/sync/pull": {"get": {
                "summary": f"离线所需数据：所在支部与花名册、月度主题、本人可见的近期记录及审核状态（每页 {PULL_PAGE_SIZE} 条）",
                "description": "branches / quarantine 为 null 表示与客户端送回的 etag 相同，沿用手机上已有的。",
                "parameters": [{"name": "cursor", "in": "query", "schema": {"type": "string"}},
                               {"name": "device", "in": "query", "schema": {"type": "string"}},
                               {"name": "branches_etag", "in": "query", "schema": {"type": "string"}},
                               {"name": "quarantine_etag", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "快照与下一游标", **_json(_SNAPSHOT)}, **_errors(401)}}},
        },
    }
