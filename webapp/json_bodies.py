"""JSON request bodies: objects, nested at most ``MAX_DEPTH`` deep, with no lone UTF-16 surrogate.
Anything else is answered with a structured 400 before a view, Flask-WTF or the database meets it.

- An array, a number or a string where an object is expected would be read as a mapping and fail.
- ``json.loads('"\\ud800"')`` succeeds (so does the CESU byte form ``ED A0 80``): the lone surrogate
  only fails later, when the string is encoded to UTF-8 for the database (a server error on both).
- JSON nested 100,000 deep raises ``RecursionError`` in the decoder, and a few hundred levels in any
  walker of ours: the depth is capped.

Every JSON body is parsed once by ``parse`` (Flask's JSON provider calls it, so ``request.get_json``
gives checked values). The sync push checks its body's size before parsing it and answers a bad
string inside one mutation with that mutation's own rejection, so the rest of the batch applies: it
parses with ``parse(..., check_text=False)`` and asks ``has_bad_text`` of each part."""
from __future__ import annotations

import json
import re

import orjson
from flask import request

from .errors import api_error
from .nul_text import JSONWithoutNul, without_nul

MAX_DEPTH = 32  # the deepest real body (a push: body > mutations > mutation > payload > fields > pair) is 6
MESSAGE = "请求内容必须是 JSON 对象"
TEXT_MESSAGE = "内容含有无法识别的字符（不成对的 UTF-16 代理项），请删除后重试"
DEPTH_MESSAGE = f"请求内容嵌套过深（最多 {MAX_DEPTH} 层）"
NUMBER_MESSAGE = "请求内容含有非数字值（NaN、Infinity 或超出范围的数），这不是有效的 JSON"
_INFINITY = float("inf")
CHECKS_ITS_OWN_BODY = {"offline.push"}

# In JSON text a lone surrogate can only come as an escape \uD800-\uDFFF or as the bytes ED A0-BF xx
# (which Python's decoder lets through): bodies without either need no walk for it.
_MAYBE_SURROGATE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
_MAYBE_SURROGATE_TEXT = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")


class BadJSON(ValueError):
    """The body is JSON but not acceptable; ``code`` and the Chinese ``message`` go to the client."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def may_hold_bad_text(data: bytes | str) -> bool:
    if isinstance(data, (bytes, bytearray)):
        # Looked for by ``in`` first (a memchr over a push's 100 KB, where the pattern steps byte by byte).
        return (b"\\u" in data or b"\xed" in data) and _MAYBE_SURROGATE_BYTES.search(data) is not None
    return _MAYBE_SURROGATE_TEXT.search(data) is not None


def _many_brackets(data: bytes | str) -> bool:
    opening = (b"[", b"{") if isinstance(data, (bytes, bytearray)) else ("[", "{")
    return data.count(opening[0]) + data.count(opening[1]) > MAX_DEPTH


def is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def too_deep(value) -> bool:
    """Whether ``value`` nests lists and objects more than ``MAX_DEPTH`` deep (level by level, no recursion)."""
    level = [value] if isinstance(value, (dict, list)) else []
    depth = 1
    while level:
        if depth > MAX_DEPTH:
            return True
        inner = []
        for item in level:
            inner.extend([v for v in (item.values() if type(item) is dict else item)
                          if type(v) is dict or type(v) is list])
        level, depth = inner, depth + 1
    return False


def has_bad_text(value) -> bool:
    """Whether a string anywhere in ``value`` (keys too) holds a lone surrogate (no recursion:
    call it on values ``too_deep`` has passed or on parts of them)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not is_text(item):
                return True
        elif isinstance(item, dict):
            if not all(is_text(key) for key in item):
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _not_a_number(_text: str):
    raise BadJSON("bad_number", NUMBER_MESSAGE)


def _finite(text: str) -> float:
    number = float(text)
    if number in (_INFINITY, -_INFINITY):  # 1e999: a number too large for a double
        _not_a_number(text)
    return number


def _loads(data: bytes | str):
    """orjson (about three times faster on a push); Python's ``json`` for what orjson refuses but
    ``json`` reads (a lone surrogate, checked afterwards where it matters), and for its messages."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(data, parse_constant=_not_a_number, parse_float=_finite)
    except RecursionError:
        raise BadJSON("too_deep", DEPTH_MESSAGE) from None


def parse(data: bytes | str, check_text: bool = True):
    """The JSON value of ``data`` without NUL characters. Raises ``BadJSON`` when nested too deep,
    holding NaN or an infinity (not JSON; Python's ``json`` reads them) or (with ``check_text``) a
    lone surrogate, ``ValueError`` when it is not JSON at all."""
    value = _loads(data)
    if _many_brackets(data) and too_deep(value):
        raise BadJSON("too_deep", DEPTH_MESSAGE)
    if check_text and may_hold_bad_text(data) and has_bad_text(value):
        raise BadJSON("bad_text", TEXT_MESSAGE)
    marker = b"\\u0000" if isinstance(data, (bytes, bytearray)) else "\\u0000"
    return without_nul(value) if marker in data else value


class CheckedJSON(JSONWithoutNul):
    """Flask's JSON provider for request bodies: ``parse`` with every check."""

    def loads(self, s, **kwargs):
        if kwargs:
            return super().loads(s, **kwargs)
        return parse(s)


def install(app) -> None:
    app.json_provider_class = CheckedJSON
    app.json = CheckedJSON(app)

    @app.before_request
    def _json_body_is_a_checked_object():
        if not request.is_json or request.endpoint in CHECKS_ITS_OWN_BODY:
            return None
        body = request.get_json(silent=True)
        if body is None:
            data = request.get_data(cache=True)
            try:
                parse(data)
            except BadJSON as error:
                return api_error(400, error.code, error.message)
            except ValueError:
                return None  # no body, or not JSON at all: the view answers that as it does for a form
            return None
        if isinstance(body, dict):
            return None
        return api_error(400, "bad_request", MESSAGE)
