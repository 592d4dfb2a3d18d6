"""Helpers for sync API tests: a signed-in person registering a device, and a phone pushing mutations
with its bearer token."""
from __future__ import annotations

import uuid

from tests.conftest import csrf_token
from tests.records_helpers import theme_day_data


def new_record(org, **overrides) -> dict:
    """A new theme day of ``org`` as a sync payload."""
    return {"data": theme_day_data(org, **overrides), "org_id": org.id, "type": "theme_day"}


def register(client, auth, login="dangyuan") -> dict:
    auth.login(login)
    response = client.post("/api/sync/devices", json={"name": "测试手机"},
                           headers={"X-CSRFToken": csrf_token(client, "/")})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


class Phone:
    """A device pushing with its bearer token, counting its own sequence numbers."""

    def __init__(self, client, device: dict):
        self.client, self.device, self.seq = client, device, 0

    def mutation(self, entity, payload, target=None, base_version=None, mid=None):
        self.seq += 1
        return {"id": mid or str(uuid.uuid4()), "seq": self.seq, "entity": entity, "payload": payload,
                "target": target, "base_version": base_version, "client_at": "2026-11-20T09:00:00+08:00"}

    def push(self, *mutations, expect=200):
        response = self.client.post("/api/sync/push", json={"mutations": list(mutations)},
                                    headers={"Authorization": f"Bearer {self.device['token']}"})
        assert response.status_code == expect, response.get_data(as_text=True)
        return response.get_json()
