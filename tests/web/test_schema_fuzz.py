"""Property-based tests of the API from its own OpenAPI schema (schemathesis): whatever the
parameters and bodies, no 5xx, and every answer has a documented status, content type and
shape (events and articles checked against the output contract's JSON Schema)."""

from __future__ import annotations

import pytest

from conftest import TOKEN, FakePipeline, store_articles

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)


def _schema():
    import tempfile
    from pathlib import Path

    from dyads.store import EventStore
    from dyads.web.app import create_app

    path = Path(tempfile.mkdtemp(prefix="dyads-fuzz-")) / "fuzz.duckdb"
    EventStore(path).ingest(store_articles())
    app = create_app(path, token=TOKEN, pipeline=FakePipeline(), max_page=50)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = _schema()
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]  # fmt: skip


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_never_fails_and_matches_its_schema(case):
    case.call_and_validate(checks=CHECKS)


@schema.include(method="POST").parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_write_api_with_the_token(case):
    """The same with the write token, so that POST /api/articles is exercised past the guard."""
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS)
