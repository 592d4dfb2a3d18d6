"""The sync API against its own OpenAPI document, fuzzed with schemathesis on both databases: any
input it generates is answered, never with a server error. Bugs found this way are pinned by named
tests (test_sync_push.py, test_nul_text.py). Derandomized, so a run is repeatable; longer runs are
for the schemathesis command line against a served app."""
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from webapp.extensions import db
from webapp.offline import devices

EXAMPLES = settings(max_examples=40, derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def test_the_sync_api_never_answers_a_server_error(app, demo):
    _device, token = devices.register(demo["dangyuan"], "fuzz")
    db.session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} >= {"POST /api/sync/push", "GET /api/sync/pull"}

    for operation in operations:
        @EXAMPLES
        @given(case=operation.as_strategy())
        def call(case):
            response = case.call(headers=bearer)
            case.validate_response(response, checks=[not_a_server_error])

        call()
