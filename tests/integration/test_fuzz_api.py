"""schemathesis against our OpenAPI document: generated requests never get a 5xx.

Bounded: a few generated cases per operation, on SQLite, with an auditor's token. The pytest
plugin of schemathesis does not run under pytest 9, so the cases are drawn directly.
"""

from __future__ import annotations

import warnings

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from survey.extensions import db
from tests.factories import load_mini, make_office, make_user, post_visit, visit_body

EXAMPLES = 10


def test_api_never_answers_5xx(app, client, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the fuzzer needs one database")
    make_office()
    load_mini(tmp_path)
    token = make_user("auditor").token
    post_visit(client, make_user("volunteer"), visit_body(submit=True))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[tuple[str, str, int]] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):  # type: ignore[no-untyped-def]
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, response.status_code))

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run()
    assert failures == [], failures


def test_exports_never_answer_5xx_to_the_project_group(app, client, tmp_path):
    """The exports' parameters (from, to, period, lang) drawn by schemathesis, as the only
    role that passes the role check: no 5xx whatever the period."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the fuzzer needs one database")
    make_office()
    load_mini(tmp_path)
    post_visit(client, make_user("volunteer"), visit_body(submit=True))
    headers = {"Authorization": f"Bearer {make_user('project_group').token}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().path.startswith("/exports/")
    ]
    assert len(operations) == 6
    failures: list[tuple[str, int]] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=5, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def run(case):  # type: ignore[no-untyped-def]
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append((case.formatted_path + str(case.query), response.status_code))

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run()
    assert failures == [], failures
