"""VAPID keys (RFC 8292) kept in the instance folder, created once, never committed."""
from __future__ import annotations

import base64
from pathlib import Path

from flask import current_app

KEY_FILENAME = "vapid_private.pem"
# Outside production only: a contact that says it is none. Production refuses to start without
# ZHIBU_VAPID_SUBJECT (check_subject), so push services always get a real contact there.
DEVELOPMENT_SUBJECT = "mailto:zhibu-dev@localhost"


class KeysExist(Exception):
    pass


def key_path(app=None) -> Path:
    app = app or current_app
    configured = app.config.get("VAPID_PRIVATE_KEY_PATH")
    return Path(configured) if configured else Path(app.instance_path) / KEY_FILENAME


def create_keys(path: Path) -> None:
    """Write a new P-256 private key (PEM, mode 600). Refuses to overwrite existing keys: every
    browser subscription is bound to the public key, so replacing it silently breaks them all."""
    if path.exists():
        raise KeysExist(str(path))
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    path.parent.mkdir(parents=True, exist_ok=True)
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    path.write_bytes(pem)
    path.chmod(0o600)


def _private(path: Path):
    """The private key (cryptography is loaded here, by the pages and the worker that use it)."""
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_key(app=None) -> str | None:
    """The applicationServerKey for ``pushManager.subscribe``: base64url of the uncompressed point."""
    path = key_path(app)
    if not path.exists():
        return None
    from cryptography.hazmat.primitives import serialization

    raw = _private(path).public_key().public_bytes(serialization.Encoding.X962,
                                                   serialization.PublicFormat.UncompressedPoint)
    return b64url(raw)


def private_key_string(app=None) -> str:
    """The private key as pywebpush accepts it (base64url DER)."""
    from cryptography.hazmat.primitives import serialization

    der = _private(key_path(app)).private_bytes(serialization.Encoding.DER,
                                                serialization.PrivateFormat.PKCS8,
                                                serialization.NoEncryption())
    return b64url(der)


def subject(app=None) -> str:
    """The VAPID "sub" claim (RFC 8292 §2.1): how the push service's operator reaches ours."""
    app = app or current_app
    return app.config.get("VAPID_SUBJECT") or DEVELOPMENT_SUBJECT


class SubjectMissing(RuntimeError):
    pass


def check_subject(app) -> None:
    """At start: a configured subject must be a mailto: or https: URI; production requires one."""
    value = (app.config.get("VAPID_SUBJECT") or "").strip()
    if value and not value.startswith(("mailto:", "https://")):
        raise SubjectMissing(f"ZHIBU_VAPID_SUBJECT must start with mailto: or https:// (got {value!r})")
    if not value and app.config.get("REQUIRE_VAPID_SUBJECT"):
        raise SubjectMissing("ZHIBU_VAPID_SUBJECT is not set: in production push services need a real "
                             "contact, e.g. ZHIBU_VAPID_SUBJECT=mailto:it@your-organisation.cn (README)")
