"""A local Web Push service for tests: an HTTP server in a thread that checks what a real push
service checks and decrypts what only the browser could.

- VAPID (RFC 8292): ``Authorization: vapid t=<JWT>, k=<public key>``; the ES256 signature is verified
  with k, ``aud`` must be this server's origin, ``exp`` in the future (≤ 24 h), ``sub`` present.
- Payload (RFC 8291 + RFC 8188 aes128gcm): decrypted with the subscription's private key and auth
  secret using ``cryptography`` directly, independent of pywebpush/http_ece.
- Answers are configurable per request: 201 by default, or queued (status, headers) pairs.
- ``on_receive`` (optional) is called with each request before it is answered: tests use it to make
  the service slow on their controllable clock, or to let a second worker act meanwhile.
"""
from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _hmac(key: bytes, data: bytes) -> bytes:
    mac = hmac.HMAC(key, hashes.SHA256())
    mac.update(data)
    return mac.finalize()


class Browser:
    """The browser's side of one subscription: a P-256 key pair and a 16-byte auth secret."""

    def __init__(self):
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.public_raw = self.private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        self.auth = os.urandom(16)

    @property
    def keys(self) -> dict:
        return {"p256dh": b64url(self.public_raw), "auth": b64url(self.auth)}

    def decrypt(self, body: bytes) -> bytes:
        """RFC 8291 §3.4 + RFC 8188 §2: one aes128gcm record."""
        salt, rs, idlen = body[:16], int.from_bytes(body[16:20], "big"), body[20]
        as_public = body[21:21 + idlen]
        ciphertext = body[21 + idlen:]
        assert len(ciphertext) <= rs, "more than one record"
        server_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), as_public)
        ecdh_secret = self.private.exchange(ec.ECDH(), server_key)
        prk_key = _hmac(self.auth, ecdh_secret)
        key_info = b"WebPush: info\x00" + self.public_raw + as_public
        ikm = _hmac(prk_key, key_info + b"\x01")
        prk = _hmac(salt, ikm)
        cek = _hmac(prk, b"Content-Encoding: aes128gcm\x00\x01")[:16]
        nonce = _hmac(prk, b"Content-Encoding: nonce\x00\x01")[:12]
        padded = AESGCM(cek).decrypt(nonce, ciphertext, None)
        stripped = padded.rstrip(b"\x00")
        assert stripped[-1:] == b"\x02", "last record must end with delimiter 0x02"
        return stripped[:-1]


@dataclass
class Received:
    path: str
    headers: dict
    claims: dict
    vapid_key: str
    payload: dict | None
    status: int


@dataclass
class PushService:
    url: str = ""
    browsers: dict = field(default_factory=dict)  # path → Browser
    answers: list = field(default_factory=list)  # queued (status, headers) answers
    received: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    on_receive: object = None

    def subscription(self, name: str) -> tuple[str, dict]:
        browser = Browser()
        path = f"/push/{name}"
        self.browsers[path] = browser
        return self.url + path, browser.keys

    def answer(self, status: int, headers: dict | None = None, times: int = 1):
        self.answers.extend([(status, headers or {})] * times)

    def verify_vapid(self, authorization: str) -> tuple[dict, str]:
        scheme, _, params = authorization.partition(" ")
        assert scheme == "vapid", f"Authorization scheme {scheme!r}"
        parts = dict(p.strip().split("=", 1) for p in params.split(","))
        token, key = parts["t"], parts["k"]
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(b64url_decode(header_b64))
        assert header == {"typ": "JWT", "alg": "ES256"} or header.get("alg") == "ES256", header
        signature = b64url_decode(signature_b64)
        assert len(signature) == 64, "ES256 signature must be raw r||s"
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
        public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        claims = json.loads(b64url_decode(claims_b64))
        assert claims["aud"] == self.url, f"aud {claims['aud']!r} is not {self.url!r}"
        assert time.time() < claims["exp"] <= time.time() + 24 * 3600 + 60, "exp out of range"
        assert claims["sub"].startswith(("mailto:", "https:")), claims["sub"]
        return claims, key


def start_push_service() -> tuple[PushService, ThreadingHTTPServer]:
    service = PushService()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                claims, key = service.verify_vapid(headers.get("authorization", ""))
                assert headers.get("content-encoding") == "aes128gcm", headers.get("content-encoding")
                browser = service.browsers.get(self.path)
                payload = json.loads(browser.decrypt(body)) if browser else None
            except Exception as error:  # noqa: BLE001 - reported to the test
                with service.lock:
                    service.errors.append(f"{self.path}: {error!r}")
                self.send_response(400)
                self.end_headers()
                return
            with service.lock:
                status, extra = service.answers.pop(0) if service.answers else (201, {})
                service.received.append(Received(self.path, headers, claims, key, payload, status))
            if service.on_receive is not None:
                try:
                    service.on_receive(service.received[-1])
                except Exception as error:  # noqa: BLE001 - reported to the test
                    with service.lock:
                        service.errors.append(f"on_receive: {error!r}")
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            if status == 201:
                self.send_header("Location", f"{service.url}/message/{len(service.received)}")
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return service, server
