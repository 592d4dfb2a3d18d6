"""The sync API against its own OpenAPI document, fuzzed with schemathesis on both databases: any
input it generates is answered, never with a server error, and every answer conforms to the document
(status code, content type, body schema). Hostile inputs Hypothesis does not draw by itself (lone
surrogates, deep nesting, image bombs, truncated images) are sent through the same checks. Bugs found
this way are pinned by named tests (test_sync_push.py, test_nul_text.py, test_hostile_input.py).
Derandomized, so a run is repeatable; longer runs are for the schemathesis command line against a
served app."""
import hashlib
import uuid

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance, not_a_server_error, response_schema_conformance, status_code_conformance,
)

from tests.hostile_payloads import DEEP, LONE, bomb_png, truncated_png
from webapp.extensions import db
from webapp.offline import devices

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = settings(max_examples=40, derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def _mutation(seq: int, **overrides) -> dict:
    return {"id": str(uuid.uuid4()), "seq": seq, "entity": "record", "target": str(uuid.uuid4()),
            "payload": {"fields": [["topic", "主题"]], "action": "/records/new/1/theme_day"}, **overrides}


def _hostile_cases(operations: dict) -> list:
    push, photos, register = (operations["POST /api/sync/push"], operations["PUT /api/sync/photos/{sha256}"],
                              operations["POST /api/sync/devices"])
    cases = [
        push.Case(body={"mutations": [_mutation(1), _mutation(2, entity="record" + LONE),
                                      _mutation(3, payload={"fields": [["topic", LONE]]}), _mutation(4, id=LONE)]},
                  media_type="application/json"),
        push.Case(body={"device": LONE, "mutations": [_mutation(5)]}, media_type="application/json"),
        push.Case(body={"mutations": [_mutation(6, client_at=LONE), {LONE: 1}]}, media_type="application/json"),
        push.Case(body={"mutations": [_mutation(7, payload={"deep": DEEP.decode()[:400]})]}, media_type="application/json"),
        register.Case(body={"name": LONE, "client_key": LONE}, media_type="application/json"),
    ]
    for content in (bomb_png(), truncated_png()):
        cases.append(photos.Case(path_parameters={"sha256": hashlib.sha256(content).hexdigest()}, body=content,
                                 media_type="image/png"))
    return cases


def test_the_sync_api_never_answers_a_server_error_and_keeps_to_its_document(app, client, demo):
    _device, token = devices.register(demo["dangyuan"], "fuzz")
    db.session.commit()
    # identity: schemathesis's WSGI transport reads bodies as sent, without undoing a Content-Encoding
    # (compression has its own tests in test_light_wire.py).
    bearer = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = {op.label: op for op in (result.ok() for result in schema.get_all_operations())}
    assert set(operations) >= {"POST /api/sync/push", "GET /api/sync/pull", "PUT /api/sync/photos/{sha256}"}

    for operation in operations.values():
        @EXAMPLES
        @given(case=operation.as_strategy())
        def call(case):
            response = case.call(headers=bearer)
            case.validate_response(response, checks=CHECKS)

        call()

    for case in _hostile_cases(operations):
        response = case.call(headers=bearer)
        case.validate_response(response, checks=CHECKS)
        assert response.status_code in (200, 201, 400), (case.operation.label, response.status_code)
    deep = client.post("/api/sync/push", data=DEEP, content_type="application/json", headers=bearer)
    assert deep.status_code == 400 and deep.get_json()["error"]["code"] == "too_deep"
