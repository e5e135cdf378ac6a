"""schemathesis against our OpenAPI document, with each role's token: every generated request
gets an answer the document describes — no 5xx, a documented status code and content type,
documented headers, and a body the documented schema accepts (issue 17).

Bounded: a few generated cases per operation and role, on SQLite. The pytest plugin of
schemathesis does not run under pytest 9, so the cases are drawn directly.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from survey.extensions import db
from tests.factories import load_mini, make_office, make_user, post_visit, visit_body

EXAMPLES = 10
# tus PATCH sends bytes as application/offset+octet-stream.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
ROLES = ("volunteer", "auditor", "office_head", "project_group", "admin")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _seed(client: FlaskClient, tmp_path: Any) -> dict[str, str]:
    """An approved visit with a finding, a submitted one and a draft; a token per role."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the fuzzer needs one database")
    make_office()
    load_mini(tmp_path)
    tokens = {role: make_user(role, office="tr-istanbul-cg").token for role in ROLES}
    vol = make_user("volunteer")
    aud = make_user("auditor")
    approved = visit_body(submit=True)
    approved["answers"]["ramp"] = {"value": "no", "comment": "No ramp"}
    post_visit(client, vol, approved)
    client.post(
        f"/api/v1/visits/{approved['uuid']}/review",
        json={"decision": "approve"},
        headers=aud.headers,
    )
    post_visit(client, vol, visit_body(submit=True))
    post_visit(client, vol, visit_body())
    return tokens


def _fuzz(operation: Any, token: str, examples: int, failures: list[str]) -> None:
    # The WSGI transport does not decompress: ask for the answer as it is.
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):  # type: ignore[no-untyped-def]
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except FailureGroup as group:
            for failure in group.exceptions:
                failures.append(
                    f"{case.method} {case.formatted_path} {case.query or ''}: "
                    f"{failure.title}: {failure.message[:3000]}"
                )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run()


def test_every_role_gets_documented_answers(app: Flask, client: FlaskClient, tmp_path: Any):
    tokens = _seed(client, tmp_path)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    failures: list[str] = []
    for role, token in tokens.items():
        for operation in operations:
            # The project group's exports are drawn in the test below, with their own budget.
            if role == "project_group" and operation.path.startswith("/exports/"):
                continue
            _fuzz(operation, token, EXAMPLES, failures)
    assert failures == [], "\n".join(sorted(set(failures)))


def test_exports_to_the_project_group_are_as_documented(
    app: Flask, client: FlaskClient, tmp_path: Any
):
    """The exports' parameters (from, to, period, lang) drawn by schemathesis, as the only
    role that passes the role check: no 5xx whatever the period, and the answer documented."""
    tokens = _seed(client, tmp_path)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().path.startswith("/exports/")
    ]
    assert {op.path for op in operations} == {
        "/exports/visits.csv",
        "/exports/answers.csv",
        "/exports/summary.xlsx",
        "/exports/report.pdf",
        "/exports/infographic.{fmt}",
    }
    failures: list[str] = []
    for operation in operations:
        _fuzz(operation, tokens["project_group"], 5, failures)
    assert failures == [], "\n".join(sorted(set(failures)))
