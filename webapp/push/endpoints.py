"""Which push endpoints the worker may be aimed at (issue 13).

A browser hands us the URL of its push service; the worker POSTs to it. Accepted are only the hosts of
real push services (``PUSH_SERVICE_HOSTS``, webapp/rules/reminders.py and ZHIBU_PUSH_SERVICE_HOSTS),
over https, on the default port, and never a name that resolves to a private, loopback, link-local or
otherwise non-public address: checked when the browser subscribes and again right before each send (a
name's addresses can change in between). Nothing is decided from the request's Host header.

Tests point the worker at a local fake push service: ``PUSH_LOOPBACK_TEST_HOSTS`` (TestConfig only) lets
those configured hosts be loopback, over http and on any port.
"""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

MAX_LENGTH = 1000


@dataclass
class Refused(Exception):
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def service_of(endpoint: str) -> str:
    """The push service an endpoint belongs to, for per-service back-off: its host, with the port when
    one is given (real push services use the default one)."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    return f"{host}:{port}" if port else host


def _host_allowed(host: str, patterns) -> bool:
    for pattern in patterns:
        pattern = pattern.lower()
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


def _addresses(host: str, resolve=socket.getaddrinfo) -> list[ipaddress._BaseAddress] | None:
    """The host's addresses; None when the name does not resolve now. ``resolve``: a function with
    the signature of :func:`socket.getaddrinfo` (the system resolver unless told otherwise)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = resolve(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        return None
    found = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if getattr(address, "ipv4_mapped", None):
            address = address.ipv4_mapped
        found.append(address)
    return found


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _public(address) -> bool:
    """A public unicast address, also when it is an IPv6 form that carries an IPv4 address (6to4,
    Teredo, NAT64): those reach the embedded address, which must be public too."""
    if not address.is_global or address.is_multicast:
        return False
    if address.version == 6:
        embedded = [address.sixtofour] + list(address.teredo or ())
        if address in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        return all(_public(inner) for inner in embedded if inner is not None)
    return True


def check(endpoint: str, *, resolve_required: bool, config=None, resolve=socket.getaddrinfo) -> str:
    """The endpoint's host when it may be used, else raises :class:`Refused`.

    ``resolve_required``: at send time a name that does not resolve is refused (we would not know where
    the request goes); at subscribe time it is accepted on the allow-list alone, because the send-time
    check decides and a phone's subscription should not fail for a passing DNS hiccup.
    ``resolve``: the name resolver (:func:`socket.getaddrinfo` by default).
    """
    config = config or current_app.config
    parts, port, host = _parsed(endpoint)
    if not _host_allowed(host, config.get("PUSH_SERVICE_HOSTS") or ()):
        raise Refused("endpoint_not_push_service", f"不接受此推送地址：{host} 不是已知的浏览器推送服务")
    loopback_ok = host in {h.lower() for h in (config.get("PUSH_LOOPBACK_TEST_HOSTS") or ())}
    if not loopback_ok and (parts.scheme != "https" or port not in (None, 443)):
        raise Refused("endpoint_invalid", "推送地址必须使用 https")
    if loopback_ok and parts.scheme not in ("http", "https"):
        raise Refused("endpoint_invalid", "推送地址格式不正确")
    addresses = _addresses(host, resolve)
    if addresses is None:
        if resolve_required:
            raise Refused("endpoint_unresolved", f"无法解析推送服务地址 {host}")
        return host
    _refuse_internal(host, addresses, loopback_ok)
    return host


def _parsed(endpoint) -> tuple:
    """(URL parts, port, lower-case host) of a well-formed URL without credentials, else Refused."""
    if not isinstance(endpoint, str) or not endpoint:
        raise Refused("endpoint_missing", "缺少推送地址")
    if len(endpoint) > MAX_LENGTH:
        raise Refused("endpoint_too_long", "推送地址过长")
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        raise Refused("endpoint_invalid", "推送地址格式不正确") from None
    host = (parts.hostname or "").lower()
    if not host or parts.username is not None or parts.password is not None:
        raise Refused("endpoint_invalid", "推送地址格式不正确")
    return parts, port, host


def _refuse_internal(host: str, addresses, loopback_ok: bool) -> None:
    """Refused when the name points into an internal network (loopback only for the test hosts)."""
    for address in addresses:
        if loopback_ok and address.is_loopback:
            continue
        if not _public(address):
            raise Refused("endpoint_private_address",
                          f"不接受此推送地址：{host} 指向内部网络地址 {address}")
