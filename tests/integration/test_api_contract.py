"""Every answer of the API, to every role, is what /api/v1/openapi.json says it is (issue 17).

A seeded instance (drafts, returned, submitted and approved visits, evidence, findings with
responses, a dispute, a verification and a reopening, a resumable upload) is read by a
volunteer, an auditor, an office head, the project group and an admin; each answer, errors
included, must have a documented status code and content type and a body that the document's
schema accepts. The document forbids keys it does not name, so a key sent but not documented
fails here.
"""

from __future__ import annotations

import io
import re
import warnings
from datetime import date, timedelta
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from survey.extensions import db
from survey.findings.models import Finding
from tests.factories import Account, load_mini, make_office, make_user, post_visit, visit_body
from tests.media import makers

CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
OFFICE = "tr-istanbul-cg"


def _path_parameters(template: str, path: str) -> dict[str, str]:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+?)", re.escape(template))
    found = re.fullmatch(pattern, path)
    return found.groupdict() if found else {}


class Contract:
    """Sends API calls and checks each answer against the OpenAPI document."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.client = client
        self.schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        self.problems: list[str] = []
        self.checked = 0

    def call(self, method: str, url: str, account: Account | None, **kwargs: Any) -> Any:
        headers = {**(account.headers if account else {}), **kwargs.pop("headers", {})}
        response = self.client.open(url, method=method, headers=headers, **kwargs)
        path = url.split("?", 1)[0].removeprefix("/api/v1")
        who = account.role if account else "anonymous"
        if path == "/openapi.json":  # the document itself: valid OpenAPI
            validate(response.json)
            return response
        operation = self.schema.find_operation_by_path(method, path)
        if operation is None:
            self.problems.append(f"{who} {method} {url}: not in the document")
            return response
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                case = operation.Case(path_parameters=_path_parameters(operation.path, path))
                case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            for failure in group.exceptions:
                self.problems.append(
                    f"{who} {method} {url} → {response.status_code}: {failure.title}: "
                    f"{failure.message[:600]}"
                )
        self.checked += 1
        return response

    def get(self, url: str, account: Account | None) -> Any:
        return self.call("GET", url, account)

    def post(self, url: str, account: Account, **kwargs: Any) -> Any:
        return self.call("POST", url, account, **kwargs)


def _last_quarter_days() -> list[date]:
    today = date.today()
    first_of_this = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first_of_this - timedelta(days=1)
    start = date(end.year, end.month - 2, 1)
    return [start + timedelta(days=d) for d in (10, 40, 70)]


def _evidence(api: Contract, account: Account, uuid: str, item: str | None) -> Any:
    sent: dict[str, Any] = {"file": (io.BytesIO(makers.jpeg_with_secrets()), "IMG_0001.jpg")}
    if item:
        sent["item"] = item
    made = api.post(
        f"/api/v1/visits/{uuid}/evidence",
        account,
        data=sent,
        content_type="multipart/form-data",
    )
    assert made.status_code == 201, made.text
    return made


@pytest.fixture
def world(app: Flask, client: FlaskClient, tmp_path: Any) -> dict[str, Any]:
    make_office()
    make_office("de-berlin-emb", "Europe/Berlin")
    load_mini(tmp_path)
    api = Contract(app, client)
    people = {
        "volunteer": make_user("volunteer"),
        "auditor": make_user("auditor"),
        "office_head": make_user("office_head", office=OFFICE),
        "project_group": make_user("project_group"),
        "admin": make_user("admin"),
    }
    vol, aud, head, group = (
        people[r] for r in ("volunteer", "auditor", "office_head", "project_group")
    )
    visits: dict[str, str] = {}
    # Three approved visits in the last complete quarter: figures an office head may see.
    for n, day in enumerate(_last_quarter_days()):
        body = visit_body(visited_at=f"{day}T10:3{n}:00+03:00")
        body["answers"]["ramp"] = {"value": "no", "comment": "No ramp at all"}
        if n == 0:
            body["answers"]["bribe"] = {"value": "yes", "comment": "Asked for a 'fee'"}
            body["answers"]["notes"] = {"value": "A long queue"}
        assert api.post("/api/v1/visits", vol, json=body).status_code == 201
        _evidence(api, vol, body["uuid"], "ramp")
        _evidence(api, vol, body["uuid"], None)
        assert api.post("/api/v1/visits", vol, json=dict(body, submit=True)).status_code == 200
        decided = api.post(
            f"/api/v1/visits/{body['uuid']}/review", aud, json={"decision": "approve"}
        )
        assert decided.status_code == 200, decided.text
        visits[f"approved{n}"] = body["uuid"]
    # A returned visit (with the auditor's note), a submitted one and a draft with evidence.
    returned = visit_body()
    api.post("/api/v1/visits", vol, json=dict(returned, submit=True))
    note = {"decision": "return", "note": "Add the wait time"}
    assert api.post(f"/api/v1/visits/{returned['uuid']}/review", aud, json=note).status_code == 200
    submitted = visit_body(submit=True)
    assert post_visit(client, vol, submitted).status_code == 201
    draft = visit_body()
    assert api.post("/api/v1/visits", vol, json=draft).status_code == 201
    assert api.post("/api/v1/visits", vol, json=draft).status_code == 200
    _evidence(api, vol, draft["uuid"], "ramp")
    visits.update(returned=returned["uuid"], submitted=submitted["uuid"], draft=draft["uuid"])
    # Findings: the head answers one and disputes another; the group reopens, then verifies.
    findings = {f.item_code: f.id for f in db.session.scalars(select(Finding))}
    ramp, bribe = findings["ramp"], findings["bribe"]
    for status in ("in_progress", "implemented"):
        answer = {"text": "Ordered a ramp", "status": status}
        resp = api.post(f"/api/v1/findings/{ramp}/response", head, json=answer)
        assert resp.status_code == 200, resp.text
    reopen = {"decision": "reopened", "note": "Still no ramp"}
    assert api.post(f"/api/v1/findings/{ramp}/verify", group, json=reopen).status_code == 200
    again = {"text": "Built it", "status": "implemented"}
    assert api.post(f"/api/v1/findings/{ramp}/response", head, json=again).status_code == 200
    dispute = {"text": "Nobody here asks for money"}
    assert api.post(f"/api/v1/findings/{bribe}/dispute", head, json=dispute).status_code == 200
    proof = api.post(
        f"/api/v1/findings/{ramp}/evidence",
        head,
        data={"file": (io.BytesIO(makers.jpeg_with_secrets(colour=(1, 200, 1))), "fix.jpg")},
        content_type="multipart/form-data",
    )
    assert proof.status_code == 201, proof.text
    recs = {"recommendations": {"kk": "Пандус", "ru": "Пандус", "en": "Build a ramp"}}
    assert api.call("PATCH", f"/api/v1/findings/{bribe}", aud, json=recs).status_code == 200
    bulk = {"ids": [ramp, bribe], "action": "verify"}
    assert api.post("/api/v1/findings/bulk", group, json=bulk).status_code == 200
    return {"api": api, "people": people, "visits": visits, "findings": [ramp, bribe]}


def test_every_answer_to_every_role_is_as_documented(world: dict[str, Any]) -> None:
    api: Contract = world["api"]
    visits, findings = world["visits"], world["findings"]
    period = "&".join(f"{k}={v}" for k, v in {"from": "2000-01-01", "to": date.today()}.items())
    urls = [
        "/api/v1/openapi.json",
        "/api/v1/offices",
        "/api/v1/offices?limit=1",
        "/api/v1/checklists",
        "/api/v1/checklists/mini/1",
        "/api/v1/checklists/mini/9",
        "/api/v1/visits",
        "/api/v1/visits?limit=1&status=approved",
        "/api/v1/visits?status=nonsense",
        *(f"/api/v1/visits/{uuid}" for uuid in visits.values()),
        "/api/v1/findings",
        "/api/v1/findings?limit=1",
        *(f"/api/v1/findings/{i}" for i in findings),
        f"/api/v1/offices/{OFFICE}/scores",
        f"/api/v1/offices/{OFFICE}/scores?{period}",
        "/api/v1/scores",
        f"/api/v1/scores?{period}",
        "/api/v1/kpis",
        "/api/v1/kpis?all_time=1",
        *(
            f"/api/v1/exports/{name}?{period}&lang=en"
            for name in ("visits.csv", "answers.csv", "summary.xlsx", "report.pdf")
        ),
        "/api/v1/exports/infographic.svg?period=2026",
    ]
    for account in (*world["people"].values(), None):
        for url in urls:
            api.get(url, account)
    assert api.problems == [], "\n".join(api.problems)
    assert api.checked > 150


def test_uploads_and_refusals_are_as_documented(world: dict[str, Any]) -> None:
    """The tus calls with their headers, and refusals (403, 404, 409, 413, 422) by role."""
    api: Contract = world["api"]
    people, visits = world["people"], world["visits"]
    vol, aud = people["volunteer"], people["auditor"]
    api.call("OPTIONS", "/api/v1/uploads", None)
    data = makers.png_with_text()
    made = api.post("/api/v1/uploads", vol, headers={"Upload-Length": str(len(data))})
    assert made.status_code == 201, made.text
    url = made.headers["Location"]
    assert api.call("HEAD", url, vol).status_code == 200
    patched = api.call(
        "PATCH",
        url,
        vol,
        data=data,
        headers={"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    assert patched.status_code == 204, patched.text
    attached = api.post(
        f"/api/v1/visits/{visits['draft']}/evidence",
        vol,
        json={"upload": url.rsplit("/", 1)[-1], "item": "ramp"},
    )
    assert attached.status_code == 201, attached.text
    removed = api.call(
        "DELETE", f"/api/v1/visits/{visits['draft']}/evidence/{attached.json['uuid']}", vol
    )
    assert removed.status_code == 204
    api.post("/api/v1/visits", vol, json={"uuid": "x"})  # 422
    api.post("/api/v1/visits", vol, data="{nope", content_type="application/json")  # 422
    frozen = visit_body(uuid=visits["submitted"], answers={"ramp": {"value": "no"}})
    api.post("/api/v1/visits", vol, json=frozen)  # 409
    api.post(f"/api/v1/visits/{visits['submitted']}/review", aud, json={"decision": "x"})
    api.post(f"/api/v1/visits/{visits['submitted']}/review", vol, json={"decision": "approve"})
    for account in people.values():
        api.post(f"/api/v1/findings/{world['findings'][0]}/merge", account, json={"into": 0})
        api.post("/api/v1/findings/bulk", account, json={})
        api.post(f"/api/v1/findings/{world['findings'][0]}/verify", account, json={})
    api.call("PATCH", "/api/v1/uploads/nope", vol, data=b"x", headers={"Upload-Offset": "0"})
    assert api.problems == [], "\n".join(api.problems)
