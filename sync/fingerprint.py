"""Content fingerprint of a mutation: sha256 of canonical JSON, to tell an identical resend from a
different change that reuses an ID."""
from __future__ import annotations

import hashlib
import json


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def fingerprint(mutation) -> str:
    """The sequence number and the phone's clock are transport details, not content."""
    body = {"entity": mutation.entity, "target": mutation.target, "base_version": mutation.base_version,
            "payload": mutation.payload}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()
